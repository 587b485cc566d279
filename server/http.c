/*
** http.c -- CivetWeb started from the library, the dispatcher in front of
** the route table, the reply helpers and the per-request bookkeeping
** (access log, metrics, graceful shutdown).
**
** Threads: CivetWeb runs http.threads workers. Each opens its own store
** connection in init_thread and finds it again with mg_get_thread_pointer;
** a worker serves one connection at a time, so the per-request state
** (start time, route) lives in thread-local storage.
*/
#include <assert.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <limits.h>
#include <linux/limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <civetweb.h>
#include <sodium.h>

#include "auth.h"
#include "dl.h"
#include "http.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "store.h"
#include "store_scripts.h"

/* Sent with every response: ours through http_send(), CivetWeb's own
** (files, its errors) through its additional_header option, built from
** this same list. The portal loads nothing from elsewhere and runs no
** inline script. */
static const char *const http_security_headers[] = {
    "X-Content-Type-Options",
    "nosniff",
    "Referrer-Policy",
    "no-referrer",
    "X-Frame-Options",
    "DENY",
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    NULL};

/* Metrics indexes past the routes of the table. */
#define HTTP_ROUTE_STATIC(srv) ((srv)->nroutes)
#define HTTP_ROUTE_UNMATCHED(srv) ((srv)->nroutes + 1)

struct http_server {
    struct mg_context  *ctx;
    struct cfg          cfg;
    const struct route *routes; /* Borrowed table */
    int                 nroutes;
    char               *store_path;
    struct metrics     *metrics;
    const char        **labels;        /* Route patterns, for metrics */
    char               *extra_headers; /* http_security_headers as lines */
    char               *page_path;     /* The portal's index.html */
    char               *root;          /* The portal's folder, real path */
    struct timespec     started;
    atomic_int          active;   /* Requests between begin and end */
    atomic_int          draining; /* Stopping: close connections after reply */
    int                 port;
};

/* One request at a time per worker thread: its bookkeeping lives here. */
struct http_tls {
    struct timespec t0;
    int             route;   /* Index in the table, or HTTP_ROUTE_*() */
    int             counted; /* begin_request was seen */
};
static _Thread_local struct http_tls http_tls;

static int64_t
http_micros_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t) (now.tv_sec - t0->tv_sec) * 1000000 +
           (now.tv_nsec - t0->tv_nsec) / 1000;
}

const struct route *
http_routes(const struct http_server *srv, int *pn)
{
    *pn = srv->nroutes;
    return srv->routes;
}

double
http_uptime(const struct http_server *srv)
{
    return (double) http_micros_since(&srv->started) / 1e6;
}

int
http_port(const struct http_server *srv)
{
    return srv->port;
}

/* ---- replies ---------------------------------------------------------- */

/* Whether the connection stays open after this reply, as CivetWeb will
** decide it: HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
** "Connection: keep-alive", never while stopping or after a refused body. */
static int
http_keep_alive(struct req *rq)
{
    const char *c = mg_get_header(rq->conn, "Connection");

    if (rq->close || atomic_load(&rq->srv->draining))
        return 0;
    if (c && strcasestr(c, "close"))
        return 0;
    if (c && strcasestr(c, "keep-alive"))
        return 1;
    return rq->ri->http_version && strcmp(rq->ri->http_version, "1.1") == 0;
}

/* "Mon, 23 Nov 2026 19:28:39 GMT", formatted once a second per thread. */
static const char *
http_date(void)
{
    static _Thread_local char   buf[40];
    static _Thread_local time_t last;
    time_t                      now = time(NULL);
    struct tm                   tm;

    if (now != last) {
        gmtime_r(&now, &tm);
        strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        last = now;
    }
    return buf;
}

void
http_close_after(struct req *rq)
{
    rq->close = 1;
    mg_disable_connection_keep_alive(rq->conn);
}

