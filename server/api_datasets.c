/*
** api_datasets.c -- the published datasets in the JSON API: the catalog
** (GET /api/v1/datasets), one dataset (GET /api/v1/datasets/{slug}) and
** its observations (GET /api/v1/datasets/{slug}/records).
**
** Every list is paged by an opaque cursor: base64url of the position
** after the last item sent (its sort key and its row, or its slug),
** bound to the version and to a hash of the parameters that choose and
** order the rows, and signed with HMAC-SHA-512-256 (crypto_auth). A
** client cannot forge a position, replay one with other filters, or
** carry one over to another version unnoticed: each is a 400. Paging by
** position rather than by offset keeps the millionth row as cheap as the
** first, and a walk by `next` links sees every row exactly once.
**
** The cursor key is 32 random bytes kept in the file "cursor.key" beside
** the store (the data folder), made on first use and read back ever
** after, so cursors and ETags survive a restart and are shared by every
** process serving the same store. Deleting it (then restarting) only
** invalidates the cursors in flight.
**
** Records are the hot route (benchmarked against nginx). Its ETag is a
** keyed hash of the version and the query, known before any row is read,
** so a revalidation costs no query and a 200 no hash of its body; and as
** a page never changes, the pages served lately are kept in memory
** (api.records_cache) under that tag. The rows come from one statement
** per request shape, kept prepared on each connection (store_read.c),
** and are written as they are read, with no allocation per row.
*/
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <civetweb.h>
#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "api.h"
#include "api_cursor.h"
#include "ds_manifest.h"
#include "exp.h"
#include "http.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "store_read.h"
#include "text.h"
#include "units.h"

_Static_assert(EXP_NCOLS == STORE_OBS_NCOLS, "exp_columns and store_read");

#define API_JSON "application/json; charset=utf-8"

/* Words of a catalog search: each is matched against every dataset, so a
** query of thousands of words would cost that many passes; no real
** search needs more than a handful. */
#define API_Q_WORDS_MAX 32

/* Bytes of the HMAC kept in a cursor: 128 bits are beyond guessing. */
#define API_CURSOR_MAC 16

/* Most distributions a version lists (one per format). */
#define API_DIST_MAX 16

/* Table Schema types of the published columns, in exp_columns order. */
static const char *const api_obs_types[STORE_OBS_NCOLS] = {
    "string", "string", "string",  "string", "string",
    "number", "string", "integer", "string"};

/* territory_level values of the published Table Schema. */
static const char *const api_levels[] = {"site", "district",   "commune",
                                         "epci", "department", "region"};
