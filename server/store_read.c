/*
** store_read.c -- SQL of the read API: the catalog, one version's lean
** metadata, and pages of observations (store_read.h).
**
** Pages are keyset pages: a request names the last row it saw (its sort
** key and row number) and the query starts strictly after it, so page
** 10 000 costs what page 1 costs, where OFFSET would read and drop every
** row before it. Ties, and the default order, go by row, which is unique
** within a version, so every row comes exactly once in a walk.
**
** Statements are kept per connection in a small LRU keyed by their text
** (struct store_read, hung on struct store): the records text changes
** with the request's shape, and preparing costs more than running a
** 100-row page.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "store_int.h"
#include "store_read.h"

#define STORE_READ_CACHE 16 /* Statements kept per connection */

struct store_read_stmt {
    char         *sql; /* Owned text, the key; NULL: free slot */
    size_t        len;
    sqlite3_stmt *stmt;
    uint64_t      used; /* Tick of the last use, for LRU */
};

struct store_read {
    struct store_read_stmt e[STORE_READ_CACHE];
    uint64_t               tick;
};

/* The observation table's columns, in enum store_obs_col order: the only
** identifiers ever printed into SQL here. */
static const char *const store_obs_sql[STORE_OBS_NCOLS] = {
    "period", "territory_level", "territory", "sector", "kind", "value",
    "unit",   "n_sites",         "status"};

static const char store_read_catalog_sql[] =
    "SELECT d.slug, coalesce(d.search_text, ''), v.version, v.published_at, "
    "v.n_observations, v.manifest FROM dataset d "
    "JOIN dataset_version v ON v.id = d.latest ORDER BY d.slug";

/* The period grain is read by SQLite's JSON parser, which is cheaper than
** handing the whole manifest to yajl on every page of records. */
static const char store_read_version_sql[] =
    "SELECT v.id, v.version, l.version, v.n_observations, d.slug, "
    "coalesce(v.sha256, ''), coalesce(json_extract(v.manifest, '$.period'), "
    "''), v.columns FROM dataset d "
    "JOIN dataset_version l ON l.id = d.latest "
    "JOIN dataset_version v ON v.dataset = d.id "
    "AND v.version = CASE WHEN ?2 > 0 THEN ?2 ELSE l.version END "
    "WHERE d.slug = ?1";

void
store_read_close(struct store *st)
{
    struct store_read *r;

    if (st == NULL || st->read == NULL)
        return;
    r = st->read;
    for (int i = 0; i < STORE_READ_CACHE; i++) {
        sqlite3_finalize(r->e[i].stmt);
        free(r->e[i].sql);
    }
    free(r);
    st->read = NULL;
}

sqlite3_stmt *
store_read_stmt(struct store *st, const char *sql, size_t len,
                struct cm_err *err)
{
    struct store_read      *r = st->read;
    struct store_read_stmt *slot;

    if (r == NULL)
        r = st->read = cm_calloc(1, sizeof(*r));
    r->tick++;
    slot = &r->e[0];
    for (int i = 0; i < STORE_READ_CACHE; i++) {
        struct store_read_stmt *e = &r->e[i];

        if (e->sql && e->len == len && memcmp(e->sql, sql, len) == 0) {
            e->used = r->tick;
            sqlite3_reset(e->stmt);
            sqlite3_clear_bindings(e->stmt);
            return e->stmt;
        }
        if (e->sql == NULL || (slot->sql && e->used < slot->used))
            slot = e;
    }
    sqlite3_finalize(slot->stmt);
    free(slot->sql);
    memset(slot, 0, sizeof(*slot));
    if (sqlite3_prepare_v3(st->db, sql, (int) len, SQLITE_PREPARE_PERSISTENT,
                           &slot->stmt, NULL) != SQLITE_OK) {
        store_fail(st, err, "preparing a read query");
        sqlite3_finalize(slot->stmt);
        slot->stmt = NULL;
        return NULL;
    }
    slot->sql = cm_strndup(sql, len);
    slot->len = len;
    slot->used = r->tick;
    return slot->stmt;
}

