-- load-factor.lua -- load factor of each public building's electricity
-- consumption, per month, in %: mean load over peak load.
--
-- Reads the latest version of electricity-site-hour (kWh per local hour,
-- which is also the mean power over that hour in kW). Per building and
-- month:
--   load factor = (sum of kWh / number of hours) / largest hourly kWh
--                 x 100,
-- over the hours published: a month with gaps is judged on the hours it
-- has, if they are at least COVERAGE of its hours (the first and last
-- months of a series are often a few hours long). The peak is an hourly
-- mean power: shorter peaks are not seen. The repeated hour of the
-- return to winter time (02h on the last Sunday of October, Europe/Paris)
-- holds two hours' energy under one name: it counts as two hours, and as
-- its mean for the peak, else it would pass for a peak of twice the
-- night's load. A month with a suppressed hour, or no consumption, gets
-- no value. Rounded to 0.01 %.
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
  SELECT month, site, sum(value) AS kwh, sum(1 + dup) AS hours,
         max(value / (1 + dup)) AS peak,
         count(*) - count(value) AS missing
  FROM (SELECT substr(o.period, 1, 7) AS month, o.territory AS site,
               o.value AS value,
               (substr(o.period, 12, 2) = '02'
                AND substr(o.period, 6, 5) BETWEEN '10-25' AND '10-31'
                AND strftime('%w', substr(o.period, 1, 10)) = '0') AS dup
        FROM observation o JOIN dataset d ON d.latest = o.version
        WHERE d.slug = ?1 AND o.kind = 'electricity')
  GROUP BY month, site
  ORDER BY month, site]], 'electricity-site-hour')

local out = {}
for _, r in ipairs(rows) do
  if r.missing == 0 and r.peak and r.peak > 0
      and r.hours >= COVERAGE * 24 * month_days(r.month) then
    out[#out + 1] = {
      period = r.month,
      territory = r.site,
      value = math.floor(r.kwh / r.hours / r.peak * 10000 + 0.5) / 100,
    }
  end
end

return {
  indicator = {
    slug = 'load-factor',
    title = {fr = "Facteur de charge électrique des bâtiments publics",
             en = 'Electrical load factor of public buildings'},
    description = {
      fr = "Puissance moyenne appelée par le bâtiment rapportée à sa "
        .. "puissance horaire maximale, chaque mois : proche de 100 % pour "
        .. "une consommation régulière, faible pour des pointes marquées.",
      en = "The building's mean power over its largest hourly power, each "
        .. "month: close to 100 % for a steady consumption, low for marked "
        .. "peaks."},
    unit = '%',
    method = 'per building and month of electricity-site-hour: (sum of '
      .. 'kWh / hours) / largest hourly kWh x 100, rounded to 0.01; the '
      .. 'repeated October hour counts as two hours of half its value',
    reads = {'electricity-site-hour'},
    period = 'month',
    territory = 'site',
  },
  observations = out,
}
