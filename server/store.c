/*
** store.c -- the SQLite connection, its pragmas, migrations and backup.
** Migrations are compiled in (store_migrations.c, generated from
** server/migrations/NNNN_name.sql); each runs in its own IMMEDIATE transaction
** that re-reads the version first, so two processes starting together
** never apply one twice.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "store_int.h"
#include "store_migrations.h"
#include "ts.h"

static const char *const store_sql_text[] = {
#define STORE_X_TEXT(name, sql) sql,
    STORE_SQL(STORE_X_TEXT)
#undef STORE_X_TEXT
};

static const char store_bootstrap_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL"
    "  DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))";

/*
** SQL paris_period(start, grain): ts_paris_period() for the publisher's
** aggregations. SQLite's own 'localtime' follows the server's TZ, not
** the French rules. NULL for an unknown grain.
*/
static void
store_paris_period(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *grain = (const char *) sqlite3_value_text(argv[1]);
    char        out[24];

    (void) argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER || grain == NULL ||
        ts_paris_period(sqlite3_value_int64(argv[0]), grain, out) != 0)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/*
** SQL paris_period_key(start, grain): ts_paris_period_key(), grain 0..3
** (hour, day, month, year). The publisher groups readings on this integer:
** sorting ten million rows on a text name took three times as long.
*/
static void
store_paris_period_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int grain = sqlite3_value_int(argv[1]);

    (void) argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER ||
        grain < TS_GRAIN_HOUR || grain > TS_GRAIN_YEAR)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_int64(ctx,
                             ts_paris_period_key(sqlite3_value_int64(argv[0]),
                                                 (enum ts_grain) grain));
}

int
store_schema_latest(void)
{
    return store_nmigrations;
}

int
store_fail(struct store *st, struct cm_err *err, const char *what)
{
    int rc = sqlite3_extended_errcode(st->db) & 0xff;

    cm_fail(err,
            (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? CM_EUNAVAIL
                                                       : CM_ESTORE,
            "store %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
    return err->code;
}

/* Bind text, or NULL for a NULL or empty string. */
void
store_bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

int
store_step_done(struct store *st, sqlite3_stmt *s, struct cm_err *err,
                const char *what)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, what);
    return CM_OK;
}

int
store_rows(struct store *st, sqlite3_stmt *s, store_row_fn row, void *ctx,
           const char *what, struct cm_err *err)
{
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = row(ctx, s, err)) != CM_OK) {
            sqlite3_reset(s);
            return rc;
        }
    rc = rc == SQLITE_DONE ? CM_OK : store_fail(st, err, what);
    sqlite3_reset(s);
    return rc;
}

sqlite3_stmt *
store_stmt(struct store *st, enum store_sql_id id)
{
    sqlite3_stmt *s = st->stmt[id];

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

int
store_prepare_dir(const char *dir, struct cm_err *err)
{
    char        path[4096];
    struct stat sb;
    size_t      len = strlen(dir);

    if (len == 0 || len >= sizeof(path))
        return cm_fail(err, CM_EINVAL, "store.data_dir: bad length");
    memcpy(path, dir, len + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0750) != 0 && errno != EEXIST) {
            cm_fail(err, CM_EIO, "store.data_dir '%s': cannot create '%s': %s",
                    dir, path, strerror(errno));
            cm_err_what(err, "setting", "store.data_dir");
            return err->code;
        }
        *p = '/';
    }
    if (mkdir(path, 0750) != 0 && errno != EEXIST) {
        cm_fail(err, CM_EIO, "store.data_dir '%s': cannot create: %s", dir,
                strerror(errno));
        cm_err_what(err, "setting", "store.data_dir");
        return err->code;
    }
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cm_fail(err, CM_EIO, "store.data_dir '%s': not a folder", dir);
        cm_err_what(err, "setting", "store.data_dir");
        return err->code;
    }
    if (access(path, W_OK | X_OK) != 0) {
        cm_fail(err, CM_EIO, "store.data_dir '%s': not writable: %s", dir,
                strerror(errno));
        cm_err_what(err, "setting", "store.data_dir");
        return err->code;
    }
    return CM_OK;
}

static int
store_exec(struct store *st, const char *sql, struct cm_err *err,
           const char *what)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = store_fail(st, err, what);

        sqlite3_free(msg);
        return rc;
    }
    return CM_OK;
}

/* The version recorded, or 0 for a store with no schema_version table. */
static int
store_read_version(struct store *st, int *out, struct cm_err *err)
{
    sqlite3_stmt *s;
    int           rc;

    rc = sqlite3_prepare_v2(st->db,
                            "SELECT coalesce(max(version), 0) FROM "
                            "schema_version",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) {
        if (strstr(sqlite3_errmsg(st->db), "no such table")) {
            *out = 0;
            return CM_OK;
        }
        return store_fail(st, err, "reading the schema version");
    }
    rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return store_fail(st, err, "reading the schema version");
    return CM_OK;
}

