/*
** api_scripts.c -- the datathon over HTTP. With a team token: save a
** script (compiled at once, in a worker, so a syntax error comes back
** with its line), list and read the team's own scripts, queue a run
** (runq.h; 202, or 429 past the queue's bounds), read a run, publish the
** last successful run as an indicator (ind.h). Public: the published
** indicators, the gallery, and the source of each. A team never sees
** another team's scripts or runs: they answer 404, as if they did not
** exist.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <yajl/yajl_tree.h>

#include "api.h"
#include "exp.h"
#include "http.h"
#include "ind.h"
#include "jw.h"
#include "mem.h"
#include "runq.h"
#include "sbx.h"
#include "store_scripts.h"
#include "text.h"

/* Scripts listed by GET /api/v1/scripts: the newest. */
#define API_SCRIPTS_LIST_MAX 1000
/* Values of the latest period shown per indicator. */
#define API_INDICATOR_VALUES 50
#define API_SCRIPT_NAME_MAX 128

static int
api_not_found(struct req *rq, const char *what, int64_t id)
{
    struct cm_err err;

    cm_fail(&err, CM_ENOTFOUND, "no %s %lld among your team's", what,
            (long long) id);
    cm_err_what(&err, "path", what);
    return http_reply_error(rq, &err);
}

/* ---- one script -------------------------------------------------------- */

struct api_script {
    int64_t id, account, bytes;
    char   *name, *source, *sha256, *created_at;
};

static void
api_script_clear(struct api_script *s)
{
    free(s->name);
    free(s->source);
    free(s->sha256);
    free(s->created_at);
    memset(s, 0, sizeof(*s));
}

static int
api_script_row(void *ctx, const struct store_script *s, struct cm_err *err)
{
    struct api_script *o = ctx;

    (void) err;
    o->id = s->id;
    o->account = s->account;
    o->bytes = s->bytes;
    o->name = cm_strndup(s->name, strlen(s->name));
    o->source = cm_strndup(s->source ? s->source : "", (size_t) s->bytes);
    o->sha256 = cm_strndup(s->sha256, strlen(s->sha256));
    o->created_at = cm_strndup(s->created_at, strlen(s->created_at));
    return CM_OK;
}

/* The caller's script {id} into *s: 0, or the HTTP status of the reply
** already sent (404 for a script of another team too). */
static int
api_own_script(struct req *rq, int64_t id, struct api_script *s)
{
    struct cm_err err;
    int           rc;

    memset(s, 0, sizeof(*s));
    if (id <= 0)
        return api_not_found(rq, "script", id);
    rc = store_script_get(rq->st, id, api_script_row, s, &err);
    if (rc == CM_OK && s->account != rq->account.id)
        rc = CM_ENOTFOUND;
    if (rc == CM_OK)
        return 0;
    api_script_clear(s);
    if (rc == CM_ENOTFOUND)
        return api_not_found(rq, "script", id);
    return http_reply_error(rq, &err);
}

static void
api_script_json(struct jw *w, const struct store_script *s, int with_source)
{
    char url[64];

    snprintf(url, sizeof(url), "/api/v1/scripts/%lld", (long long) s->id);
    jw_obj_open(w);
    jw_kv_int(w, "id", s->id);
    jw_kv_str(w, "name", s->name);
    jw_kv_str(w, "sha256", s->sha256);
    jw_kv_int(w, "bytes", s->bytes);
    jw_kv_str(w, "created_at", s->created_at);
    jw_kv_str(w, "url", url);
    if (with_source)
        jw_kv_str(w, "source", s->source);
    else {
        jw_key(w, "last_run");
        if (s->last_run > 0) {
            jw_obj_open(w);
            jw_kv_int(w, "id", s->last_run);
            jw_kv_str(w, "status", s->last_status);
            jw_kv_str(w, "code", s->last_code);
            jw_obj_close(w);
        } else
            jw_null(w);
    }
    jw_obj_close(w);
}

/* ---- POST /api/v1/scripts --------------------------------------------- */

