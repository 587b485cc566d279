-- 0004_meter_step.sql -- a meter may declare the interval of its readings
-- (seconds: 600, 1800, 3600, 86400; 0 for instantaneous values), so that
-- a canonical CSV row with no step column still says which interval its
-- energy covers.
ALTER TABLE meter ADD COLUMN step INTEGER CHECK (step IS NULL OR step >= 0);
