/*
** t_http.h -- for HTTP integration tests: start the real server in-process
** on an ephemeral loopback port with a fresh store and portal folder, and
** talk raw HTTP/1.1 to it over real sockets (so tests can send exactly
** the bytes a client would, malformed ones included).
*/
#ifndef CM_T_HTTP_H
#define CM_T_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <yajl/yajl_tree.h>

#include "../t.h"
#include "cfg.h"
#include "http.h"
#include "log.h"
#include "store.h"

struct t_server {
    struct http_server *srv;
    struct cfg          cfg;
    char                dir[900];
    char                store[1100];
    int                 port;
};

struct t_resp {
    int    status;
    char   head[16384]; /* Status line and headers, NUL-terminated */
    char  *body;        /* NUL-terminated, malloc'd */
    size_t body_len;
};

/*
** Prepare a server: its folder, configuration ('tweak' may change it)
** and a migrated store, without listening yet. t_server_start() is this
** then t_server_listen(); a test that needs something started between
** the two (the run daemon, runq.h, forks before any server thread)
** calls them itself.
*/
static inline void
t_server_prepare(struct t_server *ts, void (*tweak)(struct cfg *))
{
    struct cm_err     err;
    struct store     *st;
    struct store_opts o = {1, 1, 5000, 0};

    memset(ts, 0, sizeof(*ts));
    snprintf(ts->dir, sizeof(ts->dir), "%.899s", t_tmpdir("http"));
    cfg_init(&ts->cfg);
    ts->cfg.http_port = 0;
    ts->cfg.http_threads = 4;
    ts->cfg.log_level = CM_LOG_ERROR; /* Keep test output readable */
    cm_log_set_level(CM_LOG_ERROR);
    snprintf(ts->cfg.data_dir, sizeof(ts->cfg.data_dir), "%s/data", ts->dir);
    snprintf(ts->cfg.portal_dir, sizeof(ts->cfg.portal_dir), "%s/portal",
             ts->dir);
    mkdir(ts->cfg.portal_dir, 0755);
    t_write_file(ts->cfg.portal_dir, "index.html",
                 "<!doctype html><title>Consometer</title>\n");
    if (tweak)
        tweak(&ts->cfg);
    ASSERT_EQ(store_prepare_dir(ts->cfg.data_dir, &err), CM_OK);
    ASSERT_EQ(cfg_store_path(&ts->cfg, ts->store, sizeof(ts->store), &err),
              CM_OK);
    ASSERT_EQ(store_open(ts->store, &o, &st, NULL, &err), CM_OK);
    store_close(st);
}

/* Start listening on a prepared server, answering table[0..n). */
static inline void
t_server_listen(struct t_server *ts, const struct route *table, int n)
{
    struct cm_err err;

    if (http_start(&ts->cfg, ts->store, table, n, &ts->srv, &err) != CM_OK) {
        fprintf(stderr, "http_start: %s\n", err.msg);
        exit(1);
    }
    ts->port = http_port(ts->srv);
    ASSERT(ts->port > 0);
}

/* Start a server; 'tweak' may change the configuration first. */
static inline void
t_server_start(struct t_server *ts, const struct route *table, int n,
               void (*tweak)(struct cfg *))
{
    t_server_prepare(ts, tweak);
    t_server_listen(ts, table, n);
}

