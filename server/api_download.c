/*
** api_download.c -- GET /api/v1/datasets/{slug}/download?format=F
** [&version=N]: one published version as a file (csv, json, ndjson, zip,
** tar.gz), the way a download manager expects it: Content-Length,
** Content-Disposition, ETag = the file's sha256, 304 on If-None-Match,
** single byte ranges (206, If-Range, 416) so a broken download resumes.
**
** Everything in the headers comes from the distribution row the
** publisher wrote, so HEAD, 304 and the headers of a first download are
** answered before the file exists. The body comes from the cache (dl.c);
** the first request for a file streams it while the cache fills. Each
** body sent is counted (dl.h) for the platform's own footprint.
*/
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <civetweb.h>

#include "api.h"
#include "dl.h"
#include "ds_manifest.h"
#include "exp.h"
#include "http.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "store.h"

#define DL_CHUNK (64 * 1024) /* Bytes read from disk per mg_write */

/* A response being sent: the headers every status of it shares. */
struct dl_reply {
    struct req                      *rq;
    const struct store_distribution *d;
    char                             etag[EXP_SHA256_HEX + 3];
    char                             disposition[200];
    char                             range[96]; /* Content-Range */
    const char                      *cache;     /* Cache-Control */
};

/* Send the headers of a reply with a body of len bytes, but not the
** body: http_send() writes no body for HEAD, so the request is marked
** HEAD for the call and the caller streams the body after it. */
static void
dl_send_head(struct dl_reply *r, int status, int64_t len)
{
    const char *hdr[] = {"ETag",
                         r->etag,
                         "Accept-Ranges",
                         "bytes",
                         "Content-Disposition",
                         r->disposition,
                         r->range[0] ? "Content-Range" : NULL,
                         r->range,
                         NULL};
    int         head = r->rq->head;

    r->rq->head = 1;
    r->rq->cache_control = r->cache; /* Not on errors: those stay no-store */
    http_send(r->rq, status, r->d->media_type, NULL, (size_t) len, hdr);
    r->rq->cache_control = NULL;
    r->rq->head = head;
}

/* Stream bytes [first, last] of the file at path, adding what was
** written to *sent. 0, or -1 when the client went away or the file
** could not be read (logged). */
static int
dl_send_file(struct req *rq, const char *path, int64_t first, int64_t last,
             int64_t *sent)
{
    char   *buf;
    int     fd = open(path, O_RDONLY | O_CLOEXEC);
    int64_t at = first;
    int     rc = 0;

    if (fd < 0) {
        cm_log(CM_LOG_ERROR, "download %s: %s", path, strerror(errno));
        return -1;
    }
    buf = cm_malloc(DL_CHUNK);
    while (at <= last) {
        size_t want =
            (size_t) (last - at + 1 < DL_CHUNK ? last - at + 1 : DL_CHUNK);
        ssize_t n = pread(fd, buf, want, (off_t) at);

        if (n <= 0) {
            cm_log(CM_LOG_ERROR, "download %s: short read at %" PRId64, path,
                   at);
            rc = -1;
            break;
        }
        if (mg_write(rq->conn, buf, (size_t) n) <= 0) {
            rc = -1; /* The client left */
            break;
        }
        at += n;
        *sent += n;
    }
    free(buf);
    close(fd);
    return rc;
}

/* The first client of a file not cached yet: dl_ensure() hands it the
** bytes as they are built. The headers go out with the first chunk, so
** a build that fails at once still gets the error envelope. */
struct dl_tee {
    struct dl_reply *r;
    int64_t          sent;
    int              started; /* Headers sent */
};

static int
dl_tee_write(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    struct dl_tee *t = ctx;
    int64_t        room = t->r->d->bytes - t->sent;

    if (!t->started) {
        dl_send_head(t->r, 200, t->r->d->bytes);
        t->started = 1;
    }
    /* Never past the Content-Length promised: a build that came out
    ** longer is cut (and not cached); the connection is then closed. */
    if ((int64_t) n > room)
        n = (size_t) room;
    if (n > 0 && mg_write(t->r->rq->conn, p, n) <= 0)
        return cm_fail(err, CM_EIO, "the client went away");
    t->sent += (int64_t) n;
    return CM_OK;
}