int
http_send(struct req *rq, int status, const char *ctype, const char *body,
          size_t len, const char *const *headers)
{
    struct cm_buf out;
    int           keep;

    if (rq->srv == NULL) { /* CivetWeb's own error path: its helpers */
        char clen[32];

        snprintf(clen, sizeof(clen), "%zu", len);
        mg_response_header_start(rq->conn, status);
        mg_response_header_add(rq->conn, "Content-Type", ctype, -1);
        mg_response_header_add(rq->conn, "Content-Length", clen, -1);
        mg_response_header_add(rq->conn, "Cache-Control", "no-store", -1);
        for (const char *const *h = http_security_headers; h[0]; h += 2)
            mg_response_header_add(rq->conn, h[0], h[1], -1);
        mg_response_header_send(rq->conn);
        if (!rq->head && len > 0)
            mg_write(rq->conn, body, len);
        return status;
    }
    /* Headers and body in one write: written in two, a small reply costs
    ** two packets and, at 20 000 requests/s, a measurable share of a core. */
    keep = http_keep_alive(rq);
    if (!keep)
        mg_disable_connection_keep_alive(rq->conn);
    cm_buf_init(&out);
    cm_buf_printf(&out, "HTTP/1.1 %d %s\r\n", status,
                  mg_get_response_code_text(rq->conn, status));
    if (status != 304 && status != 204) /* No body: no type or length */
        cm_buf_printf(&out, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                      ctype, len);
    cm_buf_printf(&out, "Cache-Control: %s\r\nDate: %s\r\nConnection: %s\r\n",
                  rq->cache_control ? rq->cache_control : "no-store",
                  http_date(), keep ? "keep-alive" : "close");
    /* Public routes serve open data: any web page may read it. */
    if (rq->route && rq->route->roles == 0)
        cm_buf_puts(&out, "Access-Control-Allow-Origin: *\r\n"
                          "Access-Control-Expose-Headers: ETag, "
                          "Content-Length, Content-Range, Accept-Ranges, "
                          "Content-Disposition, Link\r\n");
    for (const char *const *h = http_security_headers; h[0]; h += 2)
        cm_buf_printf(&out, "%s: %s\r\n", h[0], h[1]);
    for (; headers && headers[0]; headers += 2)
        cm_buf_printf(&out, "%s: %s\r\n", headers[0], headers[1]);
    cm_buf_add(&out, "\r\n", 2);
    if (!rq->head && len > 0)
        cm_buf_add(&out, body, len);
    mg_write(rq->conn, out.data, out.len);
    cm_buf_clear(&out);
    return status;
}

/* w's document, or (after logging why) a 500 envelope sent: NULL. */
static const char *
http_json_or_500(struct req *rq, struct jw *w, size_t *len, int *status)
{
    const char   *buf;
    struct cm_err err;

    if (jw_result(w, &buf, len, &err) == CM_OK)
        return buf;
    cm_log(CM_LOG_ERROR, "%s %s: %s", rq->ri->request_method, rq->path,
           err.msg);
    cm_fail(&err, CM_EINTERNAL, "internal error");
    *status = http_reply_error(rq, &err);
    return NULL;
}

int
http_reply_json_with(struct req *rq, int status, struct jw *w,
                     const char *const *headers)
{
    size_t      len;
    const char *buf = http_json_or_500(rq, w, &len, &status);

    if (buf == NULL)
        return status;
    return http_send(rq, status, "application/json; charset=utf-8", buf, len,
                     headers);
}

int
http_reply_json(struct req *rq, int status, struct jw *w)
{
    return http_reply_json_with(rq, status, w, NULL);
}

