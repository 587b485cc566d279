-- 0009_reference.sql -- public reference data for indicators, and the
-- platform's own download counts (issue 5).
--
-- reference_factor holds the factors indicator scripts multiply by
-- (emission factors, conversion ratios, degree-day bases ...), so no
-- script hard-codes one and every script cites the same value and
-- source. A key has one row per year its value changed: a script asks
-- for the row in force in a year (the latest 'year' not after it;
-- cm.factor in sbx_data.c). year NULL: the value holds for every year.
-- Values come from shared/reference/energy-domain.md section 3 with its
-- confidence; 'note' says when a value still has to be checked against
-- its primary source. A later migration adds rows (a new year), it does
-- not edit these: published indicators were computed from them.
--
-- download_day counts what GET .../download served, per UTC day,
-- dataset and format (dl.c counts in memory and flushes in batches).
-- No address, no token, no time finer than the day: public data, which
-- the Lua sandbox may read like the published tables.

CREATE TABLE reference_factor (
    key    TEXT NOT NULL                  -- 'co2.gas', 'dju.base' ...
           CHECK (length(key) BETWEEN 1 AND 64
                  AND key NOT GLOB '*[^a-z0-9_.]*'),
    year   INTEGER CHECK (year IS NULL OR year BETWEEN 1900 AND 2200),
    value  REAL NOT NULL,
    unit   TEXT NOT NULL,                 -- 'kgCO2e/kWh', '°C', 'ratio' ...
    energy TEXT,                          -- the kind it applies to, or NULL
    source TEXT NOT NULL,
    note   TEXT
);
CREATE UNIQUE INDEX reference_factor_key
    ON reference_factor (key, coalesce(year, 0));

INSERT INTO reference_factor (key, year, value, unit, energy, source, note)
VALUES
-- Emission factors, kg CO2e per kWh of final energy (life cycle).
('co2.electricity', 2021, 0.055, 'kgCO2e/kWh', 'electricity',
 'ADEME Base Empreinte, "Electricité - 2021 - mix moyen - consommation"',
 'The factor Base Carbone prescribes for GHG inventories (not the per-use ' ||
 'ones). Value quoted by a third party (adimas.paris), to check against ' ||
 'Base Empreinte.'),
('co2.electricity', 2022, 0.073, 'kgCO2e/kWh', 'electricity',
 'ADEME Base Empreinte, "Electricité - 2022 - mix moyen - consommation"',
 'As 2021: value quoted by a third party (adimas.paris), to check against ' ||
 'Base Empreinte.'),
('co2.electricity.heating', 2006, 0.180, 'kgCO2e/kWh', 'electricity',
 'DPE method until June 2021 (arrêté of 15 September 2006), via ' ||
 'bbs-logiciels', 'Per-use factor: indicative only for a GHG inventory.'),
('co2.electricity.heating', 2021, 0.079, 'kgCO2e/kWh', 'electricity',
 'DPE 2021 and RE2020, "moyenne mensualisée par usage" (arrêté of 31 ' ||
 'March 2021)',
 'Per-use factor: indicative only; per-use factors end with 2023. Value ' ||
 'from memory in the reference, to check in the arrêté''s annex.'),
('co2.electricity.dhw', 2021, 0.065, 'kgCO2e/kWh', 'electricity',
 'DPE 2021 and RE2020, "moyenne mensualisée par usage" (arrêté of 31 ' ||
 'March 2021)',
 'Domestic hot water (ECS). Indicative only; to check in the arrêté''s ' ||
 'annex.'),
('co2.electricity.cooling', 2021, 0.064, 'kgCO2e/kWh', 'electricity',
 'DPE 2021 and RE2020, "moyenne mensualisée par usage" (arrêté of 31 ' ||
 'March 2021)', 'Indicative only; to check in the arrêté''s annex.'),
('co2.electricity.lighting', 2021, 0.069, 'kgCO2e/kWh', 'electricity',
 'DPE 2021 and RE2020, "moyenne mensualisée par usage" (arrêté of 31 ' ||
 'March 2021)', 'Indicative only; to check in the arrêté''s annex.'),
('co2.electricity.other', 2021, 0.064, 'kgCO2e/kWh', 'electricity',
 'DPE 2021 and RE2020, "moyenne mensualisée par usage" (arrêté of 31 ' ||
 'March 2021)', 'Indicative only; to check in the arrêté''s annex.'),
('co2.gas', 2006, 0.234, 'kgCO2e/kWh PCI', 'gas',
 'DPE method until June 2021 (arrêté of 15 September 2006), via ' ||
 'bbs-logiciels', 'Per kWh PCI (lower heating value).'),
('co2.gas', 2021, 0.227, 'kgCO2e/kWh PCI', 'gas',
 'DPE 2021 and RE2020 (arrêtés of 31 March 2021), ADEME Base Empreinte ' ||
 'life cycle; France Chaleur Urbaine ("227 g/kWh gaz")',
 'Per kWh PCI (lower heating value).'),
('co2.gas.pcs', 2006, 0.2108, 'kgCO2e/kWh PCS', 'gas',
 'co2.gas 2006 / conv.gas.pcs_per_pci: 0.234 / 1.11',
 'Per kWh PCS (higher heating value), the kWh of gas meters and bills.'),
('co2.gas.pcs', 2021, 0.2045, 'kgCO2e/kWh PCS', 'gas',
 'co2.gas 2021 / conv.gas.pcs_per_pci: 0.227 / 1.11',
 'Per kWh PCS, the kWh of gas meters and bills (GRDF). France Chaleur ' ||
 'Urbaine''s simulator rounds it to 0.205.'),