struct api_syntax {
    const char *code; /* The sandbox's: syntax_error, forbidden... */
    int         line;
};

/* {"field": "source", "code": C, "line": N}: the sandbox's own code, so
** the portal shows a syntax error like a failed run's. */
static void
api_syntax_details(struct jw *w, const void *arg)
{
    const struct api_syntax *s = arg;

    jw_obj_open(w);
    jw_kv_str(w, "field", "source");
    jw_kv_str(w, "code", s->code);
    jw_kv_pos(w, "line", s->line);
    jw_obj_close(w);
}

/*
** The body is the script: either Lua text (any text/ type; the name in
** ?name=) or a JSON object {"name", "source"}. Only text is accepted
** (binary chunks are refused by the compiler).
*/
static int
api_script_body(struct req *rq, const struct cm_buf *body, char **name,
                char **source, size_t *len, struct cm_err *err)
{
    const char *ctype = mg_get_header(rq->conn, "Content-Type");
    const char *qname = query_get(&rq->q, "name");

    *name = *source = NULL;
    *len = 0;
    if (ctype != NULL && strncmp(ctype, "application/json", 16) == 0) {
        char        ebuf[128];
        int         guard = cm_json_guard(body->data, body->len, 8);
        yajl_val    doc = guard ? NULL
                                : yajl_tree_parse(body->data ? body->data : "",
                                               ebuf, sizeof(ebuf));
        const char *kname[] = {"name", NULL}, *ksrc[] = {"source", NULL};
        yajl_val    vn, vs;

        if (guard == 1) {
            cm_fail(err, CM_EUNPROCESSABLE,
                    "source: a script is UTF-8 Lua text (no NUL byte, no "
                    "binary chunk)");
            cm_err_what(err, "field", "source");
            return err->code;
        }
        if (doc == NULL || !YAJL_IS_OBJECT(doc)) {
            yajl_tree_free(doc);
            return cm_fail(err, CM_EMALFORMED,
                           "the body must be a JSON object {\"name\", "
                           "\"source\"}");
        }
        for (size_t i = 0; i < doc->u.object.len; i++)
            if (strcmp(doc->u.object.keys[i], "name") != 0 &&
                strcmp(doc->u.object.keys[i], "source") != 0) {
                cm_fail(err, CM_EUNPROCESSABLE, "unknown field '%s'",
                        doc->u.object.keys[i]);
                cm_err_what(err, "field", doc->u.object.keys[i]);
                yajl_tree_free(doc);
                return err->code;
            }
        vn = yajl_tree_get(doc, kname, yajl_t_any);
        vs = yajl_tree_get(doc, ksrc, yajl_t_any);
        if (vs == NULL || !YAJL_IS_STRING(vs)) {
            yajl_tree_free(doc);
            cm_fail(err, CM_EUNPROCESSABLE,
                    "source: the script's Lua text is required");
            cm_err_what(err, "field", "source");
            return err->code;
        }
        if (vn != NULL && !YAJL_IS_STRING(vn)) {
            yajl_tree_free(doc);
            cm_fail(err, CM_EUNPROCESSABLE, "name: must be a string");
            cm_err_what(err, "field", "name");
            return err->code;
        }
        *len = strlen(vs->u.string);
        *source = cm_strndup(vs->u.string, *len);
        if (vn != NULL)
            *name = cm_strndup(vn->u.string, strlen(vn->u.string));
        yajl_tree_free(doc);
    } else if (ctype == NULL || strncmp(ctype, "text/", 5) == 0) {
        *len = body->len;
        *source = cm_strndup(body->data ? body->data : "", body->len);
        if (qname != NULL)
            *name = cm_strndup(qname, strlen(qname));
    } else
        return cm_fail(err, CM_EMEDIA,
                       "send the script as text/x-lua (or any text/ type) "
                       "or as application/json {\"name\", \"source\"}");
    if (*name == NULL)
        *name = cm_strndup("script.lua", 10);
    if (**name == '\0' || strlen(*name) > API_SCRIPT_NAME_MAX ||
        !cm_utf8_valid(*name, strlen(*name))) {
        cm_fail(err, CM_EUNPROCESSABLE,
                "name: 1 to %d bytes of UTF-8 text are required",
                API_SCRIPT_NAME_MAX);
        cm_err_what(err, "field", "name");
        return err->code;
    }
    if (memchr(*source, '\0', *len) != NULL || !cm_utf8_valid(*source, *len)) {
        cm_fail(err, CM_EUNPROCESSABLE,
                "source: a script is UTF-8 Lua text (no NUL byte, no binary "
                "chunk)");
        cm_err_what(err, "field", "source");
        return err->code;
    }
    return CM_OK;
}

