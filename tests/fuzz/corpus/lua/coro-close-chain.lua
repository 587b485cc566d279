-- nested coroutine.close through __close (a Lua 5.4.4 crash path when
-- deep); a small count, for the fuzzer to grow
local prev
for i = 1, 200 do
  local p = prev
  local co = coroutine.create(function()
    local x <close> = setmetatable({}, {__close = function()
      if p then coroutine.close(p) end
    end})
    coroutine.yield(i)
  end)
  coroutine.resume(co)
  prev = co
end
return {pcall(coroutine.close, prev)}
