-- backtracking a count hook cannot interrupt: the sandbox must refuse or
-- bound it (instruction_limit), never hang
local s = string.rep('a', 3000)
local r = {pcall(string.match, s, '(.-)(.-)(.-)b')}
local g = {pcall(string.gsub, s, 'a-a-a-a-b', '')}
return {r[1], g[1], s:find(('a?'):rep(30) .. ('a'):rep(30))}
