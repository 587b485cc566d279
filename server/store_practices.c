/*
** store_practices.c -- SQL of the registry (store_practices.h). The
** statements are in store_sql.h but for search, whose text depends on
** which filters a request has: it is assembled from the fixed fragments
** below (every value bound; a filter's values as one JSON array) and
** kept prepared per shape by store_read_stmt.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "practice.h"
#include "store_int.h"
#include "store_practices.h"

static const char *
col_text(sqlite3_stmt *s, int i)
{
    return (const char *) sqlite3_column_text(s, i);
}

static void
col_copy(sqlite3_stmt *s, int i, char *out, size_t size)
{
    const char *t = col_text(s, i);

    snprintf(out, size, "%s", t ? t : "");
}

static int
one_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    (void) s;
    (void) err;
    *(int *) ctx = 1;
    return CM_OK;
}

int
store_practice_dataset_exists(struct store *st, const char *slug, int *found,
                              struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_DATASET_EXISTS);

    *found = 0;
    sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
    return store_rows(st, s, one_row, found, "finding a dataset", err);
}

int
store_practice_exists(struct store *st, int64_t id, int *found,
                      struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_EXISTS);

    *found = 0;
    sqlite3_bind_int64(s, 1, id);
    return store_rows(st, s, one_row, found, "finding a sheet", err);
}

static int
id_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    (void) err;
    *(int64_t *) ctx = sqlite3_column_int64(s, 0);
    return CM_OK;
}

int
store_practice_find(struct store *st, const char *title, const char *code,
                    int64_t *id, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_FIND);

    *id = 0;
    sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
    return store_rows(st, s, id_row, id, "finding a sheet", err);
}

static void
bind_id_or_null(sqlite3_stmt *s, int i, int64_t v)
{
    if (v > 0)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

int
store_practice_add(struct store *st, const char *level, const char *code,
                   int64_t created_by, int64_t origin, int64_t origin_revision,
                   int64_t *id, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_ADD);

    sqlite3_bind_text(s, 1, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
    bind_id_or_null(s, 3, created_by);
    bind_id_or_null(s, 4, origin);
    bind_id_or_null(s, 5, origin_revision);
    if (store_step_done(st, s, err, "adding a sheet"))
        return err->code;
    *id = sqlite3_last_insert_rowid(st->db);
    return CM_OK;
}

int
store_practice_revision_add(struct store *st, int64_t practice,
                            const char *document, const char *level,
                            const char *code, const char *author,
                            const char *message, const char *state,
                            struct store_practice_revision *rev,
                            char created_at[32], struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_REVISION_ADD);
    int           rc;

    memset(rev, 0, sizeof(*rev));
    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_text(s, 2, document, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, author, -1, SQLITE_STATIC);
    store_bind_opt(s, 4, message);
    if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
        store_fail(st, err, "saving a revision");
        sqlite3_reset(s);
        return err->code;
    }
    rev->id = sqlite3_column_int64(s, 0);
    rev->practice = practice;
    rev->number = sqlite3_column_int64(s, 1);
    col_copy(s, 2, created_at, 32);
    sqlite3_step(s); /* RETURNING: run the statement to its end */
    sqlite3_reset(s);
    s = store_stmt(st, STORE_PRACTICE_SET_CURRENT);
    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_int64(s, 2, rev->id);
    sqlite3_bind_text(s, 3, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, created_at, -1, SQLITE_STATIC);
    store_bind_opt(s, 6, state);
    if (store_step_done(st, s, err, "saving a revision"))
        return err->code;
    return CM_OK;
}

static int
practice_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct store_practice *p = ctx;

    (void) err;
    p->id = sqlite3_column_int64(s, 0);
    col_copy(s, 1, p->state, sizeof(p->state));
    p->current_revision = sqlite3_column_int64(s, 2);
    p->published_revision = sqlite3_column_int64(s, 3);
    col_copy(s, 4, p->territory_level, sizeof(p->territory_level));
    col_copy(s, 5, p->territory_code, sizeof(p->territory_code));
    p->created_by = sqlite3_column_int64(s, 6);
    col_copy(s, 7, p->created_at, sizeof(p->created_at));
    col_copy(s, 8, p->updated_at, sizeof(p->updated_at));
    col_copy(s, 9, p->published_at, sizeof(p->published_at));
    p->origin = sqlite3_column_int64(s, 10);
    p->origin_revision = sqlite3_column_int64(s, 11);
    p->reuses = sqlite3_column_int64(s, 12);
    col_copy(s, 13, p->origin_title, sizeof(p->origin_title));
    return CM_OK;
}

