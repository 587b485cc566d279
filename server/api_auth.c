/*
** api_auth.c -- portal logins: POST /api/v1/auth/login opens a session
** (an HttpOnly, SameSite=Strict cookie, Secure over TLS) and answers its
** CSRF token; GET /api/v1/auth/me says who is calling; POST
** /api/v1/auth/logout ends the session. Scripts keep using Bearer tokens.
*/
#include <stdio.h>
#include <string.h>

#include <civetweb.h>
#include <yajl/yajl_tree.h>

#include "api.h"
#include "auth.h"
#include "http.h"
#include "jw.h"
#include "mem.h"
#include "text.h"

static int
api_auth_field(yajl_val doc, const char *key, const char **out,
               struct cm_err *err)
{
    const char *path[] = {key, NULL};
    yajl_val    v = yajl_tree_get(doc, path, yajl_t_any);

    if (v == NULL || !YAJL_IS_STRING(v) || v->u.string[0] == '\0') {
        cm_fail(err, CM_EUNPROCESSABLE, "%s: a non-empty string is required",
                key);
        cm_err_what(err, "field", key);
        return err->code;
    }
    *out = v->u.string;
    return CM_OK;
}

int
api_auth_login(struct req *rq)
{
    struct auth_login_limits lim = {rq->cfg->auth_login_failures,
                                    rq->cfg->auth_login_window_s,
                                    rq->cfg->auth_session_hours};
    struct auth_session      s;
    struct cm_err            err;
    struct cm_buf            body;
    const char              *name = NULL, *password = NULL;
    char                     ebuf[128], cookie[256], after[16];
    yajl_val                 doc = NULL;
    int                      retry = 0, status;

    cm_buf_init(&body);
    if (http_read_body(rq, rq->cfg->http_body_max, "http.body_max", &body,
                       &err) != CM_OK) {
        cm_buf_clear(&body);
        return http_reply_error(rq, &err);
    }
    doc = cm_json_guard(body.data, body.len, CM_JSON_DEPTH_MAX)
              ? NULL
              : yajl_tree_parse(body.data ? body.data : "", ebuf, sizeof(ebuf));
    cm_buf_clear(&body);
    if (doc == NULL || !YAJL_IS_OBJECT(doc)) {
        yajl_tree_free(doc);
        cm_fail(&err, CM_EMALFORMED,
                "the body must be a JSON object {\"name\", \"password\"}");
        return http_reply_error(rq, &err);
    }
    if (api_auth_field(doc, "name", &name, &err) != CM_OK ||
        api_auth_field(doc, "password", &password, &err) != CM_OK) {
        yajl_tree_free(doc);
        return http_reply_error(rq, &err);
    }
    status = auth_login(rq->st, name, password, rq->ri->remote_addr, &lim, &s,
                        &retry, &err);
    yajl_tree_free(doc);
    if (status != CM_OK) {
        const char            *hdr[] = {"Retry-After", after, NULL};
        struct http_error_opts o = {hdr, NULL, NULL, NULL};

        snprintf(after, sizeof(after), "%d", retry);
        return http_reply_error_opts(rq, &err, retry > 0 ? &o : NULL);
    }
    snprintf(cookie, sizeof(cookie),
             AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
                         "Max-Age=%d%s",
             s.cookie, rq->cfg->auth_session_hours * 3600,
             rq->ri->is_ssl ? "; Secure" : "");
    {
        const char *hdr[] = {"Set-Cookie", cookie, NULL};
        struct jw  *w = jw_new();

        jw_obj_open(w);
        jw_kv_str(w, "user", s.account.name);
        jw_kv_str(w, "role", s.account.role);
        jw_kv_str(w, "csrf_token", s.csrf);
        jw_kv_str(w, "expires_at", s.expires_at);
        jw_obj_close(w);
        status = http_reply_json_with(rq, 200, w, hdr);
        jw_free(w);
    }
    return status;
}

int
api_auth_me(struct req *rq)
{
    struct jw *w = jw_new();
    int        status;

    jw_obj_open(w);
    jw_kv_str(w, "user", rq->account.name);
    jw_kv_str(w, "role", rq->account.role);
    jw_kv_str(w, "csrf_token", rq->csrf[0] ? rq->csrf : NULL);
    jw_obj_close(w);
    status = http_reply_json(rq, 200, w);
    jw_free(w);
    return status;
}

int
api_auth_logout(struct req *rq)
{
    static const char *const hdr[] = {
        "Set-Cookie",
        AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", NULL};
    struct cm_err err;
    struct jw    *w;
    int           status;

    /* A Bearer token is not a session: there is nothing to end. */
    if (rq->csrf[0] && auth_logout(rq->st, mg_get_header(rq->conn, "Cookie"),
                                   rq->ri->remote_addr, &err) != CM_OK)
        return http_reply_error(rq, &err);
    w = jw_new();
    jw_obj_open(w);
    jw_kv_bool(w, "ended", rq->csrf[0] != '\0');
    jw_obj_close(w);
    status = http_reply_json_with(rq, 200, w, rq->csrf[0] ? hdr : NULL);
    jw_free(w);
    return status;
}
