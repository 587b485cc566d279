return string.find(string.rep("a", 1000), "(a*)*b")