int
http_etag_match(struct req *rq, const char *etag)
{
    const char *inm = mg_get_header(rq->conn, "If-None-Match");
    size_t      n = strlen(etag);

    if (inm == NULL)
        return 0;
    for (const char *p = inm; *p;) {
        p += strspn(p, " \t,");
        if (strncmp(p, "W/", 2) == 0) /* Weak comparison for GET */
            p += 2;
        if (*p == '*')
            return 1;
        if (*p == '"' && strncmp(p + 1, etag, n) == 0 && p[n + 1] == '"')
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

int
http_send_cached(struct req *rq, const char *ctype, const char *body,
                 size_t len, const char *etag)
{
    char        hex[65], quoted[80];
    const char *hdr[] = {"ETag", quoted, NULL};

    if (etag == NULL) {
        unsigned char h[crypto_hash_sha256_BYTES];

        crypto_hash_sha256(h, (const unsigned char *) body, len);
        sodium_bin2hex(hex, sizeof(hex), h, 16);
        etag = hex;
    }
    snprintf(quoted, sizeof(quoted), "\"%.64s\"", etag);
    if (rq->cache_control == NULL)
        rq->cache_control = "public, max-age=60, must-revalidate";
    if (http_etag_match(rq, etag))
        return http_send(rq, 304, ctype, "", 0, hdr);
    return http_send(rq, 200, ctype, body, len, hdr);
}

int
http_reply_json_cached(struct req *rq, struct jw *w)
{
    size_t      len;
    int         status;
    const char *buf = http_json_or_500(rq, w, &len, &status);

    if (buf == NULL)
        return status;
    return http_send_cached(rq, "application/json; charset=utf-8", buf, len,
                            NULL);
}

/* The envelope of err, into w, with what o adds (o may be NULL). */
static void
http_write_envelope(struct jw *w, const struct cm_err *err,
                    const struct http_error_opts *o)
{
    jw_obj_open(w);
    if (o && o->around)
        o->around(w, o->arg, 0);
    jw_key(w, "error");
    jw_obj_open(w);
    jw_kv_str(w, "code", cm_code_name(err->code));
    jw_kv_str(w, "message", err->msg);
    jw_key(w, "details");
    if (o && o->details)
        o->details(w, o->arg);
    else if (err->what_kind || err->has_limit) {
        jw_obj_open(w);
        if (err->what_kind)
            jw_kv_str(w, err->what_kind, err->what);
        if (err->has_limit)
            jw_kv_int(w, "limit", err->limit);
        jw_obj_close(w);
    } else
        jw_null(w);
    if (o && o->around)
        o->around(w, o->arg, 1);
    jw_obj_close(w);
    jw_obj_close(w);
}

int
http_reply_error_opts(struct req *rq, const struct cm_err *err,
                      const struct http_error_opts *o)
{
    struct http_error_opts none = {NULL, NULL, NULL, NULL};
    struct jw             *w = jw_new();
    const char            *buf = "";
    size_t                 len = 0;
    struct cm_err          jerr;
    int                    status = cm_code_status(err->code);

    struct cm_err public_err;

    if (status >= 500) {
        cm_log(CM_LOG_ERROR, "%s %s: %s",
               rq->ri && rq->ri->request_method ? rq->ri->request_method : "-",
               rq->path ? rq->path : "-", err->msg);
        /* Store and system messages name files and SQL: they stay in the
        ** server log. The client learns the code and that it is logged. */
        if (status == 500) {
            cm_fail(&public_err, err->code,
                    "internal error; the server log has the details");
            err = &public_err;
        }
    }
    /* A refused body may still be on its way: close rather than drain. */
    if (status == 413 || status == 401 || status == 403)
        http_close_after(rq);
    if (o == NULL)
        o = &none;
    if (status == 500) { /* Details could say more than the message */
        none.around = o->around;
        none.arg = o->arg;
        none.headers = o->headers;
        o = &none;
    }
    http_write_envelope(w, err, o);
    if (jw_result(w, &buf, &len, &jerr) != CM_OK)
        status = 500, buf = "", len = 0;
    status = http_send(rq, status, "application/json; charset=utf-8", buf, len,
                       o->headers);
    jw_free(w);
    return status;
}

static int
http_reply_error_with(struct req *rq, const struct cm_err *err,
                      const char *const *headers)
{
    struct http_error_opts o = {headers, NULL, NULL, NULL};

    return http_reply_error_opts(rq, err, &o);
}

int
http_reply_error(struct req *rq, const struct cm_err *err)
{
    return http_reply_error_opts(rq, err, NULL);
}

int
http_reply_error_details(struct req *rq, const struct cm_err *err,
                         void (*fn)(struct jw *w, const void *arg),
                         const void *arg)
{
    struct http_error_opts o = {NULL, fn, NULL, arg};

    return http_reply_error_opts(rq, err, &o);
}

void
http_metrics_render(struct req *rq, struct cm_buf *out)
{
    struct metrics_gauges g;
    struct cm_err         err;

    if (store_disk_size(rq->st, &g.store_bytes, &err) != CM_OK)
        g.store_bytes = -1;
    if (store_runs_count(rq->st, &g.runs_queued, &g.runs_running, &err) !=
        CM_OK)
        g.runs_queued = g.runs_running = -1;
    g.uptime_s = http_uptime(rq->srv);
    g.active_requests = atomic_load(&rq->srv->active);
    metrics_render(rq->srv->metrics, &g, out);
}

/* ---- the dispatcher --------------------------------------------------- */

/*
** Who calls a route with roles: a Bearer token (scripts, providers), or
** a portal session cookie. A cookie travels with every request the
** browser makes, wherever the page that makes it comes from, so a
** session's state-changing request must also carry the session's CSRF
** token in X-CSRF-Token, which only pages of this origin can read.
*/
static int
http_authenticate(struct req *rq, struct cm_err *err)
{
    const char         *bearer = mg_get_header(rq->conn, "Authorization");
    const char         *method = rq->ri->request_method;
    const char         *sent;
    struct auth_session s;

    if (bearer != NULL)
        return auth_bearer(rq->st, bearer, &rq->account, err);
    if (auth_session_find(rq->st, mg_get_header(rq->conn, "Cookie"), &s, err) !=
        CM_OK)
        return err->code;
    rq->account = s.account;
    snprintf(rq->csrf, sizeof(rq->csrf), "%s", s.csrf);
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return CM_OK;
    sent = mg_get_header(rq->conn, "X-CSRF-Token");
    if (sent == NULL || strlen(sent) != strlen(s.csrf) ||
        sodium_memcmp(sent, s.csrf, strlen(s.csrf)) != 0) {
        cm_fail(err, CM_EFORBIDDEN,
                "a session's %s needs its CSRF token in X-CSRF-Token "
                "(given at login and by GET /api/v1/auth/me)",
                method);
        cm_err_what(err, "header", "X-CSRF-Token");
        return err->code;
    }
    return CM_OK;
}

/* 1 if a segment of the decoded path is "." or "..". CivetWeb would clean
** such a path silently; we refuse it so that no guess is ever served. */
static int
http_path_traverses(const char *path)
{
    for (const char *p = path; *p;) {
        size_t n;

        if (*p == '/' || *p == '\\') {
            p++;
            continue;
        }
        n = strcspn(p, "/\\");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 1;
        p += n;
    }
    return 0;
}

/* The route for (method, path), or NULL with the methods that path does
** accept in allow[] ("" if none). */
static const struct route *
http_find_route(struct req *rq, const char *method, char *allow,
                size_t allow_sz)
{
    const struct route *t = rq->srv->routes;
    int                 is_head = strcmp(method, "HEAD") == 0;

    allow[0] = '\0';
    for (int i = 0; i < rq->srv->nroutes; i++) {
        if (!route_match(t[i].pattern, rq->path, rq))
            continue;
        if (strcmp(t[i].method, method) == 0 ||
            (is_head && strcmp(t[i].method, "GET") == 0))
            return &t[i];
        if (allow[0] == '\0') /* Count a 405 under the path's route */
            http_tls.route = i;
        if (strstr(allow, t[i].method) == NULL) {
            size_t len = strlen(allow);

            snprintf(allow + len, allow_sz - len, "%s%s%s", len ? ", " : "",
                     t[i].method,
                     strcmp(t[i].method, "GET") == 0 ? ", HEAD" : "");
        }
    }
    return NULL;
}

static int
http_has_body(const struct mg_request_info *ri, struct mg_connection *conn)
{
    return ri->content_length > 0 ||
           mg_get_header(conn, "Transfer-Encoding") != NULL;
}

/* 1 with err filled if the announced body exceeds the route's limit
** (http.body_max, or ingest.body_max for uploads). */
static int
http_body_too_big(struct req *rq, struct cm_err *err)
{
    int     upload = rq->route && (rq->route->flags & ROUTE_UPLOAD);
    int64_t max = upload ? rq->cfg->ingest_body_max : rq->cfg->http_body_max;
    const char *name = upload ? "ingest.body_max" : "http.body_max";

    if (rq->ri->content_length <= max)
        return 0;
    cm_fail(err, CM_ELIMIT, "request body exceeds %s (%lld bytes)", name,
            (long long) max);
    cm_err_limit(err, name, max);
    return 1;
}

/* 1 if path holds only letters, digits, '-', '_' and '/' (and '.' when
** dots): nothing escaped, nothing to decode before it names a file. */
static int
http_plain_path(const char *path, int dots)
{
#define HTTP_PLAIN                                                             \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/"
    return strspn(path, dots ? HTTP_PLAIN "." : HTTP_PLAIN) == strlen(path);
#undef HTTP_PLAIN
}

/* The portal is one page whose script draws every view from the URL
** (/donnees/{slug}, /registre/{id}...). A browser opening such a URL
** directly asks for a file that does not exist: it gets index.html. Only
** page navigations (Accept: text/html) to the portal's own kind of path
** (no dot, so no file name; nothing escaped; no trailing slash) qualify,
** so a missing .js or .css, or an API client, still gets its 404 envelope. */
static int
http_is_portal_page(const struct req *rq)
{
    const char *accept = mg_get_header(rq->conn, "Accept");
    size_t      len = strlen(rq->path);

    if (accept == NULL || strstr(accept, "text/html") == NULL || len < 2 ||
        rq->path[len - 1] == '/' || !http_plain_path(rq->path, 0))
        return 0;
    return strcmp(rq->ri->request_method, "GET") == 0 || rq->head;
}

/* The portal's build writes NAME.gz beside each larger file: compressed
** once, at build time, and sent as it is to a browser that accepts gzip
** (every browser does; "gzip;q=0" refuses it); other clients get NAME
** from CivetWeb. */
static int
http_send_gzipped(const struct http_server *srv, const struct req *rq)
{
    const char *ae = mg_get_header(rq->conn, "Accept-Encoding");
    const char *gzip = ae ? strstr(ae, "gzip") : NULL;
    char        gz[PATH_MAX];
    struct stat sb;
    int         n;

    if (gzip == NULL || strncmp(gzip, "gzip;q=0", 8) == 0 ||
        strlen(rq->path) < 2 || !http_plain_path(rq->path, 1) ||
        strstr(rq->path, "..") != NULL)
        return 0;
    n = snprintf(gz, sizeof(gz), "%s%s.gz", srv->root, rq->path);
    if (n < 0 || (size_t) n >= sizeof(gz) || stat(gz, &sb) != 0 ||
        !S_ISREG(sb.st_mode))
        return 0;
    mg_send_mime_file2(rq->conn, gz, mg_get_builtin_mime_type(rq->path),
                       "Content-Encoding: gzip\r\nVary: Accept-Encoding");
    return 200;
}

static int
http_dispatch(struct mg_connection *conn, void *cbdata)
{
    struct http_server *srv = cbdata;
    struct req          rq;
    struct cm_err       err;
    char                allow[64];
    int                 status;

    memset(&rq, 0, sizeof(rq));
    rq.conn = conn;
    rq.ri = mg_get_request_info(conn);
    rq.srv = srv;
    rq.cfg = &srv->cfg;
    rq.path = rq.ri->local_uri_raw ? rq.ri->local_uri_raw : rq.ri->local_uri;
    rq.head = strcmp(rq.ri->request_method, "HEAD") == 0;
    http_tls.route = HTTP_ROUTE_UNMATCHED(srv);

    if (rq.path == NULL || rq.path[0] != '/') {
        cm_fail(&err, CM_EMALFORMED, "the request target must be a path");
        return http_reply_error(&rq, &err);
    }
    if (http_path_traverses(rq.path)) {
        cm_fail(&err, CM_EMALFORMED,
                "the path has a '.' or '..' segment; ask for the file by "
                "its own name");
        cm_err_what(&err, "path", rq.path);
        return http_reply_error(&rq, &err);
    }
    if (strcmp(rq.ri->request_method, "OPTIONS") == 0) {
        /* A CORS preflight: a page elsewhere asks before sending
        ** If-None-Match or Range, which make a request non-simple. Only
        ** public GET routes say yes; the others get their 405. */
        const struct route *get =
            http_find_route(&rq, "GET", allow, sizeof(allow));

        if (get != NULL && get->roles == 0) {
            static const char *const hdr[] = {
                "Allow",
                "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Methods",
                "GET, HEAD",
                "Access-Control-Allow-Headers",
                "If-None-Match, If-Modified-Since, If-Range, Range",
                "Access-Control-Max-Age",
                "86400",
                NULL};

            rq.route = get;
            http_tls.route = (int) (get - srv->routes);
            return http_send(&rq, 204, "text/plain", "", 0, hdr);
        }
    }
    rq.route =
        http_find_route(&rq, rq.ri->request_method, allow, sizeof(allow));
    if (rq.route == NULL) {
        int is_api =
            strcmp(rq.path, "/api") == 0 || strncmp(rq.path, "/api/", 5) == 0;

        /* Paths no route claims are portal files: GET and HEAD only. */
        if (!allow[0] && !is_api && strcmp(rq.ri->request_method, "GET") &&
            !rq.head)
            snprintf(allow, sizeof(allow), "GET, HEAD");
        if (allow[0]) {
            const char *const hdr[] = {"Allow", allow, NULL};

            cm_fail(&err, CM_EMETHOD, "%s is not allowed on %s (allowed: %s)",
                    rq.ri->request_method, rq.path, allow);
            return http_reply_error_with(&rq, &err, hdr);
        }
        if (is_api) {
            cm_fail(&err, CM_ENOTFOUND, "no route %s; GET /api/v1 lists them",
                    rq.path);
            return http_reply_error(&rq, &err);
        }
        if (http_body_too_big(&rq, &err))
            return http_reply_error(&rq, &err);
        if (http_has_body(rq.ri, conn) || atomic_load(&srv->draining))
            mg_disable_connection_keep_alive(conn);
        http_tls.route = HTTP_ROUTE_STATIC(srv);
        if (http_is_portal_page(&rq) && access(srv->page_path, R_OK) == 0) {
            mg_send_mime_file2(conn, srv->page_path, "text/html; charset=utf-8",
                               NULL);
            return 200;
        }
        if (http_send_gzipped(srv, &rq))
            return 200;
        return 0; /* CivetWeb's file server takes it from here */
    }
    http_tls.route = (int) (rq.route - srv->routes);
    if (!(rq.route->flags & (ROUTE_BODY | ROUTE_UPLOAD)) &&
        http_has_body(rq.ri, conn))
        http_close_after(&rq);

    rq.st = mg_get_thread_pointer(conn);
    if (rq.st == NULL) {
        cm_fail(&err, CM_EUNAVAIL, "the store is not available");
        return http_reply_error(&rq, &err);
    }
    if (rq.route->roles) {
        static const char *const challenge[] = {"WWW-Authenticate", "Bearer",
                                                NULL};

        if (http_authenticate(&rq, &err) != CM_OK)
            return http_reply_error_with(
                &rq, &err, err.code == CM_EUNAUTH ? challenge : NULL);
        if (!(auth_role_bit(rq.account.role) & rq.route->roles)) {
            cm_fail(&err, CM_EFORBIDDEN, "the role '%s' may not %s %s",
                    rq.account.role, rq.ri->request_method, rq.path);
            return http_reply_error(&rq, &err);
        }
    } else if (rq.route->flags & ROUTE_AUTH_OPT) {
        const char *cookie = mg_get_header(conn, "Cookie");

        /* A token that fails is refused; a stale session cookie on a
        ** public page is only ignored: the page stays readable. */
        if (mg_get_header(conn, "Authorization") != NULL &&
            http_authenticate(&rq, &err) != CM_OK)
            return http_reply_error(&rq, &err);
        if (mg_get_header(conn, "Authorization") == NULL && cookie != NULL &&
            strstr(cookie, AUTH_COOKIE "=") != NULL &&
            http_authenticate(&rq, &err) != CM_OK)
            memset(&rq.account, 0, sizeof(rq.account));
    }
    if (http_body_too_big(&rq, &err))
        return http_reply_error(&rq, &err);
    if (query_parse(rq.ri->query_string, &rq.q, &err) != CM_OK ||
        query_check_keys(&rq.q, rq.route->params, &err) != CM_OK)
        status = http_reply_error(&rq, &err);
    else
        status = rq.route->handler(&rq);
    query_clear(&rq.q);
    assert(status > 0);
    return status;
}

/* ---- CivetWeb callbacks ----------------------------------------------- */

static void *
http_init_thread(const struct mg_context *ctx, int thread_type)
{
    struct http_server *srv = mg_get_user_data(ctx);
    struct store_opts   o = {.busy_timeout_ms = srv->cfg.store_busy_timeout_ms};
    struct store       *st;
    struct cm_err       err;

    if (thread_type != 1) /* Only workers serve requests */
        return NULL;
    if (store_open(srv->store_path, &o, &st, NULL, &err) != CM_OK) {
        cm_log(CM_LOG_ERROR, "worker thread: %s", err.msg);
        return NULL;
    }
    /* Searches read many pages: through the map, not a pread() each */
    if (store_mmap(st, srv->cfg.store_mmap_size, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "worker thread: %s", err.msg);
    return st;
}

static void
http_exit_thread(const struct mg_context *ctx, int thread_type, void *ptr)
{
    (void) ctx;
    if (thread_type == 1)
        store_close(ptr);
}

static int
http_init_connection(const struct mg_connection *conn, void **conn_data)
{
    struct http_server *srv = mg_get_user_data(mg_get_context(conn));

    *conn_data = NULL;
    metrics_connection(srv->metrics, 1);
    return 0;
}

static void
http_connection_closed(const struct mg_connection *conn)
{
    struct http_server *srv = mg_get_user_data(mg_get_context(conn));

    metrics_connection(srv->metrics, -1);
}

static int
http_begin_request(struct mg_connection *conn)
{
    struct http_server *srv = mg_get_user_data(mg_get_context(conn));

    clock_gettime(CLOCK_MONOTONIC, &http_tls.t0);
    http_tls.route = HTTP_ROUTE_UNMATCHED(srv);
    http_tls.counted = 1;
    atomic_fetch_add(&srv->active, 1);
    return 0;
}

static void
http_end_request(const struct mg_connection *conn, int status)
{
    struct http_server *srv = mg_get_user_data(mg_get_context(conn));

    (void) status;
    if (http_tls.counted) {
        atomic_fetch_sub(&srv->active, 1);
        http_tls.counted = 0;
    }
}

/*
** CivetWeb hands us its access-log line, which is the only place that
** knows the bytes sent for every response, files included: we take the
** status and byte count from it and write our own line and metrics.
** The line reads: ADDR - USER [DATE] "METHOD URI HTTP/V" STATUS BYTES ...
*/
static int
http_log_access(const struct mg_connection *conn, const char *line)
{
    struct http_server           *srv = mg_get_user_data(mg_get_context(conn));
    const struct mg_request_info *ri = mg_get_request_info(conn);
    char                          needle[64];
    const char                   *p;
    int                           status = 0;
    long long                     bytes = -1;
    int64_t                       us;

    snprintf(needle, sizeof(needle), " HTTP/%s\" ",
             ri && ri->http_version ? ri->http_version : "1.1");
    p = strstr(line, needle);
    if (p == NULL || sscanf(p + strlen(needle), "%d %lld", &status, &bytes) < 1)
        status = 0;
    us = http_tls.t0.tv_sec ? http_micros_since(&http_tls.t0) : 0;
    metrics_request(srv->metrics, http_tls.route, status, us);
    if (cm_log_enabled(CM_LOG_INFO))
        cm_log(CM_LOG_INFO, "access %s %s %d %lld %lldus %s",
               ri && ri->request_method ? ri->request_method : "-",
               ri && ri->local_uri_raw ? ri->local_uri_raw : "-", status, bytes,
               (long long) us, ri ? ri->remote_addr : "-");
    memset(&http_tls.t0, 0, sizeof(http_tls.t0));
    return 1; /* We logged it; CivetWeb need not */
}

/* CivetWeb's complaints on this thread since http_start() began, for its
** error message ("cannot bind to ...: Address already in use; ..."). */
static _Thread_local char http_last_message[256];

static int
http_log_message(const struct mg_connection *conn, const char *message)
{
    (void) conn;
    size_t len = strlen(http_last_message);

    snprintf(http_last_message + len, sizeof(http_last_message) - len, "%s%s",
             len ? "; " : "", message);
    cm_log(CM_LOG_DEBUG, "civetweb: %s", message);
    return 1;
}

/* CivetWeb's own errors (no such file, bad request line...) get the same
** envelope as ours. */
static int
http_error_page(struct mg_connection *conn, int status, const char *msg)
{
    struct req    rq;
    struct cm_err err;
    enum cm_code  code = CM_EINTERNAL;

    (void) msg; /* May name server paths: not for clients */
    memset(&rq, 0, sizeof(rq));
    rq.conn = conn;
    rq.ri = mg_get_request_info(conn);
    rq.path = rq.ri && rq.ri->local_uri_raw ? rq.ri->local_uri_raw : "-";
    rq.head = rq.ri && rq.ri->request_method &&
              strcmp(rq.ri->request_method, "HEAD") == 0;
    code = cm_code_for_status(status);
    if (status == 404)
        cm_fail(&err, code, "no such file or route: %s", rq.path);
    else if (code == CM_EINTERNAL && status != 500)
        cm_fail(&err, code, "HTTP error %d", status);
    else
        cm_fail(&err, code, "%s", mg_get_response_code_text(conn, status));
    if (code == CM_EINTERNAL && status != 500) {
        /* A status our table does not name: keep CivetWeb's status. */
        mg_send_http_error(conn, status, "%s", err.msg);
        return 0;
    }
    http_reply_error(&rq, &err);
    return 0;
}

/* ---- start and stop --------------------------------------------------- */

int
http_start(const struct cfg *cfg, const char *store_path,
           const struct route *table, int ntable, struct http_server **out,
           struct cm_err *err)
{
    struct http_server   *srv = cm_calloc(1, sizeof(*srv));
    struct mg_callbacks   cb;
    struct mg_init_data   init;
    struct mg_error_data  einfo;
    struct mg_server_port ports[4];
    char listen[96], threads[16], timeout[16], keepalive[16], maxage[16],
        header_max[24], root[PATH_MAX], ebuf[256];
    unsigned    ecode = 0;
    const char *opts[40];
    int         n = 0;

    *out = NULL;
    srv->cfg = *cfg;
    srv->routes = table;
    srv->nroutes = ntable;
    srv->store_path = cm_strdup(store_path);
    clock_gettime(CLOCK_MONOTONIC, &srv->started);
    srv->labels = cm_calloc((size_t) ntable, sizeof(*srv->labels));
    for (int i = 0; i < ntable; i++)
        srv->labels[i] = table[i].pattern;
    srv->metrics = metrics_new(srv->labels, ntable);
    {
        struct cm_buf b;

        cm_buf_init(&b);
        for (const char *const *h = http_security_headers; h[0]; h += 2)
            cm_buf_printf(&b, "%s%s: %s", b.len ? "\r\n" : "", h[0], h[1]);
        srv->extra_headers = b.data; /* Owned by srv now */
    }

    if (realpath(cfg->portal_dir, root) == NULL) {
        cm_fail(err, CM_EINVAL, "portal.dir '%s': %s", cfg->portal_dir,
                strerror(errno));
        cm_err_what(err, "setting", "portal.dir");
        goto fail;
    }
    {
        struct cm_buf b;

        cm_buf_init(&b);
        cm_buf_printf(&b, "%s/index.html", root);
        srv->page_path = b.data; /* Owned by srv now */
        srv->root = strdup(root);
        if (srv->root == NULL) {
            cm_fail(err, CM_EINTERNAL, "out of memory");
            goto fail;
        }
    }
    snprintf(listen, sizeof(listen), "%s:%d", cfg->http_listen, cfg->http_port);
    snprintf(threads, sizeof(threads), "%d", cfg->http_threads);
    snprintf(timeout, sizeof(timeout), "%d", cfg->http_timeout_ms);
    snprintf(keepalive, sizeof(keepalive), "%d", cfg->http_keep_alive_ms);
    snprintf(maxage, sizeof(maxage), "%d", cfg->http_static_max_age);
    snprintf(header_max, sizeof(header_max), "%lld",
             (long long) cfg->http_header_max);
#define OPT(k, v) (opts[n++] = (k), opts[n++] = (v))
    OPT("listening_ports", listen);
    OPT("num_threads", threads);
    OPT("request_timeout_ms", timeout);
    OPT("keep_alive_timeout_ms", keepalive);
    OPT("enable_keep_alive", "yes");
    /* Without it a reply written as headers then body waits for the
    ** client's delayed ACK: ~40 ms a request on loopback (STYLE 3.13). */
    OPT("tcp_nodelay", "1");
    OPT("document_root", root);
    OPT("index_files", "index.html");
    OPT("enable_directory_listing", "no");
    OPT("static_file_max_age", maxage);
    /* Debian's libcivetweb has CGI and SSI built in: leave no pattern that
    ** could ever match a file of the portal. */
    OPT("cgi_pattern", "/.consometer-no-cgi$");
    OPT("ssi_pattern", "/.consometer-no-ssi$");
    OPT("additional_header", srv->extra_headers);
    OPT("max_request_size", header_max);
    /* CORS is ours (http_send, the OPTIONS preflight in http_dispatch):
    ** CivetWeb's default would approve any preflight, authenticated
    ** write routes included, before the dispatcher sees the request. */
    OPT("access_control_allow_origin", "");
    opts[n] = NULL;
#undef OPT

    memset(&cb, 0, sizeof(cb));
    cb.init_thread = http_init_thread;
    cb.exit_thread = http_exit_thread;
    cb.init_connection = http_init_connection;
    cb.connection_closed = http_connection_closed;
    cb.begin_request = http_begin_request;
    cb.end_request = http_end_request;
    cb.log_access = http_log_access;
    cb.log_message = http_log_message;
    cb.http_error = http_error_page;
    init.callbacks = &cb;
    init.user_data = srv;
    init.configuration_options = opts;
    ebuf[0] = '\0';
    einfo.code = &ecode;
    einfo.text = ebuf;
    einfo.text_buffer_size = sizeof(ebuf);

    mg_init_library(0);
    http_last_message[0] = '\0';
    srv->ctx = mg_start2(&init, &einfo);
    if (srv->ctx == NULL) {
        cm_fail(err, CM_EIO, "cannot serve on %s: %s", listen,
                http_last_message[0] ? http_last_message
                : ebuf[0]            ? ebuf
                                     : "CivetWeb failed to start");
        cm_err_what(err, "setting", "http.port");
        mg_exit_library();
        goto fail;
    }
    mg_set_request_handler(srv->ctx, "/", http_dispatch, srv);
    memset(ports, 0, sizeof(ports));
    if (mg_get_server_ports(srv->ctx, 4, ports) < 1) {
        cm_fail(err, CM_EIO, "cannot read the port bound on %s", listen);
        mg_stop(srv->ctx);
        mg_exit_library();
        goto fail;
    }
    srv->port = ports[0].port;
    *out = srv;
    return CM_OK;
fail:
    metrics_free(srv->metrics);
    free(srv->labels);
    free(srv->extra_headers);
    free(srv->page_path);
    free(srv->root);
    free(srv->store_path);
    free(srv);
    return err->code;
}

/*
** CivetWeb's master thread polls the listening socket in 2-second quanta
** and notices mg_stop() only between them. Knocking on our own port wakes
** it at once, so a stop takes milliseconds, not up to two seconds.
*/
struct http_waker {
    struct http_server *srv;
    atomic_int          done;
};

static void *
http_wake_master(void *arg)
{
    struct http_waker *wk = arg;
    struct sockaddr_in sa;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t) wk->srv->port);
    if (inet_pton(AF_INET, wk->srv->cfg.http_listen, &sa.sin_addr) != 1 ||
        sa.sin_addr.s_addr == htonl(INADDR_ANY))
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 200 && !atomic_load(&wk->done); i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd >= 0) {
            if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
                /* Refused: the listener is closed, nothing left to wake */
            }
            close(fd);
        }
        usleep(20000);
    }
    return NULL;
}

