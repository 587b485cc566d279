-- co2-emissions.lua -- greenhouse gas emissions of each public building's
-- energy use, in kg CO2e per year.
--
-- Reads the latest version of energy-site-year (one row per building,
-- energy kind and year) and the reference factors (cm.factor, table
-- reference_factor, listed in scripts-lua/README.md). For each building
-- and year: the sum over its electricity, gas and heat of the kWh times
-- the factor of that energy in force that year (the factor of the latest
-- year not after it), rounded to 0.1 kg:
--   electricity  co2.electricity   Base Empreinte "mix moyen", the factor
--                                  for GHG inventories (not the per-use ones)
--   gas          co2.gas.pcs       per kWh PCS, the kWh gas meters count
--   heat         co2.heat_network  national mean of French heat networks
-- A building with one of its energy rows suppressed, or an energy with
-- no factor that early, gets no value that year: a partial sum would
-- understate it.
local FACTOR = {
  electricity = 'co2.electricity',
  gas = 'co2.gas.pcs',
  heat = 'co2.heat_network',
}

local known = {} -- "key year" -> factor, or false when there is none
local function factor(key, year)
  local k = key .. ' ' .. year
  if known[k] == nil then
    known[k] = cm.factor(key, year) or false
  end
  return known[k] or nil
end

local cells, order = {}, {}
for r in cm.rows('energy-site-year') do
  local key = FACTOR[r.kind]
  if key then
    local id = r.period .. '\0' .. r.territory
    local c = cells[id]
    if not c then
      c = {period = r.period, territory = r.territory, kg = 0, ok = true}
      cells[id] = c
      order[#order + 1] = c
    end
    local f = factor(key, math.tointeger(tonumber(r.period)))
    if r.value == nil or f == nil then
      c.ok = false
    else
      c.kg = c.kg + r.value * f
    end
  end
end

local out = {}
for _, c in ipairs(order) do
  if c.ok then
    out[#out + 1] = {
      period = c.period,
      territory = c.territory,
      value = math.floor(c.kg * 10 + 0.5) / 10,
    }
  end
end

return {
  indicator = {
    slug = 'co2-emissions',
    title = {fr = "Émissions de gaz à effet de serre des bâtiments publics",
             en = 'Greenhouse gas emissions of public buildings'},
    description = {
      fr = "Émissions (kg CO2e, analyse de cycle de vie) de l'électricité, "
        .. "du gaz et de la chaleur consommés chaque année par chaque "
        .. "bâtiment public, avec les facteurs d'émission de l'ADEME "
        .. "(Base Empreinte, DPE 2021) et le contenu CO2 moyen des "
        .. "réseaux de chaleur.",
      en = "Emissions (kg CO2e, life cycle) of the electricity, gas and "
        .. "heat used each year by each public building, with ADEME's "
        .. "emission factors (Base Empreinte, DPE 2021) and the mean CO2 "
        .. "content of heat networks."},
    unit = 'kg CO2e',
    method = 'sum over electricity, gas and heat of energy-site-year of '
      .. 'kWh x the reference factor in force that year (co2.electricity, '
      .. 'co2.gas.pcs, co2.heat_network), rounded to 0.1; no value when '
      .. 'a row is suppressed or a factor is missing',
    reads = {'energy-site-year'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
