-- table library corners: sort with a bad comparator, unpack ranges,
-- move, varargs, insert/remove positions
local t = {}
for i = 1, 200 do t[i] = (i * 7919) % 211 end
table.sort(t)
local bad = {pcall(table.sort, {3, 1, 2, 5, 4, 9, 8, 7, 6, 10, 12, 11}, function() return true end)}
local unp = {pcall(table.unpack, {}, 1, 1e7)}
local moved = table.move({1, 2, 3}, 1, 3, 2, {})
local ins = {pcall(table.insert, {1}, 5, 2)}
local rem = {table.remove({}), pcall(table.remove, {1, 2}, 7)}
local function va(...) return select('#', ...), select(-1, ...) end
local n, last = va(nil, nil, 3)
local packed = table.pack(1, nil, 3)
local out = table.pack(t[1], t[200], bad[1], unp[1], moved, ins[1], rem, n, last, packed.n,
        #table.concat({1, 2.5, 'x'}, ','), next({}), type(next), utf8 and utf8.len('été'),
        utf8 and {pcall(utf8.codepoint, '\xff')}, os.date('!%Y-%m-%dT%H', 0), os.time{year = 2024, month = 1, day = 1, hour = 0},
        pcall(os.date, '%Ez'), type(os.clock()))
for i = 1, out.n do out[i] = tostring(out[i]) end
out.n = nil
return out