int
api_scripts_add(struct req *rq)
{
    struct cm_err       err;
    struct cm_buf       body;
    struct sbx_limits   lim;
    struct sbx_result   res;
    struct store_script s = {0};
    struct store_audit  a = {0};
    char               *name = NULL, *source = NULL, hex[EXP_SHA256_HEX + 1];
    char                details[96];
    size_t              len = 0;
    int64_t             id = 0;
    int                 status, rc;

    cm_buf_init(&body);
    if (http_read_body(rq, rq->cfg->lua_script_bytes, "lua.script_bytes", &body,
                       &err) != CM_OK ||
        api_script_body(rq, &body, &name, &source, &len, &err) != CM_OK) {
        cm_buf_clear(&body);
        free(name);
        free(source);
        return http_reply_error(rq, &err);
    }
    cm_buf_clear(&body);

    /* Compiled in a worker like any run: the parser is the script's
    ** first contact with the server, and it stays out of its process. */
    sbx_limits_from_cfg(rq->cfg, &lim);
    lim.compile_only = 1;
    sbx_run(source, len, &lim, &res);
    if (res.code != SBX_OK) {
        struct api_syntax      syn = {sbx_code_name(res.code), res.line};
        struct http_error_opts o = {NULL, api_syntax_details, NULL, &syn};

        cm_fail(&err,
                res.code == SBX_SYNTAX_ERROR || res.code == SBX_FORBIDDEN
                    ? CM_EUNPROCESSABLE
                    : CM_EINTERNAL,
                "%s: %s", sbx_code_name(res.code), res.message);
        cm_err_what(&err, "field", "source");
        sbx_result_clear(&res);
        free(name);
        free(source);
        return http_reply_error_opts(rq, &err, &o);
    }
    sbx_result_clear(&res);

    exp_sha256_hex(source, len, hex);
    snprintf(details, sizeof(details), "{\"bytes\":%zu,\"sha256\":\"%s\"}", len,
             hex);
    a.actor = rq->account.name;
    a.action = "script.add";
    a.address = rq->ri->remote_addr;
    a.details = details;
    rc = store_begin(rq->st, &err);
    if (rc == CM_OK)
        rc = store_script_add(rq->st, rq->account.id, name, source, hex, &id,
                              &err);
    if (rc == CM_OK) {
        char target[32];

        snprintf(target, sizeof(target), "script/%lld", (long long) id);
        a.target = target;
        rc = store_audit_add(rq->st, &a, &err);
        if (rc == CM_OK)
            rc = store_commit(rq->st, &err);
    }
    if (rc != CM_OK) {
        store_rollback(rq->st);
        free(name);
        free(source);
        return http_reply_error(rq, &err);
    }
    s.id = id;
    s.name = name;
    s.sha256 = hex;
    s.bytes = (int64_t) len;
    s.created_at = "";
    {
        struct api_script got;
        struct jw        *w = jw_new();

        memset(&got, 0, sizeof(got));
        if (store_script_get(rq->st, id, api_script_row, &got, &err) == CM_OK)
            s.created_at = got.created_at;
        api_script_json(w, &s, 0);
        status = http_reply_json(rq, 201, w);
        jw_free(w);
        api_script_clear(&got);
    }
    free(name);
    free(source);
    return status;
}

/* ---- GET /api/v1/scripts, /api/v1/scripts/{id} ------------------------ */

