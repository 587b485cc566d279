-- syntax_error: the script does not compile; the line is given.
local total = 0
for r in cm.rows('energy-site-year') do
  total = total + (r.value or 0)
return total
