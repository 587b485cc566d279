/*
** store_sql.h -- every SQL statement the server runs, by name. store_open()
** prepares them all, so a schema mismatch fails at start-up and not as a
** 500 later. Parameters are always bound (?1, ?2 ...), never printed in.
** Only store*.c include this file.
*/
#ifndef CM_STORE_SQL_H
#define CM_STORE_SQL_H

#define STORE_SQL(X)                                                           \
    X(SCHEMA_VERSION, "SELECT coalesce(max(version), 0) FROM schema_version")  \
    X(AUDIT_ADD, "INSERT INTO audit_log (actor, action, target, address, "     \
                 "details) VALUES (?1, ?2, ?3, ?4, ?5)")                       \
    X(AUDIT_COUNT, "SELECT count(*) FROM audit_log")                           \
    X(TX_BEGIN, "BEGIN IMMEDIATE")                                             \
    X(TX_COMMIT, "COMMIT")                                                     \
    X(TX_ROLLBACK, "ROLLBACK")                                                 \
    X(METER_BY_ID,                                                             \
      "SELECT m.id, m.kind, s.site_id, m.step, m.unit, m.counter, "            \
      "m.index_at, m.index_value FROM meter m "                                \
      "JOIN site s ON s.id = m.site WHERE m.meter_id = ?1")                    \
    X(METER_BY_REF,                                                            \
      "SELECT m.id, m.kind, s.site_id, m.step, m.unit, m.counter, "            \
      "m.index_at, m.index_value FROM meter m "                                \
      "JOIN site s ON s.id = m.site "                                          \
      "WHERE m.source = ?1 AND m.source_ref = ?2")                             \
    X(METER_INDEX_SET,                                                         \
      "UPDATE meter SET index_at = ?2, index_value = ?3 "                      \
      "WHERE id = ?1 AND (index_at IS NULL OR index_at < ?2)")                 \
    X(READING_GET, "SELECT value, import FROM reading "                        \
                   "WHERE meter = ?1 AND start = ?2 AND step = ?3")            \
    X(READING_INSERT, "INSERT INTO reading (meter, start, step, value, "       \
                      "import) VALUES (?1, ?2, ?3, ?4, ?5)")                   \
    X(READING_ADD, "INSERT INTO reading (meter, start, step, value, import) "  \
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING")       \
    X(READING_UPDATE, "UPDATE reading SET value = ?4, import = ?5 "            \
                      "WHERE meter = ?1 AND start = ?2 AND step = ?3")         \
    X(IMPORT_BEGIN, "INSERT INTO import (source, format, file_name, actor) "   \
                    "VALUES (?1, ?2, ?3, ?4)")                                 \
    X(IMPORT_FINISH, "UPDATE import SET finished_at = "                        \
                     "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), n_read = ?2, "    \
                     "n_inserted = ?3, n_updated = ?4, n_rejected = ?5, "      \
                     "status = ?6, report = ?7 WHERE id = ?1")                 \
    X(ACCOUNT_ADD, "INSERT INTO account (name, role) VALUES (?1, ?2)")         \
    X(TOKEN_ADD, "INSERT INTO api_token (account, token_hash, prefix, label, " \
                 "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")                    \
    X(TOKEN_FIND, "SELECT a.id, a.name, a.role FROM api_token t "              \
                  "JOIN account a ON a.id = t.account "                        \
                  "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL "          \
                  "AND a.disabled = 0 AND (t.expires_at IS NULL OR "           \
                  "t.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")     \
    X(SITE_UPSERT,                                                             \
      "INSERT INTO site (site_id, name, category, "                            \
      "floor_area_m2, commune_insee, district, epci, public, "                 \
      "attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "               \
      "ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, "             \
      "category = excluded.category, "                                         \
      "floor_area_m2 = excluded.floor_area_m2, "                               \
      "commune_insee = excluded.commune_insee, "                               \
      "district = excluded.district, epci = excluded.epci, "                   \
      "public = excluded.public, attributes = excluded.attributes,"            \
      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")                   \
    X(SITE_ID, "SELECT id FROM site WHERE site_id = ?1")                       \
    X(METER_UPSERT,                                                            \
      "INSERT INTO meter (meter_id, site, kind, source, "                      \
      "source_ref, unit, step, counter) "                                      \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "                               \
      "ON CONFLICT (meter_id) DO UPDATE SET site = excluded.site,"             \
      " kind = excluded.kind, source = excluded.source, "                      \
      "source_ref = excluded.source_ref, unit = excluded.unit, "               \
      "step = excluded.step, counter = excluded.counter, "                     \
      "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")                    \
    X(DATASET_UPSERT,                                                          \
      "INSERT INTO dataset (slug, origin, manifest, search_text) "             \
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (slug) DO UPDATE SET "              \
      "origin = excluded.origin, manifest = excluded.manifest, "               \
      "search_text = excluded.search_text, "                                   \
      "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') RETURNING id")       \
    X(VERSION_NEXT, "SELECT coalesce(max(version), 0) + 1 "                    \
                    "FROM dataset_version WHERE dataset = ?1")                 \
    X(VERSION_INSERT,                                                          \
      "INSERT INTO dataset_version (dataset, version, published_at, "          \
      "manifest, n_observations, sha256, disclosure, columns, provenance) "    \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                           \
    X(OBS_INSERT,                                                              \
      "INSERT INTO observation (version, row, period, territory_level, "       \
      "territory, sector, kind, value, unit, n_sites, status, extra) "         \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")            \
    X(DIST_INSERT, "INSERT INTO distribution (version, format, name, "         \
                   "media_type, bytes, sha256) "                               \
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                          \
    X(DIST_LIST, "SELECT format, name, media_type, bytes, sha256 "             \
                 "FROM distribution WHERE version = ?1 ORDER BY format")       \
    X(DATASET_SET_LATEST,                                                      \
      "UPDATE dataset SET latest = ?1, "                                       \
      "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "                    \
      "WHERE id = (SELECT dataset FROM dataset_version WHERE id = ?1)")        \
    X(VERSION_GET,                                                             \
      "SELECT v.id, d.id, v.version, l.version, v.n_observations, d.slug, "    \
      "d.origin, v.published_at, v.sha256, v.manifest, v.columns, "            \
      "v.disclosure, v.provenance FROM dataset d "                             \
      "JOIN dataset_version l ON l.id = d.latest "                             \
      "JOIN dataset_version v ON v.dataset = d.id "                            \
      "AND v.version = CASE WHEN ?2 > 0 THEN ?2 ELSE l.version END "           \
      "WHERE d.slug = ?1")                                                     \
    X(VERSIONS_LIST,                                                           \
      "SELECT v.id, d.id, v.version, l.version, v.n_observations, d.slug, "    \
      "d.origin, v.published_at, v.sha256, NULL, NULL, NULL, NULL "            \
      "FROM dataset d JOIN dataset_version l ON l.id = d.latest "              \
      "JOIN dataset_version v ON v.dataset = d.id "                            \
      "WHERE d.id = ?1 ORDER BY v.version DESC")                               \
    X(DATASETS_LIST,                                                           \
      "SELECT v.id, d.id, v.version, v.version, v.n_observations, d.slug, "    \
      "d.origin, v.published_at, v.sha256, v.manifest, v.columns, "            \
      "v.disclosure, v.provenance FROM dataset d "                             \
      "JOIN dataset_version v ON v.id = d.latest ORDER BY d.slug")             \
    X(VERSION_COUNTS, "SELECT count(*), coalesce(sum(status = 'A'), 0), "      \
                      "coalesce(sum(status = 'C'), 0), "                       \
                      "coalesce(sum(status = 'D'), 0) "                        \
                      "FROM observation WHERE version = ?1")                   \
    X(SITES_ALL,                                                               \
      "SELECT id, site_id, name, category, floor_area_m2, "                    \
      "commune_insee, district, epci, public FROM site ORDER BY id")           \
    X(AGGREGATE,                                                               \
      "SELECT m.site, m.kind, x.k, sum(x.s), min(x.mn), max(x.mx), "           \
      "sum(x.n) FROM (SELECT r.meter, paris_period_key(r.start, ?1) AS k, "    \
      "sum(r.value) AS s, min(r.value) AS mn, max(r.value) AS mx, "            \
      "count(*) AS n FROM reading r WHERE r.meter IN (SELECT id FROM meter "   \
      "WHERE kind IN (SELECT value FROM json_each(?2))) "                      \
      "GROUP BY r.meter, k) x "                                                \
      "JOIN meter m ON m.id = x.meter JOIN site s ON s.id = m.site "           \
      "WHERE ?3 = 0 OR s.public = 1 GROUP BY m.site, m.kind, x.k")

enum store_sql_id {
#define STORE_X_ENUM(name, sql) STORE_##name,
    STORE_SQL(STORE_X_ENUM)
#undef STORE_X_ENUM
        STORE_NSQL
};

#endif /* CM_STORE_SQL_H */
