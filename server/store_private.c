/*
** store_private.c -- SQL of the private layer: sites, meters, readings and
** import runs. Only the importers' driver and the registry commands call
** it; nothing served reads these tables.
*/
#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "ts.h"

int
store_begin(struct store *st, struct cm_err *err)
{
    return store_step_done(st, store_stmt(st, STORE_TX_BEGIN), err,
                           "starting a transaction");
}

int
store_begin_read(struct store *st, struct cm_err *err)
{
    return store_step_done(st, store_stmt(st, STORE_TX_READ), err,
                           "starting a read");
}

int
store_commit(struct store *st, struct cm_err *err)
{
    return store_step_done(st, store_stmt(st, STORE_TX_COMMIT), err,
                           "committing");
}

void
store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db)) {
        sqlite3_stmt *s = store_stmt(st, STORE_TX_ROLLBACK);

        sqlite3_step(s);
        sqlite3_reset(s);
    }
}

int
store_site_upsert(struct store *st, const struct store_site *x,
                  struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SITE_UPSERT);

    sqlite3_bind_text(s, 1, x->site_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, x->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, x->category, -1, SQLITE_STATIC);
    if (x->floor_area_m2 > 0)
        sqlite3_bind_double(s, 4, x->floor_area_m2);
    store_bind_opt(s, 5, x->commune_insee);
    store_bind_opt(s, 6, x->district);
    store_bind_opt(s, 7, x->epci);
    sqlite3_bind_int(s, 8, x->public_ != 0);
    store_bind_opt(s, 9, x->attributes);
    return store_step_done(st, s, err, "writing a site");
}

int
store_meter_upsert(struct store *st, const struct store_meter_def *m,
                   struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SITE_ID);
    int64_t       site;

    sqlite3_bind_text(s, 1, m->site_id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return cm_fail(err, CM_ENOTFOUND,
                       "site '%.64s' is not in the registry: import it with "
                       "'consometer sites import' first",
                       m->site_id);
    }
    site = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    s = store_stmt(st, STORE_METER_UPSERT);
    sqlite3_bind_text(s, 1, m->meter_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, site);
    sqlite3_bind_text(s, 3, m->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, m->source, -1, SQLITE_STATIC);
    store_bind_opt(s, 5, m->source_ref);
    sqlite3_bind_text(s, 6, m->unit, -1, SQLITE_STATIC);
    if (m->step >= 0)
        sqlite3_bind_int64(s, 7, m->step);
    sqlite3_bind_int(s, 8, m->counter != 0);
    return store_step_done(st, s, err, "writing a meter");
}

int
store_meter_find(struct store *st, const char *source, const char *ref,
                 struct store_meter *out, int *found, struct cm_err *err)
{
    sqlite3_stmt *s;
    int           rc;

    if (strcmp(source, "csv") == 0) {
        s = store_stmt(st, STORE_METER_BY_ID);
        sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
    } else {
        s = store_stmt(st, STORE_METER_BY_REF);
        sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, ref, -1, SQLITE_STATIC);
    }
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found) {
        out->id = sqlite3_column_int64(s, 0);
        snprintf(out->kind, sizeof(out->kind), "%s",
                 (const char *) sqlite3_column_text(s, 1));
        snprintf(out->site_id, sizeof(out->site_id), "%s",
                 (const char *) sqlite3_column_text(s, 2));
        out->step = sqlite3_column_type(s, 3) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(s, 3);
        snprintf(out->unit, sizeof(out->unit), "%s",
                 (const char *) sqlite3_column_text(s, 4));
        out->counter = sqlite3_column_int(s, 5);
        out->has_index = sqlite3_column_type(s, 6) != SQLITE_NULL &&
                         sqlite3_column_type(s, 7) != SQLITE_NULL;
        out->index_at = sqlite3_column_int64(s, 6);
        out->index_value = sqlite3_column_double(s, 7);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, err, "finding a meter");
    return CM_OK;
}

