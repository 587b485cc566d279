-- night-base-load.lua -- night base load of each public building, per
-- month, in kW: the mean power it draws between 00:00 and 05:00 local
-- time, when a school, a town hall or a library is empty.
--
-- Reads the latest version of electricity-site-hour (kWh per local hour,
-- which is the mean power over that hour in kW). Per building and month:
--   night base load = sum of the kWh of the hours 00h to 04h (each hour
--                     [h, h+1)) / number of those hours,
-- over the night hours published, if they are at least COVERAGE of the
-- month's (5 a day). The mean rather than a median or a low percentile,
-- which would ignore a night when something was left on: the mean counts
-- it, as the bill does. The repeated hour of the return to winter time
-- (02h on the last Sunday of October) holds two hours' energy: it counts
-- as two hours. A month with a suppressed night hour gets no value.
-- Rounded to 0.01 kW.
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
         count(*) - count(value) AS missing
  FROM (SELECT substr(o.period, 1, 7) AS month, o.territory AS site,
               o.value AS value,
               (substr(o.period, 12, 2) = '02'
                AND substr(o.period, 6, 5) BETWEEN '10-25' AND '10-31'
                AND strftime('%w', substr(o.period, 1, 10)) = '0') AS dup
        FROM observation o JOIN dataset d ON d.latest = o.version
        WHERE d.slug = ?1 AND o.kind = 'electricity'
              AND substr(o.period, 12, 2) IN ('00', '01', '02', '03', '04'))
  GROUP BY month, site
  ORDER BY month, site]], 'electricity-site-hour')

local out = {}
for _, r in ipairs(rows) do
  if r.missing == 0 and r.hours >= COVERAGE * 5 * month_days(r.month) then
    out[#out + 1] = {
      period = r.month,
      territory = r.site,
      value = math.floor(r.kwh / r.hours * 100 + 0.5) / 100,
    }
  end
end

return {
  indicator = {
    slug = 'night-base-load',
    title = {fr = "Talon de consommation nocturne des bâtiments publics",
             en = 'Night base load of public buildings'},
    description = {
      fr = "Puissance électrique moyenne appelée par le bâtiment entre 0 h "
        .. "et 5 h (heure locale), chaque mois : ce qui reste allumé quand "
        .. "le bâtiment est vide.",
      en = "Mean electrical power drawn by the building between 00:00 and "
        .. "05:00 (local time), each month: what stays on when the "
        .. "building is empty."},
    unit = 'kW',
    method = 'per building and month of electricity-site-hour: mean of '
      .. 'the hourly kWh (= kW) of the hours 00h to 04h local, rounded to '
      .. '0.01; the repeated October 02h counts as two hours',
    reads = {'electricity-site-hour'},
    period = 'month',
    territory = 'site',
  },
  observations = out,
}
