-- degree-days.lua -- heating degree-days (DJU) of the territory per
-- month, base cm.factor('dju.base') (18 °C), COSTIC method: the weather
-- heating-climate-corrected.lua corrects consumption for, published so
-- that the correction can be checked and reused.
--
-- From temperature-site-day: each day's minimum Tn and maximum Tx (the
-- extra columns min and max; several stations: the mean of their Tn and
-- of their Tx), then, with S the base:
--   S > Tx        DJ = S - (Tn + Tx) / 2
--   S <= Tn       DJ = 0
--   otherwise     DJ = (S - Tn) x (0.08 + 0.42 x (S - Tn) / (Tx - Tn))
-- (energy-domain.md 3.2; the method recommended for public heating
-- contracts), summed over the month. Tn and Tx are those of the local
-- calendar day, not Météo-France's 18h-18h and 06h-06h UTC windows. A
-- month gets a value only when every one of its days has a temperature.
-- Rounded to 0.1. The territory is the EPCI named by the dataset's
-- "spatial" field ("EPCI 200042174"), its stations standing for it.
local SOURCE = 'temperature-site-day'
local BASE = cm.factor('dju.base')

local spatial = cm.sql([[
  SELECT json_extract(v.manifest, '$.spatial') AS spatial
  FROM dataset d JOIN dataset_version v ON v.id = d.latest
  WHERE d.slug = ?1]], SOURCE)
local epci = spatial[1] and spatial[1].spatial
  and string.match(spatial[1].spatial, '%f[%d]%d%d%d%d%d%d%d%d%d%f[%D]')
if not epci then
  error(SOURCE .. ': its definition names no EPCI ("spatial": '
    .. '"EPCI <SIREN>"), so the degree-days have no territory')
end

local function dj(tn, tx)
  if BASE > tx then
    return BASE - (tn + tx) / 2
  elseif BASE <= tn then
    return 0
  end
  return (BASE - tn) * (0.08 + 0.42 * (BASE - tn) / (tx - tn))
end

-- The days of month 'YYYY-MM'.
local function month_days(m)
  local y, mo = tonumber(string.sub(m, 1, 4)), tonumber(string.sub(m, 6, 7))
  if mo == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then
    return 29
  end
  return ({31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31})[mo]
end

local days = cm.sql([[
  SELECT o.period AS day,
         avg(json_extract(o.extra, '$.min')) AS tn,
         avg(json_extract(o.extra, '$.max')) AS tx
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.kind = 'temperature' AND o.value IS NOT NULL
  GROUP BY day
  ORDER BY day]], SOURCE)

local sums, counts, months = {}, {}, {}
for _, r in ipairs(days) do
  if r.tn and r.tx then
    local m = string.sub(r.day, 1, 7)
    if not sums[m] then
      sums[m], counts[m] = 0, 0
      months[#months + 1] = m
    end
    sums[m] = sums[m] + dj(r.tn, r.tx)
    counts[m] = counts[m] + 1
  end
end

local out = {}
for _, m in ipairs(months) do
  if counts[m] == month_days(m) then
    out[#out + 1] = {
      period = m,
      territory = epci,
      value = math.floor(sums[m] * 10 + 0.5) / 10,
    }
  end
end

return {
  indicator = {
    slug = 'degree-days',
    title = {fr = 'Degrés-jours unifiés de chauffage (base 18 °C, COSTIC)',
             en = 'Heating degree-days (base 18 °C, COSTIC)'},
    description = {
      fr = "Somme mensuelle des degrés-jours de chauffage calculés chaque "
        .. "jour, selon la méthode COSTIC (« professionnels de "
        .. "l'énergie »), à partir des températures minimale et maximale "
        .. "mesurées par les sondes des bâtiments publics.",
      en = "Monthly sum of the heating degree-days of each day, by the "
        .. "COSTIC (\"energy professionals\") method, from the minimum and "
        .. "maximum temperatures measured by the sensors of public "
        .. "buildings."},
    unit = 'DJU',
    method = 'per month: sum of the daily COSTIC degree-days, base '
      .. 'dju.base, of the daily min and max of temperature-site-day '
      .. '(mean over the stations; every day of the month), rounded to '
      .. '0.1; territory: the EPCI of the dataset\'s spatial field',
    reads = {SOURCE},
    period = 'month',
    territory = 'epci',
  },
  observations = out,
}
