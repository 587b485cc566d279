/*
** jstream.c -- yajl events in, small yajl_val trees out.
** The parser keeps a stack of the containers it is in (with the current
** member name of each object), compares the path of each value that
** starts with the compiled patterns, and while a match lasts builds the
** value as a yajl_val tree exactly as yajl_tree_parse() would, so that
** yajl_tree_get() and yajl_tree_free() work on it.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "jstream.h"
#include "mem.h"

#define JS_MAX_DEPTH 64
#define JS_MAX_SEGS 16

enum js_seg_kind { JS_KEY, JS_ANY, JS_ELEM };

struct js_seg {
    enum js_seg_kind kind;
    const char      *name; /* JS_KEY: points into the pattern */
    size_t           len;
};

struct js_pattern {
    struct js_seg seg[JS_MAX_SEGS];
    int           n;
};

struct js_frame {
    int    is_map;
    char  *key;      /* Current member name (maps) */
    size_t capacity; /* Of the node being built, when collecting */
};

struct jstream {
    struct js_pattern *pat;
    int                npat;
    jstream_cb         cb;
    void              *ud;
    size_t             value_max;
    yajl_handle        h;
    struct js_frame    stack[JS_MAX_DEPTH];
    int                depth;
    /* Collection in progress: the nodes from its root down. */
    yajl_val       build[JS_MAX_DEPTH];
    int            bdepth;   /* 0: not collecting */
    int            which;    /* Pattern being collected */
    char          *root_key; /* Member name of the collected root */
    size_t         bytes;    /* Rough size of the collected value */
    long           base;     /* Bytes fed before the current chunk */
    int            rc;       /* Why a callback stopped the parse */
    struct cm_err *err;
};

static void
js_compile(const char *p, struct js_pattern *out)
{
    out->n = 0;
    while (*p && out->n < JS_MAX_SEGS) {
        const char *before = p;
        size_t      len = strcspn(p, ".[");

        if (len > 0) {
            struct js_seg *s = &out->seg[out->n++];

            s->kind = (len == 1 && *p == '*') ? JS_ANY : JS_KEY;
            s->name = p;
            s->len = len;
            p += len;
        }
        if (p[0] == '[' && p[1] == ']' && out->n < JS_MAX_SEGS) {
            out->seg[out->n++].kind = JS_ELEM;
            p += 2;
        }
        if (*p == '.')
            p++;
        if (p == before) /* A stray '[': skip it rather than spin */
            p++;
    }
}

struct jstream *
jstream_new(const char *const *paths, jstream_cb cb, void *ud, size_t value_max)
{
    struct jstream *js = cm_calloc(1, sizeof(*js));

    while (paths[js->npat])
        js->npat++;
    js->pat = cm_calloc((size_t) js->npat, sizeof(*js->pat));
    for (int i = 0; i < js->npat; i++)
        js_compile(paths[i], &js->pat[i]);
    js->cb = cb;
    js->ud = ud;
    js->value_max = value_max;
    return js;
}

static void
js_drop_build(struct jstream *js)
{
    if (js->bdepth > 0)
        yajl_tree_free(js->build[0]);
    js->bdepth = 0;
    free(js->root_key);
    js->root_key = NULL;
}

void
jstream_free(struct jstream *js)
{
    if (js == NULL)
        return;
    js_drop_build(js);
    for (int i = 0; i < js->depth; i++)
        free(js->stack[i].key);
    if (js->h)
        yajl_free(js->h);
    free(js->pat);
    free(js);
}

/* Index of the pattern matching the value starting now, or -1. */
static int
js_match(const struct jstream *js)
{
    for (int p = 0; p < js->npat; p++) {
        const struct js_pattern *pat = &js->pat[p];
        int                      ok = pat->n == js->depth;

        for (int i = 0; ok && i < pat->n; i++) {
            const struct js_frame *f = &js->stack[i];
            const struct js_seg   *s = &pat->seg[i];

            if (s->kind == JS_ELEM)
                ok = !f->is_map;
            else if (!f->is_map || f->key == NULL)
                ok = 0;
            else if (s->kind == JS_KEY)
                ok = strlen(f->key) == s->len &&
                     memcmp(f->key, s->name, s->len) == 0;
        }
        if (ok)
            return p;
    }
    return -1;
}

static int
js_stop(struct jstream *js, int rc)
{
    js->rc = rc;
    return 0; /* yajl: cancel */
}

