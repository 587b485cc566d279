/*
** store_scripts.c -- SQL of the datathon (store_scripts.h): scripts, the
** run queue and the published indicators.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "store_int.h"
#include "store_scripts.h"

static const char *
col_text(sqlite3_stmt *s, int i)
{
    return (const char *) sqlite3_column_text(s, i);
}

static int64_t
col_int_or(sqlite3_stmt *s, int i, int64_t dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL
               ? dflt
               : sqlite3_column_int64(s, i);
}

int
store_script_add(struct store *st, int64_t account, const char *name,
                 const char *source, const char *sha256, int64_t *id,
                 struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SCRIPT_ADD);

    sqlite3_bind_int64(s, 1, account);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, sha256, -1, SQLITE_STATIC);
    if (store_step_done(st, s, err, "saving a script"))
        return err->code;
    *id = sqlite3_last_insert_rowid(st->db);
    return CM_OK;
}

struct script_ctx {
    store_script_fn fn;
    void           *ctx;
    int             found;
};

static int
script_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct script_ctx  *c = ctx;
    struct store_script sc = {0};

    c->found = 1;
    sc.id = sqlite3_column_int64(s, 0);
    sc.account = sqlite3_column_int64(s, 1);
    sc.name = col_text(s, 2);
    sc.source = col_text(s, 3);
    sc.sha256 = col_text(s, 4);
    sc.created_at = col_text(s, 5);
    if (sqlite3_column_count(s) > 6) {
        sc.bytes = sqlite3_column_int64(s, 6);
        sc.last_run = col_int_or(s, 7, 0);
        sc.last_status = col_text(s, 8);
        sc.last_code = col_text(s, 9);
    } else
        sc.bytes = sqlite3_column_bytes(s, 3);
    return c->fn(c->ctx, &sc, err);
}

int
store_script_get(struct store *st, int64_t id, store_script_fn fn, void *ctx,
                 struct cm_err *err)
{
    sqlite3_stmt     *s = store_stmt(st, STORE_SCRIPT_GET);
    struct script_ctx c = {fn, ctx, 0};
    int               rc;

    sqlite3_bind_int64(s, 1, id);
    rc = store_rows(st, s, script_row, &c, "reading a script", err);
    if (rc == CM_OK && !c.found)
        return cm_fail(err, CM_ENOTFOUND, "no script %lld", (long long) id);
    return rc;
}

int
store_scripts_each(struct store *st, int64_t account, int64_t before, int limit,
                   store_script_fn fn, void *ctx, struct cm_err *err)
{
    sqlite3_stmt     *s = store_stmt(st, STORE_SCRIPT_LIST);
    struct script_ctx c = {fn, ctx, 0};

    sqlite3_bind_int64(s, 1, account);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int(s, 3, limit);
    return store_rows(st, s, script_row, &c, "listing scripts", err);
}

int
store_runs_count(struct store *st, int64_t *queued, int64_t *running,
                 struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_RUNS_COUNT);
    int           rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        *queued = sqlite3_column_int64(s, 0);
        *running = sqlite3_column_int64(s, 1);
        rc = CM_OK;
    } else
        rc = store_fail(st, err, "counting runs");
    sqlite3_reset(s);
    return rc;
}

int
store_run_enqueue(struct store *st, int64_t script, int64_t account,
                  const struct store_run_limits *lim,
                  const struct store_audit *a, int64_t *id, struct cm_err *err)
{
    sqlite3_stmt *s;
    int64_t       queued, team_queued, used_ms;

    if (store_begin(st, err))
        return err->code;
    s = store_stmt(st, STORE_RUN_LOAD);
    sqlite3_bind_int64(s, 1, account);
    sqlite3_bind_text(s, 2, lim->day, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        store_fail(st, err, "counting the queue");
        sqlite3_reset(s);
        store_rollback(st);
        return err->code;
    }
    queued = sqlite3_column_int64(s, 0);
    team_queued = sqlite3_column_int64(s, 1);
    /* Runs count once ended: a team may pass its quota by the runs it
    ** queued before reaching it, at most lua.team_queue_max deadlines. */
    used_ms = sqlite3_column_int64(s, 2);
    sqlite3_reset(s);
    if (queued >= lim->queue_max) {
        cm_fail(err, CM_ETOOMANY,
                "the run queue is full (%lld runs waiting): retry later",
                (long long) queued);
        cm_err_limit(err, "lua.queue_max", lim->queue_max);
    } else if (team_queued >= lim->team_queue_max) {
        cm_fail(err, CM_ETOOMANY,
                "your team already has %lld runs waiting: retry when one "
                "has run",
                (long long) team_queued);
        cm_err_limit(err, "lua.team_queue_max", lim->team_queue_max);
    } else if (used_ms >= lim->team_daily_ms) {
        cm_fail(err, CM_ETOOMANY,
                "your team has used its run time for today (%lld s): it "
                "restarts at midnight UTC",
                (long long) (used_ms / 1000));
        cm_err_limit(err, "lua.team_daily_seconds", lim->team_daily_ms / 1000);
    } else {
        s = store_stmt(st, STORE_RUN_ADD);
        sqlite3_bind_int64(s, 1, script);
        sqlite3_bind_int64(s, 2, account);
        if (store_step_done(st, s, err, "queueing a run") == CM_OK) {
            struct store_audit line = *a;
            char               target[32];

            *id = sqlite3_last_insert_rowid(st->db);
            snprintf(target, sizeof(target), "run/%lld", (long long) *id);
            line.target = target;
            if (store_audit_add(st, &line, err) == CM_OK)
                return store_commit(st, err);
        }
    }
    store_rollback(st);
    return err->code;
}

