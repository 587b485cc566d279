-- pv-self-sufficiency.lua -- PV self-sufficiency (autoproduction) rate of
-- each public building with a photovoltaic plant, per month, in %: the
-- share of the building's electricity consumption its own plant covered.
--
-- Method (as pv-self-consumption.lua, whose header says why): hour by
-- hour, self-consumed = min(production, consumption), from pv-site-hour
-- and electricity-site-hour (gross consumption: PV not deducted); per
-- month:
--   self-sufficiency rate = sum(self-consumed) / sum(consumption) x 100,
-- over the hours where both are published (an hour missing on either side
-- is left out of every sum, so a gap in the PV monitoring does not pass
-- for a building without sun), if they are at least COVERAGE of the
-- month's hours. Only buildings with a PV plant (rows in
-- pv-site-hour) get a value; months without consumption get none.
-- Rounded to 0.01 %.
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
         sum(e.value) AS consumed,
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
  if r.consumed > 0 and r.hours >= COVERAGE * 24 * month_days(r.month) then
    out[#out + 1] = {
      period = r.month,
      territory = r.site,
      value = math.floor(r.self / r.consumed * 10000 + 0.5) / 100,
    }
  end
end

return {
  indicator = {
    slug = 'pv-self-sufficiency',
    title = {fr = "Taux d'autoproduction photovoltaïque des bâtiments publics",
             en = 'PV self-sufficiency rate of public buildings'},
    description = {
      fr = "Part de la consommation d'électricité d'un bâtiment couverte "
        .. "par sa propre production photovoltaïque, chaque mois : somme "
        .. "horaire de min(production, consommation) divisée par la "
        .. "consommation.",
      en = "Share of a building's electricity consumption covered by its "
        .. "own photovoltaic production, each month: the hourly sum of "
        .. "min(production, consumption) divided by the consumption."},
    unit = '%',
    method = 'per building and month: sum over the hours of pv-site-hour '
      .. 'and electricity-site-hour of min(production, consumption), '
      .. 'divided by the sum of consumption, x 100, rounded to 0.01; hours '
      .. 'missing on either side left out',
    reads = {'pv-site-hour', 'electricity-site-hour'},
    period = 'month',
    territory = 'site',
  },
  observations = out,
}