void
http_stop(struct http_server *srv)
{
    struct timespec t0;

    if (srv == NULL)
        return;
    atomic_store(&srv->draining, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&srv->active) > 0 &&
           http_micros_since(&t0) <
               (int64_t) srv->cfg.http_shutdown_grace_ms * 1000)
        usleep(5000);
    if (atomic_load(&srv->active) > 0)
        cm_log(CM_LOG_WARN,
               "stopping with %d requests still in flight after "
               "http.shutdown_grace_ms (%d ms)",
               atomic_load(&srv->active), srv->cfg.http_shutdown_grace_ms);
    {
        struct http_waker wk = {srv, 0};
        pthread_t         t;
        int woke = pthread_create(&t, NULL, http_wake_master, &wk) == 0;

        mg_stop(srv->ctx);
        atomic_store(&wk.done, 1);
        if (woke)
            pthread_join(t, NULL);
    }
    /* No request runs now: the download counts still in memory. */
    dl_stats_flush_path(srv->store_path, srv->cfg.store_busy_timeout_ms);
    mg_exit_library();
    metrics_free(srv->metrics);
    free(srv->labels);
    free(srv->extra_headers);
    free(srv->page_path);
    free(srv->root);
    free(srv->store_path);
    free(srv);
}

int
http_read_body(struct req *rq, int64_t limit, const char *setting,
               struct cm_buf *out, struct cm_err *err)
{
    char chunk[4096];
    int  got;

    while ((got = mg_read(rq->conn, chunk, sizeof(chunk))) > 0) {
        if ((int64_t) (out->len + (size_t) got) > limit) {
            cm_fail(err, CM_ELIMIT, "request body exceeds %s (%lld bytes)",
                    setting, (long long) limit);
            cm_err_limit(err, setting, limit);
            http_close_after(rq); /* The rest stays unread */
            return err->code;
        }
        cm_buf_add(out, chunk, (size_t) got);
    }
    if (got < 0) {
        http_close_after(rq);
        return cm_fail(err, CM_EMALFORMED, "the request body was cut short");
    }
    return CM_OK;
}
