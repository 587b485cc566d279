/*
** jw.c -- JSON writer over yajl_gen with sticky errors.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "jw.h"
#include "mem.h"
#include "text.h"

struct jw {
    yajl_gen        g;
    yajl_gen_status status; /* First failure, or yajl_gen_status_ok */
    int             depth;  /* Containers open */
};

struct jw *
jw_new(void)
{
    struct jw *w = cm_calloc(1, sizeof(*w));

    w->g = yajl_gen_alloc(NULL);
    if (w->g == NULL) {
        fprintf(stderr, "consometer: out of memory (yajl_gen_alloc)\n");
        abort();
    }
    return w;
}

void
jw_free(struct jw *w)
{
    if (w == NULL)
        return;
    yajl_gen_free(w->g);
    free(w);
}

static void
jw_check(struct jw *w, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok && w->status == yajl_gen_status_ok)
        w->status = st;
}

#define JW_CALL(w, expr)                                                       \
    do {                                                                       \
        if ((w)->status == yajl_gen_status_ok)                                 \
            jw_check((w), (expr));                                             \
    } while (0)

void
jw_obj_open(struct jw *w)
{
    JW_CALL(w, yajl_gen_map_open(w->g));
    w->depth++;
}

void
jw_obj_close(struct jw *w)
{
    JW_CALL(w, yajl_gen_map_close(w->g));
    w->depth--;
}

void
jw_arr_open(struct jw *w)
{
    JW_CALL(w, yajl_gen_array_open(w->g));
    w->depth++;
}

void
jw_arr_close(struct jw *w)
{
    JW_CALL(w, yajl_gen_array_close(w->g));
    w->depth--;
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    struct cm_buf        fixed;
    size_t               ascii = 0;

    /* Most strings (codes, periods, keys) are ASCII: skip the UTF-8
    ** decoder for them, it costs a tenth of a records page. */
    while (ascii < n && p[ascii] < 0x80)
        ascii++;
    if (ascii == n || cm_utf8_valid(s + ascii, n - ascii)) {
        JW_CALL(w, yajl_gen_string(w->g, p, n));
        return;
    }
    cm_buf_init(&fixed);
    for (size_t i = 0; i < n;) {
        size_t k = cm_utf8_seq(p + i, n - i);

        if (k == 0) {
            cm_buf_add(&fixed, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            cm_buf_add(&fixed, p + i, k);
            i += k;
        }
    }
    JW_CALL(w, yajl_gen_string(w->g, (const unsigned char *) fixed.data,
                               fixed.len));
    cm_buf_clear(&fixed);
}

void
jw_str(struct jw *w, const char *s)
{
    if (s == NULL)
        jw_null(w);
    else
        jw_strn(w, s, strlen(s));
}

void
jw_key(struct jw *w, const char *key)
{
    jw_str(w, key);
}

void
jw_int(struct jw *w, int64_t v)
{
    JW_CALL(w, yajl_gen_integer(w->g, (long long) v));
}

void
jw_double(struct jw *w, double v)
{
    char buf[32];
    int  n;

    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    n = cm_fmt_double(v, buf);
    JW_CALL(w, yajl_gen_number(w->g, buf, (size_t) n));
}

void
jw_bool(struct jw *w, int v)
{
    JW_CALL(w, yajl_gen_bool(w->g, v != 0));
}

void
jw_null(struct jw *w)
{
    JW_CALL(w, yajl_gen_null(w->g));
}

void
jw_kv_str(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void
jw_kv_int(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void
jw_kv_double(struct jw *w, const char *key, double v)
{
    jw_key(w, key);
    jw_double(w, v);
}

void
jw_kv_bool(struct jw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

int
jw_result(struct jw *w, const char **out, size_t *out_len, struct cm_err *err)
{
    const unsigned char *buf;
    size_t               len;

    if (w->status == yajl_gen_status_ok)
        jw_check(w, yajl_gen_get_buf(w->g, &buf, &len));
    if (w->status != yajl_gen_status_ok)
        return cm_fail(err, CM_EINTERNAL, "JSON writer failed (yajl status %d)",
                       (int) w->status);
    if (w->depth != 0)
        return cm_fail(err, CM_EINTERNAL, "JSON writer: %d containers open",
                       w->depth);
    *out = (const char *) buf;
    *out_len = len;
    return CM_OK;
}

char *
jw_strdup(struct jw *w)
{
    const char   *buf = NULL;
    size_t        len = 0;
    struct cm_err err;

    if (jw_result(w, &buf, &len, &err) != CM_OK)
        return NULL;
    return cm_strndup(buf, len);
}

void
jw_kv_pos(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    if (v > 0)
        jw_int(w, v);
    else
        jw_null(w);
}

void
jw_tree(struct jw *w, const struct yajl_val_s *v)
{
    if (v == NULL || YAJL_IS_NULL(v))
        jw_null(w);
    else if (YAJL_IS_STRING(v))
        jw_str(w, v->u.string);
    else if (YAJL_IS_INTEGER(v))
        jw_int(w, v->u.number.i);
    else if (YAJL_IS_NUMBER(v))
        jw_double(w, v->u.number.d);
    else if (YAJL_IS_TRUE(v))
        jw_bool(w, 1);
    else if (YAJL_IS_FALSE(v))
        jw_bool(w, 0);
    else if (YAJL_IS_OBJECT(v)) {
        jw_obj_open(w);
        for (size_t i = 0; i < v->u.object.len; i++) {
            jw_key(w, v->u.object.keys[i]);
            jw_tree(w, v->u.object.values[i]);
        }
        jw_obj_close(w);
    } else {
        jw_arr_open(w);
        for (size_t i = 0; i < v->u.array.len; i++)
            jw_tree(w, v->u.array.values[i]);
        jw_arr_close(w);
    }
}

void
jw_json_text(struct jw *w, const char *text)
{
    char     ebuf[128];
    yajl_val v = text ? yajl_tree_parse(text, ebuf, sizeof(ebuf)) : NULL;

    jw_tree(w, v);
    yajl_tree_free(v);
}

char *
jw_csv_array(const char *csv, int max_items, size_t max_len,
             const char *allowed)
{
    struct jw *w = jw_new();
    char      *out;
    int        n = 0;

    jw_arr_open(w);
    for (const char *p = csv;;) {
        size_t len = strcspn(p, ",");

        if (len == 0 || len > max_len || ++n > max_items ||
            (allowed && strspn(p, allowed) < len)) {
            jw_free(w);
            return NULL;
        }
        jw_strn(w, p, len);
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    jw_arr_close(w);
    out = jw_strdup(w);
    jw_free(w);
    return out;
}
