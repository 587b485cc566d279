-- runtime_error: error(), or a mistake found while running: here a
-- dataset that is not published (cm.datasets() lists those that are).
local n = 0
for _ in cm.rows('electricity-site-minute') do n = n + 1 end
return n
