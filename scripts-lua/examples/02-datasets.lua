-- 02-datasets.lua -- what is published, and three ways to read a dataset.
--
-- cm.datasets()  one entry per published dataset (latest version).
-- cm.columns()   the whole version as Lua arrays, one per column; nil
--                where a value is suppressed (secret statistique).
-- cm.rows()      an iterator of row tables, for versions too big to hold.
local slugs = {}
for _, d in ipairs(cm.datasets()) do
  -- d.slug, d.title (French), d.version, d.period, d.territory_level,
  -- d.kinds = {'electricity', ...}, d.n_observations
  slugs[#slugs + 1] = d.slug
end

-- Columns: period, territory, sector, kind, value, n_sites, status.
local c = cm.columns('energy-site-year')
local electricity = 0
for i = 1, #c.period do
  if c.kind[i] == 'electricity' and c.value[i] then
    electricity = electricity + c.value[i]
  end
end

-- Rows: the same columns plus territory_level and unit, one table a row.
local rows, suppressed = 0, 0
for r in cm.rows('energy-site-year') do
  rows = rows + 1
  if r.value == nil then suppressed = suppressed + 1 end -- status C or D
end

return {
  datasets = #slugs,
  slugs = slugs,
  rows = rows,
  suppressed = suppressed,
  electricity_kwh = electricity,
}
