from tools.portal_standin.server import main

main()
