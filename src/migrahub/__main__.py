from migrahub.cli import main

main()
