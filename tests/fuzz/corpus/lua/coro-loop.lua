-- the instruction budget is shared by every coroutine
local cos = {}
for i = 1, 8 do
  cos[i] = coroutine.wrap(function() while true do coroutine.yield(i) end end)
end
local n = 0
while true do for i = 1, 8 do n = n + cos[i]() end end
