/*
** store_public.c -- SQL of the public layer: published dataset versions,
** their observations and distributions. The publisher writes them in one
** transaction; everything served reads them (and nothing else).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "mem.h"
#include "store_int.h"

int
store_version_create(struct store *st, const struct store_version_new *v,
                     int64_t *id, int64_t *number, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_DATASET_UPSERT);
    int64_t       dataset;

    sqlite3_bind_text(s, 1, v->slug, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, v->origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, v->manifest, -1, SQLITE_STATIC);
    store_bind_opt(s, 4, v->search_text);
    if (sqlite3_step(s) != SQLITE_ROW) {
        int rc = store_fail(st, err, "writing a dataset");

        sqlite3_reset(s);
        return rc;
    }
    dataset = sqlite3_column_int64(s, 0);
    if (sqlite3_step(s) != SQLITE_DONE) {
        int rc = store_fail(st, err, "writing a dataset");

        sqlite3_reset(s);
        return rc;
    }
    sqlite3_reset(s);

    s = store_stmt(st, STORE_VERSION_NEXT);
    sqlite3_bind_int64(s, 1, dataset);
    if (sqlite3_step(s) != SQLITE_ROW) {
        int rc = store_fail(st, err, "numbering a version");

        sqlite3_reset(s);
        return rc;
    }
    *number = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);

    s = store_stmt(st, STORE_VERSION_INSERT);
    sqlite3_bind_int64(s, 1, dataset);
    sqlite3_bind_int64(s, 2, *number);
    sqlite3_bind_text(s, 3, v->published_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, v->manifest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, v->n_observations);
    store_bind_opt(s, 6, v->sha256);
    store_bind_opt(s, 7, v->disclosure);
    store_bind_opt(s, 8, v->columns);
    store_bind_opt(s, 9, v->provenance);
    if (store_step_done(st, s, err, "writing a dataset version"))
        return err->code;
    *id = sqlite3_last_insert_rowid(st->db);
    return CM_OK;
}

int
store_obs_add(struct store *st, int64_t id, int64_t row,
              const struct exp_obs *o, const char *extra, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_OBS_INSERT);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, row);
    sqlite3_bind_text(s, 3, o->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, o->territory_level, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, o->territory, -1, SQLITE_STATIC);
    store_bind_opt(s, 6, o->sector);
    sqlite3_bind_text(s, 7, o->kind, -1, SQLITE_STATIC);
    if (!o->value_null)
        sqlite3_bind_double(s, 8, o->value);
    sqlite3_bind_text(s, 9, o->unit, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 10, o->n_sites < 0 ? 0 : o->n_sites);
    sqlite3_bind_text(s, 11, &o->status, 1, SQLITE_STATIC);
    store_bind_opt(s, 12, extra);
    return store_step_done(st, s, err, "writing an observation");
}

int
store_distribution_add(struct store *st, int64_t id,
                       const struct store_distribution *d, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_DIST_INSERT);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, d->format, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, d->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, d->media_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, d->bytes);
    sqlite3_bind_text(s, 6, d->sha256, -1, SQLITE_STATIC);
    return store_step_done(st, s, err, "writing a distribution");
}

/* Copy column i (text) into dst[cap], "" for NULL. */
static void
store_col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    snprintf(dst, cap, "%s", t ? (const char *) t : "");
}

static char *
store_col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    return t ? cm_strdup((const char *) t) : NULL;
}

struct store_dist_list {
    struct store_distribution *out;
    size_t                     max, *n;
};

static int
store_dist_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct store_dist_list    *l = ctx;
    struct store_distribution *d;

    (void) err;
    if (*l->n == l->max)
        return CM_OK;
    d = &l->out[(*l->n)++];
    store_col_copy(s, 0, d->format, sizeof(d->format));
    store_col_copy(s, 1, d->name, sizeof(d->name));
    store_col_copy(s, 2, d->media_type, sizeof(d->media_type));
    d->bytes = sqlite3_column_int64(s, 3);
    store_col_copy(s, 4, d->sha256, sizeof(d->sha256));
    return CM_OK;
}

int
store_distribution_list(struct store *st, int64_t id,
                        struct store_distribution *out, size_t max, size_t *n,
                        struct cm_err *err)
{
    sqlite3_stmt          *s = store_stmt(st, STORE_DIST_LIST);
    struct store_dist_list l = {out, max, n};

    *n = 0;
    sqlite3_bind_int64(s, 1, id);
    return store_rows(st, s, store_dist_row, &l, "reading distributions", err);
}

int
store_dataset_set_latest(struct store *st, int64_t id, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_DATASET_SET_LATEST);

    sqlite3_bind_int64(s, 1, id);
    return store_step_done(st, s, err, "marking the latest version");
}

