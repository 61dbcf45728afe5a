from corridor.cli.main import main

main()