/*
** The Range header against a file of 'size' bytes: 0 to send it whole
** (no header, a syntax we ignore as RFC 9110 allows, or several ranges),
** 1 with [*first, *last] for a satisfiable single range, -1 when none
** of the file can be sent (416).
*/
static int
dl_range(const char *h, int64_t size, int64_t *first, int64_t *last)
{
    const char *p;
    char       *end;
    long long   a = -1, b = -1;

    if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
        return 0;
    p = h + 6;
    while (*p == ' ')
        p++;
    if (*p >= '0' && *p <= '9') {
        errno = 0;
        a = strtoll(p, &end, 10);
        if (errno != 0 || *end != '-')
            return 0;
        p = end + 1;
    } else if (*p != '-') {
        return 0;
    } else {
        p++;
    }
    if (*p >= '0' && *p <= '9') {
        errno = 0;
        b = strtoll(p, &end, 10);
        if (errno != 0)
            return 0;
        p = end;
    }
    while (*p == ' ')
        p++;
    if (*p != '\0' || (a < 0 && b < 0) || (a >= 0 && b >= 0 && b < a))
        return 0;
    if (a < 0) { /* Suffix: the last b bytes */
        if (b == 0 || size == 0)
            return -1;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return 1;
    }
    if (a >= size)
        return -1;
    *first = a;
    *last = b < 0 || b >= size ? size - 1 : b;
    return 1;
}

/* If-Range: 1 to honour the Range header. Only our strong tag does; a
** date, or another tag, means the client's part is stale: send it all. */
static int
dl_if_range(struct dl_reply *r)
{
    const char *h = mg_get_header(r->rq->conn, "If-Range");

    return h == NULL || strcmp(h, r->etag) == 0;
}

static void
dl_formats_details(struct jw *w, const void *arg)
{
    (void) arg;
    jw_obj_open(w);
    jw_kv_str(w, "param", "format");
    jw_key(w, "allowed");
    jw_arr_open(w);
    for (int i = 0; i < EXP_NFORMATS; i++)
        jw_str(w, exp_formats[i]);
    jw_arr_close(w);
    jw_obj_close(w);
}

/* A 416's details: the size, as Content-Range would say it. */
static void
dl_range_details(struct jw *w, const void *arg)
{
    const struct store_distribution *d = arg;
    char                             range[48];

    snprintf(range, sizeof(range), "bytes */%" PRId64, d->bytes);
    jw_obj_open(w);
    jw_kv_str(w, "header", "Range");
    jw_kv_int(w, "size", d->bytes);
    jw_kv_str(w, "content_range", range);
    jw_obj_close(w);
}

/* Parse ?version=: 0 when absent (the latest), else N >= 1; -1 (400
** sent) when it is not a positive integer. */
static int64_t
dl_version_or_reply(struct req *rq, int *status)
{
    const char   *s = query_get(&rq->q, "version");
    char         *end;
    long long     n;
    struct cm_err err;

    if (s == NULL)
        return 0;
    errno = 0;
    n = strtoll(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || n < 1) {
        cm_fail(&err, CM_EINVAL,
                "version must be a version number (1, 2 ...); omit it "
                "for the latest");
        cm_err_what(&err, "param", "version");
        *status = http_reply_error(rq, &err);
        return -1;
    }
    return n;
}

/* Find the version and its distribution; on 0 the reply is sent and its
** status is in *status. */
static int
dl_lookup(struct req *rq, const char *slug, int64_t number, const char *format,
          struct store_version *v, struct store_distribution *d, int *status)
{
    struct store_distribution all[EXP_NFORMATS * 2];
    size_t                    n;
    int                       found;
    struct cm_err             err;

    if (store_version_get(rq->st, slug, number, v, &found, &err) != CM_OK) {
        *status = http_reply_error(rq, &err);
        return 0;
    }
    if (!found) {
        if (number > 0 &&
            store_version_get(rq->st, slug, 0, v, &found, &err) == CM_OK &&
            found)
            cm_fail(&err, CM_ENOTFOUND,
                    "dataset '%s' has no version %" PRId64
                    " (the latest is %" PRId64 ")",
                    slug, number, v->latest);
        else
            cm_fail(&err, CM_ENOTFOUND, "no published dataset '%s'", slug);
        store_version_clear(v);
        *status = http_reply_error(rq, &err);
        return 0;
    }
    if (store_distribution_list(rq->st, v->id, all, EXP_NFORMATS * 2, &n,
                                &err) != CM_OK) {
        *status = http_reply_error(rq, &err);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].format, format) == 0) {
            *d = all[i];
            return 1;
        }
    cm_fail(&err, CM_ENOTFOUND,
            "version %" PRId64 " of '%s' has no %s download", v->number, slug,
            format);
    *status = http_reply_error(rq, &err);
    return 0;
}

