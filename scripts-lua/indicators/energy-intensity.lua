-- energy-intensity.lua -- final energy intensity of each public building,
-- in kWh per m² of floor area per year.
--
-- Reads the latest version of energy-site-year (one row per building,
-- energy kind and year, with the building's floor area in the extra
-- column floor_area_m2, which cm.rows does not expose: read through
-- cm.sql and json_extract). For each building and year: the sum of its
-- electricity, gas and heat (kWh) divided by its floor area, rounded to
-- 0.01 kWh/m². A building without a known floor area, or with one of its
-- energy rows suppressed, gets no value that year (a partial sum would
-- understate it).
local rows = cm.sql([[
  SELECT o.period, o.territory, sum(o.value) AS kwh,
         max(json_extract(o.extra, '$.floor_area_m2')) AS area,
         count(*) - count(o.value) AS missing
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.kind IN ('electricity', 'gas', 'heat')
  GROUP BY o.period, o.territory
  ORDER BY o.period, o.territory]], 'energy-site-year')

local out = {}
for _, r in ipairs(rows) do
  if r.missing == 0 and r.area and r.area > 0 then
    out[#out + 1] = {
      period = r.period,
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
    method = 'sum of the electricity, gas and heat of energy-site-year '
      .. 'divided by floor_area_m2, rounded to 0.01',
    reads = {'energy-site-year'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
