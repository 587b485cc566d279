local s = string.rep("ab", 10)
return s:gsub("a", function(x) return x:upper() end)