static const char *const api_statuses[] = {"A", "C", "D"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- replies ---------------------------------------------------------- */

struct api_bad { /* The details of a refused parameter */
    const char        *param;
    const char        *value;   /* What was given, or NULL */
    const char *const *allowed; /* What would be accepted, or NULL */
    size_t             n_allowed;
    const char        *format;  /* The expected format, or NULL */
    const char        *setting; /* The setting holding a limit, or NULL */
    int64_t            limit;
};

static void
api_bad_details(struct jw *w, const void *arg)
{
    const struct api_bad *b = arg;

    jw_obj_open(w);
    jw_kv_str(w, "param", b->param);
    if (b->value)
        jw_kv_str(w, "value", b->value);
    if (b->allowed) {
        jw_key(w, "allowed");
        jw_arr_open(w);
        for (size_t i = 0; i < b->n_allowed; i++)
            jw_str(w, b->allowed[i]);
        jw_arr_close(w);
    }
    if (b->format)
        jw_kv_str(w, "format", b->format);
    if (b->setting) {
        jw_kv_str(w, "setting", b->setting);
        jw_kv_int(w, "limit", b->limit);
    }
    jw_obj_close(w);
}

/* Send a 400 (code CM_EINVAL) naming b->param, with b as details. */
static int api_reply_bad(struct req *rq, const struct api_bad *b,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
api_reply_bad(struct req *rq, const struct api_bad *b, const char *fmt, ...)
{
    struct cm_err err;
    char          msg[sizeof(err.msg)];
    va_list       ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cm_fail(&err, CM_EINVAL, "%s", msg);
    cm_err_what(&err, "param", b->param);
    return http_reply_error_details(rq, &err, api_bad_details, b);
}

static int api_reply_not_found(struct req *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
api_reply_not_found(struct req *rq, const char *fmt, ...)
{
    struct cm_err err;
    char          msg[sizeof(err.msg)];
    va_list       ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cm_fail(&err, CM_ENOTFOUND, "%s", msg);
    return http_reply_error(rq, &err);
}

/* ---- parameters ------------------------------------------------------- */

/* Copy the {slug} segment into out; 0 if it cannot be a slug (then no
** dataset has it: the caller answers 404). */
static int
api_slug(struct req *rq, char out[DS_SLUG_MAX + 1])
{
    size_t n = rq->arg_len[0];

    if (n == 0 || n > DS_SLUG_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = rq->arg[0][i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    memcpy(out, rq->arg[0], n);
    out[n] = '\0';
    return 1;
}

/* A decimal integer, digits only, into *out; -1 if it is not one. */
static int
api_parse_int(const char *s, int64_t *out)
{
    int64_t n = 0;

    if (s == NULL || *s == '\0' || strlen(s) > 18)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (*s - '0');
    }
    *out = n;
    return 0;
}

/* ?version=N into *number (0 when absent). Returns 0, or the status of
** the 400 it sent (as do the other parameter readers below). */
static int
api_version_param(struct req *rq, int64_t *number)
{
    const char    *v = query_get(&rq->q, "version");
    struct api_bad b = {.param = "version", .value = v, .format = "1, 2..."};

    *number = 0;
    if (v == NULL)
        return 0;
    if (api_parse_int(v, number) != 0 || *number < 1)
        return api_reply_bad(rq, &b,
                             "version must be a version number (1, 2...)");
    return 0;
}

/* ?limit=N into *limit, def when absent, at most max (the setting named
** 'setting'). */
static int
api_limit_param(struct req *rq, int def, int max, const char *setting,
                int64_t *limit)
{
    const char    *v = query_get(&rq->q, "limit");
    struct api_bad b = {.param = "limit", .value = v};

    *limit = def;
    if (v == NULL)
        return 0;
    if (api_parse_int(v, limit) != 0 || *limit < 1) {
        b.setting = setting;
        b.limit = max;
        return api_reply_bad(rq, &b,
                             "limit must be a whole number from 1 to %d", max);
    }
    if (*limit > max) {
        b.setting = setting;
        b.limit = max;
        return api_reply_bad(rq, &b, "limit %s exceeds %s (%d)", v, setting,
                             max);
    }
    return 0;
}

struct api_list { /* A comma-separated parameter, split */
    const char  *param;
    const char  *raw; /* As given (borrowed from rq->q) */
    char        *buf; /* Owned copy, ',' turned into NULs */
    const char **v;   /* Owned array of pointers into buf */
    size_t       n;
};

static void
api_list_clear(struct api_list *l)
{
    free(l->buf);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Split ?param=a,b,c into l (l->n == 0 when absent); an empty value is
** a 400. */
static int
api_list_param(struct req *rq, const char *param, struct api_list *l)
{
    const char *raw = query_get(&rq->q, param);
    size_t      n = 1;

    memset(l, 0, sizeof(*l));
    l->param = param;
    if (raw == NULL)
        return 0;
    l->raw = raw;
    for (const char *p = raw; *p; p++)
        n += *p == ',';
    l->buf = cm_strdup(raw);
    l->v = cm_calloc(n, sizeof(*l->v));
    for (char *p = l->buf;;) {
        char *comma = strchr(p, ',');

        if (comma)
            *comma = '\0';
        if (*p == '\0') {
            struct api_bad b = {.param = param, .value = raw};

            return api_reply_bad(rq, &b,
                                 "%s has an empty value; give one or more "
                                 "values separated by commas",
                                 param);
        }
        l->v[l->n++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

/* Append s to b, percent-encoded for a query string. Commas stay: they
** separate the values of one parameter. */
static void
api_url_encode(struct cm_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        unsigned char c = *p;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~' || c == ',')
            cm_buf_add(b, &c, 1);
        else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};

            cm_buf_add(b, e, 3);
        }
    }
}

/* Append the request's parameters but 'skip1' and 'skip2', each as
** "key=value&". */
static void
api_url_params(struct cm_buf *b, const struct query *q, const char *skip1,
               const char *skip2)
{
    for (int i = 0; i < q->n; i++) {
        if ((skip1 && strcmp(q->key[i], skip1) == 0) ||
            (skip2 && strcmp(q->key[i], skip2) == 0))
            continue;
        api_url_encode(b, q->key[i]);
        cm_buf_puts(b, "=");
        api_url_encode(b, q->val[i]);
        cm_buf_puts(b, "&");
    }
}

/* ---- JSON text published with a version ------------------------------- */

/* Parse published JSON text (NULL: NULL). A text the store accepted but
** yajl does not is logged and read as null rather than failing the page. */
static yajl_val
api_json_parse(const char *text, const char *what)
{
    char     ebuf[128];
    yajl_val v;

    if (text == NULL)
        return NULL;
    v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
    if (v == NULL)
        cm_log(CM_LOG_WARN, "published %s is not JSON: %s", what, ebuf);
    return v;
}

static yajl_val
api_json_get(yajl_val obj, const char *key, yajl_type type)
{
    const char *path[] = {key, NULL};

    return obj ? yajl_tree_get(obj, path, type) : NULL;
}

static const char *
api_json_str(yajl_val obj, const char *key)
{
    yajl_val v = api_json_get(obj, key, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

/* ---- cursors ---------------------------------------------------------- */

static pthread_mutex_t api_key_mu = PTHREAD_MUTEX_INITIALIZER;
static char            api_key_path[CM_PATH_MAX + 16]; /* Loaded from */
static unsigned char   api_key_bytes[crypto_auth_KEYBYTES];

/* Read the key file at 'path' into key; -1 with errno if it is missing
** or unreadable, -2 if it is not a key. */
static int
api_key_read(const char *path, unsigned char key[crypto_auth_KEYBYTES])
{
    int     fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    char    extra;

    if (fd < 0)
        return -1;
    n = read(fd, key, crypto_auth_KEYBYTES);
    if (n == crypto_auth_KEYBYTES && read(fd, &extra, 1) == 0) {
        close(fd);
        return 0;
    }
    close(fd);
    return -2;
}

/* Write a new random key beside 'path' and link it into place, unless
** another thread or process got there first (then theirs is kept). */
static int
api_key_make(const char *path, struct cm_err *err)
{
    unsigned char key[crypto_auth_KEYBYTES];
    char          tmp[sizeof(api_key_path) + 48];
    int           fd, ok;

    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld-%lu", path, (long) getpid(),
             (unsigned long) pthread_self());
    crypto_auth_keygen(key);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return cm_fail(err, CM_EIO, "cursor key %s: %s", tmp, strerror(errno));
    ok = write(fd, key, sizeof(key)) == (ssize_t) sizeof(key) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    sodium_memzero(key, sizeof(key));
    /* link() never replaces: the first key made is the one everyone uses. */
    if (!ok || (link(tmp, path) != 0 && errno != EEXIST)) {
        cm_fail(err, CM_EIO, "cursor key %s: %s", path, strerror(errno));
        unlink(tmp);
        return err->code;
    }
    unlink(tmp);
    return CM_OK;
}

/* The cursor key of the store rq reads, into key. */
static int
api_cursor_key(struct req *rq, unsigned char key[crypto_auth_KEYBYTES],
               struct cm_err *err)
{
    char path[sizeof(api_key_path)], dir[CM_PATH_MAX];
    int  rc = CM_OK, r = 0;

    snprintf(dir, sizeof(dir), "%s", store_path(rq->st));
    snprintf(path, sizeof(path), "%s/cursor.key", dirname(dir));
    pthread_mutex_lock(&api_key_mu);
    if (strcmp(path, api_key_path) != 0) {
        if (sodium_init() < 0)
            rc = cm_fail(err, CM_EINTERNAL, "libsodium failed to initialise");
        else if ((r = api_key_read(path, api_key_bytes)) == -1 &&
                 errno == ENOENT && (rc = api_key_make(path, err)) == CM_OK)
            r = api_key_read(path, api_key_bytes);
        if (rc == CM_OK && r == -1)
            rc = cm_fail(err, CM_EIO, "cursor key %s: %s", path,
                         strerror(errno));
        else if (rc == CM_OK && r == -2)
            rc = cm_fail(err, CM_EIO,
                         "cursor key %s is not %d bytes; delete it and a new "
                         "one is made (cursors in flight become invalid)",
                         path, crypto_auth_KEYBYTES);
        if (rc == CM_OK)
            snprintf(api_key_path, sizeof(api_key_path), "%s", path);
    }
    if (rc == CM_OK)
        memcpy(key, api_key_bytes, crypto_auth_KEYBYTES);
    pthread_mutex_unlock(&api_key_mu);
    return rc;
}

#define API_CURSOR_FORMAT 1 /* First byte: the layout below */

static void
api_put64(struct cm_buf *b, uint64_t v)
{
    unsigned char p[8];

    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char) (v >> (8 * i));
    cm_buf_add(b, p, 8);
}

static uint64_t
api_get64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t) p[i] << (8 * i);
    return v;
}

/*
** Append the base64url cursor of c to out. The layout: format, kind,
** version, filter hash, key type and key (8 bytes, or a 2-byte length
** and the text), row or slug (a 1-byte length and the text), then the
** first API_CURSOR_MAC bytes of its HMAC. CM_EINVAL if the key is
** longer than a cursor carries.
*/
int
api_cursor_encode(struct req *rq, const struct api_cursor *c,
                  struct cm_buf *out, struct cm_err *err)
{
    unsigned char key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
    struct cm_buf b;
    unsigned char t[2] = {API_CURSOR_FORMAT, (unsigned char) c->kind};
    char         *b64;
    size_t        b64len;

    if (c->key.type == STORE_TEXT && c->key.n > API_CURSOR_KEY_MAX)
        return cm_fail(err, CM_EINVAL,
                       "a sort key is longer than a cursor carries (%d "
                       "bytes): sort by another column",
                       API_CURSOR_KEY_MAX);
    if (api_cursor_key(rq, key, err) != CM_OK)
        return err->code;
    cm_buf_init(&b);
    cm_buf_add(&b, t, 2);
    api_put64(&b, (uint64_t) c->version);
    cm_buf_add(&b, c->filter, sizeof(c->filter));
    t[0] = (unsigned char) c->key.type;
    cm_buf_add(&b, t, 1);
    if (c->key.type == STORE_INT)
        api_put64(&b, (uint64_t) c->key.i);
    else if (c->key.type == STORE_REAL) {
        uint64_t bits;

        memcpy(&bits, &c->key.d, sizeof(bits));
        api_put64(&b, bits);
    } else if (c->key.type == STORE_TEXT) {
        t[0] = (unsigned char) (c->key.n & 0xff);
        t[1] = (unsigned char) (c->key.n >> 8);
        cm_buf_add(&b, t, 2);
        cm_buf_add(&b, c->key.s, c->key.n);
    }
    if (c->kind != 'c')
        api_put64(&b, (uint64_t) c->row);
    else {
        t[0] = (unsigned char) strlen(c->slug);
        cm_buf_add(&b, t, 1);
        cm_buf_add(&b, c->slug, t[0]);
    }
    crypto_auth(mac, (const unsigned char *) b.data, b.len, key);
    cm_buf_add(&b, mac, API_CURSOR_MAC);
    b64len = sodium_base64_ENCODED_LEN(
        b.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    b64 = cm_malloc(b64len);
    sodium_bin2base64(b64, b64len, (const unsigned char *) b.data, b.len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    cm_buf_puts(out, b64);
    free(b64);
    cm_buf_clear(&b);
    sodium_memzero(key, sizeof(key));
    return CM_OK;
}

/*
** Decode and check ?cursor into *c, for a list of 'kind' whose filter
** hash is 'filter' (and, for records, version 'version'). Returns 0 with
** *present set (0 when there is no cursor), or the status it sent: 400,
** or 500 when the key cannot be read.
*/
int
api_cursor_param(struct req *rq, char kind, const unsigned char filter[8],
                 int64_t version, int64_t number, struct api_cursor *c,
                 int *present)
{
    const char    *v = query_get(&rq->q, "cursor");
    unsigned char  key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
    unsigned char  raw[API_CURSOR_KEY_MAX + 128];
    size_t         n = 0, o, head = 2 + 8 + 8 + 1;
    struct cm_err  err;
    struct api_bad b = {.param = "cursor", .value = v};

    *present = 0;
    memset(c, 0, sizeof(*c));
    if (v == NULL)
        return 0;
    if (api_cursor_key(rq, key, &err) != CM_OK)
        return http_reply_error(rq, &err);
    b.value = NULL; /* Opaque: echoing it back helps nobody */
    if (sodium_base642bin(raw, sizeof(raw), v, strlen(v), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < head + API_CURSOR_MAC + 1)
        goto forged;
    crypto_auth(mac, raw, n - API_CURSOR_MAC, key);
    sodium_memzero(key, sizeof(key));
    if (sodium_memcmp(mac, raw + n - API_CURSOR_MAC, API_CURSOR_MAC) != 0 ||
        raw[0] != API_CURSOR_FORMAT)
        goto forged;
    n -= API_CURSOR_MAC;
    c->kind = (char) raw[1];
    c->version = (int64_t) api_get64(raw + 2);
    memcpy(c->filter, raw + 10, 8);
    c->key.type = (enum store_type) raw[18];
    o = head;
    switch (c->key.type) {
    case STORE_NULL:
        break;
    case STORE_INT:
    case STORE_REAL: {
        uint64_t bits;

        if (o + 8 > n)
            goto forged;
        bits = api_get64(raw + o);
        o += 8;
        if (c->key.type == STORE_INT)
            c->key.i = (int64_t) bits;
        else
            memcpy(&c->key.d, &bits, sizeof(bits));
        break;
    }
    case STORE_TEXT:
        if (o + 2 > n)
            goto forged;
        c->key.n = (size_t) raw[o] | (size_t) raw[o + 1] << 8;
        o += 2;
        if (c->key.n > API_CURSOR_KEY_MAX || o + c->key.n > n)
            goto forged;
        memcpy(c->text, raw + o, c->key.n);
        c->text[c->key.n] = '\0';
        c->key.s = c->text;
        o += c->key.n;
        break;
    default:
        goto forged;
    }
    if (c->kind != 'c') {
        if (o + 8 != n)
            goto forged;
        c->row = (int64_t) api_get64(raw + o);
    } else {
        if (o + 1 > n || raw[o] > DS_SLUG_MAX || o + 1 + raw[o] != n)
            goto forged;
        memcpy(c->slug, raw + o + 1, raw[o]);
        c->slug[raw[o]] = '\0';
    }
    if (c->kind != kind)
        return api_reply_bad(rq, &b, "this cursor belongs to another list");
    if (c->version != version)
        return api_reply_bad(rq, &b,
                             "this cursor belongs to another version of the "
                             "dataset than %lld: follow the 'next' link, "
                             "which names its version",
                             (long long) number);
    if (memcmp(c->filter, filter, 8) != 0)
        return api_reply_bad(rq, &b,
                             "this cursor was made for other parameters: "
                             "keep the filters and the sort of the page it "
                             "came from");
    *present = 1;
    return 0;
forged:
    sodium_memzero(key, sizeof(key));
    return api_reply_bad(rq, &b,
                         "cursor is not one this server made; use the "
                         "'next' link of the previous page");
}

/* Hash the parameters named in 'names' (NULL-terminated), as given, with
** 'tag', into out[8]: a cursor is valid only under the same ones. */
void
api_filter_hash(struct req *rq, const char *tag, const char *const *names,
                unsigned char out[8])
{
    crypto_generichash_state h;

    crypto_generichash_init(&h, NULL, 0, 8);
    crypto_generichash_update(&h, (const unsigned char *) tag, strlen(tag) + 1);
    for (; *names; names++) {
        const char *v = query_get(&rq->q, *names);

        crypto_generichash_update(&h, (const unsigned char *) *names,
                                  strlen(*names) + 1);
        if (v)
            crypto_generichash_update(&h, (const unsigned char *) v,
                                      strlen(v) + 1);
        else
            crypto_generichash_update(&h, (const unsigned char *) "\x01", 1);
    }
    crypto_generichash_final(&h, out, 8);
}

/* ---- the catalog ------------------------------------------------------ */

enum api_sort {
    API_SORT_SLUG,
    API_SORT_TITLE,
    API_SORT_PUBLISHED,
    API_SORT_RELEVANCE
};

static const char *const api_sort_names[] = {"slug", "title", "published",
                                             "relevance"};

struct api_entry { /* One dataset of the catalog; owns its strings */
    char    *slug;
    char    *published_at;
    char    *title_key; /* Folded French title: what "title" sorts by */
    int64_t  number;    /* Latest version */
    int64_t  n_observations;
    yajl_val manifest; /* Owned tree */
    double   score;    /* Relevance to q */
};

/* The four facets, in the order the response lists them. */
enum api_facet_id {
    API_F_THEME,
    API_F_KIND,
    API_F_LEVEL,
    API_F_LICENSE,
    API_NFACETS
};

static const char *const api_facet_params[API_NFACETS] = {
    "theme", "kind", "territory_level", "license"};

struct api_facet {      /* Values seen and their counts */
    const char **value; /* Borrowed from the entries' manifests */
    size_t      *count;
    size_t       n, cap;
};

struct api_catalog {
    struct api_entry *e; /* The datasets q matches */
    size_t            n, cap;
    struct cm_buf     folded; /* q, folded; word[] point into it */
    const char       *word[API_Q_WORDS_MAX];
    size_t            wlen[API_Q_WORDS_MAX];
    size_t            nw;
    struct cm_buf     scratch; /* Folded text of the entry being read */
};

static int
api_word_char(char c)
{
    unsigned char u = (unsigned char) c;

    return (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80;
}

/* 2 if w[0..wl) is a word of t[0..n), 1 if it begins one, else 0. Words
** are runs of letters and digits of folded text (any non-ASCII byte is a
** letter), so "d'electricite" holds "d" and "electricite". */
static int
api_word_in(const char *t, size_t n, const char *w, size_t wl)
{
    int best = 0;

    for (size_t i = 0; i < n;) {
        size_t j = i;

        if (!api_word_char(t[i])) {
            i++;
            continue;
        }
        while (j < n && api_word_char(t[j]))
            j++;
        if (j - i >= wl && memcmp(t + i, w, wl) == 0) {
            if (j - i == wl)
                return 2;
            best = 1;
        }
        i = j;
    }
    return best;
}

/* Fold q into c's words: lowercase, unaccented, each once. Returns 0, or
** the status of the 400 it sent (too many words). */
static int
api_q_words(struct req *rq, const char *q, struct api_catalog *c)
{
    const char *t;
    size_t      n;

    cm_fold(q, strlen(q), &c->folded);
    cm_buf_add(&c->folded, "", 1); /* NUL-terminated even when empty */
    t = c->folded.data;
    n = c->folded.len - 1;
    for (size_t i = 0; i < n;) {
        size_t j = i, k;

        if (!api_word_char(t[i])) {
            i++;
            continue;
        }
        while (j < n && api_word_char(t[j]))
            j++;
        for (k = 0; k < c->nw; k++)
            if (c->wlen[k] == j - i && memcmp(c->word[k], t + i, j - i) == 0)
                break;
        if (k == c->nw) {
            if (c->nw == API_Q_WORDS_MAX) {
                struct api_bad b = {.param = "q"};

                return api_reply_bad(rq, &b, "q has more than %d words",
                                     API_Q_WORDS_MAX);
            }
            c->word[c->nw] = t + i;
            c->wlen[c->nw++] = j - i;
        }
        i = j;
    }
    return 0;
}

/* Append the folded text of a bilingual {"fr","en"} object (or string). */
static void
api_fold_text(yajl_val v, struct cm_buf *out)
{
    const char *s;

    if (v == NULL)
        return;
    if (YAJL_IS_STRING(v)) {
        s = YAJL_GET_STRING(v);
        cm_fold(s, strlen(s), out);
        cm_buf_add(out, " ", 1);
        return;
    }
    if (YAJL_IS_OBJECT(v))
        for (size_t i = 0; i < v->u.object.len; i++)
            api_fold_text(v->u.object.values[i], out);
    if (YAJL_IS_ARRAY(v))
        for (size_t i = 0; i < v->u.array.len; i++)
            api_fold_text(v->u.array.values[i], out);
}

/*
** How well e answers every word of q: 0 if some word is nowhere. A word
** counts most in the title, then in the keywords and slug, then in the
** rest of the searchable text (description, publisher...); a whole word
** counts more than a prefix.
*/
static double
api_score(struct api_catalog *c, const struct api_entry *e,
          const char *search_text)
{
    struct cm_buf *b = &c->scratch;
    size_t         title_end, kw_end;
    double         score = 0;

    b->len = 0;
    api_fold_text(api_json_get(e->manifest, "title", yajl_t_any), b);
    title_end = b->len;
    api_fold_text(api_json_get(e->manifest, "keywords", yajl_t_any), b);
    cm_buf_puts(b, e->slug);
    cm_buf_add(b, " ", 1);
    kw_end = b->len;
    api_fold_text(api_json_get(e->manifest, "description", yajl_t_any), b);
    cm_fold(search_text, strlen(search_text), b);
    for (size_t k = 0; k < c->nw; k++) {
        const char *w = c->word[k];
        size_t      wl = c->wlen[k];
        int         m;

        if ((m = api_word_in(b->data, title_end, w, wl)) != 0)
            score += m == 2 ? 4 : 3;
        else if ((m = api_word_in(b->data + title_end, kw_end - title_end, w,
                                  wl)) != 0)
            score += m == 2 ? 2 : 1.5;
        else if ((m = api_word_in(b->data + kw_end, b->len - kw_end, w, wl)) !=
                 0)
            score += m == 2 ? 1 : 0.5;
        else
            return 0;
    }
    return score;
}

static void
api_entry_clear(struct api_entry *e)
{
    free(e->slug);
    free(e->published_at);
    free(e->title_key);
    yajl_tree_free(e->manifest);
}

static int
api_catalog_add(void *ctx, const struct store_read_entry *se,
                struct cm_err *err)
{
    struct api_catalog *c = ctx;
    struct api_entry    e = {0};
    const char         *title;

    (void) err;
    e.manifest = api_json_parse(se->manifest, "manifest");
    if (e.manifest == NULL)
        return CM_OK; /* Logged; a dataset we cannot describe is not listed */
    e.slug = cm_strdup(se->slug);
    e.score = 1;
    if (c->nw > 0 && (e.score = api_score(c, &e, se->search_text)) == 0) {
        api_entry_clear(&e);
        return CM_OK;
    }
    e.published_at = cm_strdup(se->published_at);
    e.number = se->number;
    e.n_observations = se->n_observations;
    {
        const char   *path[] = {"title", "fr", NULL};
        yajl_val      t = yajl_tree_get(e.manifest, path, yajl_t_string);
        struct cm_buf k;

        title = t ? YAJL_GET_STRING(t) : se->slug;
        cm_buf_init(&k);
        cm_fold(title, strlen(title), &k);
        cm_buf_add(&k, "", 1);
        e.title_key = k.data; /* Owned by e now */
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 32;
        c->e = cm_realloc(c->e, c->cap * sizeof(*c->e));
    }
    c->e[c->n++] = e;
    return CM_OK;
}

/* The values of facet f in e's manifest, into v[] (at most max). */
static size_t
api_entry_values(const struct api_entry *e, enum api_facet_id f, const char **v,
                 size_t max)
{
    static const char *const keys[API_NFACETS] = {"themes", "kinds",
                                                  "territory", "license"};
    yajl_val                 x = api_json_get(e->manifest, keys[f], yajl_t_any);
    size_t                   n = 0;

    if (x && YAJL_IS_STRING(x) && max > 0)
        v[n++] = YAJL_GET_STRING(x);
    else if (x && YAJL_IS_ARRAY(x))
        for (size_t i = 0; i < x->u.array.len && n < max; i++)
            if (YAJL_IS_STRING(x->u.array.values[i]))
                v[n++] = YAJL_GET_STRING(x->u.array.values[i]);
    return n;
}

static void
api_facet_count(struct api_facet *f, const char *value)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->value[i], value) == 0) {
            f->count[i]++;
            return;
        }
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->value = cm_realloc(f->value, f->cap * sizeof(*f->value));
        f->count = cm_realloc(f->count, f->cap * sizeof(*f->count));
    }
    f->value[f->n] = value;
    f->count[f->n++] = 1;
}

/* The theme URI that 'v' names (its URI, or its code: "ENER"), or NULL. */
static const char *
api_theme(const char *v)
{
    for (int i = 0; ds_manifest_theme_uri(i) != NULL; i++) {
        const char *uri = ds_manifest_theme_uri(i);
        const char *code = strrchr(uri, '/') + 1;

        if (strcmp(v, uri) == 0 || strcasecmp(v, code) == 0)
            return uri;
    }
    return NULL;
}

/*
** Check the values of the facet filter l (facet f) against the facet's
** vocabulary; theme codes become their URIs. 'fs' holds the catalog's
** facets, whose licences are what a bad licence is told to choose from
** (the vocabulary of licences is ds_manifest.c's own). Returns 0, or the
** status of the 400 it sent, naming the allowed values.
*/
static int
api_facet_filter_check(struct req *rq, enum api_facet_id f, struct api_list *l,
                       const struct api_facet *fs)
{
    const char *allowed[64];
    size_t      n = 0;

    for (size_t i = 0; i < l->n; i++) {
        const char *v = l->v[i], *ok = NULL;

        switch (f) {
        case API_F_THEME:
            ok = api_theme(v);
            break;
        case API_F_KIND:
            ok = units_kind_find(v) >= 0 ? v : NULL;
            break;
        case API_F_LEVEL:
            for (int t = DS_SITE; t <= DS_EPCI; t++)
                if (strcmp(v, ds_territory_name((enum ds_territory) t)) == 0)
                    ok = v;
            break;
        default:
            ok = ds_manifest_license_url(v) ? v : NULL;
            break;
        }
        if (ok) {
            l->v[i] = ok;
            continue;
        }
        switch (f) {
        case API_F_THEME:
            for (int t = 0; ds_manifest_theme_uri(t) && n < NELEM(allowed); t++)
                allowed[n++] = strrchr(ds_manifest_theme_uri(t), '/') + 1;
            break;
        case API_F_KIND:
            for (int k = 0; k < UNITS_NKINDS; k++)
                allowed[n++] = units_kind_name((enum units_kind) k);
            break;
        case API_F_LEVEL:
            for (int t = DS_SITE; t <= DS_EPCI; t++)
                allowed[n++] = ds_territory_name((enum ds_territory) t);
            break;
        default:
            for (size_t k = 0; k < fs[API_F_LICENSE].n && n < NELEM(allowed);
                 k++)
                allowed[n++] = fs[API_F_LICENSE].value[k];
            break;
        }
        {
            struct api_bad b = {.param = l->param,
                                .value = v,
                                .allowed = allowed,
                                .n_allowed = n};

            return api_reply_bad(rq, &b, "unknown %s '%.64s'", l->param, v);
        }
    }
    return 0;
}

/* 1 if e has one of the values of each facet filter given. */
static int
api_entry_passes(const struct api_entry *e, const struct api_list *filters)
{
    for (int f = 0; f < API_NFACETS; f++) {
        const char *v[64];
        size_t      n;
        int         hit = 0;

        if (filters[f].n == 0)
            continue;
        n = api_entry_values(e, (enum api_facet_id) f, v, NELEM(v));
        for (size_t i = 0; i < n && !hit; i++)
            for (size_t j = 0; j < filters[f].n && !hit; j++)
                hit = strcmp(v[i], filters[f].v[j]) == 0;
        if (!hit)
            return 0;
    }
    return 1;
}

struct api_order {
    enum api_sort sort;
    int           desc;
};

/* The catalog's order: the sort key, then the slug (unique) ascending. */
static int
api_entry_cmp(const void *pa, const void *pb, void *arg)
{
    const struct api_entry *a = *(const struct api_entry *const *) pa;
    const struct api_entry *b = *(const struct api_entry *const *) pb;
    const struct api_order *o = arg;
    int                     c = 0;

    switch (o->sort) {
    case API_SORT_SLUG:
        break;
    case API_SORT_TITLE:
        c = strcmp(a->title_key, b->title_key);
        break;
    case API_SORT_PUBLISHED:
        c = strcmp(a->published_at, b->published_at);
        break;
    case API_SORT_RELEVANCE: /* Best first: descending is the natural way */
        c = (a->score < b->score) - (a->score > b->score);
        break;
    }
    if (c == 0 && o->sort != API_SORT_SLUG)
        return strcmp(a->slug, b->slug);
    if (o->sort == API_SORT_SLUG)
        c = strcmp(a->slug, b->slug);
    return o->desc ? -c : c;
}

/* ?sort= of the catalog into *o. Returns 0 or the status it sent. */
static int
api_catalog_sort(struct req *rq, int has_q, struct api_order *o)
{
    const char *v = query_get(&rq->q, "sort");
    const char *name;

    o->sort = has_q ? API_SORT_RELEVANCE : API_SORT_SLUG;
    o->desc = 0;
    if (v == NULL)
        return 0;
    name = v + (v[0] == '-');
    for (int i = 0; i < (int) NELEM(api_sort_names); i++)
        if (strcmp(name, api_sort_names[i]) == 0) {
            o->sort = (enum api_sort) i;
            o->desc = v[0] == '-';
        }
    if (strcmp(name, api_sort_names[o->sort]) != 0 ||
        (o->sort == API_SORT_RELEVANCE && (!has_q || o->desc))) {
        static const char *const allowed[] = {
            "slug",      "-slug",      "title",    "-title",
            "published", "-published", "relevance"};
        struct api_bad b = {.param = "sort",
                            .value = v,
                            .allowed = allowed,
                            .n_allowed = NELEM(allowed)};

        return api_reply_bad(rq, &b, "cannot sort the catalog by '%.64s'%s", v,
                             strcmp(name, "relevance") == 0 && !has_q
                                 ? " without a search (q)"
                                 : "");
    }
    return 0;
}

static void
api_links(struct jw *w, const char *slug, int64_t number)
{
    char url[160];

    jw_key(w, "links");
    jw_obj_open(w);
    snprintf(url, sizeof(url), "/api/v1/datasets/%s", slug);
    jw_kv_str(w, "self", url);
    snprintf(url, sizeof(url), "/api/v1/datasets/%s/records?version=%lld", slug,
             (long long) number);
    jw_kv_str(w, "records", url);
    snprintf(url, sizeof(url),
             "/api/v1/datasets/%s/download?format=csv&version=%lld", slug,
             (long long) number);
    jw_kv_str(w, "download", url);
    jw_kv_str(w, "catalog", "/api/v1/datasets");
    jw_obj_close(w);
}

static void
api_catalog_item(struct jw *w, const struct api_entry *e, int with_score)
{
    const char *v[64];
    size_t      n;

    jw_obj_open(w);
    jw_kv_str(w, "slug", e->slug);
    jw_key(w, "title");
    jw_tree(w, api_json_get(e->manifest, "title", yajl_t_any));
    jw_key(w, "description");
    jw_tree(w, api_json_get(e->manifest, "description", yajl_t_any));
    jw_kv_str(w, "license", api_json_str(e->manifest, "license"));
    jw_key(w, "themes");
    jw_arr_open(w);
    n = api_entry_values(e, API_F_THEME, v, NELEM(v));
    for (size_t i = 0; i < n; i++)
        jw_str(w, v[i]);
    jw_arr_close(w);
    jw_key(w, "kinds");
    jw_arr_open(w);
    n = api_entry_values(e, API_F_KIND, v, NELEM(v));
    for (size_t i = 0; i < n; i++)
        jw_str(w, v[i]);
    jw_arr_close(w);
    jw_kv_str(w, "period", api_json_str(e->manifest, "period"));
    jw_kv_str(w, "territory_level", api_json_str(e->manifest, "territory"));
    jw_kv_int(w, "version", e->number);
    jw_kv_str(w, "published_at", e->published_at);
    jw_kv_int(w, "n_observations", e->n_observations);
    if (with_score)
        jw_kv_double(w, "score", e->score);
    api_links(w, e->slug, e->number);
    jw_obj_close(w);
}

/* Facets, most frequent value first (then by value). */
static void
api_facets_write(struct jw *w, struct api_facet *fs)
{
    jw_key(w, "facets");
    jw_obj_open(w);
    for (int f = 0; f < API_NFACETS; f++) {
        struct api_facet *x = &fs[f];

        /* Few values (a vocabulary): insertion sort is plenty. */
        for (size_t i = 1; i < x->n; i++)
            for (size_t j = i; j > 0; j--) {
                size_t      c = x->count[j];
                const char *v = x->value[j];

                if (x->count[j - 1] > c ||
                    (x->count[j - 1] == c && strcmp(x->value[j - 1], v) < 0))
                    break;
                x->count[j] = x->count[j - 1];
                x->value[j] = x->value[j - 1];
                x->count[j - 1] = c;
                x->value[j - 1] = v;
            }
        jw_key(w, api_facet_params[f]);
        jw_arr_open(w);
        for (size_t i = 0; i < x->n; i++) {
            jw_obj_open(w);
            jw_kv_str(w, "value", x->value[i]);
            jw_kv_int(w, "count", (int64_t) x->count[i]);
            jw_obj_close(w);
        }
        jw_arr_close(w);
    }
    jw_obj_close(w);
}

/*
** GET /api/v1/datasets?q=&theme=&kind=&territory_level=&license=&sort=
** &limit=&cursor= -- the datasets that have a published version. q
** matches every word (folded: "electricite" finds "Électricité"; a word
** may be the start of one); facet counts are over what q matches, so a
** client sees every value it could filter on; filters AND across facets
** and OR within one (comma-separated).
*/
int
api_datasets_list(struct req *rq)
{
    static const char *const hashed[] = {
        "q", "theme", "kind", "territory_level", "license", "sort", NULL};
    struct api_catalog c;
    struct api_list    filters[API_NFACETS];
    struct api_facet   fs[API_NFACETS];
    struct api_order   order;
    struct api_cursor  cur;
    struct api_entry **sel = NULL, probe;
    struct cm_err      err;
    struct cm_buf      next;
    struct jw         *w = NULL;
    const char        *q = query_get(&rq->q, "q");
    unsigned char      filter[8];
    int64_t            limit;
    size_t             nsel = 0, start = 0, end;
    int                status = 0, has_cursor;

    memset(&c, 0, sizeof(c));
    memset(filters, 0, sizeof(filters));
    memset(fs, 0, sizeof(fs));
    cm_buf_init(&c.folded);
    cm_buf_init(&c.scratch);
    cm_buf_init(&next);
    if (q && (status = api_q_words(rq, q, &c)) != 0)
        goto done;
    for (int f = 0; f < API_NFACETS; f++)
        if ((status = api_list_param(rq, api_facet_params[f], &filters[f])))
            goto done;
    if ((status = api_catalog_sort(rq, c.nw > 0, &order)) ||
        (status =
             api_limit_param(rq, rq->cfg->api_page_default,
                             rq->cfg->api_page_max, "api.page_max", &limit)))
        goto done;
    api_filter_hash(rq, "catalog", hashed, filter);
    if ((status = api_cursor_param(rq, 'c', filter, 0, 0, &cur, &has_cursor)))
        goto done;

    if (store_read_catalog(rq->st, api_catalog_add, &c, &err) != CM_OK) {
        status = http_reply_error(rq, &err);
        goto done;
    }
    for (size_t i = 0; i < c.n; i++)
        for (int f = 0; f < API_NFACETS; f++) {
            const char *v[64];
            size_t      n =
                api_entry_values(&c.e[i], (enum api_facet_id) f, v, NELEM(v));

            for (size_t k = 0; k < n; k++)
                api_facet_count(&fs[f], v[k]);
        }
    for (int f = 0; f < API_NFACETS; f++)
        if ((status = api_facet_filter_check(rq, (enum api_facet_id) f,
                                             &filters[f], fs)))
            goto done;
    sel = cm_calloc(c.n + 1, sizeof(*sel));
    for (size_t i = 0; i < c.n; i++)
        if (api_entry_passes(&c.e[i], filters))
            sel[nsel++] = &c.e[i];
    qsort_r(sel, nsel, sizeof(*sel), api_entry_cmp, &order);

    if (has_cursor) {
        struct api_entry *pp = &probe;
        enum store_type   want = order.sort == API_SORT_SLUG        ? STORE_NULL
                                 : order.sort == API_SORT_RELEVANCE ? STORE_REAL
                                                                    : STORE_TEXT;

        if (cur.key.type != want) { /* Signed by us, for another order */
            struct api_bad b = {.param = "cursor"};

            status =
                api_reply_bad(rq, &b, "this cursor was made for another sort");
            goto done;
        }
        memset(&probe, 0, sizeof(probe));
        probe.slug = cur.slug;
        probe.title_key = probe.published_at = cur.text;
        probe.score = cur.key.d;
        while (start < nsel && api_entry_cmp(&sel[start], &pp, &order) <= 0)
            start++;
    }
    end = start + (size_t) limit < nsel ? start + (size_t) limit : nsel;
    if (end < nsel) {
        const struct api_entry *last = sel[end - 1];

        memset(&cur, 0, sizeof(cur));
        cur.kind = 'c';
        memcpy(cur.filter, filter, sizeof(filter));
        snprintf(cur.slug, sizeof(cur.slug), "%s", last->slug);
        if (order.sort == API_SORT_RELEVANCE)
            cur.key = (struct store_val){.type = STORE_REAL, .d = last->score};
        else if (order.sort != API_SORT_SLUG) {
            const char *k = order.sort == API_SORT_TITLE ? last->title_key
                                                         : last->published_at;

            cur.key =
                (struct store_val){.type = STORE_TEXT, .s = k, .n = strlen(k)};
        }
        cm_buf_puts(&next, "/api/v1/datasets?");
        api_url_params(&next, &rq->q, "cursor", NULL);
        cm_buf_puts(&next, "cursor=");
        if (api_cursor_encode(rq, &cur, &next, &err) != CM_OK) {
            status = http_reply_error(rq, &err);
            goto done;
        }
    }

    w = jw_new();
    jw_obj_open(w);
    jw_kv_int(w, "total", (int64_t) nsel);
    jw_kv_int(w, "count", (int64_t) (end - start));
    jw_kv_int(w, "limit", limit);
    {
        char sort[16];

        snprintf(sort, sizeof(sort), "%s%s", order.desc ? "-" : "",
                 api_sort_names[order.sort]);
        jw_kv_str(w, "sort", sort);
    }
    jw_key(w, "datasets");
    jw_arr_open(w);
    for (size_t i = start; i < end; i++)
        api_catalog_item(w, sel[i], c.nw > 0);
    jw_arr_close(w);
    api_facets_write(w, fs);
    jw_kv_str(w, "next", next.len ? next.data : NULL);
    jw_obj_close(w);
    status = http_reply_json_cached(rq, w);
done:
    jw_free(w);
    free(sel);
    for (size_t i = 0; i < c.n; i++)
        api_entry_clear(&c.e[i]);
    free(c.e);
    cm_buf_clear(&c.folded);
    cm_buf_clear(&c.scratch);
    cm_buf_clear(&next);
    for (int f = 0; f < API_NFACETS; f++) {
        api_list_clear(&filters[f]);
        free(fs[f].value);
        free(fs[f].count);
    }
    return status;
}

/* ---- columns of a version --------------------------------------------- */

struct api_cols {             /* The published columns, then the extra */
    struct exp_columns extra; /* The version's own, parsed */
    size_t             n;     /* STORE_OBS_NCOLS + extra.n */
    const char       **name;  /* [n], borrowed from exp_columns/extra */
    const char       **type;  /* [n] Table Schema types */
    char             **path;  /* [n] JSON path of an extra, else NULL */
};

static void
api_cols_clear(struct api_cols *c)
{
    for (size_t i = 0; c->path && i < c->n; i++)
        free(c->path[i]);
    free(c->path);
    free(c->name);
    free(c->type);
    exp_columns_clear(&c->extra);
    memset(c, 0, sizeof(*c));
}

/* The columns of a version whose extra columns are the JSON 'json'. An
** unreadable declaration is logged and served as no extra column. */
static void
api_cols_init(struct api_cols *c, const char *json)
{
    struct cm_err err;

    memset(c, 0, sizeof(*c));
    if (exp_columns_parse(json, &c->extra, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "published columns: %s", err.msg);
    c->n = STORE_OBS_NCOLS + c->extra.n;
    c->name = cm_calloc(c->n, sizeof(*c->name));
    c->type = cm_calloc(c->n, sizeof(*c->type));
    c->path = cm_calloc(c->n, sizeof(*c->path));
    for (size_t i = 0; i < STORE_OBS_NCOLS; i++) {
        c->name[i] = exp_columns[i];
        c->type[i] = api_obs_types[i];
    }
    for (size_t i = 0; i < c->extra.n; i++) {
        const struct exp_column *x = &c->extra.col[i];
        struct cm_buf            p;

        c->name[STORE_OBS_NCOLS + i] = x->name;
        c->type[STORE_OBS_NCOLS + i] = x->type ? x->type : "string";
        /* A JSON path with the name quoted: SQLite reads '$."a b"'. */
        cm_buf_init(&p);
        cm_buf_printf(&p, "$.\"%s\"", x->name);
        c->path[STORE_OBS_NCOLS + i] = p.data;
    }
}

static int
api_cols_find(const struct api_cols *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return (int) i;
    return -1;
}

static void
api_cols_write(struct jw *w, const struct api_cols *c, const int *field,
               size_t nfield)
{
    jw_key(w, "columns");
    jw_arr_open(w);
    for (size_t i = 0; i < nfield; i++) {
        size_t f = (size_t) field[i];

        jw_obj_open(w);
        jw_kv_str(w, "name", c->name[f]);
        jw_kv_str(w, "type", c->type[f]);
        if (f >= STORE_OBS_NCOLS) {
            const struct exp_column *x = &c->extra.col[f - STORE_OBS_NCOLS];

            if (x->title)
                jw_kv_str(w, "title", x->title);
            if (x->description)
                jw_kv_str(w, "description", x->description);
        }
        jw_obj_close(w);
    }
    jw_arr_close(w);
}

/* 404 for version 'number' of 'slug' (0: its latest), saying which of
** the two is missing. */
static int
api_reply_no_version(struct req *rq, const char *slug, int64_t number)
{
    struct store_read_version v;
    struct cm_err             err;
    int                       found = 0, rc;
    int64_t                   latest;

    if (number == 0)
        return api_reply_not_found(rq, "no published dataset '%s'", slug);
    rc = store_read_version(rq->st, slug, 0, &v, &found, &err);
    latest = v.latest;
    store_read_version_clear(&v);
    if (rc != CM_OK)
        return http_reply_error(rq, &err);
    if (!found)
        return api_reply_not_found(rq, "no published dataset '%s'", slug);
    cm_fail(&err, CM_ENOTFOUND,
            "dataset '%s' has no version %lld (its latest is %lld)", slug,
            (long long) number, (long long) latest);
    cm_err_what(&err, "param", "version");
    return http_reply_error(rq, &err);
}

/* ---- one dataset ------------------------------------------------------ */

static int
api_version_item(void *ctx, const struct store_version *v, struct cm_err *err)
{
    struct jw *w = ctx;
    char       url[160];

    (void) err;
    jw_obj_open(w);
    jw_kv_int(w, "version", v->number);
    jw_kv_str(w, "published_at", v->published_at);
    jw_kv_int(w, "n_observations", v->n_observations);
    jw_kv_str(w, "sha256", v->sha256[0] ? v->sha256 : NULL);
    snprintf(url, sizeof(url), "/api/v1/datasets/%s?version=%lld", v->slug,
             (long long) v->number);
    jw_kv_str(w, "url", url);
    jw_obj_close(w);
    return CM_OK;
}

/*
** GET /api/v1/datasets/{slug}?version=N -- one dataset: its metadata
** (the manifest as published), its versions, and for the latest (or N)
** the disclosure report, the columns and the files to download.
*/
int
api_dataset_show(struct req *rq)
{
    char                      slug[DS_SLUG_MAX + 1], url[192];
    struct store_version      v;
    struct store_distribution dist[API_DIST_MAX];
    struct api_cols           cols;
    struct cm_err             err;
    struct jw                *w;
    yajl_val                  manifest, disclosure, provenance;
    int64_t                   number;
    size_t                    ndist = 0;
    int                       found, status;
    int                       all[STORE_OBS_NCOLS + EXP_EXTRA_MAX];

    if (!api_slug(rq, slug))
        return api_reply_not_found(rq, "no published dataset '%.*s'",
                                   (int) rq->arg_len[0], rq->arg[0]);
    if ((status = api_version_param(rq, &number)))
        return status;
    if (store_version_get(rq->st, slug, number, &v, &found, &err) != CM_OK)
        return http_reply_error(rq, &err);
    if (!found)
        return api_reply_no_version(rq, slug, number);
    if (store_distribution_list(rq->st, v.id, dist, API_DIST_MAX, &ndist,
                                &err) != CM_OK) {
        store_version_clear(&v);
        return http_reply_error(rq, &err);
    }
    manifest = api_json_parse(v.manifest, "manifest");
    disclosure = api_json_parse(v.disclosure, "disclosure report");
    provenance = api_json_parse(v.provenance, "provenance");
    api_cols_init(&cols, v.columns);
    for (size_t i = 0; i < cols.n && i < NELEM(all); i++)
        all[i] = (int) i;

    w = jw_new();
    jw_obj_open(w);
    jw_kv_str(w, "slug", v.slug);
    jw_kv_int(w, "version", v.number);
    jw_kv_int(w, "latest", v.latest);
    jw_kv_str(w, "published_at", v.published_at);
    jw_kv_int(w, "n_observations", v.n_observations);
    jw_kv_str(w, "sha256", v.sha256[0] ? v.sha256 : NULL);
    jw_kv_str(w, "origin", v.origin);
    jw_key(w, "metadata");
    jw_tree(w, manifest);
    api_cols_write(w, &cols, all, cols.n < NELEM(all) ? cols.n : NELEM(all));
    jw_key(w, "disclosure");
    jw_tree(w, disclosure);
    jw_key(w, "provenance");
    jw_tree(w, provenance);
    jw_key(w, "resources");
    jw_arr_open(w);
    for (size_t i = 0; i < ndist; i++) {
        jw_obj_open(w);
        jw_kv_str(w, "format", dist[i].format);
        jw_kv_str(w, "name", dist[i].name);
        snprintf(url, sizeof(url),
                 "/api/v1/datasets/%.64s/download?format=%.15s&version=%lld",
                 v.slug, dist[i].format, (long long) v.number);
        jw_kv_str(w, "url", url);
        jw_kv_str(w, "media_type", dist[i].media_type);
        jw_kv_int(w, "bytes", dist[i].bytes);
        jw_kv_str(w, "sha256", dist[i].sha256);
        jw_obj_close(w);
    }
    jw_arr_close(w);
    jw_key(w, "versions");
    jw_arr_open(w);
    if (store_versions_each(rq->st, v.dataset, api_version_item, w, &err) !=
        CM_OK) {
        status = http_reply_error(rq, &err);
        goto done;
    }
    jw_arr_close(w);
    api_links(w, v.slug, v.number);
    jw_obj_close(w);
    status = http_reply_json_cached(rq, w);
done:
    jw_free(w);
    api_cols_clear(&cols);
    yajl_tree_free(manifest);
    yajl_tree_free(disclosure);
    yajl_tree_free(provenance);
    store_version_clear(&v);
    return status;
}

/* ---- records ---------------------------------------------------------- */

/* The format of the periods of grain g, for messages and checks. */
static const char *
api_period_format(const char *grain)
{
    static const struct {
        const char *grain, *format;
    } f[] = {{"year", "YYYY"},
             {"month", "YYYY-MM"},
             {"day", "YYYY-MM-DD"},
             {"hour", "YYYY-MM-DDTHH"}};

    for (size_t i = 0; i < NELEM(f); i++)
        if (strcmp(grain, f[i].grain) == 0)
            return f[i].format;
    return "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH";
}

static int
api_digits(const char *s, size_t n, int *out)
{
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        *out = *out * 10 + (s[i] - '0');
    }
    return 1;
}

/* 1 if v is a period in 'format' (any of the four when the grain is not
** one of them) naming a real month, day and hour. */
static int
api_period_ok(const char *format, const char *v)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t           n = strlen(v), want = strlen(format);
    int              y, m, d, h;

    if (want <= 13 ? n != want : (n != 4 && n != 7 && n != 10 && n != 13))
        return 0;
    if (!api_digits(v, 4, &y))
        return 0;
    if (n >= 7 && (v[4] != '-' || !api_digits(v + 5, 2, &m) || m < 1 || m > 12))
        return 0;
    if (n >= 10 &&
        (v[7] != '-' || !api_digits(v + 8, 2, &d) || d < 1 ||
         d > mdays[m - 1] ||
         (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400)))))
        return 0;
    if (n == 13 && (v[10] != 'T' || !api_digits(v + 11, 2, &h) || h > 23))
        return 0;
    return 1;
}