/* Deliver a finished collected value. */
static int
js_deliver(struct jstream *js, yajl_val v)
{
    int rc = js->cb(js->ud, js->which, js->root_key, v,
                    js->base + (long) yajl_get_bytes_consumed(js->h));

    yajl_tree_free(v);
    js->bdepth = 0;
    free(js->root_key);
    js->root_key = NULL;
    return rc == CM_OK ? 1 : js_stop(js, rc);
}

/* Attach a new node to the collection (or start one); 1 to go on. */
static int
js_add(struct jstream *js, yajl_val v, int is_container)
{
    js->bytes += 32;
    if (js->bdepth == 0) {
        int which = js_match(js);

        if (which < 0) {
            yajl_tree_free(v);
            return 1;
        }
        js->which = which;
        js->bytes = 32;
        js->root_key = js->depth > 0 && js->stack[js->depth - 1].is_map
                           ? cm_strdup(js->stack[js->depth - 1].key)
                           : NULL;
        if (!is_container)
            return js_deliver(js, v);
        js->build[0] = v;
        js->bdepth = 1;
        return 1;
    }
    if (js->bytes > js->value_max) {
        yajl_tree_free(v);
        cm_fail(js->err, CM_ELIMIT,
                "a JSON value is larger than %zu bytes (at byte %ld)",
                js->value_max,
                js->base + (long) yajl_get_bytes_consumed(js->h));
        return js_stop(js, CM_ELIMIT);
    }
    {
        yajl_val         parent = js->build[js->bdepth - 1];
        struct js_frame *f = &js->stack[js->depth - 1];
        size_t *len = parent->type == yajl_t_object ? &parent->u.object.len
                                                    : &parent->u.array.len;

        if (*len == f->capacity) {
            f->capacity = f->capacity ? f->capacity * 2 : 8;
            if (parent->type == yajl_t_object)
                parent->u.object.keys = cm_realloc(
                    parent->u.object.keys, f->capacity * sizeof(char *));
            yajl_val **vals = parent->type == yajl_t_object
                                  ? &parent->u.object.values
                                  : &parent->u.array.values;
            *vals = cm_realloc(*vals, f->capacity * sizeof(yajl_val));
        }
        if (parent->type == yajl_t_object) {
            parent->u.object.keys[*len] = f->key;
            f->key = NULL; /* Now owned by the tree */
            js->bytes += strlen(parent->u.object.keys[*len]);
            parent->u.object.values[*len] = v;
        } else
            parent->u.array.values[*len] = v;
        (*len)++;
    }
    if (is_container)
        js->build[js->bdepth++] = v;
    return 1;
}

static yajl_val
js_node(yajl_type t)
{
    yajl_val v = cm_calloc(1, sizeof(*v));

    v->type = t;
    return v;
}

/* A scalar arrives: the current member name is used up by it. */
static int
js_scalar(struct jstream *js, yajl_val v)
{
    int rc = js_add(js, v, 0);

    if (js->depth > 0 && js->stack[js->depth - 1].is_map) {
        free(js->stack[js->depth - 1].key);
        js->stack[js->depth - 1].key = NULL;
    }
    return rc;
}

static int
js_null(void *ctx)
{
    return js_scalar(ctx, js_node(yajl_t_null));
}

static int
js_bool(void *ctx, int b)
{
    return js_scalar(ctx, js_node(b ? yajl_t_true : yajl_t_false));
}

static int
js_number(void *ctx, const char *s, size_t n)
{
    struct jstream *js = ctx;
    yajl_val        v = js_node(yajl_t_number);
    char           *end;

    v->u.number.r = cm_strndup(s, n);
    js->bytes += n;
    /* As yajl_tree does: out of range (ERANGE) is not valid. */
    errno = 0;
    v->u.number.i = strtoll(v->u.number.r, &end, 10);
    if (*end == '\0' && errno == 0)
        v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    errno = 0;
    v->u.number.d = strtod(v->u.number.r, &end);
    if (*end == '\0' && errno == 0)
        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
    return js_scalar(js, v);
}

static int
js_string(void *ctx, const unsigned char *s, size_t n)
{
    struct jstream *js = ctx;
    yajl_val        v = js_node(yajl_t_string);

    v->u.string = cm_strndup((const char *) s, n);
    js->bytes += n;
    return js_scalar(js, v);
}

