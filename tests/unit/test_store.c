/*
** test_store.c -- the SQLite store on real files: pragmas, migrations
** (order, atomicity, refusal of a newer store), the schema's promises
** (re-imported readings update, published rows are immutable, the audit
** log is append-only), and an online backup taken under writes.
*/
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "../t.h"
#include "store.h"

static const struct store_opts t_create = {1, 1, 5000, 0};

static const char *
t_db(const char *tag)
{
    static char path[1200];

    snprintf(path, sizeof(path), "%s/consometer.db", t_tmpdir(tag));
    return path;
}

/* Run one statement on a side connection; returns the sqlite3 code. */
static int
t_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    int      rc;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static long long
t_int(const char *path, const char *sql)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    long long     v;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void
test_open_and_pragmas(void)
{
    const char   *path = t_db("store");
    struct store *st;
    struct cm_err err;
    int           n, v;

    ASSERT_EQ(store_open(path, &t_create, &st, &n, &err), CM_OK);
    ASSERT_EQ(n, store_schema_latest());
    ASSERT(n >= 3);
    ASSERT_EQ(store_schema_version(st, &v, &err), CM_OK);
    ASSERT_EQ(v, store_schema_latest());
    ASSERT_EQ(store_integrity_check(st, &err), CM_OK);
    store_close(st);
    /* WAL is a property of the file: any connection sees it */
    ASSERT_EQ(t_int(path, "SELECT count(*) FROM pragma_journal_mode "
                          "WHERE journal_mode = 'wal'"),
              1);
    ASSERT_EQ(t_int(path, "SELECT count(*) FROM schema_version"),
              store_schema_latest());

    /* Reopening applies nothing; a store without migration is refused */
    struct store_opts plain = {0, 0, 5000, 0};
    ASSERT_EQ(store_open(path, &plain, &st, &n, &err), CM_OK);
    ASSERT_EQ(n, 0);
    store_close(st);
    ASSERT(store_open("/nonexistent-dir/x.db", &plain, &st, NULL, &err) != 0);
    ASSERT(st == NULL);
    store_close(NULL);
}

static void
test_older_store_needs_migrate(void)
{
    const char       *path = t_db("store");
    struct store     *st;
    struct cm_err     err;
    struct store_opts create_only = {1, 0, 5000, 0};

    ASSERT(store_open(path, &create_only, &st, NULL, &err) != CM_OK);
    ASSERT_CONTAINS(err.msg, "run 'consometer migrate'");
}

static void
test_newer_store_refused(void)
{
    const char   *path = t_db("store");
    struct store *st;
    struct cm_err err;

    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    store_close(st);
    ASSERT_EQ(t_exec(path, "INSERT INTO schema_version (version, name) "
                           "VALUES (999, '0999_future')"),
              SQLITE_OK);
    ASSERT(store_open(path, &t_create, &st, NULL, &err) != CM_OK);
    ASSERT_CONTAINS(err.msg, "schema version 999, newer than this consometer");
    /* And nothing was changed by the refusal */
    ASSERT_EQ(t_int(path, "SELECT max(version) FROM schema_version"), 999);
}

static void
test_failed_migration_is_rolled_back(void)
{
    const char   *path = t_db("store");
    struct store *st;
    struct cm_err err;

    /* A table in the way makes migration 1 fail half-way through. */
    ASSERT_EQ(t_exec(path, "CREATE TABLE meter (x)"), SQLITE_OK);
    ASSERT(store_open(path, &t_create, &st, NULL, &err) != CM_OK);
    ASSERT_CONTAINS(err.msg, "0001_private");
    /* Nothing of the failed transaction remains, not even its version */
    ASSERT_EQ(t_int(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                          "('source', 'site', 'reading', 'schema_version')"),
              0);
}

