-- 0003_accounts.sql -- people and programs that write: accounts with a
-- role, API tokens (only their SHA-256 is stored) and the audit log that
-- records every write anywhere in the platform.

CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE
                  CHECK (length(name) BETWEEN 1 AND 64),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'editor',
                                                'team', 'provider')),
    display_name  TEXT,
    email         TEXT,
    password_hash TEXT,                   -- argon2id encoded, NULL: no login
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    territories   TEXT CHECK (territories IS NULL OR json_valid(territories)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    account      INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    prefix       TEXT NOT NULL,           -- first characters, to recognise it
    label        TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    expires_at   TEXT,                    -- NULL: never
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_token_account ON api_token (account);

CREATE TABLE audit_log (                  -- append-only
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor   TEXT NOT NULL,                -- account name, 'cli' or 'system'
    action  TEXT NOT NULL,                -- 'store.migrate', 'site.import' ...
    target  TEXT,
    address TEXT,                         -- client address, or NULL for CLI
    details TEXT CHECK (details IS NULL OR json_valid(details))
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_undeletable BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
