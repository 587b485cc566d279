return {a = {b = {c = "d"}}, [1] = nil}
