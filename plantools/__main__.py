from plantools.cli import main

main()
