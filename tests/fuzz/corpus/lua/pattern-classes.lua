-- patterns: classes, sets, anchors, balanced %b, frontier %f, captures,
-- position captures, back-references, gsub with a table and a function
local s = 'Lorient (56100) 2024-03-15T10 kWh=12.5; Vannes (56000) 2023-01-01 kWh=7'
local out = {}
for city, cp in s:gmatch('(%u%l+) %((%d+)%)') do out[#out + 1] = city .. cp end
local y, m, d = s:match('(%d%d%d%d)%-(%d%d)%-(%d%d)')
local bal = ('f(a(b)c)d'):match('%b()')
local words = select(2, ('THE (quick) fox'):gsub('%f[%a]%a+', ''))
local pos = {('hello'):find('()ll()')}
local rep = ('a=1, b=2'):gsub('(%w+)=(%w+)', '%2=%1')
local tbl = ('$x and $y'):gsub('%$(%w+)', {x = 'X', y = 42})
local fn = ('abc'):gsub('.', function(c) return c:byte() .. ',' end)
local back = ('say "hi" and \'yo\''):match('(["\'])(.-)%1')
local num = tonumber(s:match('kWh=([%d%.]+)'))
local anch = {('^^x'):find('^^'), ('x$'):find('$', 1, true)}
local bad = {pcall(string.find, 'x', '[a'), pcall(string.rep)}
return {out, y, m, d, bal, words, pos, rep, tbl, fn, back, num, anch, bad,
        string.format('%q %5.1f %-5s| %x %g', 'a\nb', 3.14159, 'ab', 255, 1e300)}
