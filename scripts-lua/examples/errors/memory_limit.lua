-- memory_limit: the state grew past lua.memory_mb (64 MiB by default).
-- Here every row is kept in a table of its own, a million at a time;
-- keep sums, not rows, or let cm.aggregate do the grouping.
local kept = {}
for i = 1, 1e9 do
  kept[i] = {period = '2024', territory = 'site-' .. i, value = i}
end
return #kept