int
store_practice_get(struct store *st, int64_t id, struct store_practice *out,
                   struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_GET);

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int64(s, 1, id);
    if (store_rows(st, s, practice_row, out, "reading a sheet", err) != CM_OK)
        return err->code;
    if (out->id == 0)
        return cm_fail(err, CM_ENOTFOUND, "no sheet %lld", (long long) id);
    return CM_OK;
}

struct rev_ctx {
    store_practice_rev_fn fn;
    void                 *ctx;
    int                   found;
};

static int
rev_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct rev_ctx                *c = ctx;
    struct store_practice_revision r;

    c->found = 1;
    r.id = sqlite3_column_int64(s, 0);
    r.practice = sqlite3_column_int64(s, 1);
    r.number = sqlite3_column_int64(s, 2);
    r.document = col_text(s, 3);
    r.author = col_text(s, 4);
    r.message = col_text(s, 5);
    r.created_at = col_text(s, 6);
    r.published_at = col_text(s, 7);
    return c->fn(c->ctx, &r, err);
}

int
store_practice_revision_get(struct store *st, int64_t id,
                            store_practice_rev_fn fn, void *ctx,
                            struct cm_err *err)
{
    sqlite3_stmt  *s = store_stmt(st, STORE_PRACTICE_REVISION_GET);
    struct rev_ctx c = {fn, ctx, 0};

    sqlite3_bind_int64(s, 1, id);
    if (store_rows(st, s, rev_row, &c, "reading a revision", err) != CM_OK)
        return err->code;
    if (!c.found)
        return cm_fail(err, CM_ENOTFOUND, "no revision %lld", (long long) id);
    return CM_OK;
}

int
store_practice_revisions_each(struct store *st, int64_t practice,
                              int published_only, int limit,
                              store_practice_rev_fn fn, void *ctx,
                              struct cm_err *err)
{
    sqlite3_stmt  *s = store_stmt(st, STORE_PRACTICE_REVISIONS);
    struct rev_ctx c = {fn, ctx, 0};

    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_int(s, 2, published_only);
    sqlite3_bind_int(s, 3, limit);
    return store_rows(st, s, rev_row, &c, "listing revisions", err);
}

int
store_practice_state_set(struct store *st, int64_t id, const char *state,
                         int64_t publish_revision, const char *at,
                         struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_STATE_SET);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    bind_id_or_null(s, 3, publish_revision);
    store_bind_opt(s, 4, at);
    if (store_step_done(st, s, err, "moving a sheet"))
        return err->code;
    if (publish_revision <= 0)
        return CM_OK;
    s = store_stmt(st, STORE_PRACTICE_REVISION_PUBLISHED);
    sqlite3_bind_int64(s, 1, publish_revision);
    sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
    return store_step_done(st, s, err, "publishing a revision");
}

int
store_practice_event_add(struct store *st, int64_t practice,
                         const struct store_practice_event *e,
                         struct cm_err                     *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_EVENT_ADD);

    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_text(s, 2, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, e->action, -1, SQLITE_STATIC);
    store_bind_opt(s, 4, e->from);
    sqlite3_bind_text(s, 5, e->to, -1, SQLITE_STATIC);
    bind_id_or_null(s, 6, e->revision);
    store_bind_opt(s, 7, e->comment);
    sqlite3_bind_text(s, 8, e->at, -1, SQLITE_STATIC);
    return store_step_done(st, s, err, "logging a transition");
}

struct event_ctx {
    store_practice_event_fn fn;
    void                   *ctx;
};

static int
event_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct event_ctx           *c = ctx;
    struct store_practice_event e;

    e.at = col_text(s, 0);
    e.actor = col_text(s, 1);
    e.action = col_text(s, 2);
    e.from = col_text(s, 3);
    e.to = col_text(s, 4);
    e.revision = sqlite3_column_int64(s, 5);
    e.comment = col_text(s, 6);
    return c->fn(c->ctx, &e, err);
}