/* Column i of s as a value; text borrowed until the next step. */
static void
store_read_val(sqlite3_stmt *s, int i, struct store_val *v)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
        v->type = STORE_INT;
        v->i = sqlite3_column_int64(s, i);
        break;
    case SQLITE_FLOAT:
        v->type = STORE_REAL;
        v->d = sqlite3_column_double(s, i);
        break;
    case SQLITE_NULL:
        v->type = STORE_NULL;
        break;
    default: /* Text, and blobs read as text */
        v->type = STORE_TEXT;
        v->s = (const char *) sqlite3_column_text(s, i);
        v->n = (size_t) sqlite3_column_bytes(s, i);
        if (v->s == NULL)
            v->type = STORE_NULL;
        break;
    }
}

static void
store_read_bind(sqlite3_stmt *s, int i, const struct store_val *v)
{
    switch (v->type) {
    case STORE_INT:
        sqlite3_bind_int64(s, i, v->i);
        break;
    case STORE_REAL:
        sqlite3_bind_double(s, i, v->d);
        break;
    case STORE_TEXT:
        sqlite3_bind_text(s, i, v->s, (int) v->n, SQLITE_STATIC);
        break;
    default:
        sqlite3_bind_null(s, i);
        break;
    }
}

/*
** The published columns of a row (result columns 1..9) into v[]. Their
** types are the schema's, so each costs one or two calls into SQLite
** instead of three: at 100 rows a page these calls were a third of the
** time spent in SQLite.
*/
static void
store_read_obs(sqlite3_stmt *s, struct store_val *v)
{
    for (int i = 0; i < STORE_OBS_NCOLS; i++) {
        const unsigned char *t;

        switch (i) {
        case STORE_OBS_VALUE: /* REAL, NULL when suppressed */
            if (sqlite3_column_type(s, 1 + i) == SQLITE_NULL)
                v[i].type = STORE_NULL;
            else {
                v[i].type = STORE_REAL;
                v[i].d = sqlite3_column_double(s, 1 + i);
            }
            break;
        case STORE_OBS_N_SITES: /* INTEGER NOT NULL */
            v[i].type = STORE_INT;
            v[i].i = sqlite3_column_int64(s, 1 + i);
            break;
        default: /* TEXT; only sector may be NULL */
            t = sqlite3_column_text(s, 1 + i);
            v[i].type = t ? STORE_TEXT : STORE_NULL;
            v[i].s = (const char *) t;
            v[i].n = t ? strlen((const char *) t) : 0;
            break;
        }
    }
}

static const char *
store_read_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    return t ? (const char *) t : "";
}

/* ---- the catalog ------------------------------------------------------ */

int
store_read_catalog(struct store *st, store_read_entry_fn fn, void *ctx,
                   struct cm_err *err)
{
    sqlite3_stmt *s = store_read_stmt(st, store_read_catalog_sql,
                                      sizeof(store_read_catalog_sql) - 1, err);
    int           rc;

    if (s == NULL)
        return err->code;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_read_entry e;

        e.slug = store_read_text(s, 0);
        e.search_text = store_read_text(s, 1);
        e.number = sqlite3_column_int64(s, 2);
        e.published_at = store_read_text(s, 3);
        e.n_observations = sqlite3_column_int64(s, 4);
        e.manifest = store_read_text(s, 5);
        if ((rc = fn(ctx, &e, err)) != CM_OK) {
            sqlite3_reset(s);
            return rc;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, err, "reading the catalog");
        sqlite3_reset(s);
        return rc;
    }
    sqlite3_reset(s);
    return CM_OK;
}

/* ---- one version ------------------------------------------------------ */

int
store_read_version(struct store *st, const char *slug, int64_t number,
                   struct store_read_version *out, int *found,
                   struct cm_err *err)
{
    sqlite3_stmt *s = store_read_stmt(st, store_read_version_sql,
                                      sizeof(store_read_version_sql) - 1, err);
    int           rc;

    memset(out, 0, sizeof(*out));
    *found = 0;
    if (s == NULL)
        return err->code;
    sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, number);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *cols = sqlite3_column_text(s, 7);

        out->id = sqlite3_column_int64(s, 0);
        out->number = sqlite3_column_int64(s, 1);
        out->latest = sqlite3_column_int64(s, 2);
        out->n_observations = sqlite3_column_int64(s, 3);
        snprintf(out->slug, sizeof(out->slug), "%s", store_read_text(s, 4));
        snprintf(out->sha256, sizeof(out->sha256), "%s", store_read_text(s, 5));
        snprintf(out->grain, sizeof(out->grain), "%s", store_read_text(s, 6));
        out->columns = cols ? cm_strdup((const char *) cols) : NULL;
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        rc = store_fail(st, err, "reading a dataset version");
        sqlite3_reset(s);
        return rc;
    }
    sqlite3_reset(s);
    return CM_OK;
}