/* The dimensions a request may filter on, and the columns they are. */
static const struct {
    const char        *param;
    enum store_obs_col col;
} api_dims[] = {
    {"period", STORE_OBS_PERIOD},
    {"territory_level", STORE_OBS_TERRITORY_LEVEL},
    {"territory", STORE_OBS_TERRITORY},
    {"sector", STORE_OBS_SECTOR},
    {"kind", STORE_OBS_KIND},
    {"status", STORE_OBS_STATUS},
};
#define API_NDIMS NELEM(api_dims)

/* Check the values of filter l against its column: periods in the
** dataset's format, territory levels and statuses in the Table Schema's
** vocabularies (codes and kinds are open). Returns 0 or the status of
** the 400 it sent. */
static int
api_dim_check(struct req *rq, enum store_obs_col col, const struct api_list *l,
              const char *format)
{
    for (size_t i = 0; i < l->n; i++) {
        const char        *v = l->v[i];
        const char *const *allowed = NULL;
        size_t             n = 0, k;
        struct api_bad     b = {.param = l->param, .value = v};

        if (col == STORE_OBS_PERIOD && !api_period_ok(format, v)) {
            b.format = format;
            return api_reply_bad(rq, &b,
                                 "period '%.32s' is not a period of this "
                                 "dataset (%s)",
                                 v, format);
        }
        if (col == STORE_OBS_TERRITORY_LEVEL)
            allowed = api_levels, n = NELEM(api_levels);
        else if (col == STORE_OBS_STATUS)
            allowed = api_statuses, n = NELEM(api_statuses);
        for (k = 0; k < n && strcmp(v, allowed[k]) != 0; k++)
            ;
        if (allowed && k == n) {
            b.allowed = allowed;
            b.n_allowed = n;
            return api_reply_bad(rq, &b, "unknown %s '%.64s'", l->param, v);
        }
    }
    return 0;
}