int
store_practice_events_each(struct store *st, int64_t practice,
                           store_practice_event_fn fn, void *ctx,
                           struct cm_err *err)
{
    sqlite3_stmt    *s = store_stmt(st, STORE_PRACTICE_EVENTS);
    struct event_ctx c = {fn, ctx};

    sqlite3_bind_int64(s, 1, practice);
    return store_rows(st, s, event_row, &c, "reading a sheet's history", err);
}

/* ---- what search reads ------------------------------------------------- */

int
store_practice_view_drop(struct store *st, int64_t practice, int view,
                         struct cm_err *err)
{
    static const enum store_sql_id drops[] = {STORE_PRACTICE_VIEW_DROP_FTS,
                                              STORE_PRACTICE_VIEW_DROP_FACETS,
                                              STORE_PRACTICE_VIEW_DROP};
    sqlite3_stmt                  *s = store_stmt(st, STORE_PRACTICE_VIEW_ID);
    int64_t                        vid = 0;

    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_int(s, 2, view);
    if (store_rows(st, s, id_row, &vid, "finding a search row", err) != CM_OK)
        return err->code;
    for (size_t i = 0; vid && i < sizeof(drops) / sizeof(drops[0]); i++) {
        s = store_stmt(st, drops[i]);
        sqlite3_bind_int64(s, 1, vid);
        if (store_step_done(st, s, err, "dropping a search row"))
            return err->code;
    }
    return CM_OK;
}

int
store_practice_view_put(struct store *st, int64_t practice, int view,
                        int64_t revision, const char *state, const char *at,
                        int64_t created_by, const char *territory_code,
                        const struct practice_index *ix, struct cm_err *err)
{
    sqlite3_stmt *s;
    int64_t       vid;

    if (store_practice_view_drop(st, practice, view, err) != CM_OK)
        return err->code;
    s = store_stmt(st, STORE_PRACTICE_VIEW_ADD);
    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_int(s, 2, view);
    sqlite3_bind_int64(s, 3, revision);
    sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, ix->title_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, territory_code, -1, SQLITE_STATIC);
    bind_id_or_null(s, 8, created_by);
    sqlite3_bind_text(s, 9, ix->hit, -1, SQLITE_STATIC);
    if (store_step_done(st, s, err, "indexing a sheet"))
        return err->code;
    vid = sqlite3_last_insert_rowid(st->db);
    s = store_stmt(st, STORE_PRACTICE_FTS_ADD);
    sqlite3_bind_int64(s, 1, vid);
    sqlite3_bind_text(s, 2, ix->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, ix->summary, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, ix->tags, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, ix->body, -1, SQLITE_STATIC);
    if (store_step_done(st, s, err, "indexing a sheet's text"))
        return err->code;
    for (int i = 0; i < ix->nfacets; i++) {
        s = store_stmt(st, STORE_PRACTICE_FACET_ADD);
        sqlite3_bind_int64(s, 1, vid);
        sqlite3_bind_text(s, 2, ix->facet[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, ix->value[i], -1, SQLITE_STATIC);
        if (store_step_done(st, s, err, "indexing a sheet's facets"))
            return err->code;
    }
    return CM_OK;
}

int
store_practice_view_state(struct store *st, int64_t practice, int view,
                          const char *state, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_VIEW_STATE);

    sqlite3_bind_int64(s, 1, practice);
    sqlite3_bind_int(s, 2, view);
    sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
    return store_step_done(st, s, err, "moving a sheet");
}

int
store_practice_reuses_inc(struct store *st, int64_t id, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_PRACTICE_REUSES_INC);

    sqlite3_bind_int64(s, 1, id);
    return store_step_done(st, s, err, "counting a reuse");
}

const char *const store_practice_facets[SPF_N] = {
    "theme", "territory", "territory_level", "sector", "status", "impact"};