static void
test_schema_promises(void)
{
    const char   *path = t_db("store");
    struct store *st;
    struct cm_err err;

    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    store_close(st);
    ASSERT_EQ(t_exec(path,
                     "INSERT INTO site (site_id, name, category, public) "
                     "VALUES ('s1', 'School', 'education', 1);"
                     "INSERT INTO meter (meter_id, site, kind, source, unit) "
                     "VALUES ('m1', 1, 'electricity', 'csv', 'kWh');"
                     "INSERT INTO reading (meter, start, step, value) "
                     "VALUES (1, 1700000000, 3600, 1.5);"),
              SQLITE_OK);
    /* Re-importing the same reading updates it: the key is the reading */
    ASSERT(t_exec(path, "INSERT INTO reading (meter, start, step, value) "
                        "VALUES (1, 1700000000, 3600, 2.5)") != SQLITE_OK);
    ASSERT_EQ(t_exec(path, "INSERT INTO reading (meter, start, step, value) "
                           "VALUES (1, 1700000000, 3600, 2.5) ON CONFLICT DO "
                           "UPDATE SET value = excluded.value"),
              SQLITE_OK);
    ASSERT_EQ(t_int(path, "SELECT count(*) FROM reading"), 1);
    ASSERT_EQ(t_int(path, "SELECT value * 10 FROM reading"), 25);
    /* Foreign keys are enforced */
    ASSERT(t_exec(path,
                  "INSERT INTO meter (meter_id, site, kind, source, "
                  "unit) VALUES ('m2', 42, 'gas', 'csv', 'kWh')") != SQLITE_OK);
    ASSERT(t_exec(path, "INSERT INTO site (site_id, name, category, public) "
                        "VALUES ('s2', 'x', 'y', 2)") != SQLITE_OK);

    /* Published versions are immutable */
    ASSERT_EQ(t_exec(path,
                     "INSERT INTO dataset (slug, origin, manifest) "
                     "VALUES ('elec', 'manifest', '{}');"
                     "INSERT INTO dataset_version (dataset, version, "
                     "published_at, manifest) VALUES (1, 1, 'now', '{}');"
                     "INSERT INTO observation VALUES (1, 1, '2024', "
                     "'commune', '56121', NULL, 'electricity', 10, 'kWh', 4, "
                     "'A', NULL);"),
              SQLITE_OK);
    ASSERT(t_exec(path, "UPDATE observation SET value = 11") != SQLITE_OK);
    ASSERT(t_exec(path, "DELETE FROM observation") != SQLITE_OK);
    ASSERT(t_exec(path, "UPDATE dataset_version SET version = 2") != SQLITE_OK);
    ASSERT(t_exec(path, "INSERT INTO observation VALUES (1, 2, '2024', "
                        "'commune', '56121', NULL, 'electricity', 10, 'kWh', "
                        "4, 'X', NULL)") != SQLITE_OK); /* bad status */
    ASSERT(t_exec(path, "INSERT INTO dataset (slug, origin, manifest) "
                        "VALUES ('Bad Slug', 'manifest', '{}')") != SQLITE_OK);
    ASSERT_EQ(t_int(path, "SELECT value FROM observation"), 10);

    /* The audit log is append-only */
    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    struct store_audit a = {"cli", "test.write", "t", NULL, "{\"k\":1}"};
    ASSERT_EQ(store_audit_add(st, &a, &err), CM_OK);
    struct store_audit bad = {"cli", "test.write", "t", NULL, "not json"};
    ASSERT(store_audit_add(st, &bad, &err) != CM_OK);
    store_close(st);
    ASSERT(t_exec(path, "UPDATE audit_log SET actor = 'x'") != SQLITE_OK);
    ASSERT(t_exec(path, "DELETE FROM audit_log") != SQLITE_OK);
    ASSERT_EQ(t_int(path, "SELECT count(*) FROM audit_log"), 1);
}

static void
test_prepare_dir(void)
{
    const char   *dir = t_tmpdir("store");
    char          path[1200];
    struct cm_err err;

    snprintf(path, sizeof(path), "%s/a/b/c", dir);
    ASSERT_EQ(store_prepare_dir(path, &err), CM_OK);
    ASSERT_EQ(store_prepare_dir(path, &err), CM_OK); /* Idempotent */
    /* A file where a folder should be (root may write anywhere, so
    ** permissions cannot make the folder unwritable in this test) */
    t_write_file(dir, "file", "x");
    snprintf(path, sizeof(path), "%s/file/data", dir);
    ASSERT_EQ(store_prepare_dir(path, &err), CM_EIO);
    ASSERT_CONTAINS(err.msg, "store.data_dir");
    snprintf(path, sizeof(path), "%s/file", dir);
    ASSERT_EQ(store_prepare_dir(path, &err), CM_EIO);
    ASSERT_CONTAINS(err.msg, "not a folder");
}

struct t_writer {
    const char *path;
    atomic_int  stop;
    int         written;
};

static void *
t_write_loop(void *arg)
{
    struct t_writer   *w = arg;
    struct store      *st;
    struct cm_err      err;
    struct store_audit a = {"test", "test.write", NULL, NULL, NULL};

    ASSERT_EQ(store_open(w->path, &t_create, &st, NULL, &err), CM_OK);
    while (!atomic_load(&w->stop) || w->written < 200) {
        ASSERT_EQ(store_audit_add(st, &a, &err), CM_OK);
        w->written++;
    }
    store_close(st);
    return NULL;
}

static void
test_backup_under_writes(void)
{
    const char             *path = t_db("store");
    char                    dest[1300];
    struct store           *st, *copy;
    struct cm_err           err;
    struct t_writer         w = {path, 0, 0};
    pthread_t               t;
    int64_t                 n;
    const struct store_opts readonly = {0, 0, 5000, 1};

    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(pthread_create(&t, NULL, t_write_loop, &w), 0);
    while (w.written < 50)
        usleep(1000);
    snprintf(dest, sizeof(dest), "%s.backup", path);
    ASSERT_EQ(store_backup(st, dest, &err), CM_OK);
    atomic_store(&w.stop, 1);
    pthread_join(t, NULL);

    ASSERT_EQ(store_open(dest, &readonly, &copy, NULL, &err), CM_OK);
    ASSERT_EQ(store_integrity_check(copy, &err), CM_OK);
    ASSERT_EQ(store_audit_count(copy, &n, &err), CM_OK);
    ASSERT(n >= 50);        /* What was committed when the backup began */
    ASSERT(n <= w.written); /* Never more than was written */
    store_close(copy);
    /* The copy is one self-contained file, left as it was written */
    ASSERT_EQ(t_int(dest, "SELECT count(*) FROM pragma_journal_mode "
                          "WHERE journal_mode = 'delete'"),
              1);

    /* Never overwrites */
    ASSERT_EQ(store_backup(st, dest, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "exists");
    snprintf(dest, sizeof(dest), "/nonexistent-dir/backup.db");
    ASSERT(store_backup(st, dest, &err) != CM_OK);
    store_close(st);
}

int
main(void)
{
    RUN(test_open_and_pragmas);
    RUN(test_older_store_needs_migrate);
    RUN(test_newer_store_refused);
    RUN(test_failed_migration_is_rolled_back);
    RUN(test_schema_promises);
    RUN(test_prepare_dir);
    RUN(test_backup_under_writes);
    return 0;
}
