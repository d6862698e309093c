from separation.cli import main

main()
