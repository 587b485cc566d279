return load("return 2")()