static int
api_scripts_row(void *ctx, const struct store_script *s, struct cm_err *err)
{
    (void) err;
    api_script_json(ctx, s, 0);
    return CM_OK;
}

int
api_scripts_list(struct req *rq)
{
    struct cm_err err;
    struct jw    *w = jw_new();
    int           status;

    jw_obj_open(w);
    jw_key(w, "scripts");
    jw_arr_open(w);
    if (store_scripts_each(rq->st, rq->account.id, 0, API_SCRIPTS_LIST_MAX,
                           api_scripts_row, w, &err) != CM_OK) {
        jw_free(w);
        return http_reply_error(rq, &err);
    }
    jw_arr_close(w);
    jw_obj_close(w);
    status = http_reply_json(rq, 200, w);
    jw_free(w);
    return status;
}

int
api_script_show(struct req *rq)
{
    struct api_script   s;
    struct store_script v = {0};
    struct jw          *w;
    int                 status;

    if ((status = api_own_script(rq, http_id_arg(rq, 0), &s)) != 0)
        return status;
    v.id = s.id;
    v.name = s.name;
    v.sha256 = s.sha256;
    v.bytes = s.bytes;
    v.created_at = s.created_at;
    v.source = s.source;
    w = jw_new();
    api_script_json(w, &v, 1);
    status = http_reply_json(rq, 200, w);
    jw_free(w);
    api_script_clear(&s);
    return status;
}

/* ---- POST /api/v1/scripts/{id}/runs ----------------------------------- */

static void
api_run_json(struct jw *w, const struct store_run *r)
{
    char url[64];

    snprintf(url, sizeof(url), "/api/v1/runs/%lld", (long long) r->id);
    jw_obj_open(w);
    jw_kv_int(w, "id", r->id);
    jw_kv_int(w, "script", r->script);
    jw_kv_str(w, "status", r->status);
    jw_kv_str(w, "url", url);
    jw_kv_str(w, "queued_at", r->queued_at);
    jw_kv_str(w, "started_at", r->started_at);
    jw_kv_str(w, "finished_at", r->finished_at);
    jw_key(w, "error");
    if (r->code != NULL) {
        jw_obj_open(w);
        jw_kv_str(w, "code", r->code);
        jw_kv_str(w, "message", r->message);
        jw_kv_pos(w, "line", r->line);
        jw_obj_close(w);
    } else
        jw_null(w);
    jw_key(w, "stats");
    if (r->wall_ms >= 0) {
        jw_obj_open(w);
        jw_kv_int(w, "instructions", r->instructions);
        jw_kv_int(w, "memory_peak_bytes", r->memory_peak);
        jw_kv_int(w, "wall_ms", r->wall_ms);
        jw_obj_close(w);
    } else
        jw_null(w);
    jw_key(w, "result_preview");
    jw_json_text(w, r->preview);
    jw_kv_int(w, "result_bytes", r->result_bytes);
    jw_key(w, "published");
    if (r->published_slug != NULL) {
        jw_obj_open(w);
        jw_kv_str(w, "slug", r->published_slug);
        jw_kv_int(w, "version", r->published_version);
        jw_obj_close(w);
    } else
        jw_null(w);
    jw_obj_close(w);
}

struct api_run_reply {
    struct req *rq;
    int         status; /* 0: not the caller's */
    int         code;   /* HTTP status to answer with */
};

static int
api_run_row(void *ctx, const struct store_run *r, struct cm_err *err)
{
    struct api_run_reply *o = ctx;
    struct jw            *w;

    (void) err;
    if (r->account != o->rq->account.id)
        return CM_OK;
    w = jw_new();
    api_run_json(w, r);
    if (o->code == 202) {
        char        loc[64];
        const char *hdr[] = {"Location", loc, NULL};

        snprintf(loc, sizeof(loc), "/api/v1/runs/%lld", (long long) r->id);
        o->status = http_reply_json_with(o->rq, 202, w, hdr);
    } else
        o->status = http_reply_json(o->rq, o->code, w);
    jw_free(w);
    return CM_OK;
}