static int
store_apply(struct store *st, const struct store_migration *m, int *applied,
            struct cm_err *err)
{
    sqlite3_stmt *s;
    int           have, rc;
    char          what[96];

    *applied = 0;
    if (store_exec(st, "BEGIN IMMEDIATE", err, "starting a migration"))
        return err->code;
    if (store_exec(st, store_bootstrap_sql, err, "creating schema_version") ||
        store_read_version(st, &have, err))
        goto fail;
    if (have >= m->version) { /* Another process got there first */
        store_exec(st, "ROLLBACK", err, "rollback");
        return CM_OK;
    }
    snprintf(what, sizeof(what), "migration %s", m->name);
    if (store_exec(st, m->sql, err, what))
        goto fail;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO schema_version (version, name) "
                           "VALUES (?1, ?2)",
                           -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, err, what);
        goto fail;
    }
    sqlite3_bind_int(s, 1, m->version);
    sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, err, what);
        goto fail;
    }
    if (store_exec(st, "COMMIT", err, what))
        goto fail;
    *applied = 1;
    return CM_OK;
fail:
    rc = err->code;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    err->code = rc;
    return rc;
}

static int
store_migrate(struct store *st, int from, int *pn_applied, struct cm_err *err)
{
    int n = 0;

    for (int i = 0; i < store_nmigrations; i++) {
        int applied;

        if (store_migrations[i].version <= from)
            continue;
        if (store_apply(st, &store_migrations[i], &applied, err))
            return err->code;
        n += applied;
    }
    if (pn_applied)
        *pn_applied = n;
    return CM_OK;
}

