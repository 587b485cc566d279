-- 03-aggregate.lua -- grouped sums, means and percentiles computed in C
-- (in SQLite for sum/mean/min/max/count), without a Lua loop per row.
--
-- cm.aggregate(slug, {by = {...}, fn = ..., value = ..., version = N})
--   by     group columns: period, territory, territory_level, sector,
--          kind, unit, status (none: one row for the whole version)
--   fn     sum (default), mean, min, max, count, p0 .. p100 (percentile,
--          linear between ranks)
--   value  'value' (default) or 'n_sites'
-- Suppressed values (nil) are skipped, as SQL does; a group whose values
-- are all suppressed has value = nil for sum/mean/min/max, and no row at
-- all for a percentile. The result is an array of
-- {<group columns>..., value = x}, ordered by the groups.

-- Energy of the public buildings by year and kind (kWh).
local by_kind = cm.aggregate('energy-site-year',
                             {by = {'period', 'kind'}, fn = 'sum'})
local total = 0
for _, g in ipairs(by_kind) do total = total + (g.value or 0) end

-- Hourly PV production of each site (kWh in an hour): its median, its
-- 90th percentile, its maximum and how many hours have a value.
local p50 = cm.aggregate('pv-site-hour', {by = 'territory', fn = 'p50'})
local p90 = cm.aggregate('pv-site-hour', {by = 'territory', fn = 'p90'})
local max = cm.aggregate('pv-site-hour', {by = 'territory', fn = 'max'})
local hours = cm.aggregate('pv-site-hour', {by = 'territory', fn = 'count'})
local pv = {}
for i, g in ipairs(p90) do
  pv[i] = {site = g.territory, p50 = p50[i].value, p90 = g.value,
           max = max[i].value, hours = hours[i].value}
end

return {by_kind = by_kind, total_kwh = total, pv = pv}
