-- energy-intensity-category.lua -- final energy intensity of the public
-- buildings of each category (education, sport, ...) and of all of them
-- together, in kWh per m² of floor area per year, for the EPCI.
--
-- Reads the latest version of energy-site-month: one row per building,
-- energy kind and month, whose sector is the building's category and
-- whose extra column floor_area_m2 (not among cm.rows' columns: read
-- through cm.sql and json_extract) is its floor area.
--
-- A building counts in a year when it has electricity, gas or heat rows
-- in each of the year's 12 months (a partial year would understate its
-- category), none of them suppressed, and a known floor area.
-- The value of a category is the sum of the electricity, gas and heat
-- (kWh) of its buildings divided by the sum of their floor areas: the
-- intensity of the category's floor space as a whole, weighted by area.
-- It is NOT the mean of the buildings' own intensities, in which a small
-- school would weigh as much as a large town hall. Sector "_T" (SDMX's
-- code for a total) is the same over every category. Rounded to 0.01.
--
-- The territory is the EPCI the dataset says it covers: the 9-digit SIREN
-- in the "spatial" field of its definition ("EPCI 200042174"). The script
-- stops when there is none rather than publish under a guessed code.
local SOURCE = 'energy-site-month'

local spatial = cm.sql([[
  SELECT json_extract(v.manifest, '$.spatial') AS spatial
  FROM dataset d JOIN dataset_version v ON v.id = d.latest
  WHERE d.slug = ?1]], SOURCE)
local epci = spatial[1] and spatial[1].spatial
  and string.match(spatial[1].spatial, '%f[%d]%d%d%d%d%d%d%d%d%d%f[%D]')
if not epci then
  error(SOURCE .. ': its definition names no EPCI ("spatial": '
    .. '"EPCI <SIREN>"), so the category totals have no territory')
end

-- One row per building and year.
local sites = cm.sql([[
  SELECT substr(o.period, 1, 4) AS year, o.territory AS site,
         max(o.sector) AS category,
         sum(o.value) AS kwh,
         count(*) - count(o.value) AS missing,
         count(DISTINCT o.period) AS months,
         max(json_extract(o.extra, '$.floor_area_m2')) AS area
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.kind IN ('electricity', 'gas', 'heat')
  GROUP BY year, site
  ORDER BY year, site]], SOURCE)

local sums, keys = {}, {}
local function add(year, sector, kwh, area)
  local k = year .. '\0' .. sector
  local s = sums[k]
  if not s then
    s = {year = year, sector = sector, kwh = 0, area = 0}
    sums[k] = s
    keys[#keys + 1] = k
  end
  s.kwh = s.kwh + kwh
  s.area = s.area + area
end

for _, r in ipairs(sites) do
  if r.missing == 0 and r.months == 12 and r.area and r.area > 0 then
    if r.category then
      add(r.year, r.category, r.kwh, r.area)
    end
    add(r.year, '_T', r.kwh, r.area)
  end
end

local out = {}
for _, k in ipairs(keys) do
  local s = sums[k]
  out[#out + 1] = {
    period = s.year,
    territory = epci,
    sector = s.sector,
    value = math.floor(s.kwh / s.area * 100 + 0.5) / 100,
  }
end

return {
  indicator = {
    slug = 'energy-intensity-category',
    title = {fr = 'Intensité énergétique des bâtiments publics par catégorie',
             en = 'Energy intensity of public buildings by category'},
    description = {
      fr = "Énergie finale (électricité, gaz, chaleur) consommée chaque "
        .. "année par les bâtiments publics d'une catégorie (secteur _T : "
        .. "tous), rapportée à leur surface de plancher totale : somme des "
        .. "kWh divisée par la somme des m², et non moyenne des intensités "
        .. "des bâtiments.",
      en = "Final energy (electricity, gas, heat) used each year by the "
        .. "public buildings of a category (sector _T: all of them), per "
        .. "square metre of their total floor area: the sum of the kWh "
        .. "divided by the sum of the m², not the mean of the buildings' "
        .. "intensities."},
    unit = 'kWh/m²',
    method = 'per year and category of energy-site-month: sum of the '
      .. 'electricity, gas and heat of the buildings with 12 months of '
      .. 'rows and a floor area, divided by the sum of their floor_area_m2 '
      .. '(not a mean of ratios); sector _T over every category; rounded '
      .. 'to 0.01; territory: the EPCI of the dataset\'s spatial field',
    reads = {SOURCE},
    period = 'year',
    territory = 'epci',
  },
  observations = out,
}