/* Seconds to the next UTC midnight, when the daily quota restarts. */
static long
api_to_midnight(time_t now)
{
    return 86400 - (long) (now % 86400);
}

int
api_script_run(struct req *rq)
{
    struct api_script       s;
    struct store_run_limits lim;
    struct api_run_reply    o = {rq, 0, 202};
    struct cm_err           err;
    struct tm               tm;
    time_t                  now = time(NULL);
    int64_t                 run = 0;
    struct store_audit      audit = {0};
    char                    details[48];
    int                     status;

    if ((status = api_own_script(rq, http_id_arg(rq, 0), &s)) != 0)
        return status;
    if (!runq_alive()) {
        api_script_clear(&s);
        cm_fail(&err, CM_EUNAVAIL,
                "runs are not being executed (the run daemon stopped): "
                "retry after the server restarts");
        return http_reply_error(rq, &err);
    }
    lim.queue_max = rq->cfg->lua_queue_max;
    lim.team_queue_max = rq->cfg->lua_team_queue_max;
    lim.team_daily_ms = (int64_t) rq->cfg->lua_team_daily_seconds * 1000;
    gmtime_r(&now, &tm);
    strftime(lim.day, sizeof(lim.day), "%Y-%m-%d", &tm);
    snprintf(details, sizeof(details), "{\"script\":%lld}", (long long) s.id);
    audit.actor = rq->account.name;
    audit.action = "script.run";
    audit.address = rq->ri->remote_addr;
    audit.details = details;
    if (store_run_enqueue(rq->st, s.id, rq->account.id, &lim, &audit, &run,
                          &err) != CM_OK) {
        api_script_clear(&s);
        if (err.code == CM_ETOOMANY) {
            char                   after[24];
            const char            *hdr[] = {"Retry-After", after, NULL};
            struct http_error_opts eo = {hdr, NULL, NULL, NULL};
            int daily = strcmp(err.what, "lua.team_daily_seconds") == 0;

            /* A full queue drains in about one run's time. */
            snprintf(after, sizeof(after), "%ld",
                     daily ? api_to_midnight(now)
                           : (long) (rq->cfg->lua_timeout_ms + 999) / 1000);
            return http_reply_error_opts(rq, &err, &eo);
        }
        return http_reply_error(rq, &err);
    }
    api_script_clear(&s);
    /* The answer describes the run as accepted (queued), then the daemon
    ** is poked. */
    status = store_run_get(rq->st, run, api_run_row, &o, &err) != CM_OK
                 ? http_reply_error(rq, &err)
                 : o.status;
    runq_notify();
    return status;
}

int
api_run_show(struct req *rq)
{
    struct api_run_reply o = {rq, 0, 200};
    struct cm_err        err;
    int64_t              id = http_id_arg(rq, 0);

    if (id <= 0)
        return api_not_found(rq, "run", id);
    if (store_run_get(rq->st, id, api_run_row, &o, &err) != CM_OK) {
        if (err.code == CM_ENOTFOUND)
            return api_not_found(rq, "run", id);
        return http_reply_error(rq, &err);
    }
    return o.status ? o.status : api_not_found(rq, "run", id);
}

/* ---- POST /api/v1/scripts/{id}/publish -------------------------------- */

