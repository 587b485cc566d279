-- 0001_private.sql -- the private layer: where readings come from, the
-- sites and meters they belong to, and the readings themselves. Nothing in
-- these tables is ever served: the publisher reads them, the API does not.
-- Times are UTC seconds since 1970 (INTEGER); values are in the canonical
-- unit of their meter's kind (kWh for energy, degC for temperature).

CREATE TABLE source (                     -- a system that feeds the store
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,     -- 'zabbix-lorient', 'enedis'
    format      TEXT NOT NULL,            -- importer: csv, enedis, grdf, ...
    description TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE site (                       -- a building or installation
    id            INTEGER PRIMARY KEY,
    site_id       TEXT NOT NULL UNIQUE,   -- the territory's own identifier
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,          -- education, sport, office, housing
    floor_area_m2 REAL CHECK (floor_area_m2 IS NULL OR floor_area_m2 > 0),
    commune_insee TEXT CHECK (commune_insee IS NULL
                              OR length(commune_insee) = 5),
    district      TEXT,                   -- IRIS code or local district
    epci          TEXT CHECK (epci IS NULL OR length(epci) = 9), -- SIREN
    public        INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    attributes    TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX site_commune ON site (commune_insee);

CREATE TABLE meter (                      -- one measured flow of one site
    id         INTEGER PRIMARY KEY,
    meter_id   TEXT NOT NULL UNIQUE,
    site       INTEGER NOT NULL REFERENCES site (id) ON DELETE RESTRICT,
    kind       TEXT NOT NULL,             -- electricity, pv, gas, heat, ...
    source     TEXT NOT NULL,             -- csv, zabbix, enedis, grdf, ...
    source_ref TEXT,                      -- itemid, PRM, PCE, feed id ...
    unit       TEXT NOT NULL,             -- canonical unit of the kind
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (source, source_ref)
);
CREATE INDEX meter_site ON meter (site);

CREATE TABLE import (                     -- one run of an importer
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    file_name   TEXT,
    sha256      TEXT,
    actor       TEXT NOT NULL,            -- 'cli' or the token's user
    started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    finished_at TEXT,
    n_read      INTEGER NOT NULL DEFAULT 0,
    n_inserted  INTEGER NOT NULL DEFAULT 0,
    n_updated   INTEGER NOT NULL DEFAULT 0,
    n_rejected  INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'failed')),
    report      TEXT CHECK (report IS NULL OR json_valid(report))
);

-- The key makes a re-imported reading an update of the same row, never a
-- duplicate. step is the interval length in seconds (0: an instantaneous
-- value, such as a temperature); the value covers [start, start + step).
CREATE TABLE reading (
    meter  INTEGER NOT NULL REFERENCES meter (id) ON DELETE CASCADE,
    start  INTEGER NOT NULL,
    step   INTEGER NOT NULL CHECK (step >= 0),
    value  REAL NOT NULL,
    import INTEGER REFERENCES import (id) ON DELETE SET NULL,
    PRIMARY KEY (meter, start, step)
) WITHOUT ROWID;