('co2.fuel_oil', 2006, 0.300, 'kgCO2e/kWh PCI', 'fuel_oil',
 'DPE method until June 2021 (arrêté of 15 September 2006), via ' ||
 'bbs-logiciels', NULL),
('co2.fuel_oil', 2021, 0.324, 'kgCO2e/kWh PCI', 'fuel_oil',
 'DPE 2021 (arrêté of 31 March 2021); France Chaleur Urbaine', NULL),
('co2.wood.logs', 2006, 0.013, 'kgCO2e/kWh', 'wood',
 'DPE method until June 2021 (arrêté of 15 September 2006), via ' ||
 'bbs-logiciels', 'Logs and pellets.'),
('co2.wood.logs', 2021, 0.030, 'kgCO2e/kWh', 'wood',
 'DPE 2021 (arrêté of 31 March 2021), table via lesgrandesterres',
 'Logs and pellets.'),
('co2.wood.chips', 2021, 0.024, 'kgCO2e/kWh', 'wood',
 'DPE 2021 (arrêté of 31 March 2021), table via lesgrandesterres',
 'Wood chips (plaquettes).'),
('co2.coal', 2021, 0.384, 'kgCO2e/kWh', 'coal',
 'DPE 2021 (arrêté of 31 March 2021), table via lesgrandesterres', NULL),
('co2.coal', 2023, 0.385, 'kgCO2e/kWh', 'coal',
 'DPE, 2023 version of the table, via lesgrandesterres', NULL),
('co2.heat_network', 2012, 0.200, 'kgCO2e/kWh', 'heat',
 'France Chaleur Urbaine: national mean CO2 content of heat networks, 2012',
 'National mean; whether it is life cycle or direct is not stated. A ' ||
 'network''s own value is in the yearly DPE arrêté (the last: 11 April ' ||
 '2025, 2023 data).'),
('co2.heat_network', 2022, 0.112, 'kgCO2e/kWh', 'heat',
 'France Chaleur Urbaine: national mean CO2 content of heat networks, ' ||
 '2022, life cycle',
 'National mean; a network''s own value is in the yearly DPE arrêté (the ' ||
 'last: 11 April 2025, 2023 data).'),
-- Heat networks: renewable and recovered share of the heat delivered.
('share.heat_network.renewable', 2021, 0.626, 'ratio', 'heat',
 'France Chaleur Urbaine: national mean ENR&R share of heat networks, 2021',
 'Renewable and recovered heat / heat delivered.'),
('share.heat_network.renewable', 2022, 0.665, 'ratio', 'heat',
 'France Chaleur Urbaine: national mean ENR&R share of heat networks, 2022',
 'Renewable and recovered heat / heat delivered.'),
-- What a substitution is compared with.
('efficiency.gas_boiler', NULL, 0.90, 'ratio', 'gas',
 'Assumption of this platform, not from a cited source',
 'Seasonal efficiency of the gas boilers a heat network replaces, heat ' ||
 'out / gas in on a PCI basis (condensing boilers reach more than 1 on ' ||
 'PCI, old ones less). Replace it with the value of the project''s own ' ||
 'study when known.'),
('co2.car.km', 2011, 0.218, 'kgCO2e/km', NULL,
 'Average French car (2011 fleet) including fuel upstream; ' ||
 'oliviercarles.free.fr, "émissions réelles des voitures"',
 'Tailpipe only: co2.car.km.tailpipe. About 12 000 km a year per car.'),
('co2.car.km.tailpipe', 2011, 0.181, 'kgCO2e/km', NULL,
 'Average French car (2011 fleet), tailpipe; oliviercarles.free.fr, ' ||
 '"émissions réelles des voitures"', NULL),
-- Data transfer.
('co2.network.mobile', 2022, 0.0492, 'kgCO2e/GB', NULL,
 'ADEME transitional method for article 13 of the AGEC law (2022-2023), ' ||
 'via generation-nt.com and echosdunet.net',
 '49.2 g per GB of mobile data (one source says 49.4). Fixed networks have ' ||
 'no per-GB value in that method, so for a download it is an upper bound.'),
('co2.network.fixed', 2022, 4.1, 'kgCO2e/month/subscriber', NULL,
 'ADEME transitional method for article 13 of the AGEC law (2022-2023), ' ||
 'via generation-nt.com and echosdunet.net',
 'Flat, per subscriber and month: not proportional to the data moved.'),
-- Degree-days and conversions.
('dju.base', NULL, 18, '°C', NULL,
 'Météo-France, DJC method (fiche "DJC-methode")',
 'Heating degree-days base; SDES sometimes uses 17 (dju.base.sdes): ' ||
 'always store the base with the degree-days.'),
('dju.base.sdes', NULL, 17, '°C', NULL, 'SDES, via calculcee.fr', NULL),
('dju.heating_season.days', NULL, 232, 'days', NULL,
 'Conventional heating season, 1 October to 20 May (ista.com)', NULL),
('conv.gas.pcs_per_pci', NULL, 1.11, 'ratio', 'gas',
 'Arrêté DPE of 15 September 2006, annex IV', 'kWh PCS = 1.11 x kWh PCI.');

CREATE TABLE download_day (
    day      TEXT NOT NULL                -- UTC, YYYY-MM-DD
             CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    dataset  TEXT NOT NULL,               -- slug
    format   TEXT NOT NULL,               -- csv, json, ndjson, zip, tar.gz
    requests INTEGER NOT NULL CHECK (requests >= 0), -- bodies sent (200, 206)
    bytes    INTEGER NOT NULL CHECK (bytes >= 0),    -- body bytes sent
    PRIMARY KEY (day, dataset, format)
) WITHOUT ROWID;
