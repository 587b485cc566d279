-- instruction_limit: more than lua.instructions VM instructions (200
-- million by default, all coroutines together; rows read through cm.*
-- and SQL work count too). A loop that never ends.
-- flags: --instructions 1000000
local n = 0
while n >= 0 do n = n + 1 end
return n
