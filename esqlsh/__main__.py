from esqlsh.cli import main

main()
