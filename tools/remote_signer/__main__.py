from tools.remote_signer.server import main

raise SystemExit(main())