struct run_ctx {
    store_run_fn fn;
    void        *ctx;
    int          found;
};

static int
run_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct run_ctx  *c = ctx;
    struct store_run r = {0};

    c->found = 1;
    r.id = sqlite3_column_int64(s, 0);
    r.script = sqlite3_column_int64(s, 1);
    r.account = sqlite3_column_int64(s, 2);
    r.status = col_text(s, 3);
    r.code = col_text(s, 4);
    r.message = col_text(s, 5);
    r.line = (int) col_int_or(s, 6, 0);
    r.preview = col_text(s, 7);
    r.instructions = col_int_or(s, 8, -1);
    r.memory_peak = col_int_or(s, 9, -1);
    r.wall_ms = col_int_or(s, 10, -1);
    r.queued_at = col_text(s, 11);
    r.started_at = col_text(s, 12);
    r.finished_at = col_text(s, 13);
    r.published_slug = col_text(s, 14);
    r.published_version = col_int_or(s, 15, 0);
    r.result_bytes = col_int_or(s, 16, 0);
    return c->fn(c->ctx, &r, err);
}

int
store_run_get(struct store *st, int64_t id, store_run_fn fn, void *ctx,
              struct cm_err *err)
{
    sqlite3_stmt  *s = store_stmt(st, STORE_RUN_GET);
    struct run_ctx c = {fn, ctx, 0};
    int            rc;

    sqlite3_bind_int64(s, 1, id);
    rc = store_rows(st, s, run_row, &c, "reading a run", err);
    if (rc == CM_OK && !c.found)
        return cm_fail(err, CM_ENOTFOUND, "no run %lld", (long long) id);
    return rc;
}

struct queued_ctx {
    store_queued_fn fn;
    void           *ctx;
};

static int
queued_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct queued_ctx *c = ctx;

    return c->fn(c->ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                 sqlite3_column_int64(s, 2), err);
}

int
store_runs_queued(struct store *st, int limit, store_queued_fn fn, void *ctx,
                  struct cm_err *err)
{
    sqlite3_stmt     *s = store_stmt(st, STORE_RUN_QUEUED);
    struct queued_ctx c = {fn, ctx};

    sqlite3_bind_int(s, 1, limit);
    return store_rows(st, s, queued_row, &c, "reading the run queue", err);
}

int
store_run_claim(struct store *st, int64_t run, int *claimed, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_RUN_CLAIM);

    sqlite3_bind_int64(s, 1, run);
    if (store_step_done(st, s, err, "starting a run"))
        return err->code;
    *claimed = sqlite3_changes(st->db) == 1;
    return CM_OK;
}

int
store_run_finish(struct store *st, int64_t run, const struct store_run_end *e,
                 struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_RUN_FINISH);

    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_text(s, 2, e->status, -1, SQLITE_STATIC);
    store_bind_opt(s, 3, e->code);
    store_bind_opt(s, 4, e->message);
    if (e->line > 0)
        sqlite3_bind_int(s, 5, e->line);
    store_bind_opt(s, 6, e->result);
    store_bind_opt(s, 7, e->preview);
    sqlite3_bind_int64(s, 8, e->instructions);
    sqlite3_bind_int64(s, 9, e->memory_peak);
    sqlite3_bind_int64(s, 10, e->wall_ms);
    return store_step_done(st, s, err, "recording a run's end");
}

int
store_runs_requeue(struct store *st, int64_t *n, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_RUN_REQUEUE);

    if (store_step_done(st, s, err, "requeueing interrupted runs"))
        return err->code;
    *n = sqlite3_changes(st->db);
    return CM_OK;
}