int
store_open(const char *path, const struct store_opts *o, struct store **out,
           int *pn_applied, struct cm_err *err)
{
    struct store *st = cm_calloc(1, sizeof(*st));
    int           flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                (o->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    int  version;
    char busy[64];

    *out = NULL;
    if (pn_applied)
        *pn_applied = 0;
    st->path = cm_strdup(path);
    if (o->create && !o->readonly)
        flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        if (st->db == NULL)
            cm_fail(err, CM_ESTORE, "store %s: out of memory", path);
        else
            store_fail(st, err, "cannot open");
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    snprintf(busy, sizeof(busy), "PRAGMA busy_timeout = %d",
             o->busy_timeout_ms);
    if (store_exec(st, busy, err, "setting busy_timeout") ||
        (!o->readonly &&
         store_exec(st, "PRAGMA journal_mode = WAL", err, "enabling WAL")) ||
        store_exec(st, "PRAGMA synchronous = NORMAL", err, "synchronous") ||
        store_exec(st, "PRAGMA foreign_keys = ON", err, "foreign_keys") ||
        store_read_version(st, &version, err))
        goto fail;
    if (version > store_nmigrations) {
        cm_fail(err, CM_ESTORE,
                "store %s has schema version %d, newer than this consometer "
                "(%s) knows (%d): use a newer consometer, or restore a "
                "backup made for this one",
                path, version, CM_VERSION, store_nmigrations);
        goto fail;
    }
    if (version < store_nmigrations) {
        if (!o->migrate || o->readonly) {
            cm_fail(err, CM_ESTORE,
                    "store %s has schema version %d, this consometer needs "
                    "%d: run 'consometer migrate'",
                    path, version, store_nmigrations);
            goto fail;
        }
        if (store_migrate(st, version, pn_applied, err))
            goto fail;
    }
    if (sqlite3_create_function(
            st->db, "paris_period", 2,
            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
            store_paris_period, NULL, NULL) != SQLITE_OK) {
        store_fail(st, err, "registering paris_period()");
        goto fail;
    }
    if (sqlite3_create_function(
            st->db, "paris_period_key", 2,
            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
            store_paris_period_key, NULL, NULL) != SQLITE_OK) {
        store_fail(st, err, "registering paris_period_key()");
        goto fail;
    }
    for (int i = 0; i < STORE_NSQL; i++)
        if (sqlite3_prepare_v3(st->db, store_sql_text[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
                               NULL) != SQLITE_OK) {
            store_fail(st, err, store_sql_text[i]);
            goto fail;
        }
    *out = st;
    return CM_OK;
fail:
    store_close(st);
    return err->code;
}

void
store_close(struct store *st)
{
    if (st == NULL)
        return;
    store_read_close(st);
    for (int i = 0; i < STORE_NSQL; i++)
        sqlite3_finalize(st->stmt[i]);
    /* Closing the last connection checkpoints the WAL into the file. */
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int
store_optimize(struct store *st, struct cm_err *err)
{
    /* Statistics let the planner use the records indexes for several
    ** territories or a period range instead of scanning a version;
    ** analysis_limit keeps ANALYZE to a sample (milliseconds). */
    if (sqlite3_exec(st->db, "PRAGMA analysis_limit = 400; PRAGMA optimize",
                     NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(st, err, "optimizing");
    return CM_OK;
}

const char *
store_path(const struct store *st)
{
    return st->path;
}

int
store_schema_version(struct store *st, int *out, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SCHEMA_VERSION);

    if (sqlite3_step(s) != SQLITE_ROW)
        return store_fail(st, err, "reading the schema version");
    *out = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return CM_OK;
}

int
store_disk_size(struct store *st, int64_t *out, struct cm_err *err)
{
    struct stat sb;
    char        wal[4096];

    if (stat(st->path, &sb) != 0)
        return cm_fail(err, CM_EIO, "store %s: %s", st->path, strerror(errno));
    *out = (int64_t) sb.st_size;
    snprintf(wal, sizeof(wal), "%s-wal", st->path);
    if (stat(wal, &sb) == 0)
        *out += (int64_t) sb.st_size;
    return CM_OK;
}

int
store_integrity_check(struct store *st, struct cm_err *err)
{
    sqlite3_stmt *s;
    int           rc;

    if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) !=
        SQLITE_OK)
        return store_fail(st, err, "integrity_check");
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        store_fail(st, err, "integrity_check");
        sqlite3_finalize(s);
        return err->code;
    }
    if (strcmp((const char *) sqlite3_column_text(s, 0), "ok") != 0) {
        cm_fail(err, CM_ESTORE, "store %s: integrity_check: %s", st->path,
                (const char *) sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return err->code;
    }
    sqlite3_finalize(s);
    return CM_OK;
}

int
store_backup(struct store *st, const char *dest, struct cm_err *err)
{
    char            tmp[4096];
    sqlite3        *db = NULL;
    sqlite3_backup *b;
    int             rc, fd;
    struct stat     sb;

    if (stat(dest, &sb) == 0) {
        cm_fail(err, CM_EINVAL, "backup %s: file exists; choose a new name",
                dest);
        cm_err_what(err, "path", dest);
        return err->code;
    }
    if ((size_t) snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dest,
                          (long) getpid()) >= sizeof(tmp))
        return cm_fail(err, CM_EINVAL, "backup %s: path too long", dest);
    unlink(tmp);
    if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        cm_fail(err, CM_EIO, "backup %s: %s", dest,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return err->code;
    }
    /* One step copies every page under one read transaction: in WAL mode
    ** writers go on meanwhile, and the copy is the snapshot at its start. */
    b = sqlite3_backup_init(db, "main", st->db, "main");
    if (b == NULL) {
        cm_fail(err, CM_ESTORE, "backup %s: %s", dest, sqlite3_errmsg(db));
        goto fail;
    }
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(10);
    } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        cm_fail(err, CM_ESTORE, "backup %s: %s", dest, sqlite3_errstr(rc));
        goto fail;
    }
    /* The copy is a self-contained file: no WAL beside it. */
    if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) !=
        SQLITE_OK) {
        cm_fail(err, CM_ESTORE, "backup %s: %s", dest, sqlite3_errmsg(db));
        goto fail;
    }
    sqlite3_close(db);
    db = NULL;
    if ((fd = open(tmp, O_RDONLY)) < 0 || fsync(fd) != 0) {
        cm_fail(err, CM_EIO, "backup %s: %s", dest, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto fail;
    }
    close(fd);
    if (link(tmp, dest) != 0) { /* Unlike rename(), never overwrites */
        cm_fail(err, CM_EIO, "backup %s: %s", dest, strerror(errno));
        goto fail;
    }
    unlink(tmp);
    return CM_OK;
fail:
    sqlite3_close(db);
    unlink(tmp);
    return err->code;
}

int
store_audit_add(struct store *st, const struct store_audit *a,
                struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_AUDIT_ADD);
    int           rc;

    sqlite3_bind_text(s, 1, a->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, a->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->target, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, a->address, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, a->details, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, "writing the audit log");
    return CM_OK;
}

int
store_audit_count(struct store *st, int64_t *out, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_AUDIT_COUNT);

    if (sqlite3_step(s) != SQLITE_ROW)
        return store_fail(st, err, "counting the audit log");
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return CM_OK;
}

int
store_mmap(struct store *st, int64_t bytes, struct cm_err *err)
{
    char sql[64];

    /* A PRAGMA cannot take a bound parameter; bytes is a number we format */
    snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %lld", (long long) bytes);
    return store_exec(st, sql, err, "setting mmap_size");
}

int
store_cache_kib(struct store *st, int kib, struct cm_err *err)
{
    char sql[64];

    /* A PRAGMA cannot take a bound parameter; kib is an int we format. */
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = %d", kib ? -kib : -2000);
    return store_exec(st, sql, err, "setting the cache size");
}
