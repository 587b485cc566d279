-- energy-intensity.lua -- final energy intensity of each public building,
-- in kWh per m² of floor area per year.
--
-- Reads the latest version of energy-site-month (one row per building,
-- energy kind and month, with the building's floor area in the extra
-- column floor_area_m2, which cm.rows does not expose: read through
-- cm.sql and json_extract). For each building and year: the sum of its
-- electricity, gas and heat (kWh) divided by its floor area, rounded to
-- 0.01 kWh/m². A building gets no value in a year unless it has such rows
-- in each of the 12 months, none of them suppressed, and a known floor
-- area: a partial sum would understate it (the first hour of the next
-- year is no year). energy-intensity-category.lua applies the same rule,
-- so a category's value is the area-weighted mean of these.
local rows = cm.sql([[
  SELECT substr(o.period, 1, 4) AS year, o.territory, sum(o.value) AS kwh,
         max(json_extract(o.extra, '$.floor_area_m2')) AS area,
         count(*) - count(o.value) AS missing,
         count(DISTINCT o.period) AS months
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.kind IN ('electricity', 'gas', 'heat')
  GROUP BY year, o.territory
  ORDER BY year, o.territory]], 'energy-site-month')

local out = {}
for _, r in ipairs(rows) do
  if r.missing == 0 and r.months == 12 and r.area and r.area > 0 then
    out[#out + 1] = {
      period = r.year,
      territory = r.territory,
      value = math.floor(r.kwh / r.area * 100 + 0.5) / 100,
    }
  end
end

return {
  indicator = {
    slug = 'energy-intensity',
    title = {fr = 'Intensité énergétique des bâtiments publics',
             en = 'Energy intensity of public buildings'},
    description = {
      fr = "Énergie finale (électricité, gaz, chaleur) consommée chaque "
        .. "année par chaque bâtiment public, rapportée à sa surface de "
        .. "plancher.",
      en = "Final energy (electricity, gas, heat) used each year by each "
        .. "public building, per square metre of floor area."},
    unit = 'kWh/m²',
    method = 'per building and year: sum of the electricity, gas and heat '
      .. 'of energy-site-month (12 months of rows) divided by '
      .. 'floor_area_m2, rounded to 0.01',
    reads = {'energy-site-month'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
