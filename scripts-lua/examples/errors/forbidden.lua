-- forbidden: something the sandbox never allows. The readings behind the
-- published data are private: cm.sql reads the four public tables only.
-- pcall cannot catch this one: the run stops.
local ok = pcall(cm.sql, 'SELECT * FROM reading')
return ok
