from tools.axis_standin.server import main

main()
