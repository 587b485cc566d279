-- __gc and weak tables are refused (a 5.4.4 use-after-free needs a weak
-- metatable and a failed allocation in __newindex); so is the string
-- metatable
local t = setmetatable({}, {__newindex = setmetatable({}, {__mode = 'k'})})
for i = 1, 1e6 do t[i] = string.rep('x', 64) end
setmetatable({}, {__gc = function() end})
getmetatable('').__index = nil
return #t
