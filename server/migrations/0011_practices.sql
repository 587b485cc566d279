-- 0011_practices.sql -- the regional registry of practice sheets (issue 6).
-- A sheet is a series of revisions (whole documents, append-only); the
-- sheet row points at its working revision and, once a moderator has
-- published one, at its public revision. What search reads is kept
-- apart, per view: view 0 is the public one (the published revision of a
-- sheet that is not archived), view 1 the working one, which staff see.

CREATE TABLE practice (
    id                 INTEGER PRIMARY KEY,
    state              TEXT NOT NULL DEFAULT 'draft'
                       CHECK (state IN ('draft', 'in_review', 'published',
                                        'archived')),
    current_revision   INTEGER,           -- practice_revision.id
    published_revision INTEGER,           -- NULL: never published
    territory_level    TEXT NOT NULL,     -- of the working revision
    territory_code     TEXT NOT NULL,
    created_by         INTEGER REFERENCES account (id), -- NULL: command line
    created_at         TEXT NOT NULL
                       DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT NOT NULL
                       DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    published_at       TEXT,
    origin             INTEGER REFERENCES practice (id), -- reused from
    origin_revision    INTEGER,
    reuses             INTEGER NOT NULL DEFAULT 0 CHECK (reuses >= 0)
);
CREATE INDEX practice_origin ON practice (origin);

CREATE TABLE practice_revision (
    id           INTEGER PRIMARY KEY,
    practice     INTEGER NOT NULL REFERENCES practice (id),
    number       INTEGER NOT NULL CHECK (number >= 1),
    document     TEXT NOT NULL CHECK (json_valid(document)),
    author       TEXT NOT NULL,           -- account name, or 'cli'
    message      TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    published_at TEXT,                    -- when it became the public one
    UNIQUE (practice, number)
);
-- A revision is history: only the moment it was published may be set.
CREATE TRIGGER practice_revision_immutable
BEFORE UPDATE OF practice, number, document, author, message, created_at
ON practice_revision
BEGIN
    SELECT RAISE(ABORT, 'a revision is never changed: save a new one');
END;
CREATE TRIGGER practice_revision_undeletable BEFORE DELETE ON practice_revision
BEGIN
    SELECT RAISE(ABORT, 'a revision is never deleted');
END;

-- Every moderation transition, with its comment (the sheet's history).
CREATE TABLE practice_event (
    id         INTEGER PRIMARY KEY,
    practice   INTEGER NOT NULL REFERENCES practice (id),
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    revision   INTEGER,
    comment    TEXT
);
CREATE INDEX practice_event_practice ON practice_event (practice, id);
CREATE INDEX practice_event_publish ON practice_event (action, id);

-- What search reads, per sheet and view (see above).
CREATE TABLE practice_view (
    id             INTEGER PRIMARY KEY,   -- rowid of practice_fts
    practice       INTEGER NOT NULL REFERENCES practice (id),
    view           INTEGER NOT NULL CHECK (view IN (0, 1)),
    revision       INTEGER NOT NULL,
    state          TEXT NOT NULL,
    title_key      TEXT NOT NULL,         -- folded title: sort=title
    at             TEXT NOT NULL,         -- published (0) or saved (1): recent
    territory_code TEXT NOT NULL,
    created_by     INTEGER,
    hit            TEXT NOT NULL CHECK (json_valid(hit)), -- a search result
    UNIQUE (practice, view)
);
CREATE INDEX practice_view_title ON practice_view (view, title_key, practice);
CREATE INDEX practice_view_at ON practice_view (view, at, practice);

-- Folded text (cm_fold: lowercase, accents and ligatures to ASCII), so
-- "electricite" finds "Électricité"; prefix indexes for "chaud" ->
-- "chaudière".
CREATE VIRTUAL TABLE practice_fts USING fts5 (
    title, summary, tags, body,
    tokenize = 'unicode61', prefix = '2 3'
);

CREATE TABLE practice_facet (
    view_id INTEGER NOT NULL REFERENCES practice_view (id),
    facet   TEXT NOT NULL,                -- theme, territory, sector ...
    value   TEXT NOT NULL,
    PRIMARY KEY (facet, value, view_id)
) WITHOUT ROWID;
CREATE INDEX practice_facet_view ON practice_facet (view_id);
