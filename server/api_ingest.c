/*
** api_ingest.c -- POST /api/v1/ingest?format=F[&strict=true]: a data
** provider pushes one file of readings. The body is streamed through the
** importer (never held whole), up to ingest.body_max; the answer is the
** same summary `consometer import` prints. 415 for an unknown format, 422
** for a file refused whole (the summary is in error.details), 413 when
** the body passes the limit.
*/
#include <string.h>

#include <civetweb.h>

#include "api.h"
#include "http.h"
#include "imp.h"
#include "jw.h"

static ssize_t
api_ingest_read(void *ctx, char *buf, size_t n)
{
    int got = mg_read(ctx, buf, n > (1 << 30) ? (1 << 30) : n);

    return got < 0 ? -1 : got;
}

static void
api_ingest_summary(struct jw *w, const void *arg)
{
    imp_totals_json(w, arg, 1);
}

int
api_ingest(struct req *rq)
{
    const char       *format = query_get(&rq->q, "format");
    const char       *strict = query_get(&rq->q, "strict");
    const char       *name = query_get(&rq->q, "name");
    struct imp_opts   o = {0, NULL, rq->account.name, rq->ri->remote_addr};
    struct imp_src    src;
    struct imp_result res;
    struct cm_err     err;
    struct jw        *w;
    int               rc, status;

    if (strict && strcmp(strict, "true") && strcmp(strict, "false")) {
        cm_fail(&err, CM_EINVAL, "strict must be true or false");
        cm_err_what(&err, "param", "strict");
        return http_reply_error(rq, &err);
    }
    o.strict = strict && strcmp(strict, "true") == 0;
    if (format && imp_format_find(format) == NULL) {
        cm_fail(&err, CM_EMEDIA,
                "unknown format '%.32s'; GET /api/v1 and "
                "'consometer import --help' list them",
                format);
        cm_err_what(&err, "param", "format");
        return http_reply_error(rq, &err);
    }
    /* The upload's file name, for the summary and the audit log; emoncms
    ** also reads its feed id there ("feed-12.json"). */
    if (name && (strlen(name) == 0 || strlen(name) > 128 ||
                 strpbrk(name, "/\\") != NULL)) {
        cm_fail(&err, CM_EINVAL,
                "name must be a file name of 1 to 128 "
                "characters, without '/'");
        cm_err_what(&err, "param", "name");
        return http_reply_error(rq, &err);
    }
    memset(&src, 0, sizeof(src));
    src.name = name ? name : "request body";
    src.read = api_ingest_read;
    src.ctx = rq->conn;
    src.limit = rq->cfg->ingest_body_max;
    src.limit_setting = "ingest.body_max";
    rc = imp_run(rq->st, &src, format, &o, &res);
    if (rc == CM_OK) {
        w = jw_new();
        imp_totals_json(w, &res, 1);
        status = http_reply_json(rq, 200, w);
        jw_free(w);
    } else {
        cm_fail(&err, rc, "%s", res.message);
        if (rc == CM_EMALFORMED || rc == CM_EINVAL)
            err.code = CM_EUNPROCESSABLE;
        if (rc == CM_ELIMIT)
            cm_err_limit(&err, "ingest.body_max", rq->cfg->ingest_body_max);
        status =
            rc == CM_ELIMIT || cm_code_status(err.code) >= 500
                ? http_reply_error(rq, &err)
                : http_reply_error_details(rq, &err, api_ingest_summary, &res);
    }
    imp_result_clear(&res);
    return status;
}
