-- 0004_meter_step.sql -- what a meter's source sends, beyond its unit:
-- the interval of its readings (seconds: 600, 1800, 3600, 86400; 0 for
-- instantaneous values), so that a row with no step still says which
-- interval its energy covers; and whether its values are a cumulative
-- counter (an index), whose differences are the interval energies.
ALTER TABLE meter ADD COLUMN step INTEGER CHECK (step IS NULL OR step >= 0);
ALTER TABLE meter ADD COLUMN counter INTEGER NOT NULL DEFAULT 0
    CHECK (counter IN (0, 1));
