/*
** store_sandbox.c -- the SQL of the Lua sandbox's data API, on a
** connection of its own that a sandbox worker opens read-only. What keeps
** scripts to published data is the authorizer below, not the queries:
** cm.sql hands a script's text to SQLite, so every statement prepared on
** this connection, ours included, may read the public tables only.
**
** Why a plain read-only open and not "?immutable=1": the server may be
** publishing while a script runs, and immutable would let SQLite skip
** locking and the WAL, reading a torn store. Instead the first query
** opens the -wal and -shm files, which stay open for the connection's
** life, before the worker's RLIMIT_NOFILE drops to 0.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "mem.h"
#include "store_sandbox.h"

/* Longest string or blob a statement may build (a printf or replace
** bomb otherwise grows outside the Lua budget). */
#define STORE_SBX_LENGTH_MAX (16 << 20)
#define STORE_SBX_SQL_MAX (64 << 10) /* Longest script SQL, bytes */
#define STORE_SBX_CACHE_KIB 8192     /* Page cache, KiB */

struct store_sbx {
    sqlite3 *db;
    char     denied[160]; /* What the authorizer refused last, or "" */
};

struct store_sbx_cur {
    struct store_sbx *sb;
    sqlite3_stmt     *stmt;
};

/* The published tables, and the public tables of 0009: the reference
** factors and the daily download counts (no personal data in either). */
static const char *const store_sbx_tables[] = {
    "dataset",      "dataset_version",  "observation",
    "distribution", "reference_factor", "download_day"};

/* Pure functions only: no randomness, no blobs of chosen size, nothing
** touching files or the connection. */
static const char *const store_sbx_funcs[] = {
    "abs",          "avg",    "coalesce",  "count",   "date",
    "datetime",     "ifnull", "iif",       "instr",   "julianday",
    "length",       "like",   "glob",      "lower",   "ltrim",
    "max",          "min",    "nullif",    "round",   "rtrim",
    "strftime",     "substr", "substring", "sum",     "time",
    "total",        "trim",   "typeof",    "upper",   "group_concat",
    "json_extract", "printf", "format",    "replace", "sign",
    "floor",        "ceil",   "ceiling",   "sqrt",    "power",
    "pow",          "log",    "log10",     "ln",      "exp",
    "mod",
};

static int
store_sbx_listed(const char *name, const char *const *list, size_t n)
{
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (sqlite3_stricmp(name, list[i]) == 0)
            return 1;
    return 0;
}

/* What a refused statement tried, for the script's error message. */
static const char *
store_sbx_action(int action)
{
    switch (action) {
    case SQLITE_INSERT:
        return "INSERT";
    case SQLITE_UPDATE:
        return "UPDATE";
    case SQLITE_DELETE:
        return "DELETE";
    case SQLITE_PRAGMA:
        return "PRAGMA";
    case SQLITE_ATTACH:
        return "ATTACH";
    case SQLITE_DETACH:
        return "DETACH";
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        return "a transaction";
    case SQLITE_RECURSIVE:
        return "a recursive WITH";
    case SQLITE_ANALYZE:
        return "ANALYZE";
    default:
        return "a statement that changes the schema or the data";
    }
}

static int
store_sbx_auth(void *ud, int action, const char *a, const char *b,
               const char *db, const char *trigger)
{
    struct store_sbx *sb = ud;

    (void) b;
    (void) trigger;
    switch (action) {
    case SQLITE_SELECT:
        return SQLITE_OK;
    case SQLITE_READ:
        /* "main" only: a temp table could shadow a public name. */
        if ((db == NULL || strcmp(db, "main") == 0) &&
            store_sbx_listed(a, store_sbx_tables,
                             sizeof(store_sbx_tables) / sizeof(char *)))
            return SQLITE_OK;
        snprintf(sb->denied, sizeof(sb->denied),
                 "reading table %.64s is not allowed", a ? a : "?");
        return SQLITE_DENY;
    case SQLITE_FUNCTION:
        if (store_sbx_listed(b, store_sbx_funcs,
                             sizeof(store_sbx_funcs) / sizeof(char *)))
            return SQLITE_OK;
        snprintf(sb->denied, sizeof(sb->denied),
                 "SQL function %.64s is not allowed", b ? b : "?");
        return SQLITE_DENY;
    default:
        snprintf(sb->denied, sizeof(sb->denied),
                 "%s is not allowed: only SELECT over the published tables",
                 store_sbx_action(action));
        return SQLITE_DENY;
    }
}

