-- output_limit: a table of the result has more than lua.output_rows
-- entries (100 000 by default); so does a cm.sql query returning more
-- rows. Aggregate before returning.
local t = {}
for i = 1, 100001 do t[i] = i end
return t
