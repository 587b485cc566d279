-- 01-hello.lua -- the first script in five lines: whatever it returns
-- (tables, strings, numbers, booleans) is printed as JSON.
local squares = {}
for i = 1, 5 do squares[i] = i * i end
return {hello = 'Consometer', squares = squares}
