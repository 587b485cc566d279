-- error values, levels, xpcall handlers, errors inside handlers and
-- __tostring, nested pcall, error(nil), and a stack overflow (last)
local function lvl2() error('at level 2', 2) end
local r = {}
local function keep(...) r[#r + 1] = table.concat((function(t)
  for i = 1, t.n do local ok, s = pcall(tostring, t[i]); t[i] = ok and s or "?" end return t end)(table.pack(...)), " ") end
keep(pcall(lvl2))
keep(pcall(error, {code = 42}))
keep(pcall(error))
keep(xpcall(function() error('x') end, function(m) return 'handled: ' .. m end))
keep(xpcall(function() error('x') end, function() error('again') end))
local obj = setmetatable({}, {__tostring = function() error('in tostring') end})
keep(pcall(tostring, obj))
keep(pcall(error, obj))
local function nest(n) if n == 0 then error('bottom') end return pcall(nest, n - 1) end
keep(nest(40))
keep(pcall(string.rep, 'x', 'y'))
keep(pcall(function() return setmetatable({}, {__index = function(t, k) return t[k] end}).x end))
local function rec(n) return rec(n + 1) + 1 end
keep(pcall(rec, 1))
return r
