from esiguard.cli import main

main()
