/*
** test_server.c -- the HTTP server end to end, over real sockets: every
** status the dispatcher produces, the envelope, /health, /metrics, the
** portal's static files with their cache headers, security headers on
** every reply, and a graceful stop that lets a slow download finish.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "t_http.h"
#include "api.h"
#include "err.h"

/* A handler that fails the way a store failure does, to see what leaks. */
static int
t_fail_handler(struct req *rq)
{
    struct cm_err err;

    cm_fail(&err, CM_ESTORE, "store /secret/path/consometer.db: disk I/O");
    return http_reply_error(rq, &err);
}

static int
t_arg_handler(struct req *rq)
{
    char body[128];
    int  n = snprintf(body, sizeof(body), "%.*s|%.*s", (int) rq->arg_len[0],
                      rq->arg[0], (int) rq->arg_len[1], rq->arg[1]);

    return http_send(rq, 200, "text/plain", body, (size_t) n, NULL);
}

static struct route    t_table[128]; /* routes[] and the test's own */
static int             t_ntable;
static struct t_server ts;

static void
t_build_table(void)
{
    ASSERT(nroutes + 8 <= (int) (sizeof(t_table) / sizeof(t_table[0])));
    memcpy(t_table, routes, sizeof(routes[0]) * (size_t) nroutes);
    t_ntable = nroutes;
    t_table[t_ntable++] =
        (struct route){"GET", "/test/fail",          t_fail_handler, NULL, 0,
                       0,     "fails like the store"};
    t_table[t_ntable++] = (struct route){
        "GET", "/test/{a}/x/{b}", t_arg_handler, NULL, 0, 0, "args"};
    t_table[t_ntable++] = (struct route){
        "DELETE", "/test/{a}/x/{b}", t_arg_handler, NULL, 0, 0, "args"};
    t_table[t_ntable++] = (struct route){
        "POST", "/test/body", t_arg_handler, NULL, ROUTE_BODY, 0, "a body"};
}

static void
t_security_headers(const struct t_resp *r)
{
    char v[512];

    ASSERT(t_header(r, "X-Content-Type-Options", v, sizeof(v)));
    ASSERT_STREQ(v, "nosniff");
    ASSERT(t_header(r, "Referrer-Policy", v, sizeof(v)));
    ASSERT(t_header(r, "Content-Security-Policy", v, sizeof(v)));
    ASSERT_CONTAINS(v, "default-src 'self'");
}

