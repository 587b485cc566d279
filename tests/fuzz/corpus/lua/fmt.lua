return string.format("%5.2f %d %s", 1.5, 3, "x"), os.time(), math.random(10)
