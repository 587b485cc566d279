/*
** t_imp.h -- for importer tests: a real store file with a registry, runs
** of imp_run() on files or on text, and sums read back with SQL.
*/
#ifndef CM_T_IMP_H
#define CM_T_IMP_H

#include <math.h>
#include <sqlite3.h>

#include "../t.h"
#include "imp.h"
#include "store.h"

#ifndef CM_FIXTURES
#define CM_FIXTURES CM_SOURCE_DIR "/tests/fixtures"
#endif

struct t_imp {
    struct store *st;
    char          path[1200];
};

static inline void
t_imp_open(struct t_imp *t)
{
    struct store_opts o = {1, 1, 5000, 0};
    struct cm_err     err;

    snprintf(t->path, sizeof(t->path), "%s/consometer.db", t_tmpdir("imp"));
    ASSERT_EQ(store_open(t->path, &o, &t->st, NULL, &err), CM_OK);
}

static inline void
t_imp_close(struct t_imp *t)
{
    store_close(t->st);
}

/* A site in commune 56121 (Lorient), public. */
static inline void
t_imp_site(struct t_imp *t, const char *site_id)
{
    struct store_site s = {site_id, "Site",      "education", 1000, "56121",
                           NULL,    "200042174", 1,           NULL};
    struct cm_err     err;

    ASSERT_EQ(store_site_upsert(t->st, &s, &err), CM_OK);
}

/* step: the meter's declared interval in seconds, or -1. */
static inline void
t_imp_meter(struct t_imp *t, const char *meter_id, const char *site_id,
            const char *kind, const char *source, const char *ref,
            long long step)
{
    struct store_meter_def m = {
        meter_id, site_id, kind,
        source,   ref,     strcmp(kind, "temperature") ? "kWh" : "degC",
        step,     0};
    struct cm_err err;

    ASSERT_EQ(store_meter_upsert(t->st, &m, &err), CM_OK);
}

/* Import a file; returns imp_run's code, result in *res (clear it). */
static inline int
t_imp_file(struct t_imp *t, const char *path, const char *format, int strict,
           struct imp_result *res)
{
    struct imp_opts o = {strict, NULL, "test", NULL};
    struct imp_src  src;
    FILE           *f = fopen(path, "rb");
    int             rc;

    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    imp_src_file(&src, f, path);
    rc = imp_run(t->st, &src, format, &o, res);
    fclose(f);
    return rc;
}

/* Import text held in memory, as a file named 'name'. */
static inline int
t_imp_text(struct t_imp *t, const char *name, const char *text, size_t len,
           const char *format, int strict, struct imp_result *res)
{
    struct imp_opts o = {strict, NULL, "test", NULL};
    struct imp_src  src;
    FILE           *f = fmemopen((void *) text, len ? len : 1, "rb");
    int             rc;

    ASSERT(f != NULL);
    if (len == 0) { /* fmemopen refuses size 0: read the one byte away */
        fgetc(f);
    }
    imp_src_file(&src, f, name);
    rc = imp_run(t->st, &src, format, &o, res);
    fclose(f);
    return rc;
}

/* Sum and count of a meter's readings (by meter_id) with start in
** [from, to) UTC seconds. */
static inline void
t_imp_sum(struct t_imp *t, const char *meter_id, long long from, long long to,
          double *sum, long long *count)
{
    sqlite3      *db;
    sqlite3_stmt *s;

    ASSERT_EQ(sqlite3_open(t->path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(
                  db,
                  "SELECT coalesce(sum(value), 0), count(*) FROM reading r "
                  "JOIN meter m ON m.id = r.meter WHERE m.meter_id = ?1 "
                  "AND r.start >= ?2 AND r.start < ?3",
                  -1, &s, NULL),
              SQLITE_OK);
    sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    *sum = sqlite3_column_double(s, 0);
    *count = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* The value of a meter's reading keyed (start, step), or NAN if none. */
static inline double
t_imp_value(struct t_imp *t, const char *meter_id, long long start,
            long long step)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    double        v = NAN;

    ASSERT_EQ(sqlite3_open(t->path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT r.value FROM reading r JOIN meter m "
                                 "ON m.id = r.meter WHERE m.meter_id = ?1 "
                                 "AND r.start = ?2 AND r.step = ?3",
                                 -1, &s, NULL),
              SQLITE_OK);
    sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, start);
    sqlite3_bind_int64(s, 3, step);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* Print a result (for debugging a failing test). */
static inline void
t_imp_dump(const struct imp_result *res)
{
    fprintf(stderr,
            "%s [%s] status %d %s: read %lld imported %lld updated %lld "
            "unchanged %lld rejected %lld\n",
            res->file, res->format ? res->format : "-", res->status,
            res->message, (long long) res->stats.read,
            (long long) res->stats.imported, (long long) res->stats.updated,
            (long long) res->stats.unchanged, (long long) res->stats.rejected);
    for (int i = 0; i < res->nerrors; i++)
        fprintf(stderr, "  line %ld: %s\n", res->errors[i].line,
                res->errors[i].message);
}

#endif /* CM_T_IMP_H */
