-- 0002_public.sql -- the public layer: datasets, their immutable published
-- versions, the observations of each version's data cube and the files
-- (resources) exported from it. Everything served reads these tables only.

CREATE TABLE dataset (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE
                CHECK (length(slug) BETWEEN 1 AND 64
                       AND slug NOT GLOB '*[^a-z0-9-]*'),
    origin      TEXT NOT NULL CHECK (origin IN ('manifest', 'lua')),
    manifest    TEXT NOT NULL CHECK (json_valid(manifest)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE dataset_version (
    id             INTEGER PRIMARY KEY,
    dataset        INTEGER NOT NULL REFERENCES dataset (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    published_at   TEXT NOT NULL,
    manifest       TEXT NOT NULL CHECK (json_valid(manifest)), -- as published
    n_observations INTEGER NOT NULL DEFAULT 0,
    sha256         TEXT,                  -- of the canonical CSV of the cube
    disclosure     TEXT CHECK (disclosure IS NULL OR json_valid(disclosure)),
    UNIQUE (dataset, version)
);

-- One cell of the cube. A suppressed cell is still a row: value NULL and
-- status 'C' (primary) or 'D' (secondary), so the table shape is honest.
CREATE TABLE observation (
    version         INTEGER NOT NULL REFERENCES dataset_version (id),
    row             INTEGER NOT NULL,
    period          TEXT NOT NULL,        -- 2024, 2024-03, 2024-03-15 ...
    territory_level TEXT NOT NULL,        -- site, district, commune, epci ...
    territory       TEXT NOT NULL,
    sector          TEXT,                 -- NULL when not grouped by sector
    kind            TEXT NOT NULL,
    value           REAL,
    unit            TEXT NOT NULL,
    n_sites         INTEGER NOT NULL CHECK (n_sites >= 0),
    status          TEXT NOT NULL CHECK (status IN ('A', 'C', 'D')),
    extra           TEXT CHECK (extra IS NULL OR json_valid(extra)),
    PRIMARY KEY (version, row)
) WITHOUT ROWID;
CREATE INDEX observation_territory ON observation (version, territory, period);

CREATE TABLE resource (                   -- an exported file of a version
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL REFERENCES dataset_version (id),
    name       TEXT NOT NULL,             -- 'data.csv', 'dataset.zip'
    format     TEXT NOT NULL,             -- csv, json, ndjson, zip, tar.gz
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    content    BLOB NOT NULL,
    UNIQUE (version, name)
);

-- A published version is immutable: same bytes, same checksum, forever.
CREATE TRIGGER dataset_version_immutable BEFORE UPDATE ON dataset_version
BEGIN
    SELECT RAISE(ABORT, 'published dataset versions are immutable');
END;
CREATE TRIGGER dataset_version_undeletable BEFORE DELETE ON dataset_version
BEGIN
    SELECT RAISE(ABORT, 'published dataset versions are immutable');
END;
CREATE TRIGGER observation_immutable BEFORE UPDATE ON observation
BEGIN
    SELECT RAISE(ABORT, 'published observations are immutable');
END;
CREATE TRIGGER observation_undeletable BEFORE DELETE ON observation
BEGIN
    SELECT RAISE(ABORT, 'published observations are immutable');
END;
CREATE TRIGGER resource_immutable BEFORE UPDATE ON resource
BEGIN
    SELECT RAISE(ABORT, 'published resources are immutable');
END;
CREATE TRIGGER resource_undeletable BEFORE DELETE ON resource
BEGIN
    SELECT RAISE(ABORT, 'published resources are immutable');
END;