struct api_page { /* One page of records being written */
    struct jw             *w;
    const struct api_cols *cols;
    const int             *field;   /* Columns to write, indexes in cols */
    const int             *src;     /* Where each is in a record's col[] */
    int                   *is_bool; /* Extra column of type boolean */
    size_t                 nfield;
    int64_t                limit, count;
    int                    more; /* A row past the page was seen */
    int64_t                row;  /* The last row written: its row */
    struct store_val       key;  /* and sort key (text in key_text) */
    struct cm_buf          key_text;
};

static void
api_val(struct jw *w, const struct store_val *v, int is_bool)
{
    switch (v->type) {
    case STORE_INT:
        if (is_bool)
            jw_bool(w, v->i != 0);
        else
            jw_int(w, v->i);
        break;
    case STORE_REAL:
        jw_double(w, v->d);
        break;
    case STORE_TEXT:
        jw_strn(w, v->s, v->n);
        break;
    default:
        jw_null(w);
        break;
    }
}

static int
api_record(void *ctx, const struct store_record *r, struct cm_err *err)
{
    struct api_page *p = ctx;

    (void) err;
    if (p->count == p->limit) { /* The query asked for one row more */
        p->more = 1;
        return CM_OK;
    }
    jw_obj_open(p->w);
    for (size_t i = 0; i < p->nfield; i++) {
        jw_key(p->w, p->cols->name[p->field[i]]);
        api_val(p->w, &r->col[p->src[i]], p->is_bool[i]);
    }
    jw_obj_close(p->w);
    if (++p->count == p->limit) { /* Where the next page starts */
        p->row = r->row;
        p->key.type = STORE_NULL;
        if (r->key) {
            p->key = *r->key;
            if (r->key->type == STORE_TEXT) {
                p->key_text.len = 0;
                cm_buf_add(&p->key_text, r->key->s, r->key->n);
                cm_buf_add(&p->key_text, "", 1);
                p->key.s = p->key_text.data;
            }
        }
    }
    return CM_OK;
}

