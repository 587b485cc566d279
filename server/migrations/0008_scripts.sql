-- 0008_scripts.sql -- datathon scripts and their runs (issue 5).
-- A team's scripts and runs are private to the team until it publishes a
-- run: the publication is then a dataset version like any other, and the
-- dataset records which team owns it (dataset.team).

CREATE TABLE script (
    id         INTEGER PRIMARY KEY,
    account    INTEGER NOT NULL REFERENCES account (id),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX script_account ON script (account, id);

CREATE TABLE script_run (
    id            INTEGER PRIMARY KEY,
    script        INTEGER NOT NULL REFERENCES script (id),
    account       INTEGER NOT NULL REFERENCES account (id),
    status        TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'succeeded',
                                    'failed')),
    code          TEXT,                    -- sbx code once finished
    message       TEXT,
    line          INTEGER,
    result        TEXT CHECK (result IS NULL OR json_valid(result)),
    preview       TEXT CHECK (preview IS NULL OR json_valid(preview)),
    instructions  INTEGER,
    memory_peak   INTEGER,
    wall_ms       INTEGER,
    queued_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at    TEXT,
    finished_at   TEXT,
    published     INTEGER REFERENCES dataset_version (id)
);
CREATE INDEX script_run_queue ON script_run (status, id);
CREATE INDEX script_run_script ON script_run (script, id);
CREATE INDEX script_run_account ON script_run (account, queued_at);

ALTER TABLE dataset ADD COLUMN team INTEGER REFERENCES account (id);

-- The source of every published indicator's script, by its sha256 (the
-- provenance of a version names it): public, like the version itself.
CREATE TABLE script_source (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    source TEXT NOT NULL
) WITHOUT ROWID;
