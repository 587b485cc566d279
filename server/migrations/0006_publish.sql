-- 0006_publish.sql -- what the publisher and the read API need beyond
-- 0002: the extra columns a version declares, the folded text the catalog
-- searches, the pointer to each dataset's latest version, and the
-- distributions (downloadable files) of each version. 0002's resource
-- table kept whole files in the store; downloads are files in the data
-- folder instead (served from disk, resumable), and a distribution row
-- records their name, size and checksum, computed when the version is
-- published, so the catalog lists them before anyone downloads them.

ALTER TABLE dataset ADD COLUMN search_text TEXT;    -- folded lowercase text
ALTER TABLE dataset ADD COLUMN latest INTEGER REFERENCES dataset_version (id);
ALTER TABLE dataset_version ADD COLUMN columns TEXT  -- extra columns, JSON
    CHECK (columns IS NULL OR json_valid(columns));
ALTER TABLE dataset_version ADD COLUMN provenance TEXT
    CHECK (provenance IS NULL OR json_valid(provenance));

CREATE TABLE distribution (
    version    INTEGER NOT NULL REFERENCES dataset_version (id),
    format     TEXT NOT NULL,              -- csv, json, ndjson, zip, tar.gz
    name       TEXT NOT NULL,              -- file name offered to clients
    media_type TEXT NOT NULL,
    bytes      INTEGER NOT NULL CHECK (bytes >= 0),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    PRIMARY KEY (version, format)
) WITHOUT ROWID;

CREATE TRIGGER distribution_immutable BEFORE UPDATE ON distribution
BEGIN
    SELECT RAISE(ABORT, 'published distributions are immutable');
END;
CREATE TRIGGER distribution_undeletable BEFORE DELETE ON distribution
BEGIN
    SELECT RAISE(ABORT, 'published distributions are immutable');
END;

CREATE INDEX dataset_version_latest ON dataset_version (dataset, version);