/*
** The ETag of a page of records: a hash, keyed like the cursors (whose
** key the page's next link depends on), of the version (immutable), the
** dataset's latest version (the page names it), the query as sent, the
** page size it resolves to and this build (which decides the bytes).
** Equal inputs, equal body: so it is known before reading a row. Into
** out[33]; CM_OK or a 500's err.
*/
static int
api_records_etag(struct req *rq, const struct store_read_version *v,
                 int64_t limit, char out[33], struct cm_err *err)
{
    unsigned char            key[crypto_auth_KEYBYTES], h[16];
    crypto_generichash_state s;
    char                     buf[64];
    const char              *qs = rq->ri->query_string;

    if (api_cursor_key(rq, key, err) != CM_OK)
        return err->code;
    crypto_generichash_init(&s, key, sizeof(key), sizeof(h));
    snprintf(buf, sizeof(buf), "records 1 %s %lld %lld %lld", CM_VERSION,
             (long long) v->id, (long long) v->latest, (long long) limit);
    crypto_generichash_update(&s, (const unsigned char *) buf, strlen(buf) + 1);
    crypto_generichash_update(&s, (const unsigned char *) v->sha256,
                              strlen(v->sha256) + 1);
    if (qs)
        crypto_generichash_update(&s, (const unsigned char *) qs, strlen(qs));
    crypto_generichash_final(&s, h, sizeof(h));
    sodium_bin2hex(out, 33, h, sizeof(h));
    sodium_memzero(key, sizeof(key));
    return CM_OK;
}