/*
** The matching set as a CTE "m (vid, pid, score)", materialized once per
** statement. Parameters: ?1 the FTS query, ?2 the view, ?3..?8 the facet
** filters (JSON arrays), ?9 the states, ?10 and ?11 an editor's id and
** territories. CROSS JOIN keeps FTS5 the outer loop: SQLite would
** otherwise walk practice_view and run the MATCH again for each row,
** which costs the square of the number of sheets (22 s for one count at
** 10 000 sheets; tests/bench/registry.sh).
*/
static void
search_cte(const struct store_practice_query *q, struct cm_buf *b)
{
    if (q->fts)
        cm_buf_puts(b, "WITH m AS MATERIALIZED (SELECT v.id AS vid, "
                       "v.practice AS pid, bm25(practice_fts, 10.0, 4.0, "
                       "6.0, 1.0) AS score "
                       "FROM practice_fts CROSS JOIN practice_view v "
                       "ON v.id = practice_fts.rowid "
                       "WHERE practice_fts MATCH ?1 AND v.view = ?2");
    else
        cm_buf_puts(b, "WITH m AS MATERIALIZED (SELECT v.id AS vid, "
                       "v.practice AS pid, 0.0 AS score FROM practice_view v "
                       "WHERE v.view = ?2");
    for (int i = 0; i < SPF_N; i++)
        if (q->filter[i])
            cm_buf_printf(b,
                          " AND v.id IN (SELECT view_id FROM practice_facet "
                          "WHERE facet = '%s' AND value IN (SELECT value "
                          "FROM json_each(?%d)))",
                          store_practice_facets[i], 3 + i);
    if (q->states)
        cm_buf_puts(b, " AND v.state IN (SELECT value FROM json_each(?9))");
    if (q->editor)
        cm_buf_puts(b, " AND (v.created_by = ?10 OR v.territory_code IN "
                       "(SELECT value FROM json_each(?11)))");
    cm_buf_puts(b, ") ");
}

static void
search_bind(sqlite3_stmt *s, const struct store_practice_query *q)
{
    if (q->fts)
        sqlite3_bind_text(s, 1, q->fts, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, q->view);
    for (int i = 0; i < SPF_N; i++)
        if (q->filter[i])
            sqlite3_bind_text(s, 3 + i, q->filter[i], -1, SQLITE_STATIC);
    if (q->states)
        sqlite3_bind_text(s, 9, q->states, -1, SQLITE_STATIC);
    if (q->editor) {
        sqlite3_bind_int64(s, 10, q->editor);
        sqlite3_bind_text(s, 11, q->editor_territories, -1, SQLITE_STATIC);
    }
}

struct search_ctx {
    store_practice_hit_fn   hit;
    store_practice_count_fn count;
    void                   *ctx;
    int64_t                *total;
};

/* One row of the search statement: column 0 says which part it is of
** (0 a hit, 1 the total, 2 a facet value's count). */
static int
search_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct search_ctx        *c = ctx;
    struct store_practice_hit h;

    switch (sqlite3_column_int(s, 0)) {
    case 1:
        *c->total = sqlite3_column_int64(s, 11);
        return CM_OK;
    case 2:
        return c->count(c->ctx, col_text(s, 9), col_text(s, 10),
                        sqlite3_column_int64(s, 11), err);
    default:
        break;
    }
    memset(&h, 0, sizeof(h));
    h.id = sqlite3_column_int64(s, 1);
    h.revision = sqlite3_column_int64(s, 2);
    h.state = col_text(s, 3);
    h.at = col_text(s, 4);
    h.hit = col_text(s, 5);
    h.reuses = sqlite3_column_int64(s, 6);
    h.score = sqlite3_column_double(s, 7);
    switch (sqlite3_column_type(s, 8)) {
    case SQLITE_INTEGER:
        h.key.type = STORE_INT;
        h.key.i = sqlite3_column_int64(s, 8);
        break;
    case SQLITE_FLOAT:
        h.key.type = STORE_REAL;
        h.key.d = sqlite3_column_double(s, 8);
        break;
    default:
        h.key.type = STORE_TEXT;
        h.key.s = col_text(s, 8);
        h.key.n = (size_t) sqlite3_column_bytes(s, 8);
        if (h.key.s == NULL)
            h.key.s = "";
    }
    return c->hit(c->ctx, &h, err);
}

/* Bind the keyset position (?13 the key, ?14 the id). */
static void
search_bind_after(sqlite3_stmt *s, const struct store_practice_query *q)
{
    const struct store_val *k = &q->after_key;

    if (!q->has_after)
        return;
    if (k->type == STORE_INT)
        sqlite3_bind_int64(s, 13, k->i);
    else if (k->type == STORE_REAL)
        sqlite3_bind_double(s, 13, k->d);
    else
        sqlite3_bind_text(s, 13, k->s ? k->s : "", (int) k->n, SQLITE_STATIC);
    sqlite3_bind_int64(s, 14, q->after_id);
}

