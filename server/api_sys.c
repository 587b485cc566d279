/*
** api_sys.c -- the server's own endpoints: /health, /metrics, /api/v1.
*/
#include <string.h>

#include "api.h"
#include "http.h"
#include "jw.h"
#include "mem.h"
#include "store.h"

/* GET /health -- 200 when the store answers, 503 (envelope) when not. */
int
api_health(struct req *rq)
{
    struct cm_err err;
    struct jw    *w;
    int           version, status;

    if (store_schema_version(rq->st, &version, &err) != CM_OK) {
        cm_fail(&err, CM_EUNAVAIL, "the store does not answer");
        return http_reply_error(rq, &err);
    }
    w = jw_new();
    jw_obj_open(w);
    jw_kv_str(w, "status", "ok");
    jw_key(w, "store");
    jw_obj_open(w);
    jw_kv_bool(w, "reachable", 1);
    jw_kv_int(w, "schema_version", version);
    jw_obj_close(w);
    jw_kv_str(w, "version", CM_VERSION);
    jw_kv_double(w, "uptime_s", http_uptime(rq->srv));
    jw_obj_close(w);
    status = http_reply_json(rq, 200, w);
    jw_free(w);
    return status;
}

/* GET /metrics -- Prometheus text exposition format 0.0.4. */
int
api_metrics(struct req *rq)
{
    struct cm_buf out;
    int           status;

    cm_buf_init(&out);
    http_metrics_render(rq, &out);
    status = http_send(rq, 200, "text/plain; version=0.0.4; charset=utf-8",
                       out.data, out.len, NULL);
    cm_buf_clear(&out);
    return status;
}

/* GET /api/v1 -- the routes this server answers, for people and tools. */
int
api_index(struct req *rq)
{
    struct jw          *w = jw_new();
    int                 status, n;
    const struct route *t = http_routes(rq->srv, &n);

    jw_obj_open(w);
    jw_kv_str(w, "name", "consometer");
    jw_kv_str(w, "version", CM_VERSION);
    jw_key(w, "routes");
    jw_arr_open(w);
    for (int i = 0; i < n; i++) {
        jw_obj_open(w);
        jw_kv_str(w, "method", t[i].method);
        jw_kv_str(w, "path", t[i].pattern);
        jw_kv_str(w, "summary", t[i].summary);
        jw_obj_close(w);
    }
    jw_arr_close(w);
    jw_obj_close(w);
    status = http_reply_json(rq, 200, w);
    jw_free(w);
    return status;
}
