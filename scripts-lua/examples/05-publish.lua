-- 05-publish.lua -- an indicator: the share of electricity in the final
-- energy (electricity + gas + heat) of each public building, each year.
--
-- A script returning {indicator = {...}, observations = {...}} can be
-- published as a dataset of its own (consometer lua publish, or
-- POST /api/v1/scripts/{id}/publish): same API and downloads as any
-- other. Every row is checked; one bad row refuses the whole result
-- (invalid_output, naming the row and field).
local FUELS = {electricity = true, gas = true, heat = true}

-- Years in which gas or heat was measured at all: in the others the
-- demo holds electricity only, and a share of 100 % would say nothing.
local years = {}
for _, g in ipairs(cm.aggregate('energy-site-year',
                                {by = {'period', 'kind'}, fn = 'count'})) do
  if g.kind ~= 'electricity' and FUELS[g.kind] and g.value > 0 then
    years[g.period] = true
  end
end

-- Per building and year: total and electricity. A suppressed row (value
-- nil) makes the building-year incomplete: a share of part of its
-- energy would be wrong, so it gets no value.
local energy, keys = {}, {}
for r in cm.rows('energy-site-year') do
  if years[r.period] and FUELS[r.kind] then
    local k = r.territory .. '/' .. r.period
    local e = energy[k]
    if not e then
      e = {territory = r.territory, period = r.period, total = 0,
           electricity = 0, complete = true}
      energy[k] = e
      keys[#keys + 1] = k
    end
    if r.value == nil then
      e.complete = false
    else
      e.total = e.total + r.value
      if r.kind == 'electricity' then
        e.electricity = e.electricity + r.value
      end
    end
  end
end
table.sort(keys) -- the same rows in the same order, run after run

local observations = {}
for _, k in ipairs(keys) do
  local e = energy[k]
  if e.complete and e.total > 0 then
    observations[#observations + 1] = {
      period = e.period,
      territory = e.territory,
      value = math.floor(e.electricity / e.total * 1000 + 0.5) / 10,
    }
  end
end

return {
  indicator = {
    slug = 'example-electricity-share',   -- [a-z0-9-], at most 64
    title = {fr = "Part de l'électricité dans l'énergie finale",
             en = 'Share of electricity in final energy'},
    unit = '%',
    method = 'electricity / (electricity + gas + heat) of energy-site-year, '
      .. 'per building and year, in %, rounded to 0.1, in the years with '
      .. 'gas or heat readings; building-years with a suppressed value '
      .. 'are left out',
    reads = {'energy-site-year'},         -- the datasets it reads
    period = 'year',                      -- year | month | day | hour
    territory = 'site',                   -- only 'site' for now
  },
  observations = observations,
}