void
store_read_version_clear(struct store_read_version *v)
{
    if (v == NULL)
        return;
    free(v->columns);
    memset(v, 0, sizeof(*v));
}

/* ---- records ---------------------------------------------------------- */

struct store_read_sql { /* A query being assembled, with its bindings */
    struct cm_buf     text;
    struct store_val *bind; /* bind[i] goes to ?(i + 1) */
    int               n, cap;
};

/* A new parameter bound to *v; returns its number N, for "?N". */
static int
store_read_bind_new(struct store_read_sql *q, const struct store_val *v)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 16;
        q->bind = cm_realloc(q->bind, (size_t) q->cap * sizeof(*q->bind));
    }
    q->bind[q->n++] = *v;
    return q->n;
}

/* A new parameter bound to *v, written "?N" into the text. */
static void
store_read_param(struct store_read_sql *q, const struct store_val *v)
{
    cm_buf_printf(&q->text, "?%d", store_read_bind_new(q, v));
}

static void
store_read_param_text(struct store_read_sql *q, const char *s)
{
    struct store_val v = {.type = STORE_TEXT, .s = s, .n = strlen(s)};

    store_read_param(q, &v);
}

static void
store_read_param_int(struct store_read_sql *q, int64_t i)
{
    struct store_val v = {.type = STORE_INT, .i = i};

    store_read_param(q, &v);
}

/* Append the sort expression: a column, or the extra column's value
** through the parameter ?path (an index, so the text names no user
** data). */
static void
store_read_sort_expr(struct store_read_sql            *q,
                     const struct store_records_query *rq, int path)
{
    if (rq->sort == STORE_SORT_EXTRA)
        cm_buf_printf(&q->text, "json_extract(extra, ?%d)", path);
    else
        cm_buf_puts(&q->text, store_obs_sql[rq->sort]);
}

/*
** Assemble the query of rq. A descending sort is the exact reverse of
** the ascending one, ties included (ORDER BY x DESC, row DESC), so that
** one index serves both ways. The keyset condition follows SQLite's
** order of NULLs (first ascending, last descending) so that the page
** after a NULL key neither skips nor repeats a row.
*/
static void
store_read_records_sql(struct store_read_sql            *q,
                       const struct store_records_query *rq)
{
    int path = 0;

    cm_buf_puts(&q->text,
                "SELECT row, period, territory_level, territory, sector, "
                "kind, value, unit, n_sites, status");
    if (rq->sort == STORE_SORT_EXTRA) {
        cm_buf_puts(&q->text, ", json_extract(extra, ");
        store_read_param_text(q, rq->sort_path);
        cm_buf_puts(&q->text, ")");
        path = q->n;
    } else if (rq->sort != STORE_SORT_ROW) {
        cm_buf_printf(&q->text, ", %s", store_obs_sql[rq->sort]);
    }
    for (size_t i = 0; i < rq->n_extra; i++) {
        cm_buf_puts(&q->text, ", json_extract(extra, ");
        store_read_param_text(q, rq->extra[i]);
        cm_buf_puts(&q->text, ")");
    }
    cm_buf_puts(&q->text, " FROM observation WHERE version = ");
    store_read_param_int(q, rq->version);
    for (size_t i = 0; i < rq->n_in; i++) {
        const struct store_read_in *in = &rq->in[i];

        cm_buf_printf(&q->text, " AND %s IN (", store_obs_sql[in->col]);
        for (size_t j = 0; j < in->n; j++) {
            if (j > 0)
                cm_buf_puts(&q->text, ", ");
            store_read_param_text(q, in->values[j]);
        }
        cm_buf_puts(&q->text, ")");
    }
    if (rq->period_from) {
        cm_buf_puts(&q->text, " AND period >= ");
        store_read_param_text(q, rq->period_from);
    }
    if (rq->period_to) {
        cm_buf_puts(&q->text, " AND period <= ");
        store_read_param_text(q, rq->period_to);
    }
    if (rq->sort == STORE_SORT_ROW) {
        /* Always there (row > -1 on the first page): one text for every
        ** page of the common request. */
        cm_buf_puts(&q->text, " AND row > ");
        store_read_param_int(q, rq->after_set ? rq->after_row : -1);
        cm_buf_puts(&q->text, " ORDER BY row LIMIT ");
        store_read_param_int(q, rq->limit);
        return;
    }
    if (rq->after_set) {
        struct store_val r = {.type = STORE_INT, .i = rq->after_row};
        const char      *gt = rq->desc ? "<" : ">"; /* "after" */
        int              key = 0, row;

        /* ?key and ?row each appear twice in the condition. */
        if (rq->after.type != STORE_NULL)
            key = store_read_bind_new(q, &rq->after);
        row = store_read_bind_new(q, &r);
        cm_buf_puts(&q->text, " AND ");
        if (rq->after.type == STORE_NULL && !rq->desc) {
            cm_buf_puts(&q->text, "((");
            store_read_sort_expr(q, rq, path);
            cm_buf_printf(&q->text, " IS NULL AND row > ?%d) OR ", row);
            store_read_sort_expr(q, rq, path);
            cm_buf_puts(&q->text, " IS NOT NULL)");
        } else if (rq->after.type == STORE_NULL) {
            cm_buf_puts(&q->text, "(");
            store_read_sort_expr(q, rq, path);
            cm_buf_printf(&q->text, " IS NULL AND row < ?%d)", row);
        } else {
            cm_buf_puts(&q->text, "(");
            store_read_sort_expr(q, rq, path);
            cm_buf_printf(&q->text, " %s ?%d OR (", gt, key);
            store_read_sort_expr(q, rq, path);
            cm_buf_printf(&q->text, " = ?%d AND row %s ?%d)", key, gt, row);
            if (rq->desc) {
                cm_buf_puts(&q->text, " OR ");
                store_read_sort_expr(q, rq, path);
                cm_buf_puts(&q->text, " IS NULL");
            }
            cm_buf_puts(&q->text, ")");
        }
    }
    cm_buf_puts(&q->text, " ORDER BY ");
    store_read_sort_expr(q, rq, path);
    cm_buf_puts(&q->text, rq->desc ? " DESC, row DESC LIMIT " : ", row LIMIT ");
    store_read_param_int(q, rq->limit);
}