/*
** The page cache. A page of records never changes (its version is
** immutable), so its bytes are named by its ETag alone: the pages served
** lately are kept, up to api.records_cache bytes per process, and the
** preview of a popular dataset is then served from memory, as nginx
** serves a static file from the page cache. A walk by cursor reads each
** page once and gains nothing; it costs one copy per page. One list in
** use order and a hash on the ETag, under one lock held only to copy.
*/
#define API_PC_BUCKETS 4096 /* 16^3: three hex digits of the tag */

struct api_pc_entry {
    char                 etag[33];
    size_t               len;
    struct api_pc_entry *hnext;       /* Next in its bucket */
    struct api_pc_entry *prev, *next; /* Use order, most recent first */
    char                 body[];
};

static struct {
    pthread_mutex_t      mu;
    struct api_pc_entry *bucket[API_PC_BUCKETS];
    struct api_pc_entry *head, *tail;
    size_t               bytes; /* Bodies and entries */
} api_pc = {.mu = PTHREAD_MUTEX_INITIALIZER};

static struct api_pc_entry **
api_pc_slot(const char *etag)
{
    struct api_pc_entry **p;
    unsigned              h = 0;

    /* The tag is a hash in hex: its first digits are spread already. */
    for (int i = 0; i < 3; i++)
        h = h * 16 +
            (unsigned) (etag[i] <= '9' ? etag[i] - '0' : etag[i] - 'a' + 10);
    p = &api_pc.bucket[h % API_PC_BUCKETS];

    while (*p && strcmp((*p)->etag, etag) != 0)
        p = &(*p)->hnext;
    return p;
}