int
api_script_publish(struct req *rq)
{
    struct api_script s;
    struct ind_result r;
    struct ind_who    who;
    struct cm_err     err;
    struct jw        *w;
    char             *result = NULL, data_dir[CM_PATH_MAX + 8];
    int64_t           run = 0;
    int               status;

    if ((status = api_own_script(rq, http_id_arg(rq, 0), &s)) != 0)
        return status;
    if (store_run_last_ok(rq->st, s.id, &run, &result, &err) != CM_OK) {
        api_script_clear(&s);
        return http_reply_error(rq, &err);
    }
    if (run == 0) {
        api_script_clear(&s);
        cm_fail(&err, CM_ECONFLICT,
                "script %lld has no successful run to publish: run it first",
                (long long) http_id_arg(rq, 0));
        return http_reply_error(rq, &err);
    }
    snprintf(data_dir, sizeof(data_dir), "%s", rq->cfg->data_dir);
    who.team = rq->account.id;
    who.actor = rq->account.name;
    who.address = rq->ri->remote_addr;
    who.run = run;
    if (ind_publish_as(rq->st, &who, s.source, (size_t) s.bytes, result,
                       data_dir, &r, &err) != CM_OK) {
        free(result);
        api_script_clear(&s);
        /* The run's result is not an indicator: the team's error. */
        if (err.code == CM_EINVAL)
            err.code = CM_EUNPROCESSABLE;
        return http_reply_error(rq, &err);
    }
    free(result);
    api_script_clear(&s);
    w = jw_new();
    ind_result_write_json(&r, w);
    status = http_reply_json(rq, r.unchanged ? 200 : 201, w);
    jw_free(w);
    return status;
}

/* ---- GET /api/v1/indicators ------------------------------------------- */

struct api_ind_list {
    struct req *rq;
    struct jw  *w;
};

static int
api_value_row(void *ctx, const struct store_value *v, struct cm_err *err)
{
    struct jw *w = ctx;

    (void) err;
    jw_obj_open(w);
    jw_kv_str(w, "period", v->period);
    jw_kv_str(w, "territory_level", v->territory_level);
    jw_kv_str(w, "territory", v->territory);
    jw_kv_str(w, "sector", v->sector);
    jw_key(w, "value");
    if (v->value_null)
        jw_null(w);
    else
        jw_double(w, v->value);
    jw_kv_str(w, "unit", v->unit);
    jw_obj_close(w);
    return CM_OK;
}

static void
api_manifest_key(struct jw *w, yajl_val m, const char *key)
{
    const char *path[] = {key, NULL};

    jw_key(w, key);
    jw_tree(w, m ? yajl_tree_get(m, path, yajl_t_any) : NULL);
}

static int
api_indicator_row(void *ctx, const struct store_indicator *i,
                  struct cm_err *err)
{
    struct api_ind_list *o = ctx;
    struct jw           *w = o->w;
    char                 ebuf[128], url[128];
    yajl_val             m = yajl_tree_parse(i->manifest, ebuf, sizeof(ebuf));
    yajl_val p = yajl_tree_parse(i->provenance ? i->provenance : "null", ebuf,
                                 sizeof(ebuf));
    const char *kunit[] = {"unit", NULL}, *kmethod[] = {"method", NULL};
    const char *ksha[] = {"script_sha256", NULL};
    yajl_val    sha = p ? yajl_tree_get(p, ksha, yajl_t_string) : NULL;
    int         rc;

    jw_obj_open(w);
    jw_kv_str(w, "slug", i->slug);
    api_manifest_key(w, m, "title");
    api_manifest_key(w, m, "description");
    jw_key(w, "unit");
    jw_tree(w, p ? yajl_tree_get(p, kunit, yajl_t_any) : NULL);
    jw_key(w, "method");
    jw_tree(w, p ? yajl_tree_get(p, kmethod, yajl_t_any) : NULL);
    api_manifest_key(w, m, "period");
    api_manifest_key(w, m, "territory");
    jw_kv_str(w, "team", i->team);
    jw_kv_int(w, "version", i->version);
    jw_kv_str(w, "published_at", i->published_at);
    jw_kv_int(w, "n_observations", i->n_observations);
    jw_key(w, "provenance");
    jw_tree(w, p);
    snprintf(url, sizeof(url), "/api/v1/datasets/%s", i->slug);
    jw_kv_str(w, "url", url);
    snprintf(url, sizeof(url), "/api/v1/indicators/%s/source", i->slug);
    jw_kv_str(w, "source_url", sha ? url : NULL);
    jw_key(w, "latest");
    jw_arr_open(w);
    rc = store_indicator_latest(o->rq->st, i->version_id, API_INDICATOR_VALUES,
                                api_value_row, w, err);
    jw_arr_close(w);
    jw_obj_close(w);
    yajl_tree_free(m);
    yajl_tree_free(p);
    return rc;
}

