-- 04-sql.lua -- read-only SQL over the published tables, with parameters.
--
-- cm.sql(query, ...) runs ONE SELECT statement and returns an array of
-- rows, {column = value, ...}; ?1, ?2 ... (or ?) are bound to the extra
-- arguments (nil, booleans, numbers, strings): never paste values into
-- the text. Readable: dataset, dataset_version, observation and
-- distribution, published data only. Refused, and the run stops with the
-- code "forbidden": any other table (sites, readings, accounts...),
-- INSERT/UPDATE/DELETE/CREATE, PRAGMA, ATTACH, recursive WITH, functions
-- outside a list of pure ones (no random(), no load_extension()...). A
-- query returning more than 100 000 rows stops with "output_limit". A
-- mistake in the SQL itself is an ordinary error that pcall can catch.
--
-- The latest version of a dataset is dataset.latest; the columns a
-- version adds (here floor_area_m2) are in observation.extra, as JSON.
local top = cm.sql([[
  SELECT o.territory AS site, o.value AS kwh,
         json_extract(o.extra, '$.floor_area_m2') AS area
  FROM observation o JOIN dataset d ON d.latest = o.version
  WHERE d.slug = ?1 AND o.period = ?2 AND o.kind = ?3
    AND o.value IS NOT NULL
  ORDER BY o.value DESC, o.territory
  LIMIT ?4]], 'energy-site-year', '2024', 'electricity', 3)

-- Versions are immutable: every published version stays readable.
local versions = cm.sql([[
  SELECT d.slug, count(*) AS versions, max(v.version) AS latest
  FROM dataset d JOIN dataset_version v ON v.dataset = d.id
  GROUP BY d.slug ORDER BY d.slug]])

local ok, err = pcall(cm.sql, 'SELEC 1') -- a typo: catchable
return {top = top, versions = versions, typo_caught = not ok,
        typo = tostring(err)}
