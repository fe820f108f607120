from newsqa.cli import main

main()