static const char *const api_ind_sorts[] = {"gallery", "recent", "title",
                                            "team"};

static void
api_sort_details(struct jw *w, const void *arg)
{
    (void) arg;
    jw_obj_open(w);
    jw_kv_str(w, "param", "sort");
    jw_key(w, "allowed");
    jw_arr_open(w);
    for (size_t i = 0; i < sizeof(api_ind_sorts) / sizeof(*api_ind_sorts); i++)
        jw_str(w, api_ind_sorts[i]);
    jw_arr_close(w);
    jw_obj_close(w);
}

int
api_indicators_list(struct req *rq)
{
    const char         *sort = query_get(&rq->q, "sort");
    struct api_ind_list o = {rq, NULL};
    struct cm_err       err;
    int                 ok = sort == NULL, status;

    for (size_t i = 0;
         !ok && i < sizeof(api_ind_sorts) / sizeof(*api_ind_sorts); i++)
        ok = strcmp(sort, api_ind_sorts[i]) == 0;
    if (!ok) {
        struct http_error_opts eo = {NULL, api_sort_details, NULL, NULL};

        cm_fail(&err, CM_EINVAL, "sort must be gallery, recent, title or team");
        cm_err_what(&err, "param", "sort");
        return http_reply_error_opts(rq, &err, &eo);
    }
    o.w = jw_new();
    jw_obj_open(o.w);
    jw_kv_str(o.w, "sort", sort ? sort : "gallery");
    jw_key(o.w, "indicators");
    jw_arr_open(o.w);
    if (store_indicators_each(rq->st, NULL, sort ? sort : "gallery",
                              api_indicator_row, &o, &err) != CM_OK) {
        jw_free(o.w);
        return http_reply_error(rq, &err);
    }
    jw_arr_close(o.w);
    jw_obj_close(o.w);
    status = http_reply_json_cached(rq, o.w);
    jw_free(o.w);
    return status;
}

/* ---- GET /api/v1/indicators/{slug}/source ----------------------------- */

struct api_sha {
    char sha[EXP_SHA256_HEX + 1];
    int  found;
};

static int
api_sha_row(void *ctx, const struct store_indicator *i, struct cm_err *err)
{
    struct api_sha *o = ctx;
    char            ebuf[128];
    yajl_val p = yajl_tree_parse(i->provenance ? i->provenance : "null", ebuf,
                                 sizeof(ebuf));
    const char *ksha[] = {"script_sha256", NULL};
    yajl_val    sha = p ? yajl_tree_get(p, ksha, yajl_t_string) : NULL;

    (void) err;
    if (sha != NULL && strlen(sha->u.string) == EXP_SHA256_HEX) {
        snprintf(o->sha, sizeof(o->sha), "%s", sha->u.string);
        o->found = 1;
    }
    yajl_tree_free(p);
    return CM_OK;
}

int
api_indicator_source(struct req *rq)
{
    struct api_sha o = {{0}, 0};
    struct cm_err  err;
    char           slug[72], *source = NULL;
    int            status;

    if (rq->arg_len[0] >= sizeof(slug))
        return cm_fail(&err, CM_ENOTFOUND, "no such indicator"),
               http_reply_error(rq, &err);
    memcpy(slug, rq->arg[0], rq->arg_len[0]);
    slug[rq->arg_len[0]] = '\0';
    if (store_indicators_each(rq->st, slug, "gallery", api_sha_row, &o, &err) !=
            CM_OK ||
        (o.found &&
         store_script_source_get(rq->st, o.sha, &source, &err) != CM_OK))
        return http_reply_error(rq, &err);
    if (source == NULL) {
        cm_fail(&err, CM_ENOTFOUND,
                "no published indicator '%s' with a known script", slug);
        return http_reply_error(rq, &err);
    }
    status = http_send_cached(rq, "text/x-lua; charset=utf-8", source,
                              strlen(source), o.sha);
    free(source);
    return status;
}
