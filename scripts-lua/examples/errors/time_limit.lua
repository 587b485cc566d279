-- time_limit: still running after lua.timeout_ms (10 s by default); the
-- worker is stopped, or killed. Here a join of every observation with
-- every other: SQLite works hard between two Lua instructions.
-- flags: --timeout-ms 1000
return cm.sql('SELECT count(*) AS n FROM observation a, observation b')
