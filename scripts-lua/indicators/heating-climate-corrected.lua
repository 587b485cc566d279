-- heating-climate-corrected.lua -- heating consumption (gas + district
-- heat) of each public building, per year, corrected for the year's
-- weather with unified degree-days (DJU), in kWh: what the building would
-- have used in a year of normal rigour.
--
--   corrected = actual x DJU_reference / DJU_year
--
-- actual: the building's gas and heat of energy-site-month summed over
-- the year (kWh; gas in kWh PCS as metered). Only years with gas or heat
-- rows in all 12 months and none suppressed: a partial year would be
-- corrected with a whole year's DJU. Buildings heated by electricity have
-- no value (their heating cannot be told from their other uses). The
-- whole fuel is corrected, hot water included, as the simple method does
-- (energy-domain.md 3.2 gives the finer split E_nonthermo + E_thermo x
-- ratio, which needs each building's thermosensitive part): where hot
-- water is a large share (the pool) the correction is overstated.
--
-- DJU_year: the sum over the days of the year of the COSTIC
-- ("professionnels de l'énergie") degree-days, base S = cm.factor
-- ('dju.base') (18 °C), from each day's minimum Tn and maximum Tx of
-- temperature-site-day (the extra columns min and max; several stations:
-- the mean of their Tn and of their Tx):
--   S > Tx        DJ = S - (Tn + Tx) / 2
--   S <= Tn       DJ = 0
--   otherwise     DJ = (S - Tn) x (0.08 + 0.42 x (S - Tn) / (Tx - Tn))
-- Tn and Tx are those of the local calendar day, not Météo-France's
-- 18h-18h and 06h-06h UTC windows: the published temperatures are per
-- local day. A year is corrected only when every one of its days has a
-- temperature. degree-days.lua publishes the same DJU per month.
--
-- DJU_reference: the reference table (cm.factor) has no normal DJU for
-- the territory yet. When it gets a 'dju.normal' factor, that is used;
-- until then, this setting:
local DJU_REFERENCE = 2285
local DJU_REFERENCE_SOURCE = 'estimate: the COSTIC formula applied '
  .. 'to the monthly normal Tn and Tx of Vannes (Météo-France normals as '
  .. 'quoted by Wikipedia, "Climat du Morbihan"), times the days of each '
  .. 'month (February 28.25); to replace with the normal DJU of '
  .. 'Lorient-Lann-Bihoué'
-- The sum of days x DJ(monthly mean Tn, Tx) is 2285.0: Jan 11.85 x 31,
-- Feb 11.8 x 28.25, Mar 9.35 x 31, Apr 7.2 x 30, May 3.893 x 31,
-- Jun 1.949 x 30, Jul 0.917 x 31, Aug 1.149 x 31, Sep 2.199 x 30,
-- Oct 4.85 x 31, Nov 8.8 x 30, Dec 11.45 x 31. A monthly mean smooths
-- out cold snaps, so the daily sum of a normal year may be a few % higher.
--
-- The value is rounded to 1 kWh.
local ok, normal, _, normal_source = pcall(cm.factor, 'dju.normal')
if ok and normal then
  DJU_REFERENCE, DJU_REFERENCE_SOURCE = normal, normal_source
end
local BASE = cm.factor('dju.base')

local function dj(tn, tx)
  if BASE > tx then
    return BASE - (tn + tx) / 2
  elseif BASE <= tn then
    return 0
  end
  return (BASE - tn) * (0.08 + 0.42 * (BASE - tn) / (tx - tn))
end

local function days_in(year)
  local leap = (year % 4 == 0 and year % 100 ~= 0) or year % 400 == 0
  return leap and 366 or 365
end

-- DJU per year, from the days with a Tn and a Tx.
local dju, ndays = {}, {}
local days = cm.sql([[
  SELECT o.period AS day,
         avg(json_extract(o.extra, '$.min')) AS tn,
         avg(json_extract(o.extra, '$.max')) AS tx
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.kind = 'temperature' AND o.value IS NOT NULL
  GROUP BY day
  ORDER BY day]], 'temperature-site-day')
for _, r in ipairs(days) do
  if r.tn and r.tx then
    local y = string.sub(r.day, 1, 4)
    dju[y] = (dju[y] or 0) + dj(r.tn, r.tx)
    ndays[y] = (ndays[y] or 0) + 1
  end
end

local rows = cm.sql([[
  SELECT substr(o.period, 1, 4) AS year, o.territory AS site,
         sum(o.value) AS kwh,
         count(*) - count(o.value) AS missing,
         count(DISTINCT o.period) AS months
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.kind IN ('gas', 'heat')
  GROUP BY year, site
  ORDER BY year, site]], 'energy-site-month')

local out = {}
for _, r in ipairs(rows) do
  local y = r.year
  if r.missing == 0 and r.months == 12 and dju[y] and dju[y] > 0
      and ndays[y] == days_in(tonumber(y)) then
    out[#out + 1] = {
      period = y,
      territory = r.site,
      value = math.floor(r.kwh * DJU_REFERENCE / dju[y] + 0.5),
    }
  end
end

return {
  indicator = {
    slug = 'heating-climate-corrected',
    title = {fr = 'Consommation de chauffage corrigée du climat des '
               .. 'bâtiments publics',
             en = 'Climate-corrected heating consumption of public '
               .. 'buildings'},
    description = {
      fr = "Gaz et chaleur consommés chaque année par chaque bâtiment "
        .. "public, ramenés à un hiver de rigueur normale : consommation x "
        .. "DJU de référence / DJU de l'année (degrés-jours unifiés base "
        .. "18 °C, méthode COSTIC).",
      en = "Gas and heat used each year by each public building, brought "
        .. "to a winter of normal rigour: consumption x reference DJU / "
        .. "the year's DJU (heating degree-days base 18 °C, COSTIC "
        .. "method)."},
    unit = 'kWh',
    method = 'per building and year: (gas + heat of energy-site-month, 12 '
      .. 'months) x DJU_reference / DJU_year, rounded to 1 kWh; DJU_year: '
      .. 'sum of the daily COSTIC degree-days, base dju.base, of the daily '
      .. 'min and max of temperature-site-day (every day of the year); '
      .. 'DJU_reference = ' .. DJU_REFERENCE .. ' (' .. DJU_REFERENCE_SOURCE
      .. ')',
    reads = {'energy-site-month', 'temperature-site-day'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