static inline int
t_connect(int port)
{
    struct sockaddr_in sa;
    struct timeval     tv = {10, 0};
    int                fd = socket(AF_INET, SOCK_STREAM, 0);

    ASSERT(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t) port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static inline void
t_resp_free(struct t_resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* Split what was read into status, headers and body. */
static inline void
t_parse(struct t_resp *r, char *buf, size_t len)
{
    char  *end = NULL;
    size_t hlen;

    for (size_t i = 0; i + 3 < len; i++)
        if (!memcmp(buf + i, "\r\n\r\n", 4)) {
            end = buf + i;
            break;
        }
    ASSERT(end != NULL);
    hlen = (size_t) (end - buf);
    ASSERT(hlen < sizeof(r->head));
    memcpy(r->head, buf, hlen);
    r->head[hlen] = '\0';
    ASSERT(sscanf(r->head, "HTTP/1.%*d %d", &r->status) == 1);
    r->body_len = len - hlen - 4;
    r->body = malloc(r->body_len + 1);
    ASSERT(r->body != NULL);
    memcpy(r->body, end + 4, r->body_len);
    r->body[r->body_len] = '\0';
}

/* Send raw bytes, read the reply until the server closes. */
static inline void
t_raw(int port, const char *raw, size_t rawlen, struct t_resp *r)
{
    int     fd = t_connect(port);
    size_t  cap = 65536, len = 0;
    char   *buf = malloc(cap);
    ssize_t n;

    ASSERT(buf != NULL);
    ASSERT_EQ(send(fd, raw, rawlen, MSG_NOSIGNAL), (ssize_t) rawlen);
    while ((n = recv(fd, buf + len, cap - len, 0)) > 0) {
        len += (size_t) n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ASSERT(buf != NULL);
        }
    }
    close(fd);
    memset(r, 0, sizeof(*r));
    t_parse(r, buf, len);
    free(buf);
}

/* One request on its own connection ("Connection: close"). */
static inline void
t_req(int port, const char *method, const char *target, const char *headers,
      struct t_resp *r)
{
    size_t cap =
        strlen(method) + strlen(target) + (headers ? strlen(headers) : 0) + 128;
    char *raw = malloc(cap);
    int   n;

    ASSERT(raw != NULL);
    n = snprintf(raw, cap,
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Connection: close\r\n%s\r\n",
                 method, target, headers ? headers : "");
    ASSERT(n > 0 && (size_t) n < cap);
    t_raw(port, raw, (size_t) n, r);
    free(raw);
}

/* The value of header 'name' (case-insensitive), or NULL. */
static inline const char *
t_header(const struct t_resp *r, const char *name, char *out, size_t outsz)
{
    size_t      nlen = strlen(name);
    const char *p = strstr(r->head, "\r\n");

    while (p && p[2]) {
        const char *line = p + 2, *eol = strstr(line, "\r\n");
        size_t      llen = eol ? (size_t) (eol - line) : strlen(line);

        if (llen > nlen && line[nlen] == ':' &&
            strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;

            while (*v == ' ')
                v++;
            snprintf(out, outsz, "%.*s", (int) (llen - (size_t) (v - line)), v);
            return out;
        }
        p = eol;
    }
    return NULL;
}

/* The JSON body, parsed; yajl_tree_free() it. */
static inline yajl_val
t_json(const struct t_resp *r)
{
    char     ebuf[256];
    yajl_val v = yajl_tree_parse(r->body, ebuf, sizeof(ebuf));

    if (v == NULL) {
        fprintf(stderr, "not JSON (%s): %s\n", ebuf, r->body);
        exit(1);
    }
    return v;
}

static inline const char *
t_json_str(yajl_val doc, const char *a, const char *b, const char *c)
{
    const char *path[] = {a, b, c, NULL};
    yajl_val    v = yajl_tree_get(doc, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

/* The reply is the one error envelope, with this status and code. */
static inline void
t_assert_envelope(const struct t_resp *r, int status, const char *code)
{
    yajl_val    doc;
    const char *details[] = {"error", "details", NULL};
    char        ctype[128];

    if (r->status != status) {
        fprintf(stderr, "status %d, want %d:\n%s\n\n%s\n", r->status, status,
                r->head, r->body);
        exit(1);
    }
    ASSERT(t_header(r, "Content-Type", ctype, sizeof(ctype)) != NULL);
    ASSERT_STREQ(ctype, "application/json; charset=utf-8");
    doc = t_json(r);
    ASSERT_STREQ(t_json_str(doc, "error", "code", NULL), code);
    ASSERT(t_json_str(doc, "error", "message", NULL) != NULL);
    ASSERT(strlen(t_json_str(doc, "error", "message", NULL)) > 0);
    ASSERT(yajl_tree_get(doc, details, yajl_t_any) != NULL);
    yajl_tree_free(doc);
}

#endif /* CM_T_HTTP_H */