static void
api_pc_unlink(struct api_pc_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        api_pc.head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        api_pc.tail = e->prev;
}

static void
api_pc_push(struct api_pc_entry *e)
{
    e->prev = NULL;
    e->next = api_pc.head;
    if (api_pc.head)
        api_pc.head->prev = e;
    api_pc.head = e;
    if (api_pc.tail == NULL)
        api_pc.tail = e;
}

/* Copy the page named etag into out; 0 if it is not kept, or if the
** cache is off ('max', api.records_cache, is 0). */
static int
api_pc_get(int64_t max, const char *etag, struct cm_buf *out)
{
    struct api_pc_entry *e;

    if (max <= 0)
        return 0;
    pthread_mutex_lock(&api_pc.mu);
    e = *api_pc_slot(etag);
    if (e) {
        api_pc_unlink(e);
        api_pc_push(e);
        cm_buf_add(out, e->body, e->len);
    }
    pthread_mutex_unlock(&api_pc.mu);
    return e != NULL;
}

/* Keep body[0..len) as the page named etag, within 'max' bytes in all;
** a page over an eighth of that is not worth the others it would evict. */
static void
api_pc_put(int64_t max, const char *etag, const char *body, size_t len)
{
    struct api_pc_entry **slot, *e;
    size_t                size = sizeof(*e) + len;

    if (max <= 0 || size > (size_t) max / 8)
        return;
    e = cm_malloc(size);
    memcpy(e->etag, etag, sizeof(e->etag));
    e->len = len;
    memcpy(e->body, body, len);
    pthread_mutex_lock(&api_pc.mu);
    slot = api_pc_slot(etag);
    if (*slot) { /* Another worker made it meanwhile */
        pthread_mutex_unlock(&api_pc.mu);
        free(e);
        return;
    }
    e->hnext = NULL;
    *slot = e;
    api_pc_push(e);
    api_pc.bytes += size;
    while (api_pc.bytes > (size_t) max) {
        struct api_pc_entry *old = api_pc.tail;

        api_pc_unlink(old);
        *api_pc_slot(old->etag) = old->hnext;
        api_pc.bytes -= sizeof(*old) + old->len;
        free(old);
    }
    pthread_mutex_unlock(&api_pc.mu);
}

struct api_records { /* A request for records, read and checked */
    struct store_read_version  v;
    struct api_cols            cols;
    const char               **allowed; /* Column names, for messages */
    struct api_list            dims[API_NDIMS], fields;
    struct store_read_in       in[API_NDIMS];
    int                       *field;   /* Columns to write, in cols */
    int                       *src;     /* Each one's place in a record */
    int                       *is_bool; /* Each one is a boolean extra */
    const char               **extra;   /* JSON paths of the extras read */
    size_t                     nfield;
    int64_t                    limit;
    unsigned char              filter[8]; /* api_filter_hash() */
    struct api_cursor          cur;
    struct store_records_query sq; /* The query, as it is built */
};

static void
api_records_clear(struct api_records *r)
{
    for (size_t d = 0; d < API_NDIMS; d++)
        api_list_clear(&r->dims[d]);
    api_list_clear(&r->fields);
    free(r->field);
    free(r->src);
    free(r->is_bool);
    free(r->extra);
    free(r->allowed);
    api_cols_clear(&r->cols);
    store_read_version_clear(&r->v);
}

/* The filters: a list of values per dimension, and the period range. */
static int
api_records_filters(struct req *rq, struct api_records *r)
{
    const char *format = api_period_format(r->v.grain);
    const char *from = query_get(&rq->q, "period_from");
    const char *to = query_get(&rq->q, "period_to");
    int         status;

    for (size_t d = 0; d < API_NDIMS; d++) {
        struct api_list *l = &r->dims[d];

        if ((status = api_list_param(rq, api_dims[d].param, l)) ||
            (status = api_dim_check(rq, api_dims[d].col, l, format)))
            return status;
        if (l->n > 0)
            r->in[r->sq.n_in++] =
                (struct store_read_in){api_dims[d].col, l->v, l->n};
    }
    for (int i = 0; i < 2; i++) {
        const char    *p = i ? to : from;
        struct api_bad b = {.param = i ? "period_to" : "period_from",
                            .value = p,
                            .format = format};

        if (p && !api_period_ok(format, p))
            return api_reply_bad(rq, &b,
                                 "%s '%.32s' is not a period of this "
                                 "dataset (%s)",
                                 b.param, p, format);
    }
    if (from && to && strcmp(from, to) > 0) {
        struct api_bad b = {
            .param = "period_to", .value = to, .format = format};

        return api_reply_bad(
            rq, &b, "period_to '%s' is before period_from '%s'", to, from);
    }
    r->sq.in = r->in;
    r->sq.period_from = from;
    r->sq.period_to = to;
    return 0;
}

