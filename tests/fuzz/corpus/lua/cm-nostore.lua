-- the cm table without a store: every call is an error a script can catch
local r = {}
for _, f in ipairs({'datasets', 'columns', 'rows', 'aggregate', 'sql'}) do
  r[#r + 1] = {pcall(cm[f], 'energy-site-year', {by = 'territory'})}
end
return {r, type(cm), pcall(cm.sql, 'SELECT 1; DROP TABLE dataset')}
