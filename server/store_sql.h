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
    X(TX_READ, "BEGIN")                                                        \
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
    /* store_accounts.c: accounts, passwords, sessions, failed logins */       \
    X(ACCOUNT_BY_NAME, "SELECT id, name, role, password_hash, disabled "       \
                       "FROM account WHERE name = ?1")                         \
    X(ACCOUNT_LIST,                                                            \
      "SELECT a.name, a.role, a.disabled, a.password_hash IS NOT NULL, "       \
      "a.created_at, (SELECT count(*) FROM api_token t WHERE t.account = "     \
      "a.id AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR "            \
      "t.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))) "                \
      "FROM account a ORDER BY a.name")                                        \
    X(ACCOUNT_DISABLE, "UPDATE account SET disabled = 1 WHERE id = ?1")        \
    X(ACCOUNT_PASSWORD_SET, "UPDATE account SET password_hash = ?2 "           \
                            "WHERE id = ?1")                                   \
    X(SESSION_ADD, "INSERT INTO session (id_hash, account, csrf, expires_at, " \
                   "address) VALUES (?1, ?2, ?3, ?4, ?5)")                     \
    X(SESSION_FIND, "SELECT a.id, a.name, a.role, s.csrf FROM session s "      \
                    "JOIN account a ON a.id = s.account WHERE s.id_hash = ?1 " \
                    "AND a.disabled = 0 AND s.expires_at > "                   \
                    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")                   \
    X(SESSION_DELETE, "DELETE FROM session WHERE id_hash = ?1")                \
    X(SESSION_DELETE_ACCOUNT, "DELETE FROM session WHERE account = ?1")        \
    X(LOGIN_FAIL_ADD, "INSERT INTO login_failure (name, address) "             \
                      "VALUES (?1, ?2)")                                       \
    X(LOGIN_FAIL_COUNT,                                                        \
      "SELECT (SELECT count(*) FROM login_failure WHERE name = ?1 "            \
      "AND at > ?3), (SELECT count(*) FROM login_failure WHERE "               \
      "address = ?2 AND at > ?3)")                                             \
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
    /* store_scripts.c: datathon scripts, runs, indicators */                  \
    X(SCRIPT_ADD, "INSERT INTO script (account, name, source, sha256) "        \
                  "VALUES (?1, ?2, ?3, ?4)")                                   \
    X(SCRIPT_GET, "SELECT id, account, name, source, sha256, created_at "      \
                  "FROM script WHERE id = ?1")                                 \
    X(SCRIPT_LIST,                                                             \
      "SELECT s.id, s.account, s.name, NULL, s.sha256, s.created_at, "         \
      "length(CAST(s.source AS BLOB)), r.id, r.status, r.code "                \
      "FROM script s LEFT JOIN script_run r ON r.id = (SELECT max(id) "        \
      "FROM script_run WHERE script = s.id) WHERE s.account = ?1 "             \
      "AND (?2 = 0 OR s.id < ?2) ORDER BY s.id DESC LIMIT ?3")                 \
    X(RUN_LOAD,                                                                \
      "SELECT (SELECT count(*) FROM script_run WHERE status = 'queued'), "     \
      "(SELECT count(*) FROM script_run WHERE status = 'queued' "              \
      "AND account = ?1), (SELECT coalesce(sum(wall_ms), 0) FROM "             \
      "script_run WHERE account = ?1 AND queued_at >= ?2)")                    \
    X(RUN_ADD, "INSERT INTO script_run (script, account) VALUES (?1, ?2)")     \
    X(RUNS_COUNT, "SELECT coalesce(sum(status = 'queued'), 0), "               \
                  "coalesce(sum(status = 'running'), 0) FROM script_run "      \
                  "WHERE status IN ('queued', 'running')")                     \
    X(RUN_GET,                                                                 \
      "SELECT r.id, r.script, r.account, r.status, r.code, r.message, "        \
      "r.line, r.preview, r.instructions, r.memory_peak, r.wall_ms, "          \
      "r.queued_at, r.started_at, r.finished_at, d.slug, v.version, "          \
      "length(CAST(r.result AS BLOB)) FROM script_run r "                      \
      "LEFT JOIN dataset_version v ON v.id = r.published "                     \
      "LEFT JOIN dataset d ON d.id = v.dataset WHERE r.id = ?1")               \
    X(RUN_QUEUED, "SELECT id, account, script FROM script_run "                \
                  "WHERE status = 'queued' ORDER BY id LIMIT ?1")              \
    X(RUN_CLAIM, "UPDATE script_run SET status = 'running', started_at = "     \
                 "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "                      \
                 "WHERE id = ?1 AND status = 'queued'")                        \
    X(RUN_FINISH,                                                              \
      "UPDATE script_run SET status = ?2, code = ?3, message = ?4, "           \
      "line = ?5, result = ?6, preview = ?7, instructions = ?8, "              \
      "memory_peak = ?9, wall_ms = ?10, finished_at = "                        \
      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1")                   \
    X(RUN_REQUEUE, "UPDATE script_run SET status = 'queued', "                 \
                   "started_at = NULL WHERE status = 'running'")               \
    X(RUN_LAST_OK, "SELECT id, result FROM script_run WHERE script = ?1 "      \
                   "AND status = 'succeeded' ORDER BY id DESC LIMIT 1")        \
    X(RUN_SET_PUBLISHED, "UPDATE script_run SET published = ?2 "               \
                         "WHERE id = ?1")                                      \
    X(DATASET_OWNER, "SELECT origin, team FROM dataset WHERE slug = ?1")       \
    X(DATASET_SET_TEAM, "UPDATE dataset SET team = ?2 WHERE slug = ?1")        \
    X(SCRIPT_SOURCE_ADD, "INSERT INTO script_source (sha256, source) "         \
                         "VALUES (?1, ?2) ON CONFLICT DO NOTHING")             \
    X(SCRIPT_SOURCE_GET, "SELECT source FROM script_source "                   \
                         "WHERE sha256 = ?1")                                  \
    X(INDICATORS_LIST,                                                         \
      "SELECT d.slug, v.id, v.version, v.published_at, v.manifest, "           \
      "v.provenance, v.n_observations, a.name FROM dataset d "                 \
      "JOIN dataset_version v ON v.id = d.latest "                             \
      "LEFT JOIN account a ON a.id = d.team WHERE d.origin = 'lua' "           \
      "AND (?1 IS NULL OR d.slug = ?1) ORDER BY "                              \
      "CASE ?2 WHEN 'title' THEN json_extract(v.manifest, '$.title.fr') "      \
      "WHEN 'team' THEN coalesce(a.name, '') ELSE NULL END, "                  \
      "CASE ?2 WHEN 'recent' THEN v.published_at END DESC, "                   \
      "(d.team IS NOT NULL), d.slug")                                          \
    X(INDICATOR_LATEST,                                                        \
      "SELECT period, territory_level, territory, sector, value, unit "        \
      "FROM observation WHERE version = ?1 AND period = (SELECT "              \
      "max(period) FROM observation WHERE version = ?1) ORDER BY row "         \
      "LIMIT ?2")                                                              \
    /* store_practices.c: the registry of practice sheets */                   \
    X(PRACTICE_DATASET_EXISTS, "SELECT 1 FROM dataset "                        \
                               "WHERE slug = ?1 AND latest IS NOT NULL")       \
    X(PRACTICE_EXISTS, "SELECT 1 FROM practice WHERE id = ?1")                 \
    X(PRACTICE_ADD, "INSERT INTO practice (territory_level, territory_code, "  \
                    "created_by, origin, origin_revision) "                    \
                    "VALUES (?1, ?2, ?3, ?4, ?5)")                             \
    X(PRACTICE_REVISION_ADD,                                                   \
      "INSERT INTO practice_revision (practice, number, document, author, "    \
      "message) VALUES (?1, (SELECT coalesce(max(number), 0) + 1 FROM "        \
      "practice_revision WHERE practice = ?1), ?2, ?3, ?4) "                   \
      "RETURNING id, number, created_at")                                      \
    X(PRACTICE_SET_CURRENT,                                                    \
      "UPDATE practice SET current_revision = ?2, territory_level = ?3, "      \
      "territory_code = ?4, updated_at = ?5, state = coalesce(?6, state) "     \
      "WHERE id = ?1")                                                         \
    X(PRACTICE_GET,                                                            \
      "SELECT p.id, p.state, p.current_revision, p.published_revision, "       \
      "p.territory_level, p.territory_code, p.created_by, p.created_at, "      \
      "p.updated_at, p.published_at, p.origin, p.origin_revision, p.reuses, "  \
      "json_extract(o.document, '$.title') FROM practice p "                   \
      "LEFT JOIN practice_revision o ON o.id = p.origin_revision "             \
      "WHERE p.id = ?1")                                                       \
    X(PRACTICE_REVISION_GET,                                                   \
      "SELECT id, practice, number, document, author, message, created_at, "   \
      "published_at FROM practice_revision WHERE id = ?1")                     \
    X(PRACTICE_REVISIONS,                                                      \
      "SELECT id, practice, number, NULL, author, message, created_at, "       \
      "published_at FROM practice_revision WHERE practice = ?1 "               \
      "AND (?2 = 0 OR published_at IS NOT NULL) ORDER BY number DESC "         \
      "LIMIT ?3")                                                              \
    X(PRACTICE_STATE_SET,                                                      \
      "UPDATE practice SET state = ?2, published_revision = "                  \
      "coalesce(?3, published_revision), published_at = "                      \
      "CASE WHEN ?3 IS NULL THEN published_at ELSE ?4 END WHERE id = ?1")      \
    X(PRACTICE_REVISION_PUBLISHED,                                             \
      "UPDATE practice_revision SET published_at = ?2 "                        \
      "WHERE id = ?1 AND published_at IS NULL")                                \
    X(PRACTICE_EVENT_ADD,                                                      \
      "INSERT INTO practice_event (practice, actor, action, from_state, "      \
      "to_state, revision, comment, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "  \
      "?8)")                                                                   \
    X(PRACTICE_EVENTS,                                                         \
      "SELECT at, actor, action, from_state, to_state, revision, comment "     \
      "FROM practice_event WHERE practice = ?1 ORDER BY id")                   \
    X(PRACTICE_VIEW_ID, "SELECT id FROM practice_view "                        \
                        "WHERE practice = ?1 AND view = ?2")                   \
    X(PRACTICE_VIEW_DROP_FTS, "DELETE FROM practice_fts WHERE rowid = ?1")     \
    X(PRACTICE_VIEW_DROP_FACETS, "DELETE FROM practice_facet "                 \
                                 "WHERE view_id = ?1")                         \
    X(PRACTICE_VIEW_DROP, "DELETE FROM practice_view WHERE id = ?1")           \
    X(PRACTICE_VIEW_ADD,                                                       \
      "INSERT INTO practice_view (practice, view, revision, state, "           \
      "title_key, at, territory_code, created_by, hit) VALUES (?1, ?2, ?3, "   \
      "?4, ?5, ?6, ?7, ?8, ?9)")                                               \
    X(PRACTICE_FTS_ADD, "INSERT INTO practice_fts (rowid, title, summary, "    \
                        "tags, body) VALUES (?1, ?2, ?3, ?4, ?5)")             \
    X(PRACTICE_FACET_ADD, "INSERT OR IGNORE INTO practice_facet (view_id, "    \
                          "facet, value) VALUES (?1, ?2, ?3)")                 \
    X(PRACTICE_VIEW_STATE, "UPDATE practice_view SET state = ?3 "              \
                           "WHERE practice = ?1 AND view = ?2")                \
    X(PRACTICE_REUSES_INC, "UPDATE practice SET reuses = reuses + 1 "          \
                           "WHERE id = ?1")                                    \
    X(PRACTICE_LIVE_VERSION,                                                   \
      "SELECT v.id, v.version, v.published_at, json_extract(v.manifest, "      \
      "'$.title.fr') FROM dataset d JOIN dataset_version v ON v.id = "         \
      "d.latest "                                                              \
      "WHERE d.slug = ?1")                                                     \
    /* By territory: the period index would walk the whole version */          \
    X(PRACTICE_LIVE,                                                           \
      "SELECT o.period, o.territory, o.sector, o.kind, o.value, o.unit, "      \
      "o.status FROM observation o INDEXED BY observation_territory "          \
      "WHERE o.version = ?1 AND o.territory IN (SELECT value FROM "            \
      "json_each(?3)) AND o.territory_level = ?2 "                             \
      "ORDER BY o.period DESC, o.row LIMIT ?4")                                \
    X(PRACTICE_PUBLISHED,                                                      \
      "SELECT p.id, r.id, r.number, r.document, p.published_at, p.reuses, "    \
      "p.origin FROM practice_view w JOIN practice p ON p.id = w.practice "    \
      "JOIN practice_revision r ON r.id = w.revision WHERE w.view = 0 "        \
      "ORDER BY p.id")                                                         \
    X(PRACTICE_FEED,                                                           \
      "SELECT e.practice, e.revision, e.at, e.actor, r.number, r.document, "   \
      "r.message FROM practice_event e JOIN practice_revision r "              \
      "ON r.id = e.revision JOIN practice p ON p.id = e.practice "             \
      "WHERE e.action = 'publish' AND p.published_revision IS NOT NULL "       \
      "AND p.state != 'archived' ORDER BY e.id DESC LIMIT ?1")                 \
    X(PRACTICE_FIND,                                                           \
      "SELECT p.id FROM practice p JOIN practice_revision r "                  \
      "ON r.id = p.current_revision WHERE p.territory_code = ?2 "              \
      "AND json_extract(r.document, '$.title') = ?1 ORDER BY p.id LIMIT 1")    \
    X(ACCOUNT_TERRITORIES_SET, "UPDATE account SET territories = ?2 "          \
                               "WHERE id = ?1")                                \
    X(ACCOUNT_TERRITORIES, "SELECT coalesce(territories, '[]') FROM account "  \
                           "WHERE id = ?1")                                    \
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
