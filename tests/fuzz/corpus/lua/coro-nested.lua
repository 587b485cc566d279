-- coroutines: generators, yield across pcall, wrap errors, status, close
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
    return nil
  end)
end
local s = 0
for v in gen(10) do s = s + v end
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local ok, e = pcall(function() coroutine.yield(c * 2); error('in', 0) end)
  return ok, e, coroutine.isyieldable(), coroutine.running()
end)
local r1 = {coroutine.resume(co, 1, 2)}
local r2 = {coroutine.resume(co, 5)}
local r3 = {coroutine.resume(co)}
local dead = {coroutine.resume(co)}
local w = coroutine.wrap(function() error({code = 1}) end)
local ok, e = pcall(w)
local c2 = coroutine.create(function() coroutine.yield() end)
coroutine.resume(c2)
local closed = {pcall(coroutine.close, c2)}
local out = table.pack(s, r1[2], r2[2], r3[2], r3[3], dead[2], ok, type(e),
  coroutine.status(co), coroutine.status(c2), closed[1])
for i = 1, out.n do out[i] = tostring(out[i]) end
out.n = nil
return out
