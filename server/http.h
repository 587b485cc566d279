/*
** http.h -- the HTTP server (CivetWeb, started from the library) and the
** helpers handlers use to read a request and send a reply.
**
** Every request to the server goes through one dispatcher: it checks the
** path and the body size, finds the route in the table of routes.c (405
** with Allow when only the method is wrong), hands the worker thread's
** store connection to the handler, and falls through to CivetWeb's file
** server for the portal's static files. Handlers parse, call the domain,
** and render JSON with jw; they return the status they sent, never 0.
*/
#ifndef CM_HTTP_H
#define CM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "err.h"
#include "cm_limits.h"
#include "query.h"
#include "store.h"

struct mg_connection;
struct mg_request_info;
struct http_server;
struct store;
struct jw;
struct req;
struct cm_buf;

typedef int (*http_handler)(struct req *rq);

/* Route flags. */
#define ROUTE_BODY 0x01   /* The handler reads a body, up to http.body_max */
#define ROUTE_UPLOAD 0x02 /* It streams a body, up to ingest.body_max */
/* A public route that answers more to a caller who says who they are (a
** token or a session cookie): the caller is authenticated when they do,
** anonymous (rq->account.id 0) when they do not. */
#define ROUTE_AUTH_OPT 0x04

struct route {
    const char  *method;  /* "GET" (HEAD is served by GET routes) */
    const char  *pattern; /* "/api/v1/datasets/{slug}": {x} is one segment */
    http_handler handler;
    const char  *params;  /* Query parameters accepted: "limit,after" */
    unsigned     flags;   /* ROUTE_* */
    unsigned     roles;   /* AUTH_* bits allowed; 0: public, no token */
    const char  *summary; /* One line, listed by GET /api/v1 */
};

/* The routing table of consometer (routes.c). */
extern const struct route routes[];
extern const int          nroutes;

struct req {
    struct mg_connection         *conn;
    const struct mg_request_info *ri;
    struct http_server           *srv;
    const struct cfg             *cfg; /* Borrowed from srv */
    struct store                 *st;  /* The worker's connection */
    const struct route           *route;
    const char                   *path; /* Decoded path, no query */
    struct query                  q;
    const char          *arg[CM_MAX_PATH_ARGS]; /* {x} segments, in order */
    size_t               arg_len[CM_MAX_PATH_ARGS];
    int                  head;          /* HEAD: headers only */
    struct store_account account;       /* The caller, on routes with roles */
    char                 csrf[64];      /* Its session's CSRF token, or "" */
    int                  close;         /* Close the connection after reply */
    const char          *cache_control; /* Default "no-store" */
};

/* Start the server on cfg's address and port, with the store at
** 'store_path' already migrated, answering the routes of table[0..n)
** (consometer passes routes/nroutes; tests may pass their own). The cfg
** is copied; the table is borrowed for the life of the server. */
int http_start(const struct cfg *cfg, const char *store_path,
               const struct route *table, int n, struct http_server **out,
               struct cm_err *err);
int http_port(const struct http_server *srv); /* The port bound */
/* Stop: let in-flight requests finish (up to http.shutdown_grace_ms),
** then close every connection and worker store. NULL-safe. */
void http_stop(struct http_server *srv);

/* The {i} segment of the path as a positive id (1 to 18 digits); 0 when
** it cannot be one, which the handler answers with 404. */
int64_t http_id_arg(const struct req *rq, int i);

/* Match 'path' against a route pattern, filling rq->arg. 1 if it does. */
int route_match(const char *pattern, const char *path, struct req *rq);

/* Send a complete response. 'headers' is NULL or a NULL-terminated list
** of name, value pairs. Returns 'status'. */
int http_send(struct req *rq, int status, const char *ctype, const char *body,
              size_t len, const char *const *headers);

/* The envelope, with 'details' written by 'fn' (NULL: as err says). */
int http_reply_error_details(struct req *rq, const struct cm_err *err,
                             void (*fn)(struct jw *w, const void *arg),
                             const void *arg);

/* What a reply of the envelope may add to it. */
struct http_error_opts {
    const char *const *headers; /* NULL-terminated name, value pairs */
    /* Writes the value of "details" (NULL: as err says) */
    void (*details)(struct jw *w, const void *arg);
    /* Writes extra keys: inner 0 at the top level before "error", 1 in
    ** "error" after "details" (a CKAN client's "success" and "__type") */
    void (*around)(struct jw *w, const void *arg, int inner);
    const void *arg;
};

/* The envelope, with o's additions (o may be NULL). */
int http_reply_error_opts(struct req *rq, const struct cm_err *err,
                          const struct http_error_opts *o);

/* Read the request body into *out, at most 'limit' bytes: CM_ELIMIT
** naming 'setting' past it, CM_EMALFORMED when it is cut short. */
struct cm_buf;
int http_read_body(struct req *rq, int64_t limit, const char *setting,
                   struct cm_buf *out, struct cm_err *err);

/* Close the connection after this reply (a body left unread...). */
void http_close_after(struct req *rq);

/*
** Replies of published data, which never change for a given URL and
** version: a strong ETag (the quoted 'etag', or the first 32 hex digits
** of the body's sha256 when 'etag' is NULL), Cache-Control from
** rq->cache_control (default "public, max-age=60, must-revalidate"),
** and 304 with no body when If-None-Match names the tag (or is "*").
*/
int http_send_cached(struct req *rq, const char *ctype, const char *body,
                     size_t len, const char *etag);
int http_reply_json_cached(struct req *rq, struct jw *w);
/* 1 if If-None-Match holds the quoted tag "\"<etag>\"" (or "*"). */
int http_etag_match(struct req *rq, const char *etag);

/* Send w's document as application/json. */
int http_reply_json(struct req *rq, int status, struct jw *w);
/* The same with extra headers (NULL-terminated name, value pairs). */
int http_reply_json_with(struct req *rq, int status, struct jw *w,
                         const char *const *headers);

/* Send the one error envelope {"error":{"code","message","details"}}
** with the status of err->code. Returns the status. */
int http_reply_error(struct req *rq, const struct cm_err *err);

/* The routing table the server was started with, its size in *pn. */
const struct route *http_routes(const struct http_server *srv, int *pn);

/* Seconds since the server started. */
double http_uptime(const struct http_server *srv);

/* The metrics text of this server (GET /metrics), into out. */
void http_metrics_render(struct req *rq, struct cm_buf *out);

#endif /* CM_HTTP_H */
