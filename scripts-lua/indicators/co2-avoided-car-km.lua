-- co2-avoided-car-km.lua -- the emissions the heat network avoids
-- (co2-avoided.lua), told as the km an average car drives for the same
-- emissions, per public building and year.
--
-- The same formula as co2-avoided.lua, on the same rows and factors,
-- then divided by the emissions of an average car per km:
--   km = heat kWh x (co2.gas / efficiency.gas_boiler - co2.heat_network)
--        / co2.car.km
-- co2.car.km: average French car, fuel upstream included (kg CO2e/km).
-- Computed from the unrounded kg, rounded to 1 km. Its own dataset
-- because a dataset has one unit; it reads energy-site-year rather than
-- the co2-avoided dataset so that it does not depend on which of the
-- two is published first.
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
    local car = factor('co2.car.km', year)
    if gas and eff and net and car then
      local km = r.value * (gas / eff - net) / car
      out[#out + 1] = {
        period = r.period,
        territory = r.territory,
        value = math.floor(km + 0.5),
      }
    end
  end
end

return {
  indicator = {
    slug = 'co2-avoided-car-km',
    title = {fr = 'Émissions évitées par le réseau de chaleur, en km de '
               .. 'voiture',
             en = 'Emissions avoided by the heat network, as car km'},
    description = {
      fr = "Les émissions évitées par chaque bâtiment public raccordé au "
        .. "réseau de chaleur (indicateur co2-avoided), exprimées en "
        .. "kilomètres parcourus par une voiture moyenne.",
      en = "The emissions each public building on the heat network "
        .. "avoids (indicator co2-avoided), as the kilometres an average "
        .. "car drives."},
    unit = 'km',
    method = 'heat kWh of energy-site-year x (co2.gas / '
      .. 'efficiency.gas_boiler - co2.heat_network) / co2.car.km, '
      .. 'reference factors in force that year, rounded to 1 km; no value '
      .. 'when the heat row is suppressed or a factor is missing',
    reads = {'energy-site-year'},
    period = 'year',
    territory = 'site',
  },
  observations = out,
}
