-- 0010_sessions.sql -- portal logins (issue 6): sessions behind an
-- HttpOnly cookie, each with its CSRF token, and failed logins, which
-- slow down the next attempts per account and per address. Only a hash of
-- a session's cookie is stored, as for API tokens.

CREATE TABLE session (
    id_hash    BLOB PRIMARY KEY CHECK (length(id_hash) = 32),
    account    INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    expires_at TEXT NOT NULL,
    address    TEXT
) WITHOUT ROWID;
CREATE INDEX session_account ON session (account);

CREATE TABLE login_failure (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    name    TEXT NOT NULL,
    address TEXT
);
CREATE INDEX login_failure_name ON login_failure (name, at);
CREATE INDEX login_failure_address ON login_failure (address, at);