int
store_records_each(struct store *st, const struct store_records_query *rq,
                   store_record_fn fn, void *ctx, struct cm_err *err)
{
    struct store_read_sql q = {0};
    struct store_val     *vals;
    struct store_record   rec;
    sqlite3_stmt         *s;
    int                   rc = CM_OK, step, nkey, ncols;

    assert(rq->limit >= 1);
    cm_buf_init(&q.text);
    store_read_records_sql(&q, rq);
    s = store_read_stmt(st, q.text.data, q.text.len, err);
    if (s == NULL) {
        rc = err->code;
        goto done;
    }
    for (int i = 0; i < q.n; i++)
        store_read_bind(s, i + 1, &q.bind[i]);
    nkey = rq->sort != STORE_SORT_ROW;
    ncols = STORE_OBS_NCOLS + nkey + (int) rq->n_extra;
    /* One array for the whole page, refilled row after row. */
    vals = cm_malloc((size_t) ncols * sizeof(*vals));
    rec.col = vals;
    rec.key = NULL;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        int o = STORE_OBS_NCOLS;

        rec.row = sqlite3_column_int64(s, 0);
        store_read_obs(s, vals);
        if (nkey) {
            /* The key sits after the extra columns in vals[], where the
            ** caller does not look for them. */
            store_read_val(s, 1 + STORE_OBS_NCOLS,
                           &vals[STORE_OBS_NCOLS + rq->n_extra]);
            rec.key = &vals[STORE_OBS_NCOLS + rq->n_extra];
        }
        for (size_t i = 0; i < rq->n_extra; i++)
            store_read_val(s, 1 + STORE_OBS_NCOLS + nkey + (int) i, &vals[o++]);
        if ((rc = fn(ctx, &rec, err)) != CM_OK)
            break;
    }
    if (rc == CM_OK && step != SQLITE_DONE)
        rc = store_fail(st, err, "reading observations");
    sqlite3_reset(s);
    /* Text bound SQLITE_STATIC must not outlive the caller's strings. */
    sqlite3_clear_bindings(s);
    free(vals);
done:
    cm_buf_clear(&q.text);
    free(q.bind);
    return rc;
}