static void
test_health(void)
{
    struct t_resp r;
    yajl_val      doc;
    char          v[256];
    const char   *sv[] = {"store", "schema_version", NULL};
    const char   *reach[] = {"store", "reachable", NULL};
    const char   *up[] = {"uptime_s", NULL};

    t_req(ts.port, "GET", "/health", NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_security_headers(&r);
    ASSERT(t_header(&r, "Cache-Control", v, sizeof(v)));
    ASSERT_STREQ(v, "no-store");
    doc = t_json(&r);
    ASSERT_STREQ(t_json_str(doc, "status", NULL, NULL), "ok");
    ASSERT_STREQ(t_json_str(doc, "version", NULL, NULL), CM_VERSION);
    ASSERT_EQ(YAJL_GET_INTEGER(yajl_tree_get(doc, sv, yajl_t_number)),
              store_schema_latest());
    ASSERT(YAJL_IS_TRUE(yajl_tree_get(doc, reach, yajl_t_true)));
    ASSERT(YAJL_GET_DOUBLE(yajl_tree_get(doc, up, yajl_t_number)) >= 0);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* HEAD: same headers, no body */
    t_req(ts.port, "HEAD", "/health", NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body_len, 0);
    ASSERT(t_header(&r, "Content-Length", v, sizeof(v)));
    ASSERT(atoi(v) > 20);
    t_resp_free(&r);
}

static void
test_not_found(void)
{
    struct t_resp r;

    t_req(ts.port, "GET", "/api/v1/nothing-here", NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_security_headers(&r);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/no-such-file.html", NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_security_headers(&r);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/health/", NULL, &r); /* Exact paths only */
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
}

static void
test_method_not_allowed(void)
{
    struct t_resp r;
    char          allow[128];

    t_req(ts.port, "POST", "/health", "Content-Length: 0\r\n", &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    ASSERT(t_header(&r, "Allow", allow, sizeof(allow)));
    ASSERT_STREQ(allow, "GET, HEAD");
    t_resp_free(&r);
    /* A path served by two methods lists both */
    t_req(ts.port, "PUT", "/test/1/x/2", "Content-Length: 0\r\n", &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    ASSERT(t_header(&r, "Allow", allow, sizeof(allow)));
    ASSERT_STREQ(allow, "GET, HEAD, DELETE");
    t_resp_free(&r);
    /* Portal files are read-only */
    t_req(ts.port, "DELETE", "/index.html", NULL, &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    ASSERT(t_header(&r, "Allow", allow, sizeof(allow)));
    ASSERT_STREQ(allow, "GET, HEAD");
    t_resp_free(&r);
}

/* A CORS preflight is answered for public GET routes only. */
static void
test_cors_preflight(void)
{
    struct t_resp r;
    char          v[256];

    t_req(ts.port, "OPTIONS", "/api/v1",
          "Origin: https://example.org\r\n"
          "Access-Control-Request-Method: GET\r\n"
          "Access-Control-Request-Headers: if-none-match\r\n",
          &r);
    ASSERT_EQ(r.status, 204);
    ASSERT_EQ(r.body_len, 0);
    ASSERT(t_header(&r, "Access-Control-Allow-Origin", v, sizeof(v)));
    ASSERT_STREQ(v, "*");
    ASSERT(t_header(&r, "Access-Control-Allow-Headers", v, sizeof(v)));
    ASSERT_CONTAINS(v, "If-None-Match");
    ASSERT(t_header(&r, "Access-Control-Allow-Methods", v, sizeof(v)));
    ASSERT_STREQ(v, "GET, HEAD");
    ASSERT(t_header(&r, "Content-Length", v, sizeof(v)) == NULL);
    t_resp_free(&r);
    /* An authenticated write route is not opened to other origins */
    t_req(ts.port, "OPTIONS", "/api/v1/ingest",
          "Origin: https://example.org\r\n"
          "Access-Control-Request-Method: POST\r\n",
          &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    ASSERT(t_header(&r, "Access-Control-Allow-Origin", v, sizeof(v)) == NULL);
    t_resp_free(&r);
}

static void
test_path_args(void)
{
    struct t_resp r;

    t_req(ts.port, "GET", "/test/abc/x/d%C3%A9f", NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_STREQ(r.body, "abc|d\xC3\xA9"
                         "f");
    t_resp_free(&r);
    t_req(ts.port, "GET", "/test//x/b", NULL, &r); /* Empty segment */
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
}

static void
test_bad_query(void)
{
    struct t_resp r;
    yajl_val      doc;

    t_req(ts.port, "GET", "/health?%zz=1", NULL, &r);
    t_assert_envelope(&r, 400, "bad_request");
    t_resp_free(&r);
    t_req(ts.port, "GET", "/health?a=%ff%fe", NULL, &r);
    t_assert_envelope(&r, 400, "bad_request");
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1?limt=3", NULL, &r);
    t_assert_envelope(&r, 400, "invalid_param");
    doc = t_json(&r);
    ASSERT_STREQ(t_json_str(doc, "error", "details", "param"), "limt");
    yajl_tree_free(doc);
    t_resp_free(&r);
}

static void
test_body_limit(void)
{
    struct t_resp r;
    char          hdr[128];
    yajl_val      doc;
    const char   *lim[] = {"error", "details", "limit", NULL};
    char          v[64];

    /* Announced too big: refused before a byte of it is read */
    snprintf(hdr, sizeof(hdr), "Content-Length: %lld\r\n",
             (long long) ts.cfg.http_body_max + 1);
    t_req(ts.port, "POST", "/test/body", hdr, &r);
    t_assert_envelope(&r, 413, "limit_exceeded");
    doc = t_json(&r);
    ASSERT_STREQ(t_json_str(doc, "error", "details", "setting"),
                 "http.body_max");
    ASSERT_EQ(YAJL_GET_INTEGER(yajl_tree_get(doc, lim, yajl_t_number)),
              ts.cfg.http_body_max);
    yajl_tree_free(doc);
    ASSERT(t_header(&r, "Connection", v, sizeof(v)));
    ASSERT_STREQ(v, "close");
    t_resp_free(&r);
    /* Even on a path no route serves */
    t_req(ts.port, "GET", "/index.html", hdr, &r);
    t_assert_envelope(&r, 413, "limit_exceeded");
    t_resp_free(&r);
    /* A wrong method is a 405 whatever the body */
    t_req(ts.port, "POST", "/health", hdr, &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    t_resp_free(&r);
}

static void
test_traversal(void)
{
    const char   *paths[] = {"/../etc/passwd",
                             "/%2e%2e/etc/passwd",
                             "/portal/%2E%2E/%2e%2e/etc/passwd",
                             "/..%2f..%2fetc/passwd",
                             "/./index.html",
                             "/a/../index.html",
                             "/%2e/index.html",
                             "/..\\..\\etc\\passwd"};
    struct t_resp r;

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        t_req(ts.port, "GET", paths[i], NULL, &r);
        if (r.status != 400 && r.status != 404) {
            fprintf(stderr, "%s -> %d\n", paths[i], r.status);
            exit(1);
        }
        ASSERT(strstr(r.body, "root:") == NULL);
        ASSERT(strstr(r.body, "<title>") == NULL); /* Not even our page */
        t_assert_envelope(&r, r.status,
                          r.status == 400 ? "bad_request" : "not_found");
        t_resp_free(&r);
    }
}

static void
test_malformed_request(void)
{
    struct t_resp r;
    const char    garbage[] = "GARBAGE\r\n\r\n";

    t_raw(ts.port, garbage, sizeof(garbage) - 1, &r);
    ASSERT_EQ(r.status, 400);
    t_resp_free(&r);
}

static void
test_header_limit(void)
{
    struct t_resp r;
    char         *big = malloc(20000 + 64);

    ASSERT(big != NULL);
    memcpy(big, "X-Big: ", 7);
    memset(big + 7, 'a', 20000);
    memcpy(big + 20007, "\r\n", 3);
    /* Over http.header_max (16k): refused before any handler runs */
    t_req(ts.port, "GET", "/health", big, &r);
    t_assert_envelope(&r, 400, "bad_request");
    t_resp_free(&r);
    free(big);
}

static void
test_internal_error(void)
{
    struct t_resp r;

    t_req(ts.port, "GET", "/test/fail", NULL, &r);
    t_assert_envelope(&r, 500, "store_error");
    ASSERT(strstr(r.body, "secret") == NULL); /* Paths stay in the log */
    ASSERT(strstr(r.body, "I/O") == NULL);
    t_resp_free(&r);
}

static void
test_static(void)
{
    struct t_resp r;
    char          etag[128], v[256], hdr[256];

    t_req(ts.port, "GET", "/", NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "<title>Consometer</title>");
    t_resp_free(&r);

    t_req(ts.port, "GET", "/index.html", NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_security_headers(&r);
    ASSERT(t_header(&r, "ETag", etag, sizeof(etag)));
    ASSERT(t_header(&r, "Last-Modified", v, sizeof(v)));
    ASSERT(t_header(&r, "Cache-Control", v, sizeof(v)));
    snprintf(hdr, sizeof(hdr), "max-age=%d", ts.cfg.http_static_max_age);
    ASSERT_STREQ(v, hdr);
    t_resp_free(&r);

    snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
    t_req(ts.port, "GET", "/index.html", hdr, &r);
    ASSERT_EQ(r.status, 304);
    ASSERT_EQ(r.body_len, 0);
    t_resp_free(&r);

    t_req(ts.port, "GET", "/index.html", "If-None-Match: \"other\"\r\n", &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);
}

/* A portal URL opened in a browser (/donnees/x) is index.html; anything
** else that names no file keeps its 404 envelope. */
static void
test_portal_pages(void)
{
    static const char *const html =
        "Accept: text/html,application/xhtml+xml\r\n";
    static const char *const not_pages[] = {
        "/assets/missing.js", /* A file name: a real 404 */
        "/health/",           /* Trailing slash */
        "/api/v1/nothing",    /* The API's own 404 */
        "/donn%C3%A9es",      /* Escapes: never a page of ours */
    };
    struct t_resp r;

    t_req(ts.port, "GET", "/donnees/electricity-commune-month", html, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "<title>Consometer</title>");
    t_security_headers(&r);
    t_resp_free(&r);
    t_req(ts.port, "HEAD", "/registre/12", html, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body_len, 0);
    t_resp_free(&r);
    /* An API client asking for JSON gets the 404, not a page */
    t_req(ts.port, "GET", "/donnees/electricity-commune-month", NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    for (size_t i = 0; i < sizeof(not_pages) / sizeof(not_pages[0]); i++) {
        t_req(ts.port, "GET", not_pages[i], html, &r);
        t_assert_envelope(&r, 404, "not_found");
        t_resp_free(&r);
    }
    t_req(ts.port, "POST", "/donnees/x", html, &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    t_resp_free(&r);
}

/* A file with NAME.gz beside it: the .gz's bytes to whoever accepts gzip,
** with its encoding and the type of NAME; the plain file to the others. */
static void
test_portal_gzip(void)
{
    struct t_resp r;
    char          v[128];

    t_write_file(ts.cfg.portal_dir, "app.js", "console.log('plain');\n");
    t_write_file(ts.cfg.portal_dir, "app.js.gz", "GZIPPED-BYTES");
    t_req(ts.port, "GET", "/app.js", "Accept-Encoding: gzip, deflate, br\r\n",
          &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_STREQ(r.body, "GZIPPED-BYTES");
    ASSERT(t_header(&r, "Content-Encoding", v, sizeof(v)));
    ASSERT_STREQ(v, "gzip");
    ASSERT(t_header(&r, "Vary", v, sizeof(v)));
    ASSERT_STREQ(v, "Accept-Encoding");
    ASSERT(t_header(&r, "Content-Type", v, sizeof(v)));
    ASSERT_CONTAINS(v, "javascript");
    t_security_headers(&r);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/app.js", NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_STREQ(r.body, "console.log('plain');\n");
    ASSERT(!t_header(&r, "Content-Encoding", v, sizeof(v)));
    t_resp_free(&r);
    /* A client that refuses gzip gets the plain file */
    t_req(ts.port, "GET", "/app.js", "Accept-Encoding: gzip;q=0, identity\r\n",
          &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_STREQ(r.body, "console.log('plain');\n");
    t_resp_free(&r);
    /* No .gz beside it: the plain file, whatever the client accepts */
    t_req(ts.port, "GET", "/index.html", "Accept-Encoding: gzip\r\n", &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(!t_header(&r, "Content-Encoding", v, sizeof(v)));
    t_resp_free(&r);
    /* A .gz alone is not a way around a missing file's name */
    t_req(ts.port, "GET", "/app.js.gz.gz", "Accept-Encoding: gzip\r\n", &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
}

static void
test_api_index(void)
{
    struct t_resp r;

    t_req(ts.port, "GET", "/api/v1", NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"path\":\"/health\"");
    ASSERT_CONTAINS(r.body, "\"path\":\"/metrics\"");
    t_resp_free(&r);
}

struct t_hammer {
    int ok;
};

static void *
t_hammer_loop(void *arg)
{
    struct t_hammer *h = arg;

    for (int i = 0; i < 50; i++) {
        struct t_resp r;

        t_req(ts.port, "GET", "/health", NULL, &r);
        h->ok += r.status == 200;
        t_resp_free(&r);
    }
    return NULL;
}

static void
test_concurrent_and_metrics(void)
{
    pthread_t       t[4];
    struct t_hammer h[4];
    struct t_resp   r;
    char            v[128];

    memset(h, 0, sizeof(h));
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(pthread_create(&t[i], NULL, t_hammer_loop, &h[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ASSERT_EQ(h[i].ok, 50);
    }
    t_req(ts.port, "GET", "/metrics", NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(t_header(&r, "Content-Type", v, sizeof(v)));
    ASSERT_CONTAINS(v, "text/plain; version=0.0.4");
    /* At least the 200 requests above, counted under their route */
    {
        const char *p = strstr(r.body, "consometer_http_requests_total{route="
                                       "\"/health\",status=\"200\"} ");
        ASSERT(p != NULL);
        ASSERT(atoi(strchr(p, '}') + 2) >= 200);
    }
    ASSERT_CONTAINS(r.body, "{route=\"static\",status=\"304\"}");
    ASSERT_CONTAINS(r.body, "{route=\"unmatched\",status=\"404\"}");
    ASSERT_CONTAINS(r.body, "{route=\"/health\",status=\"405\"}");
    ASSERT_CONTAINS(r.body, "consometer_http_request_duration_seconds_bucket"
                            "{le=\"+Inf\"}");
    ASSERT_CONTAINS(r.body, "consometer_http_open_connections ");
    ASSERT_CONTAINS(r.body, "consometer_store_size_bytes ");
    t_resp_free(&r);
}

/* ---- graceful stop ---------------------------------------------------- */

#define T_BIG (24 * 1024 * 1024)

struct t_slow {
    int        port;
    atomic_int started;
    long long  got;
    long long  announced;
};

/* Download the big file slowly, as a phone on a bad network would. */
static void *
t_slow_download(void *arg)
{
    struct t_slow *s = arg;
    const char     req[] = "GET /big.bin HTTP/1.1\r\nHost: x\r\n"
                           "Connection: close\r\n\r\n";
    int            fd = t_connect(s->port);
    char           buf[16384];
    char          *hend;
    ssize_t        n;
    size_t         have = 0;

    ASSERT_EQ(send(fd, req, sizeof(req) - 1, 0), (ssize_t) sizeof(req) - 1);
    /* Read the headers */
    while ((n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0)) > 0) {
        have += (size_t) n;
        buf[have] = '\0';
        if ((hend = strstr(buf, "\r\n\r\n")) != NULL)
            break;
    }
    ASSERT(hend != NULL);
    ASSERT(sscanf(strstr(buf, "Content-Length:") + 15, "%lld", &s->announced) ==
           1);
    s->got = (long long) (have - (size_t) (hend + 4 - buf));
    atomic_store(&s->started, 1);
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
        s->got += n;
        usleep(500);
    }
    close(fd);
    return NULL;
}

static void
t_grace_5s(struct cfg *c)
{
    c->http_shutdown_grace_ms = 5000;
}

static void
test_graceful_stop(void)
{
    struct t_server gs;
    struct t_slow   s;
    pthread_t       t;
    struct timespec t0, t1;
    double          took;
    char           *big = calloc(1, T_BIG);
    FILE           *f;
    char            path[1200];

    t_server_start(&gs, routes, nroutes, t_grace_5s);
    snprintf(path, sizeof(path), "%s/big.bin", gs.cfg.portal_dir);
    f = fopen(path, "w");
    ASSERT(f && big);
    ASSERT_EQ(fwrite(big, 1, T_BIG, f), T_BIG);
    fclose(f);
    free(big);

    memset(&s, 0, sizeof(s));
    s.port = gs.port;
    ASSERT_EQ(pthread_create(&t, NULL, t_slow_download, &s), 0);
    while (!atomic_load(&s.started))
        usleep(1000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    http_stop(gs.srv); /* While the download is in flight */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(t, NULL);
    took = (double) (t1.tv_sec - t0.tv_sec) +
           (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    ASSERT_EQ(s.announced, T_BIG);
    ASSERT_EQ(s.got, T_BIG); /* The in-flight request completed */
    ASSERT(took < 5.0);      /* And the stop did not wait for the grace */
    printf("# graceful stop with a %d MiB download in flight: %.3f s\n",
           T_BIG >> 20, took);

    /* The port is closed now */
    {
        struct sockaddr_in sa;
        int                fd = socket(AF_INET, SOCK_STREAM, 0);

        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t) gs.port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT(connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0);
        close(fd);
    }
}

static void
test_stop_is_quick_when_idle(void)
{
    struct t_server gs;
    struct t_resp   r;
    struct timespec t0, t1;
    double          took;

    t_server_start(&gs, routes, nroutes, NULL);
    t_req(gs.port, "GET", "/health", NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    http_stop(gs.srv);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    took = (double) (t1.tv_sec - t0.tv_sec) +
           (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("# idle stop: %.3f s\n", took);
    ASSERT(took < 2.0);
}

static void
t_bad_port(struct cfg *c)
{
    (void) c;
}

static void
test_port_in_use(void)
{
    struct t_server     a;
    struct cfg          c;
    struct cm_err       err;
    struct http_server *srv;

    t_server_start(&a, routes, nroutes, t_bad_port);
    c = a.cfg;
    c.http_port = a.port;
    ASSERT(http_start(&c, a.store, routes, nroutes, &srv, &err) != CM_OK);
    ASSERT_CONTAINS(err.msg, "cannot serve on");
    ASSERT_CONTAINS(err.msg, "in use");
    c.http_port = 0;
    snprintf(c.portal_dir, sizeof(c.portal_dir), "%.900s/no-such-portal",
             a.dir);
    ASSERT(http_start(&c, a.store, routes, nroutes, &srv, &err) != CM_OK);
    ASSERT_CONTAINS(err.msg, "portal.dir");
    http_stop(a.srv);
}

int
main(void)
{
    t_build_table();
    t_server_start(&ts, t_table, t_ntable, NULL);
    RUN(test_health);
    RUN(test_cors_preflight);
    RUN(test_not_found);
    RUN(test_method_not_allowed);
    RUN(test_path_args);
    RUN(test_bad_query);
    RUN(test_body_limit);
    RUN(test_traversal);
    RUN(test_malformed_request);
    RUN(test_header_limit);
    RUN(test_internal_error);
    RUN(test_static);
    RUN(test_portal_pages);
    RUN(test_portal_gzip);
    RUN(test_api_index);
    RUN(test_concurrent_and_metrics);
    http_stop(ts.srv);
    RUN(test_graceful_stop);
    RUN(test_stop_is_quick_when_idle);
    RUN(test_port_in_use);
    return 0;
}
