-- metamethods: arithmetic, comparison, concat, len, call, index chains,
-- newindex, tostring, close, and the protected metatable
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__sub = function(a, b) return setmetatable({x = a.x - b.x}, V) end
V.__mul = function(a, b) return setmetatable({x = a.x * (type(b) == 'number' and b or b.x)}, V) end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__idiv = function(a, b) return a.x // b.x end
V.__band = function(a, b) return a.x & b.x end
V.__shl = function(a, n) return a.x << n end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__concat = function(a, b) return tostring(a) .. '|' .. tostring(b) end
V.__len = function(a) return a.x end
V.__call = function(self, y) return self.x + y end
V.__tostring = function(a) return 'V(' .. a.x .. ')' end
V.__metatable = 'locked'
local function new(x) return setmetatable({x = x}, V) end
local a, b = new(3), new(4)
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) return k .. '!' end,
  __newindex = function(t, k, v) rawset(t, k, v * 2); log[#log + 1] = k end,
})
proxy.q = 21
local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = 1}})})
do local c <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = 'closed' end}) end
local out = table.pack((a + b).x, (a - b).x, (a * 2).x, (-a).x, a // b, a & b, a << 2,
        a == new(3), a < b, a <= b, a .. b, #a, a(10), tostring(a),
        getmetatable(a), pcall(setmetatable, a, {}), proxy.q, proxy.zz,
        chain.deep, rawget(proxy, 'zz'), rawlen({1, 2}), rawequal(a, a), #log)
for i = 1, out.n do out[i] = tostring(out[i]) end
out.n = nil
return out
