-- invalid_output: the result cannot be written as JSON (a function, NaN
-- or an infinity, a cycle, a table mixing 1..n and other keys); for
-- lua publish, also a row of the indicator that breaks a rule.
local kwh, area = 1200, 0
return {intensity = kwh / area}   -- 1200 / 0 is an infinity