/* Send the body of a 200 or 206 for r: from the cache, building the file
** first if needed (and streaming that build when the whole file is
** asked for). Returns the status sent; *sent the body bytes written. */
static int
dl_send_body(struct dl_reply *r, const struct store_version *v, int status,
             int64_t first, int64_t last, int64_t *sent)
{
    struct req   *rq = r->rq;
    char          path[DL_PATH_MAX];
    struct dl_tee tee = {r, 0, 0};
    struct cm_err err;
    int           teed, rc;

    rc = dl_ensure(rq->st, rq->cfg->data_dir, v, r->d,
                   status == 200 ? dl_tee_write : NULL, &tee, path,
                   sizeof(path), &teed, &err);
    if (teed) {
        *sent = tee.sent;
        /* Built here and streamed: done, unless the build failed after
        ** the headers went out; then the client must not keep the
        ** connection (its body is short or wrong). */
        if (rc != CM_OK && !tee.started)
            return http_reply_error(rq, &err);
        if (!tee.started) /* An empty file: no chunk brought the headers */
            dl_send_head(r, status, 0);
        if (rc != CM_OK || tee.sent != r->d->bytes)
            http_close_after(rq);
        return status;
    }
    if (rc != CM_OK)
        return http_reply_error(rq, &err);
    dl_send_head(r, status, last - first + 1);
    if (dl_send_file(rq, path, first, last, sent) != 0)
        http_close_after(rq);
    return status;
}

/* GET /api/v1/datasets/{slug}/download?format=F[&version=N] */
int
api_download(struct req *rq)
{
    char                      slug[DS_SLUG_MAX + 1];
    const char               *format = query_get(&rq->q, "format");
    struct store_version      v;
    struct store_distribution d;
    struct dl_reply           r;
    struct cm_err             err;
    int64_t                   number, first = 0, last, sent = 0;
    int                       status = 0, ranged;

    /* 1. Parse and validate. */
    if (format == NULL)
        format = "csv";
    if (exp_format_find(format) < 0) {
        cm_fail(&err, CM_EINVAL, "unknown format '%.32s': use one of %s",
                format, EXP_FORMATS_TEXT);
        cm_err_what(&err, "param", "format");
        return http_reply_error_details(rq, &err, dl_formats_details, NULL);
    }
    if ((number = dl_version_or_reply(rq, &status)) < 0)
        return status;
    if (rq->arg_len[0] > DS_SLUG_MAX) {
        cm_fail(&err, CM_ENOTFOUND, "no published dataset '%.*s'", DS_SLUG_MAX,
                rq->arg[0]);
        return http_reply_error(rq, &err);
    }
    snprintf(slug, sizeof(slug), "%.*s", (int) rq->arg_len[0], rq->arg[0]);

    /* 2. The version and the file's record. */
    if (!dl_lookup(rq, slug, number, format, &v, &d, &status))
        return status;

    /* 3. Reply: every header from the record, the body from the cache. */
    memset(&r, 0, sizeof(r));
    r.rq = rq;
    r.d = &d;
    snprintf(r.etag, sizeof(r.etag), "\"%s\"", d.sha256);
    snprintf(r.disposition, sizeof(r.disposition),
             "attachment; filename=\"%s\"", d.name);
    /* A numbered version is immutable; "the latest" moves on. */
    r.cache = number > 0 ? "public, max-age=31536000, immutable"
                         : "public, max-age=60, must-revalidate";
    last = d.bytes - 1;
    ranged = dl_if_range(&r) ? dl_range(mg_get_header(rq->conn, "Range"),
                                        d.bytes, &first, &last)
                             : 0;
    if (http_etag_match(rq, d.sha256)) {
        dl_send_head(&r, 304, 0);
        status = 304;
    } else if (ranged < 0) {
        char                   cr[48];
        const char            *hdr[] = {"Content-Range", cr, NULL};
        struct http_error_opts o = {hdr, dl_range_details, NULL, &d};

        cm_fail(&err, CM_ERANGE,
                "the range asked is outside the file (%" PRId64 " bytes)",
                d.bytes);
        snprintf(cr, sizeof(cr), "bytes */%" PRId64, d.bytes);
        status = http_reply_error_opts(rq, &err, &o);
    } else {
        if (ranged)
            snprintf(r.range, sizeof(r.range),
                     "bytes %" PRId64 "-%" PRId64 "/%" PRId64, first, last,
                     d.bytes);
        status = ranged ? 206 : 200;
        if (rq->head)
            dl_send_head(&r, status, last - first + 1);
        else
            status = dl_send_body(&r, &v, status, first, last, &sent);
        /* What the platform serves, for its own footprint (dl.h): bodies
        ** only, as many bytes as went out. */
        if (!rq->head && (status == 200 || status == 206))
            dl_stats_count(rq->st, v.slug, d.format, sent);
    }
    store_version_clear(&v);
    return status;
}