static int
js_open(struct jstream *js, int is_map)
{
    int rc;

    if (js->depth == JS_MAX_DEPTH) {
        cm_fail(js->err, CM_EMALFORMED, "JSON nested deeper than %d levels",
                JS_MAX_DEPTH);
        return js_stop(js, CM_EMALFORMED);
    }
    rc = (js->bdepth > 0 || js_match(js) >= 0)
             ? js_add(js, js_node(is_map ? yajl_t_object : yajl_t_array), 1)
             : 1;
    if (!rc)
        return 0;
    /* The parent's member name now names this container: keep it in the
    ** frame below (for paths) until the container closes. */
    js->stack[js->depth].is_map = is_map;
    js->stack[js->depth].key = NULL;
    js->stack[js->depth].capacity = 0;
    js->depth++;
    return 1;
}

static int
js_close(struct jstream *js)
{
    struct js_frame *f;

    js->depth--;
    f = &js->stack[js->depth];
    free(f->key);
    f->key = NULL;
    if (js->depth > 0 && js->stack[js->depth - 1].is_map) {
        free(js->stack[js->depth - 1].key);
        js->stack[js->depth - 1].key = NULL;
    }
    if (js->bdepth > 0) {
        js->bdepth--;
        if (js->bdepth == 0)
            return js_deliver(js, js->build[0]);
    }
    return 1;
}

static int
js_start_map(void *ctx)
{
    return js_open(ctx, 1);
}

static int
js_start_array(void *ctx)
{
    return js_open(ctx, 0);
}

static int
js_end(void *ctx)
{
    return js_close(ctx);
}

static int
js_key(void *ctx, const unsigned char *s, size_t n)
{
    struct jstream  *js = ctx;
    struct js_frame *f = &js->stack[js->depth - 1];

    free(f->key);
    f->key = cm_strndup((const char *) s, n);
    return 1;
}

static const yajl_callbacks js_callbacks = {
    js_null,      js_bool, NULL,   NULL,           js_number, js_string,
    js_start_map, js_key,  js_end, js_start_array, js_end};

static int
js_yajl_error(struct jstream *js, struct imp_src *src, const char *buf,
              size_t n, struct cm_err *err)
{
    unsigned char *msg =
        yajl_get_error(js->h, 0, (const unsigned char *) buf, n);
    long at = js->base + (long) yajl_get_bytes_consumed(js->h);

    /* yajl ends its message with a newline: keep its first line only */
    cm_fail(err, CM_EMALFORMED, "%s: not valid JSON at byte %ld: %.*s",
            src->name, at, msg ? (int) strcspn((const char *) msg, "\n") : 11,
            msg ? (const char *) msg : "parse error");
    yajl_free_error(js->h, msg);
    return err->code;
}

int
jstream_run(struct jstream *js, struct imp_src *src, struct cm_err *err)
{
    char       *buf = cm_malloc(65536);
    ssize_t     n;
    yajl_status st;
    int         rc = CM_OK;

    js->err = err;
    js->h = yajl_alloc(&js_callbacks, NULL, js);
    while ((n = imp_src_read(src, buf, 65536, err)) > 0) {
        st = yajl_parse(js->h, (const unsigned char *) buf, (size_t) n);
        if (st == yajl_status_client_canceled) {
            rc = js->rc;
            goto done;
        }
        if (st != yajl_status_ok) {
            rc = js_yajl_error(js, src, buf, (size_t) n, err);
            goto done;
        }
        js->base += n;
    }
    if (n < 0) {
        rc = err->code;
        goto done;
    }
    st = yajl_complete_parse(js->h);
    if (st == yajl_status_client_canceled)
        rc = js->rc;
    else if (st != yajl_status_ok) {
        cm_fail(err, CM_EMALFORMED,
                "%s: the JSON document ends early (truncated at byte %ld?)",
                src->name, js->base);
        rc = err->code;
    }
done:
    free(buf);
    return rc;
}

yajl_val
jstream_get(yajl_val obj, const char *key)
{
    if (obj == NULL || obj->type != yajl_t_object)
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

const char *
jstream_str(yajl_val obj, const char *key)
{
    yajl_val v = jstream_get(obj, key);

    return v && v->type == yajl_t_string ? v->u.string : NULL;
}

int
jstream_num(yajl_val v, double *out)
{
    char  *end;
    double d;

    if (v == NULL)
        return -1;
    if (v->type == yajl_t_number &&
        (v->u.number.flags & YAJL_NUMBER_DOUBLE_VALID)) {
        *out = v->u.number.d;
        return 0;
    }
    if (v->type != yajl_t_string || v->u.string[0] == '\0')
        return -1;
    d = strtod(v->u.string, &end);
    if (*end != '\0' || d != d || d - d != 0) /* Trailing junk, NaN, inf */
        return -1;
    *out = d;
    return 0;
}
