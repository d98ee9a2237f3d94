from plancheck._entry import main

main()
