-- downloads-footprint.lua -- the carbon footprint of the data transfer of
-- this platform's own downloads, in g CO2e per dataset and year.
--
-- Reads the download counts the server keeps (table download_day: body
-- bytes sent by GET /api/v1/datasets/{slug}/download, per UTC day,
-- dataset and format, counted since migration 0009) and the reference
-- factor co2.network.mobile in force that year (kg CO2e per GB, ADEME's
-- transitional method for the AGEC law):
--   g CO2e = bytes / 1e9 x co2.network.mobile x 1000
-- GB are 10^9 bytes, as data plans count them. Mobile data is the only
-- per-GB value of that method (fixed networks are a flat 4.1 kg a month
-- per subscriber), so this is an upper bound of the network's share; the
-- servers' own share is not in it. Rounded to 0.001 g.
--
-- One row per dataset (sector = its slug) and year; every dataset
-- published now that nothing was downloaded of this year gets a row of
-- 0 for this year (UTC), so a platform nobody used yet says so. The
-- territory is the EPCI the published datasets cover (their "spatial":
-- "EPCI <SIREN>"); reads lists the datasets published now.
local known = {} -- year -> factor, or false when there is none
local function factor(year)
  if known[year] == nil then
    known[year] = cm.factor('co2.network.mobile', year) or false
  end
  return known[year] or nil
end

local epci
for _, r in ipairs(cm.sql([[
    SELECT DISTINCT json_extract(v.manifest, '$.spatial') AS spatial
    FROM dataset d JOIN dataset_version v ON v.id = d.latest
    ORDER BY 1]])) do
  local code = type(r.spatial) == 'string'
    and r.spatial:match('^EPCI (%d+)$')
  if code and not epci then epci = code end
end
if not epci then
  error('no published dataset names its EPCI ("spatial": "EPCI <SIREN>")')
end

local out, seen = {}, {}
for _, r in ipairs(cm.sql([[
    SELECT substr(day, 1, 4) AS year, dataset, sum(bytes) AS bytes
    FROM download_day GROUP BY 1, 2 ORDER BY 1, 2]])) do
  local f = factor(math.tointeger(tonumber(r.year)))
  if f then
    out[#out + 1] = {
      period = r.year,
      territory = epci,
      sector = r.dataset,
      value = math.floor(r.bytes / 1e9 * f * 1000 * 1000 + 0.5) / 1000,
    }
    seen[r.year .. ' ' .. r.dataset] = true
  end
end

local year = os.date('!%Y')
local reads = {}
for _, d in ipairs(cm.datasets()) do
  reads[#reads + 1] = d.slug
  if not seen[year .. ' ' .. d.slug] then
    out[#out + 1] = {period = year, territory = epci, sector = d.slug,
                     value = 0.0}
  end
end

return {
  indicator = {
    slug = 'downloads-footprint',
    title = {fr = 'Empreinte carbone des téléchargements de la plateforme',
             en = "Carbon footprint of the platform's downloads"},
    description = {
      fr = "Gaz à effet de serre (g CO2e) émis par le transfert des "
        .. "fichiers téléchargés sur cette plateforme, par jeu de données "
        .. "et par an, avec le facteur de l'ADEME pour les données mobiles "
        .. "(majorant ; la part des serveurs n'est pas comptée).",
      en = "Greenhouse gases (g CO2e) emitted by moving the files "
        .. "downloaded from this platform, per dataset and year, with "
        .. "ADEME's factor for mobile data (an upper bound; the servers' "
        .. "share is not counted)."},
    unit = 'g CO2e',
    method = 'bytes served by the download route (download_day) / 1e9 x '
      .. 'co2.network.mobile in force that year x 1000, rounded to 0.001; '
      .. '0 for each dataset published and not downloaded this year',
    reads = reads,
    period = 'year',
    territory = 'epci',
  },
  observations = out,
}