int
store_practice_search(struct store *st, const struct store_practice_query *q,
                      store_practice_hit_fn hit, store_practice_count_fn count,
                      void *ctx, int64_t *total, struct cm_err *err)
{
    /* Sort key column, order, keyset test: by enum store_practice_sort */
    static const char *const sorts[][3] = {
        {"m.score", "m.score, m.pid", "(m.score, m.pid) > (?13, ?14)"},
        {"v.at", "v.at DESC, m.pid",
         "(v.at < ?13 OR (v.at = ?13 AND m.pid > ?14))"},
        {"v.title_key", "v.title_key, m.pid",
         "(v.title_key, m.pid) > (?13, ?14)"},
        {"p.reuses", "p.reuses DESC, m.pid",
         "(p.reuses < ?13 OR (p.reuses = ?13 AND m.pid > ?14))"},
    };
    struct search_ctx        c = {hit, count, ctx, total};
    enum store_practice_sort sort =
        q->sort == SPS_RELEVANCE && q->fts == NULL ? SPS_RECENT : q->sort;
    struct cm_buf b;
    sqlite3_stmt *s;
    const char   *sep = "";
    int           rc;

    if (total)
        *total = 0;
    /* One statement, so the MATCH runs once: the page of hits, the
    ** total and the facet counts, UNION ALL of the materialized set */
    cm_buf_init(&b);
    search_cte(q, &b);
    if (hit) {
        cm_buf_printf(&b,
                      "SELECT 0, * FROM (SELECT m.pid, v.revision, v.state, "
                      "v.at, v.hit, p.reuses, m.score, %s, NULL, NULL, NULL "
                      "FROM m JOIN practice_view v ON v.id = m.vid "
                      "JOIN practice p ON p.id = m.pid%s%s ORDER BY %s "
                      "LIMIT ?12)",
                      sorts[sort][0], q->has_after ? " WHERE " : "",
                      q->has_after ? sorts[sort][2] : "", sorts[sort][1]);
        sep = " UNION ALL ";
    }
    if (total) {
        cm_buf_printf(&b,
                      "%sSELECT 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                      "NULL, NULL, NULL, count(*) FROM m",
                      sep);
        sep = " UNION ALL ";
    }
    if (count)
        cm_buf_printf(&b,
                      "%sSELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                      "NULL, * FROM (SELECT f.facet, f.value, count(*) AS n "
                      "FROM m JOIN practice_facet f ON f.view_id = m.vid "
                      "GROUP BY f.facet, f.value ORDER BY f.facet, n DESC, "
                      "f.value)",
                      sep);
    if (!hit && !total && !count) {
        cm_buf_clear(&b);
        return CM_OK;
    }
    if ((s = store_read_stmt(st, b.data, b.len, err)) == NULL) {
        cm_buf_clear(&b);
        return err->code;
    }
    search_bind(s, q);
    sqlite3_bind_int(s, 12, q->limit);
    search_bind_after(s, q);
    rc = store_rows(st, s, search_row, &c, "searching sheets", err);
    cm_buf_clear(&b);
    return rc;
}

/* ---- live indicators, exports ----------------------------------------- */

struct live_ctx {
    store_practice_live_fn     fn;
    void                      *ctx;
    struct store_practice_live l; /* The version's fields, then each row's */
    int64_t                    version_id;
    char                       published_at[32];
    char                      *title;
};

static int
live_version_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct live_ctx *c = ctx;
    const char      *t = col_text(s, 3);

    (void) err;
    c->version_id = sqlite3_column_int64(s, 0);
    c->l.version = sqlite3_column_int64(s, 1);
    col_copy(s, 2, c->published_at, sizeof(c->published_at));
    c->title = cm_strdup(t);
    return CM_OK;
}

static int
live_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct live_ctx *c = ctx;

    c->l.period = col_text(s, 0);
    c->l.territory = col_text(s, 1);
    c->l.sector = col_text(s, 2);
    c->l.kind = col_text(s, 3);
    if (sqlite3_column_type(s, 4) == SQLITE_NULL)
        c->l.value.type = STORE_NULL;
    else {
        c->l.value.type = STORE_REAL;
        c->l.value.d = sqlite3_column_double(s, 4);
    }
    c->l.unit = col_text(s, 5);
    c->l.status = col_text(s, 6);
    c->l.n++;
    return c->fn(c->ctx, &c->l, err);
}