/* A row of VERSION_GET, VERSIONS_LIST or DATASETS_LIST into *v. */
static void
store_version_row(sqlite3_stmt *s, struct store_version *v)
{
    memset(v, 0, sizeof(*v));
    v->id = sqlite3_column_int64(s, 0);
    v->dataset = sqlite3_column_int64(s, 1);
    v->number = sqlite3_column_int64(s, 2);
    v->latest = sqlite3_column_int64(s, 3);
    v->n_observations = sqlite3_column_int64(s, 4);
    store_col_copy(s, 5, v->slug, sizeof(v->slug));
    store_col_copy(s, 6, v->origin, sizeof(v->origin));
    store_col_copy(s, 7, v->published_at, sizeof(v->published_at));
    store_col_copy(s, 8, v->sha256, sizeof(v->sha256));
    v->manifest = store_col_dup(s, 9);
    v->columns = store_col_dup(s, 10);
    v->disclosure = store_col_dup(s, 11);
    v->provenance = store_col_dup(s, 12);
}

void
store_version_clear(struct store_version *v)
{
    if (v == NULL)
        return;
    free(v->manifest);
    free(v->columns);
    free(v->disclosure);
    free(v->provenance);
    memset(v, 0, sizeof(*v));
}

int
store_version_get(struct store *st, const char *slug, int64_t number,
                  struct store_version *out, int *found, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_VERSION_GET);
    int           rc;

    memset(out, 0, sizeof(*out));
    *found = 0;
    sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, number);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        store_version_row(s, out);
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        rc = store_fail(st, err, "reading a dataset version");
        sqlite3_reset(s);
        return rc;
    }
    sqlite3_reset(s);
    return CM_OK;
}

struct store_version_each {
    store_version_fn fn;
    void            *ctx;
};

static int
store_version_each_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct store_version_each *e = ctx;
    struct store_version       v;
    int                        rc;

    store_version_row(s, &v);
    rc = e->fn(e->ctx, &v, err);
    store_version_clear(&v);
    return rc;
}

/* Run 's' (bound) and hand each row, as a version, to fn. */
static int
store_versions_run(struct store *st, sqlite3_stmt *s, store_version_fn fn,
                   void *ctx, struct cm_err *err)
{
    struct store_version_each e = {fn, ctx};

    return store_rows(st, s, store_version_each_row, &e,
                      "reading dataset versions", err);
}

int
store_versions_each(struct store *st, int64_t dataset, store_version_fn fn,
                    void *ctx, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_VERSIONS_LIST);

    sqlite3_bind_int64(s, 1, dataset);
    return store_versions_run(st, s, fn, ctx, err);
}

int
store_datasets_each(struct store *st, store_version_fn fn, void *ctx,
                    struct cm_err *err)
{
    return store_versions_run(st, store_stmt(st, STORE_DATASETS_LIST), fn, ctx,
                              err);
}

struct store_obs_each {
    store_obs_fn fn;
    void        *ctx;
};

static int
store_obs_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct store_obs_each *e = ctx;
    struct exp_obs         o;
    const char            *status = (const char *) sqlite3_column_text(s, 8);

    memset(&o, 0, sizeof(o));
    o.period = (const char *) sqlite3_column_text(s, 0);
    o.territory_level = (const char *) sqlite3_column_text(s, 1);
    o.territory = (const char *) sqlite3_column_text(s, 2);
    o.sector = (const char *) sqlite3_column_text(s, 3);
    o.kind = (const char *) sqlite3_column_text(s, 4);
    o.value_null = sqlite3_column_type(s, 5) == SQLITE_NULL;
    o.value = o.value_null ? 0 : sqlite3_column_double(s, 5);
    o.unit = (const char *) sqlite3_column_text(s, 6);
    o.n_sites = sqlite3_column_int64(s, 7);
    o.status = status ? status[0] : 'A';
    return e->fn(e->ctx, &o, (const char *) sqlite3_column_text(s, 9), err);
}

int
store_obs_each(struct store *st, int64_t id, store_obs_fn fn, void *ctx,
               struct cm_err *err)
{
    /* A statement of its own, not the shared one: a callback (an export
    ** writing an archive, the publisher) may itself read the store. */
    struct store_obs_each e = {fn, ctx};
    sqlite3_stmt         *s = NULL;
    int                   rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT period, territory_level, territory, sector, "
                           "kind, value, unit, n_sites, status, extra "
                           "FROM observation WHERE version = ?1 ORDER BY row",
                           -1, &s, NULL) != SQLITE_OK)
        return store_fail(st, err, "reading observations");
    sqlite3_bind_int64(s, 1, id);
    rc = store_rows(st, s, store_obs_row, &e, "reading observations", err);
    sqlite3_finalize(s);
    return rc;
}

int
store_version_counts(struct store *st, int64_t id, int64_t *rows, int64_t *a,
                     int64_t *c, int64_t *d, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_VERSION_COUNTS);
    int           rc;

    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = store_fail(st, err, "counting observations");
        sqlite3_reset(s);
        return rc;
    }
    *rows = sqlite3_column_int64(s, 0);
    *a = sqlite3_column_int64(s, 1);
    *c = sqlite3_column_int64(s, 2);
    *d = sqlite3_column_int64(s, 3);
    sqlite3_reset(s);
    return CM_OK;
}
