-- pv-self-consumption.lua -- PV self-consumption rate of each public
-- building with a photovoltaic plant, per month, in %: the share of the
-- plant's production the building used itself.
--
-- Method. Feed-in (export) is not metered in the federation (units.h has
-- no kind for it), so "self-consumed = production - exported" cannot be
-- used; the electricity meters of the buildings measure their gross
-- consumption (the loads, PV not deducted; see electricity-site-hour). So,
-- hour by hour: self-consumed = min(production, consumption), from
-- pv-site-hour and electricity-site-hour; per month:
--   self-consumption rate = sum(self-consumed) / sum(production) x 100.
-- Over the hours where both are published (an hour missing on either side
-- is left out of every sum), if they are at least COVERAGE of the month's
-- hours (the first and last months of a series may be a few hours).
-- Within an hour, production and use may not coincide, so hourly data
-- slightly overstate self-consumption (the hourly min is an upper bound
-- of what finer data would give). The
-- repeated October hour holds two hours on both sides: its min is of the
-- sums (at 02h the sun is down: 0 either way). A building whose
-- electricity is metered at the grid connection (net of PV) must not be
-- read this way. Months without production get no value. Rounded to
-- 0.01 %. pv-self-sufficiency.lua computes the other rate from the same
-- sums.
local COVERAGE = 0.9

-- The days of month 'YYYY-MM'.
local function month_days(m)
  local y, mo = tonumber(string.sub(m, 1, 4)), tonumber(string.sub(m, 6, 7))
  if mo == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then
    return 29
  end
  return ({31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31})[mo]
end

local rows = cm.sql([[
  SELECT substr(p.period, 1, 7) AS month, p.territory AS site,
         sum(p.value) AS produced,
         sum(min(p.value, e.value)) AS self, count(*) AS hours
  FROM dataset dp
  JOIN observation p ON p.version = dp.latest
  JOIN dataset de ON de.slug = ?2
  JOIN observation e ON e.version = de.latest
       AND e.territory = p.territory AND e.period = p.period
  WHERE dp.slug = ?1 AND p.kind = 'pv' AND e.kind = 'electricity'
        AND p.value IS NOT NULL AND e.value IS NOT NULL
  GROUP BY month, site
  ORDER BY month, site]], 'pv-site-hour', 'electricity-site-hour')

local out = {}
for _, r in ipairs(rows) do
  if r.produced > 0 and r.hours >= COVERAGE * 24 * month_days(r.month) then
    out[#out + 1] = {
      period = r.month,
      territory = r.site,
      value = math.floor(r.self / r.produced * 10000 + 0.5) / 100,
    }
  end
end

return {
  indicator = {
    slug = 'pv-self-consumption',
    title = {fr = "Taux d'autoconsommation photovoltaïque des bâtiments "
               .. 'publics',
             en = 'PV self-consumption rate of public buildings'},
    description = {
      fr = "Part de la production photovoltaïque d'un bâtiment consommée "
        .. "par le bâtiment lui-même, chaque mois : somme horaire de "
        .. "min(production, consommation) divisée par la production.",
      en = "Share of a building's photovoltaic production used by the "
        .. "building itself, each month: the hourly sum of min(production, "
        .. "consumption) divided by the production."},
    unit = '%',
    method = 'per building and month: sum over the hours of pv-site-hour '
      .. 'and electricity-site-hour of min(production, consumption), '
      .. 'divided by the sum of production, x 100, rounded to 0.01; hours '
      .. 'missing on either side left out',
    reads = {'pv-site-hour', 'electricity-site-hour'},
    period = 'month',
    territory = 'site',
  },
  observations = out,
}