int
store_practice_live(struct store *st, const char *slug, const char *level,
                    const char *territories, int limit,
                    store_practice_live_fn fn, void *ctx, int *found,
                    struct cm_err *err)
{
    sqlite3_stmt   *s = store_stmt(st, STORE_PRACTICE_LIVE_VERSION);
    struct live_ctx c;
    int             rc;

    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ctx = ctx;
    *found = 0;
    sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
    if (store_rows(st, s, live_version_row, &c, "reading an indicator", err) !=
        CM_OK)
        return err->code;
    if (c.version_id == 0)
        return CM_OK;
    *found = 1;
    c.l.published_at = c.published_at;
    c.l.title = c.title;
    s = store_stmt(st, STORE_PRACTICE_LIVE);
    sqlite3_bind_int64(s, 1, c.version_id);
    sqlite3_bind_text(s, 2, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, territories, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, limit);
    rc = store_rows(st, s, live_row, &c, "reading an indicator", err);
    /* The version alone, when it has no value for these territories */
    if (rc == CM_OK && c.l.n == 0) {
        memset(&c.l.value, 0, sizeof(c.l.value));
        rc = fn(ctx, &c.l, err);
    }
    free(c.title);
    return rc;
}

struct pub_ctx {
    store_practice_pub_fn fn;
    void                 *ctx;
};

static int
pub_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct pub_ctx           *c = ctx;
    struct store_practice_pub p;

    p.id = sqlite3_column_int64(s, 0);
    p.revision = sqlite3_column_int64(s, 1);
    p.number = sqlite3_column_int64(s, 2);
    p.document = col_text(s, 3);
    p.published_at = col_text(s, 4);
    p.reuses = sqlite3_column_int64(s, 5);
    p.origin = sqlite3_column_int64(s, 6);
    return c->fn(c->ctx, &p, err);
}

int
store_practice_published_each(struct store *st, store_practice_pub_fn fn,
                              void *ctx, struct cm_err *err)
{
    struct pub_ctx c = {fn, ctx};

    return store_rows(st, store_stmt(st, STORE_PRACTICE_PUBLISHED), pub_row, &c,
                      "reading the registry", err);
}

struct feed_ctx {
    store_practice_feed_fn fn;
    void                  *ctx;
};

static int
feed_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct feed_ctx           *c = ctx;
    struct store_practice_feed f;

    f.practice = sqlite3_column_int64(s, 0);
    f.revision = sqlite3_column_int64(s, 1);
    f.at = col_text(s, 2);
    f.actor = col_text(s, 3);
    f.number = sqlite3_column_int64(s, 4);
    f.document = col_text(s, 5);
    f.message = col_text(s, 6);
    return c->fn(c->ctx, &f, err);
}

int
store_practice_feed_each(struct store *st, int limit, store_practice_feed_fn fn,
                         void *ctx, struct cm_err *err)
{
    sqlite3_stmt   *s = store_stmt(st, STORE_PRACTICE_FEED);
    struct feed_ctx c = {fn, ctx};

    sqlite3_bind_int(s, 1, limit);
    return store_rows(st, s, feed_row, &c, "reading the feed", err);
}

static int
text_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct cm_buf *b = ctx;

    (void) err;
    cm_buf_puts(b, col_text(s, 0) ? col_text(s, 0) : "[]");
    return CM_OK;
}

int
store_account_territories(struct store *st, int64_t account, char *out,
                          size_t size, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_ACCOUNT_TERRITORIES);
    struct cm_buf b;
    int           rc;

    cm_buf_init(&b);
    sqlite3_bind_int64(s, 1, account);
    rc = store_rows(st, s, text_row, &b, "reading an account", err);
    snprintf(out, size, "%s", rc == CM_OK && b.data ? b.data : "[]");
    cm_buf_clear(&b);
    return rc;
}

int
store_account_territories_set(struct store *st, int64_t account,
                              const char *json, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_ACCOUNT_TERRITORIES_SET);

    sqlite3_bind_int64(s, 1, account);
    store_bind_opt(s, 2, json);
    return store_step_done(st, s, err, "setting an account's territories");
}
