from tools.payment_standin.server import main

main()
