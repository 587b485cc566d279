-- renewable-share.lua -- share of each public building's final energy
-- consumption covered by its own renewable production, per year, in %.
--
-- Reads the latest version of energy-site-month. Per building and year:
--   share = (pv + solar_thermal) / (electricity + gas + heat
--                                   + solar_thermal) x 100
-- as the ADEME "Territoires en Transitions" indicator cae_3b (renewable
-- production over final consumption), at the scale of one building and
-- with local production only: the renewable content of the grid's
-- electricity or of a heat network is not counted (it would take a
-- factor per network and year). The solar heat is in the denominator
-- because the building uses all of it (it replaces gas in its boiler),
-- whereas its electricity meter already counts the PV it uses itself
-- (gross consumption) and the exported PV is nobody's consumption here.
-- So a building exporting more than it uses may exceed 100 %.
--
-- A building counts in a year when it has consumption rows (electricity,
-- gas or heat) in each of the 12 months, none suppressed: production and
-- consumption then cover the same year. Buildings without renewable
-- production get 0. Rounded to 0.01 %.
local rows = cm.sql([[
  SELECT substr(o.period, 1, 4) AS year, o.territory AS site,
         total(CASE WHEN o.kind IN ('pv', 'solar_thermal')
                    THEN o.value END) AS produced,
         total(CASE WHEN o.kind IN ('electricity', 'gas', 'heat',
                                    'solar_thermal')
                    THEN o.value END) AS consumed,
         count(DISTINCT CASE WHEN o.kind IN ('electricity', 'gas', 'heat')
                             THEN o.period END) AS months,
         count(*) - count(o.value) AS missing
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1
  GROUP BY year, site
  ORDER BY year, site]], 'energy-site-month')

local out = {}
for _, r in ipairs(rows) do
  if r.missing == 0 and r.months == 12 and r.consumed > 0 then
    out[#out + 1] = {
      period = r.year,
      territory = r.site,
      value = math.floor(r.produced / r.consumed * 10000 + 0.5) / 100,
    }
  end
end

return {
  indicator = {
    slug = 'renewable-share',
    title = {fr = "Part d'énergie renouvelable produite sur place dans la "
               .. "consommation des bâtiments publics",
             en = 'Share of on-site renewable energy in the consumption of '
               .. 'public buildings'},
    description = {
      fr = "Production renouvelable du bâtiment (photovoltaïque, solaire "
        .. "thermique) rapportée à sa consommation d'énergie finale "
        .. "(électricité, gaz, chaleur, solaire thermique), chaque année.",
      en = "The building's renewable production (photovoltaic, solar "
        .. "thermal) over its final energy consumption (electricity, gas, "
        .. "heat, solar thermal), each year."},
    unit = '%',
    method = 'per building and year of energy-site-month (12 months of '
      .. 'consumption rows): (pv + solar_thermal) / (electricity + gas + '
      .. 'heat + solar_thermal) x 100, rounded to 0.01; local production '
      .. 'only',
    reads = {'energy-site-month'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