/* ?fields=: which columns, in which order (default: all of them). */
static int
api_records_fields(struct req *rq, struct api_records *r)
{
    struct api_cols *c = &r->cols;
    int              status;

    if ((status = api_list_param(rq, "fields", &r->fields)))
        return status;
    r->nfield = r->fields.n ? r->fields.n : c->n;
    r->field = cm_calloc(r->nfield, sizeof(*r->field));
    r->src = cm_calloc(r->nfield, sizeof(*r->src));
    r->is_bool = cm_calloc(r->nfield, sizeof(*r->is_bool));
    r->extra = cm_calloc(r->nfield, sizeof(*r->extra));
    for (size_t i = 0; i < r->nfield; i++) {
        const char    *name = r->fields.n ? r->fields.v[i] : c->name[i];
        int            f = api_cols_find(c, name);
        struct api_bad b = {.param = "fields", .value = name};

        if (f < 0) {
            b.allowed = r->allowed;
            b.n_allowed = c->n;
            return api_reply_bad(rq, &b, "unknown column '%.64s'", name);
        }
        for (size_t j = 0; j < i; j++)
            if (r->field[j] == f)
                return api_reply_bad(rq, &b, "fields names '%.64s' twice",
                                     name);
        r->field[i] = f;
        if (f < STORE_OBS_NCOLS)
            r->src[i] = f;
        else { /* Read after the published columns, in this order */
            r->src[i] = STORE_OBS_NCOLS + (int) r->sq.n_extra;
            r->extra[r->sq.n_extra++] = c->path[f];
            r->is_bool[i] = strcmp(c->type[f], "boolean") == 0;
        }
    }
    r->sq.extra = r->extra;
    return 0;
}

/* ?sort=column or -column (default: row order). */
static int
api_records_sort(struct req *rq, struct api_records *r)
{
    const char *sort = query_get(&rq->q, "sort");
    int         f;

    r->sq.sort = STORE_SORT_ROW;
    if (sort == NULL)
        return 0;
    f = api_cols_find(&r->cols, sort + (sort[0] == '-'));
    if (f < 0) {
        struct api_bad b = {.param = "sort",
                            .value = sort,
                            .allowed = r->allowed,
                            .n_allowed = r->cols.n};

        return api_reply_bad(rq, &b,
                             "cannot sort by '%.64s': name a column, with "
                             "'-' before it for descending",
                             sort);
    }
    r->sq.desc = sort[0] == '-';
    if (f < STORE_OBS_NCOLS)
        r->sq.sort = f;
    else {
        r->sq.sort = STORE_SORT_EXTRA;
        r->sq.sort_path = r->cols.path[f];
    }
    return 0;
}

/* ?cursor=, checked against the version, the filters and the sort. */
static int
api_records_cursor(struct req *rq, struct api_records *r)
{
    static const char *const hashed[] = {
        "period", "territory_level", "territory", "sector", "kind",
        "status", "period_from",     "period_to", "sort",   NULL};
    char tag[32];
    int  status, present;

    /* The version goes into the hash through the tag. */
    snprintf(tag, sizeof(tag), "records %lld", (long long) r->v.id);
    api_filter_hash(rq, tag, hashed, r->filter);
    if ((status = api_cursor_param(rq, 'r', r->filter, r->v.id, r->v.number,
                                   &r->cur, &present)))
        return status;
    if (present && r->sq.sort == STORE_SORT_ROW &&
        r->cur.key.type != STORE_NULL) {
        struct api_bad b = {.param = "cursor"};

        return api_reply_bad(rq, &b, "this cursor was made for another sort");
    }
    r->sq.after_set = present;
    r->sq.after = r->cur.key;
    r->sq.after_row = r->cur.row;
    return 0;
}

/* Read the page and send it (and keep it, under 'etag'). */
static int
api_records_send(struct req *rq, struct api_records *r, const char *etag)
{
    struct api_page page;
    struct cm_err   err;
    struct cm_buf   next;
    struct jw      *w = jw_new();
    const char     *body;
    size_t          len;
    char            url[128];
    int             status;

    memset(&page, 0, sizeof(page));
    cm_buf_init(&page.key_text);
    cm_buf_init(&next);
    r->sq.version = r->v.id;
    r->sq.limit = r->limit + 1; /* One more tells whether a next page exists */
    jw_obj_open(w);
    jw_kv_str(w, "dataset", r->v.slug);
    jw_kv_int(w, "version", r->v.number);
    jw_kv_int(w, "latest", r->v.latest);
    api_cols_write(w, &r->cols, r->field, r->nfield);
    jw_key(w, "records");
    jw_arr_open(w);
    page.w = w;
    page.cols = &r->cols;
    page.field = r->field;
    page.src = r->src;
    page.is_bool = r->is_bool;
    page.nfield = r->nfield;
    page.limit = r->limit;
    if (store_records_each(rq->st, &r->sq, api_record, &page, &err) != CM_OK)
        goto fail;
    jw_arr_close(w);
    jw_kv_int(w, "count", page.count);
    jw_kv_int(w, "limit", r->limit);
    if (page.more) {
        struct api_cursor *c = &r->cur;

        memset(c, 0, sizeof(*c));
        c->kind = 'r';
        c->version = r->v.id;
        memcpy(c->filter, r->filter, sizeof(c->filter));
        if (r->sq.sort != STORE_SORT_ROW)
            c->key = page.key;
        c->row = page.row;
        /* The link names the version, so a walk started on the latest
        ** stays on it when a newer one is published meanwhile. */
        cm_buf_printf(&next, "/api/v1/datasets/%s/records?version=%lld&",
                      r->v.slug, (long long) r->v.number);
        api_url_params(&next, &rq->q, "cursor", "version");
        cm_buf_puts(&next, "cursor=");
        if (api_cursor_encode(rq, c, &next, &err) != CM_OK)
            goto fail;
    }
    jw_kv_str(w, "next", next.len ? next.data : NULL);
    jw_key(w, "links");
    jw_obj_open(w);
    snprintf(url, sizeof(url), "/api/v1/datasets/%s?version=%lld", r->v.slug,
             (long long) r->v.number);
    jw_kv_str(w, "dataset", url);
    jw_obj_close(w);
    jw_obj_close(w);
    if (jw_result(w, &body, &len, &err) != CM_OK)
        goto fail;
    api_pc_put(rq->cfg->api_records_cache, etag, body, len);
    status = http_send_cached(rq, API_JSON, body, len, etag);
    goto done;
fail:
    status = http_reply_error(rq, &err);
done:
    jw_free(w);
    cm_buf_clear(&page.key_text);
    cm_buf_clear(&next);
    return status;
}

/*
** GET /api/v1/datasets/{slug}/records?version=&period=&territory_level=
** &territory=&sector=&kind=&status=&period_from=&period_to=&fields=
** &sort=&limit=&cursor= -- one page of a version's observations.
*/
int
api_dataset_records(struct req *rq)
{
    char               slug[DS_SLUG_MAX + 1], etag[33];
    struct api_records r;
    struct cm_err      err;
    struct cm_buf      hit;
    int64_t            number;
    int                found, status;

    if (!api_slug(rq, slug))
        return api_reply_not_found(rq, "no published dataset '%.*s'",
                                   (int) rq->arg_len[0], rq->arg[0]);
    if ((status = api_version_param(rq, &number)))
        return status;
    memset(&r, 0, sizeof(r));
    if (store_read_version(rq->st, slug, number, &r.v, &found, &err) != CM_OK)
        return http_reply_error(rq, &err);
    if (!found)
        return api_reply_no_version(rq, slug, number);
    cm_buf_init(&hit);
    api_cols_init(&r.cols, r.v.columns);
    r.allowed = cm_calloc(r.cols.n, sizeof(*r.allowed));
    for (size_t i = 0; i < r.cols.n; i++)
        r.allowed[i] = r.cols.name[i];

    /* 1. Every parameter checked before a row is read. */
    if ((status = api_records_filters(rq, &r)) ||
        (status = api_records_fields(rq, &r)) ||
        (status = api_records_sort(rq, &r)) ||
        (status = api_limit_param(rq, rq->cfg->api_records_default,
                                  rq->cfg->api_records_max, "api.records_max",
                                  &r.limit)) ||
        (status = api_records_cursor(rq, &r)))
        goto done;

    /* 2. Known before reading a row: a revalidation costs no query, and a
    ** page served lately no query either. */
    if (api_records_etag(rq, &r.v, r.limit, etag, &err) != CM_OK)
        status = http_reply_error(rq, &err);
    else if (http_etag_match(rq, etag))
        status = http_send_cached(rq, API_JSON, "", 0, etag);
    else if (api_pc_get(rq->cfg->api_records_cache, etag, &hit))
        status = http_send_cached(rq, API_JSON, hit.data, hit.len, etag);
    else /* 3. The rows, written as they come. */
        status = api_records_send(rq, &r, etag);
done:
    cm_buf_clear(&hit);
    api_records_clear(&r);
    return status;
}
