-- string.rep and its neighbours at sizes near and past the budget
-- (memory_limit stops the run: last)
local r = {}
r[1] = #string.rep('ab', 1000, ',')
r[2] = #string.rep('x', -1)
r[3] = #table.concat({string.rep('z', 100), 'a', 'b'}, string.rep('-', 10))
local big = string.rep('0123456789', 1e5)
r[4] = #big:upper() + #big:reverse() + #big:sub(10, -10)
r[5] = tostring(pcall(table.concat, setmetatable({}, {__index = function() return 'x' end}), '', 1, 1e3))
r[6] = tostring(pcall(string.rep, '', 2^62))
r[7] = tostring(pcall(string.rep, 'x', 1 << 40))
r[8] = tostring(pcall(string.rep, 'x', 2^31, 'yy'))
return r