static int
last_ok_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    void   **out = ctx;
    int64_t *run = out[0];
    char   **result = out[1];

    (void) err;
    *run = sqlite3_column_int64(s, 0);
    *result =
        cm_strndup(col_text(s, 1) ? col_text(s, 1) : "null",
                   col_text(s, 1) ? (size_t) sqlite3_column_bytes(s, 1) : 4);
    return CM_OK;
}

int
store_run_last_ok(struct store *st, int64_t script, int64_t *run, char **result,
                  struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_RUN_LAST_OK);
    void         *out[2] = {run, result};

    *run = 0;
    *result = NULL;
    sqlite3_bind_int64(s, 1, script);
    return store_rows(st, s, last_ok_row, out, "reading a run's result", err);
}

int
store_run_set_published(struct store *st, int64_t run, int64_t version_id,
                        struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_RUN_SET_PUBLISHED);

    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_int64(s, 2, version_id);
    return store_step_done(st, s, err, "recording a publication");
}

int
store_dataset_owner(struct store *st, const char *slug, int *exists,
                    char origin[16], int64_t *team, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_DATASET_OWNER);
    int           rc;

    *exists = 0;
    *team = 0;
    origin[0] = '\0';
    sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *exists = 1;
        snprintf(origin, 16, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        *team = col_int_or(s, 1, 0);
        rc = SQLITE_DONE;
    }
    rc = rc == SQLITE_DONE ? CM_OK : store_fail(st, err, "reading a dataset");
    sqlite3_reset(s);
    return rc;
}

int
store_dataset_set_team(struct store *st, const char *slug, int64_t team,
                       struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_DATASET_SET_TEAM);

    sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
    if (team > 0)
        sqlite3_bind_int64(s, 2, team);
    return store_step_done(st, s, err, "recording a dataset's team");
}

int
store_script_source_add(struct store *st, const char *sha256,
                        const char *source, size_t len, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SCRIPT_SOURCE_ADD);

    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source, (int) len, SQLITE_STATIC);
    return store_step_done(st, s, err, "keeping a script's source");
}

static int
source_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    char **out = ctx;

    (void) err;
    *out = cm_strndup(col_text(s, 0) ? col_text(s, 0) : "",
                      (size_t) sqlite3_column_bytes(s, 0));
    return CM_OK;
}

int
store_script_source_get(struct store *st, const char *sha256, char **source,
                        struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SCRIPT_SOURCE_GET);

    *source = NULL;
    sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
    return store_rows(st, s, source_row, source, "reading a script's source",
                      err);
}

struct ind_ctx {
    store_indicator_fn fn;
    void              *ctx;
};

static int
indicator_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct ind_ctx        *c = ctx;
    struct store_indicator i = {0};

    i.slug = col_text(s, 0);
    i.version_id = sqlite3_column_int64(s, 1);
    i.version = sqlite3_column_int64(s, 2);
    i.published_at = col_text(s, 3);
    i.manifest = col_text(s, 4);
    i.provenance = col_text(s, 5);
    i.n_observations = sqlite3_column_int64(s, 6);
    i.team = col_text(s, 7);
    return c->fn(c->ctx, &i, err);
}

int
store_indicators_each(struct store *st, const char *slug, const char *sort,
                      store_indicator_fn fn, void *ctx, struct cm_err *err)
{
    sqlite3_stmt  *s = store_stmt(st, STORE_INDICATORS_LIST);
    struct ind_ctx c = {fn, ctx};

    store_bind_opt(s, 1, slug);
    store_bind_opt(s, 2, sort);
    return store_rows(st, s, indicator_row, &c, "listing indicators", err);
}

struct value_ctx {
    store_value_fn fn;
    void          *ctx;
};

static int
value_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct value_ctx  *c = ctx;
    struct store_value v = {0};

    v.period = col_text(s, 0);
    v.territory_level = col_text(s, 1);
    v.territory = col_text(s, 2);
    v.sector = col_text(s, 3);
    v.value_null = sqlite3_column_type(s, 4) == SQLITE_NULL;
    v.value = sqlite3_column_double(s, 4);
    v.unit = col_text(s, 5);
    return c->fn(c->ctx, &v, err);
}

int
store_indicator_latest(struct store *st, int64_t version_id, int limit,
                       store_value_fn fn, void *ctx, struct cm_err *err)
{
    sqlite3_stmt    *s = store_stmt(st, STORE_INDICATOR_LATEST);
    struct value_ctx c = {fn, ctx};

    sqlite3_bind_int64(s, 1, version_id);
    sqlite3_bind_int(s, 2, limit);
    return store_rows(st, s, value_row, &c, "reading an indicator's values",
                      err);
}
