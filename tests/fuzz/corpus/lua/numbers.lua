-- integer and float corners: overflow, division, conversions, keys
local r = table.pack(math.maxinteger + 1 == math.mininteger, math.mininteger // -1,
  pcall(function() return 1 // 0 end), 1 // 0.0, -7 // 2, -7 % 3, 7 % -3,
  3 / 2, 2^53 + 1, math.tointeger(3.0), math.tointeger(3.5), 1e308 * 10 > 0,
  tostring(-0.0), 0x7fffffffffffffff, 0xffffffffffffffff, '10' + 5, '0x10' * 1,
  pcall(function() return 1.5 | 0 end), 5 // 0.0 == math.huge, math.ult(1, -1),
  string.format('%d', 3.0), pcall(string.format, '%d', 3.5), tonumber('  12  '),
  tonumber('z', 36), tonumber('1e'), math.fmod(-6, 4), math.abs(math.mininteger))
local t = {}
t[1.0] = 'one'; t[2^53] = 'big'
r[r.n + 1] = t[1]
r[r.n + 2] = math.type(next(t))
for i = 1, r.n + 2 do r[i] = tostring(r[i]) end
r.n = nil
return r