int
store_reading_put(struct store *st, int64_t meter, int64_t start, int64_t step,
                  double value, int64_t import_id, enum store_put *outcome,
                  double *previous, struct cm_err *err)
{
    sqlite3_stmt *s;
    int           rc;

    /* Files bring runs of new readings or runs of known ones: guess from
    ** the last outcome which statement will settle this one alone. */
    if (st->put_new) {
        s = store_stmt(st, STORE_READING_ADD);
        sqlite3_bind_int64(s, 1, meter);
        sqlite3_bind_int64(s, 2, start);
        sqlite3_bind_int64(s, 3, step);
        sqlite3_bind_double(s, 4, value);
        sqlite3_bind_int64(s, 5, import_id);
        if (store_step_done(st, s, err, "writing a reading"))
            return err->code;
        if (sqlite3_changes(st->db) == 1) {
            *outcome = STORE_PUT_INSERTED;
            return CM_OK;
        }
        st->put_new = 0; /* It was there: compare, below */
    }
    s = store_stmt(st, STORE_READING_GET);
    sqlite3_bind_int64(s, 1, meter);
    sqlite3_bind_int64(s, 2, start);
    sqlite3_bind_int64(s, 3, step);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        double  old = sqlite3_column_double(s, 0);
        int64_t by = sqlite3_column_int64(s, 1);

        sqlite3_reset(s);
        st->put_new = 0;
        *previous = old;
        if (old == value) {
            *outcome = STORE_PUT_UNCHANGED;
            return CM_OK;
        }
        if (by == import_id) {
            *outcome = STORE_PUT_CONFLICT;
            return CM_OK;
        }
        s = store_stmt(st, STORE_READING_UPDATE);
        *outcome = STORE_PUT_UPDATED;
    } else {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return store_fail(st, err, "reading a reading");
        s = store_stmt(st, STORE_READING_INSERT);
        *outcome = STORE_PUT_INSERTED;
        st->put_new = 1;
    }
    sqlite3_bind_int64(s, 1, meter);
    sqlite3_bind_int64(s, 2, start);
    sqlite3_bind_int64(s, 3, step);
    sqlite3_bind_double(s, 4, value);
    sqlite3_bind_int64(s, 5, import_id);
    return store_step_done(st, s, err, "writing a reading");
}

int
store_import_begin(struct store *st, const char *source, const char *format,
                   const char *file, const char *actor, int64_t *id,
                   struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_IMPORT_BEGIN);

    sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, format, -1, SQLITE_STATIC);
    store_bind_opt(s, 3, file);
    sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
    if (store_step_done(st, s, err, "recording an import"))
        return err->code;
    *id = sqlite3_last_insert_rowid(st->db);
    return CM_OK;
}

int
store_import_finish(struct store *st, int64_t id, int64_t n_read,
                    int64_t n_inserted, int64_t n_updated, int64_t n_rejected,
                    const char *status, const char *report, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_IMPORT_FINISH);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, n_read);
    sqlite3_bind_int64(s, 3, n_inserted);
    sqlite3_bind_int64(s, 4, n_updated);
    sqlite3_bind_int64(s, 5, n_rejected);
    sqlite3_bind_text(s, 6, status, -1, SQLITE_STATIC);
    store_bind_opt(s, 7, report);
    return store_step_done(st, s, err, "recording an import");
}

int
store_meter_index_set(struct store *st, int64_t meter, int64_t at, double value,
                      struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_METER_INDEX_SET);

    sqlite3_bind_int64(s, 1, meter);
    sqlite3_bind_int64(s, 2, at);
    sqlite3_bind_double(s, 3, value);
    return store_step_done(st, s, err, "remembering a meter's index");
}

struct store_site_each {
    store_site_fn fn;
    void         *ctx;
};

static int
store_site_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct store_site_each *e = ctx;
    struct store_site       x;

    x.site_id = (const char *) sqlite3_column_text(s, 1);
    x.name = (const char *) sqlite3_column_text(s, 2);
    x.category = (const char *) sqlite3_column_text(s, 3);
    x.floor_area_m2 = sqlite3_column_type(s, 4) == SQLITE_NULL
                          ? 0
                          : sqlite3_column_double(s, 4);
    x.commune_insee = (const char *) sqlite3_column_text(s, 5);
    x.district = (const char *) sqlite3_column_text(s, 6);
    x.epci = (const char *) sqlite3_column_text(s, 7);
    x.public_ = sqlite3_column_int(s, 8);
    x.attributes = NULL;
    return e->fn(e->ctx, sqlite3_column_int64(s, 0), &x, err);
}

int
store_sites_each(struct store *st, store_site_fn fn, void *ctx,
                 struct cm_err *err)
{
    struct store_site_each e = {fn, ctx};

    return store_rows(st, store_stmt(st, STORE_SITES_ALL), store_site_row, &e,
                      "reading sites", err);
}

struct store_agg_each {
    store_agg_fn fn;
    void        *ctx;
    int          grain;
};

static int
store_agg_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct store_agg_each *e = ctx;
    struct store_agg       a;
    char                   period[24];

    a.site = sqlite3_column_int64(s, 0);
    a.kind = (const char *) sqlite3_column_text(s, 1);
    ts_paris_period_name(sqlite3_column_int64(s, 2), (enum ts_grain) e->grain,
                         period);
    a.period = period;
    a.sum = sqlite3_column_double(s, 3);
    a.min = sqlite3_column_double(s, 4);
    a.max = sqlite3_column_double(s, 5);
    a.n = sqlite3_column_int64(s, 6);
    return e->fn(e->ctx, &a, err);
}

int
store_aggregate(struct store *st, int grain, const char *kinds_json,
                int public_only, store_agg_fn fn, void *ctx, struct cm_err *err)
{
    sqlite3_stmt         *s = store_stmt(st, STORE_AGGREGATE);
    struct store_agg_each e = {fn, ctx, grain};

    sqlite3_bind_int(s, 1, grain);
    sqlite3_bind_text(s, 2, kinds_json, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, public_only != 0);
    return store_rows(st, s, store_agg_row, &e, "aggregating readings", err);
}
