-- 0005_meter_index.sql -- the last index read from a counter meter, so
-- that the next file's first index makes an interval with it: without
-- it, the energy between two files' indexes would be lost.
ALTER TABLE meter ADD COLUMN index_at INTEGER;  -- UTC seconds
ALTER TABLE meter ADD COLUMN index_value REAL;  -- in the meter's unit