static int
store_sbx_fail(struct store_sbx *sb, struct cm_err *err, const char *what)
{
    int rc = sqlite3_errcode(sb->db);

    if (rc == SQLITE_INTERRUPT)
        return cm_fail(err, CM_ELIMIT, "%s: interrupted", what);
    /* A refused function fails as a plain SQLITE_ERROR: what the
    ** authorizer noted, cleared before each prepare and step, decides. */
    if (sb->denied[0])
        return cm_fail(err, CM_EFORBIDDEN, "%s", sb->denied);
    return cm_fail(err, CM_EINVAL, "%s: %s", what, sqlite3_errmsg(sb->db));
}

int
store_sbx_open(const char *path, struct store_sbx **out, struct cm_err *err)
{
    struct store_sbx *sb = cm_calloc(1, sizeof(*sb));
    sqlite3_stmt     *s = NULL;

    *out = NULL;
    if (sqlite3_open_v2(path, &sb->db, SQLITE_OPEN_READONLY, NULL) !=
        SQLITE_OK) {
        cm_fail(err, CM_ENOTFOUND, "cannot open the store %s: %s", path,
                sb->db ? sqlite3_errmsg(sb->db) : "out of memory");
        store_sbx_close(sb);
        return err->code;
    }
    sqlite3_limit(sb->db, SQLITE_LIMIT_LENGTH, STORE_SBX_LENGTH_MAX);
    sqlite3_limit(sb->db, SQLITE_LIMIT_SQL_LENGTH, STORE_SBX_SQL_MAX);
    sqlite3_limit(sb->db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_busy_timeout(sb->db, 2000);
    /* Sorts and GROUP BY spill to temp files by default: there are none
    ** to open in the worker, so keep them in memory (under RLIMIT_AS). */
    if (sqlite3_exec(sb->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(sb->db, "PRAGMA cache_size = -8192", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(sb->db, "SELECT count(*) FROM dataset", -1, &s,
                           NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        cm_fail(err, CM_ENOTFOUND, "%s is not a readable store: %s", path,
                sqlite3_errmsg(sb->db));
        sqlite3_finalize(s);
        store_sbx_close(sb);
        return err->code;
    }
    sqlite3_finalize(s);
    sqlite3_set_authorizer(sb->db, store_sbx_auth, sb);
    *out = sb;
    return CM_OK;
}

void
store_sbx_close(struct store_sbx *sb)
{
    if (sb == NULL)
        return;
    sqlite3_close_v2(sb->db);
    free(sb);
}

void
store_sbx_progress(struct store_sbx *sb, int every, int (*fn)(void *),
                   void *ctx)
{
    sqlite3_progress_handler(sb->db, every, fn, ctx);
}

static int
store_sbx_prepare(struct store_sbx *sb, const char *sql,
                  struct store_sbx_cur **out, struct cm_err *err)
{
    sqlite3_stmt *s = NULL;
    const char   *tail = NULL;

    *out = NULL;
    sb->denied[0] = '\0';
    if (sqlite3_prepare_v2(sb->db, sql, -1, &s, &tail) != SQLITE_OK)
        return store_sbx_fail(sb, err, "SQL");
    if (s == NULL)
        return cm_fail(err, CM_EINVAL, "SQL: empty statement");
    while (tail && isspace((unsigned char) *tail))
        tail++;
    if ((tail && *tail && strcmp(tail, ";") != 0) ||
        !sqlite3_stmt_readonly(s)) {
        sqlite3_finalize(s);
        return cm_fail(err, CM_EFORBIDDEN,
                       "only one read-only SELECT statement is allowed");
    }
    *out = cm_calloc(1, sizeof(**out));
    (*out)->sb = sb;
    (*out)->stmt = s;
    return CM_OK;
}

int
store_sbx_datasets_open(struct store_sbx *sb, struct store_sbx_cur **out,
                        struct cm_err *err)
{
    return store_sbx_prepare(
        sb,
        "SELECT d.slug, json_extract(v.manifest, '$.title.fr'), v.version, "
        "json_extract(v.manifest, '$.period'), "
        "json_extract(v.manifest, '$.territory'), "
        "json_extract(v.manifest, '$.kinds'), v.n_observations "
        "FROM dataset d JOIN dataset_version v ON v.id = d.latest "
        "ORDER BY d.slug",
        out, err);
}

int
store_sbx_version_id(struct store_sbx *sb, const char *slug, int64_t number,
                     int64_t *id, struct cm_err *err)
{
    struct store_sbx_cur *c;
    int                   rc;

    *id = 0;
    if (store_sbx_prepare(sb,
                          "SELECT v.id FROM dataset d "
                          "JOIN dataset_version v ON v.dataset = d.id "
                          "WHERE d.slug = ?1 AND d.latest IS NOT NULL AND "
                          "(CASE WHEN ?2 > 0 THEN v.version = ?2 "
                          "ELSE v.id = d.latest END)",
                          &c, err))
        return err->code;
    sqlite3_bind_text(c->stmt, 1, slug, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->stmt, 2, number);
    rc = store_sbx_step(c, err);
    if (rc == 1)
        *id = sqlite3_column_int64(c->stmt, 0);
    store_sbx_cur_free(c);
    return rc < 0 ? err->code : CM_OK;
}

int
store_sbx_obs_open(struct store_sbx *sb, int64_t id, struct store_sbx_cur **out,
                   struct cm_err *err)
{
    if (store_sbx_prepare(sb,
                          "SELECT period, territory, sector, kind, value, "
                          "n_sites, status, territory_level, unit "
                          "FROM observation WHERE version = ?1 ORDER BY row",
                          out, err))
        return err->code;
    sqlite3_bind_int64((*out)->stmt, 1, id);
    return CM_OK;
}

/* The script's column names checked against this file's own constants,
** into grp[] and *col: nothing of the script's reaches the SQL. */
static int
store_sbx_agg_names(const char *const *by, int nby, const char *value,
                    const char *grp[8], const char **col, struct cm_err *err)
{
    static const char *const groups[] = {STORE_SBX_GROUP_COLS};
    static const char *const values[] = {STORE_SBX_VALUE_COLS};

    *col = NULL;
    if (nby < 0 || nby > 8)
        return cm_fail(err, CM_EINVAL, "at most 8 'by' columns");
    for (int i = 0; i < nby; i++) {
        grp[i] = NULL;
        for (size_t k = 0; k < sizeof(groups) / sizeof(groups[0]); k++)
            if (by[i] && strcmp(by[i], groups[k]) == 0)
                grp[i] = groups[k];
        if (grp[i] == NULL)
            return cm_fail(err, CM_EINVAL,
                           "cannot group by '%.40s'; columns: period, "
                           "territory, territory_level, sector, kind, "
                           "unit, status",
                           by[i] ? by[i] : "?");
    }
    for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++)
        if (value && strcmp(value, values[k]) == 0)
            *col = values[k];
    if (*col == NULL)
        return cm_fail(err, CM_EINVAL,
                       "cannot aggregate '%.40s'; columns: value, n_sites",
                       value ? value : "?");
    return CM_OK;
}

/*
** SELECT <by...>, <col> FROM observation WHERE version = ?1, then either
** the primary key's order (a scan: SQLite reads the version as one range
** instead of walking an index and fetching every row), or, sorted, the
** non-null values ordered by groups then value (for percentiles).
*/
static int
store_sbx_values_open(struct store_sbx *sb, int64_t id, const char *const *by,
                      int nby, const char *value, int sorted,
                      struct store_sbx_cur **out, struct cm_err *err)
{
    const char   *grp[8], *col;
    struct cm_buf q;
    int           rc;

    *out = NULL;
    if ((rc = store_sbx_agg_names(by, nby, value, grp, &col, err)) != CM_OK)
        return rc;
    cm_buf_init(&q);
    cm_buf_puts(&q, "SELECT ");
    for (int i = 0; i < nby; i++) {
        cm_buf_puts(&q, grp[i]);
        cm_buf_puts(&q, ", ");
    }
    cm_buf_puts(&q, col);
    cm_buf_puts(&q, " FROM observation WHERE version = ?1");
    if (sorted) {
        cm_buf_printf(&q, " AND %s IS NOT NULL ORDER BY ", col);
        for (int i = 0; i < nby; i++) {
            cm_buf_puts(&q, grp[i]);
            cm_buf_puts(&q, ", ");
        }
        cm_buf_puts(&q, col);
    } else
        cm_buf_puts(&q, " ORDER BY row");
    cm_buf_add(&q, "", 1);
    rc = store_sbx_prepare(sb, q.data, out, err);
    cm_buf_clear(&q);
    if (rc == CM_OK)
        sqlite3_bind_int64((*out)->stmt, 1, id);
    return rc;
}

int
store_sbx_scan_open(struct store_sbx *sb, int64_t id, const char *const *by,
                    int nby, const char *value, struct store_sbx_cur **out,
                    struct cm_err *err)
{
    return store_sbx_values_open(sb, id, by, nby, value, 0, out, err);
}

int
store_sbx_sorted_open(struct store_sbx *sb, int64_t id, const char *const *by,
                      int nby, const char *value, struct store_sbx_cur **out,
                      struct cm_err *err)
{
    return store_sbx_values_open(sb, id, by, nby, value, 1, out, err);
}

int
store_sbx_factor_open(struct store_sbx *sb, const char *key, int has_year,
                      int64_t year, struct store_sbx_cur **out,
                      struct cm_err *err)
{
    /* The row in force in 'year': the latest year not after it, a row
    ** for every year (NULL) only when there is none. */
    if (store_sbx_prepare(sb,
                          "SELECT value, unit, source, year, note "
                          "FROM reference_factor WHERE key = ?1 AND "
                          "(?2 IS NULL OR year IS NULL OR year <= ?2) "
                          "ORDER BY year IS NULL, year DESC LIMIT 1",
                          out, err))
        return err->code;
    sqlite3_bind_text((*out)->stmt, 1, key, -1, SQLITE_TRANSIENT);
    if (has_year)
        sqlite3_bind_int64((*out)->stmt, 2, year);
    return CM_OK;
}

int
store_sbx_factor_years(struct store_sbx *sb, const char *key, int64_t *n,
                       int64_t *first, struct cm_err *err)
{
    struct store_sbx_cur *c;
    int                   rc;

    *n = *first = 0;
    if (store_sbx_prepare(sb,
                          "SELECT count(*), coalesce(min(year), 0) "
                          "FROM reference_factor WHERE key = ?1",
                          &c, err))
        return err->code;
    sqlite3_bind_text(c->stmt, 1, key, -1, SQLITE_STATIC);
    rc = store_sbx_step(c, err);
    if (rc == 1) {
        *n = sqlite3_column_int64(c->stmt, 0);
        *first = sqlite3_column_int64(c->stmt, 1);
    }
    store_sbx_cur_free(c);
    return rc < 0 ? err->code : CM_OK;
}

int
store_sbx_factors_open(struct store_sbx *sb, struct store_sbx_cur **out,
                       struct cm_err *err)
{
    return store_sbx_prepare(sb,
                             "SELECT key, year, value, unit, energy, source, "
                             "note FROM reference_factor "
                             "ORDER BY key, coalesce(year, 0)",
                             out, err);
}

int
store_sbx_query_open(struct store_sbx *sb, const char *sql,
                     struct store_sbx_cur **out, struct cm_err *err)
{
    return store_sbx_prepare(sb, sql, out, err);
}

int
store_sbx_nparams(struct store_sbx_cur *c)
{
    return sqlite3_bind_parameter_count(c->stmt);
}

int
store_sbx_bind_int(struct store_sbx_cur *c, int i, int64_t v)
{
    return sqlite3_bind_int64(c->stmt, i, v) == SQLITE_OK ? CM_OK : CM_EINVAL;
}

int
store_sbx_bind_real(struct store_sbx_cur *c, int i, double v)
{
    return sqlite3_bind_double(c->stmt, i, v) == SQLITE_OK ? CM_OK : CM_EINVAL;
}

int
store_sbx_bind_text(struct store_sbx_cur *c, int i, const char *s, size_t len)
{
    return sqlite3_bind_text64(c->stmt, i, s, len, SQLITE_TRANSIENT,
                               SQLITE_UTF8) == SQLITE_OK
               ? CM_OK
               : CM_EINVAL;
}

int
store_sbx_bind_null(struct store_sbx_cur *c, int i)
{
    return sqlite3_bind_null(c->stmt, i) == SQLITE_OK ? CM_OK : CM_EINVAL;
}

int
store_sbx_step(struct store_sbx_cur *c, struct cm_err *err)
{
    int rc;

    c->sb->denied[0] = '\0';
    rc = sqlite3_step(c->stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    store_sbx_fail(c->sb, err, "SQL");
    return -1;
}

int
store_sbx_ncols(struct store_sbx_cur *c)
{
    return sqlite3_column_count(c->stmt);
}

const char *
store_sbx_col_name(struct store_sbx_cur *c, int i)
{
    return sqlite3_column_name(c->stmt, i);
}

enum store_sbx_type
store_sbx_col_type(struct store_sbx_cur *c, int i)
{
    switch (sqlite3_column_type(c->stmt, i)) {
    case SQLITE_INTEGER:
        return STORE_SBX_INT;
    case SQLITE_FLOAT:
        return STORE_SBX_REAL;
    case SQLITE_NULL:
        return STORE_SBX_NULL;
    default:
        return STORE_SBX_TEXT;
    }
}

int64_t
store_sbx_col_int(struct store_sbx_cur *c, int i)
{
    return sqlite3_column_int64(c->stmt, i);
}

double
store_sbx_col_real(struct store_sbx_cur *c, int i)
{
    return sqlite3_column_double(c->stmt, i);
}

const char *
store_sbx_col_text(struct store_sbx_cur *c, int i, size_t *len)
{
    const char *s = (const char *) sqlite3_column_text(c->stmt, i);

    *len = (size_t) sqlite3_column_bytes(c->stmt, i);
    return s ? s : "";
}

void
store_sbx_cur_free(struct store_sbx_cur *c)
{
    if (c == NULL)
        return;
    sqlite3_finalize(c->stmt);
    free(c);
}
