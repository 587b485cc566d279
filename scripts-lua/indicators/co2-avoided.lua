-- co2-avoided.lua -- greenhouse gas emissions avoided by the heat network,
-- in kg CO2e per public building and year: what gas boilers would have
-- emitted to deliver the same heat, minus what the network emitted.
--
-- Reads the latest version of energy-site-year (its heat rows: the heat
-- each building took from the network) and the reference factors
-- (cm.factor, table reference_factor, listed in scripts-lua/README.md),
-- each in force that year (the factor of the latest year not after it):
--   avoided = heat kWh x (co2.gas / efficiency.gas_boiler
--                         - co2.heat_network)
-- co2.gas is per kWh PCI, the basis of the boiler efficiency: heat /
-- efficiency is the gas a boiler would have burnt. Rounded to 0.1 kg. A
-- suppressed heat row, or a factor missing that early, gives no value.
-- The same result in km driven by an average car is the indicator
-- co2-avoided-car-km.lua, which uses this formula too.
local known = {} -- "key year" -> factor, or false when there is none
local function factor(key, year)
  local k = key .. ' ' .. tostring(year)
  if known[k] == nil then
    known[k] = cm.factor(key, year) or false
  end
  return known[k] or nil
end

local out = {}
for r in cm.rows('energy-site-year') do
  if r.kind == 'heat' and r.value ~= nil then
    local year = math.tointeger(tonumber(r.period))
    local gas = factor('co2.gas', year)
    local eff = factor('efficiency.gas_boiler', year)
    local net = factor('co2.heat_network', year)
    if gas and eff and net then
      local kg = r.value * (gas / eff - net)
      out[#out + 1] = {
        period = r.period,
        territory = r.territory,
        value = math.floor(kg * 10 + 0.5) / 10,
      }
    end
  end
end

return {
  indicator = {
    slug = 'co2-avoided',
    title = {fr = 'Émissions évitées par le réseau de chaleur',
             en = 'Emissions avoided by the heat network'},
    description = {
      fr = "Gaz à effet de serre (kg CO2e) évités chaque année par chaque "
        .. "bâtiment public raccordé au réseau de chaleur, par rapport à "
        .. "des chaudières au gaz fournissant la même chaleur.",
      en = "Greenhouse gases (kg CO2e) avoided each year by each public "
        .. "building on the heat network, compared with gas boilers "
        .. "delivering the same heat."},
    unit = 'kg CO2e',
    method = 'heat kWh of energy-site-year x (co2.gas / '
      .. 'efficiency.gas_boiler - co2.heat_network), reference factors in '
      .. 'force that year, rounded to 0.1; no value when the heat row is '
      .. 'suppressed or a factor is missing',
    reads = {'energy-site-year'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
