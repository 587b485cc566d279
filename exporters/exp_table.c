/*
** exp_table.c -- the table formats (CSV, JSON, NDJSON) chosen by name,
** and the extra columns a version may declare after the published ones.
** The declaration (dataset_version.columns) is parsed once per export;
** each row's values arrive as the JSON object text the store keeps, and
** are scanned with yajl's event parser (no tree) into a struct
** exp_extra that the format's row writer reads. Datasets without extra
** columns skip all of it.
*/
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "exp.h"

const char *const exp_formats[EXP_NFORMATS] = {"csv", "json",   "ndjson",
                                               "zip", "tar.gz", "csv-fr"};

int
exp_format_find(const char *name)
{
    for (int i = 0; name != NULL && i < EXP_NFORMATS; i++)
        if (strcmp(name, exp_formats[i]) == 0)
            return i;
    return -1;
}

/* ---- The declaration ----------------------------------------------- */

/* Table Schema v2 field types a column may take (scalars only). */
static const char *const col_types[] = {
    "string",   "number", "integer",   "boolean",  "date", "time",
    "datetime", "year",   "yearmonth", "duration", NULL};

static const char *
col_str(yajl_val obj, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val    v = yajl_tree_get(obj, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

static int
col_fail(struct cm_err *err, size_t i, const char *name, const char *why)
{
    char what[64];

    cm_fail(err, CM_EINVAL, "extra column %zu (%.40s): %s", i,
            name ? name : "?", why);
    snprintf(what, sizeof(what), "columns[%zu]", i);
    cm_err_what(err, "field", what);
    return err->code;
}

/* Check and copy the column described by object o into *c. */
static int
col_parse(yajl_val o, size_t i, const struct exp_columns *done,
          struct exp_column *c, struct cm_err *err)
{
    const char *name, *type;
    int         known = 0;

    if (!YAJL_IS_OBJECT(o))
        return col_fail(err, i, NULL, "not an object");
    name = col_str(o, "name");
    type = col_str(o, "type");
    if (name == NULL || name[0] == '\0')
        return col_fail(err, i, NULL, "\"name\" must be a non-empty string");
    for (int k = 0; k < EXP_NCOLS; k++)
        if (strcmp(name, exp_columns[k]) == 0)
            return col_fail(err, i, name,
                            "a published column: a dataset may add "
                            "columns, never redefine these");
    for (size_t k = 0; k < done->n; k++)
        if (strcmp(name, done->col[k].name) == 0)
            return col_fail(err, i, name, "declared twice");
    if (type == NULL)
        type = "string";
    for (int k = 0; col_types[k] != NULL; k++)
        known |= strcmp(type, col_types[k]) == 0;
    if (!known)
        return col_fail(err, i, name,
                        "\"type\" must be a Table Schema type: string, "
                        "number, integer, boolean, date, time, datetime, "
                        "year, yearmonth or duration");
    c->name = cm_strdup(name);
    c->type = cm_strdup(type);
    c->title = cm_strdup(col_str(o, "title"));
    c->description = cm_strdup(col_str(o, "description"));
    return CM_OK;
}

int
exp_columns_parse(const char *json, struct exp_columns *out, struct cm_err *err)
{
    char     ebuf[128];
    yajl_val doc;
    size_t   n;

    memset(out, 0, sizeof(*out));
    if (json == NULL || json[0] == '\0')
        return CM_OK;
    doc = yajl_tree_parse(json, ebuf, sizeof(ebuf));
    if (doc == NULL || !YAJL_IS_ARRAY(doc)) {
        yajl_tree_free(doc);
        cm_fail(err, CM_EINVAL, "the version's columns must be a JSON array");
        cm_err_what(err, "field", "columns");
        return err->code;
    }
    n = doc->u.array.len;
    if (n > EXP_EXTRA_MAX) {
        yajl_tree_free(doc);
        cm_fail(err, CM_EINVAL, "%zu extra columns: at most %d", n,
                EXP_EXTRA_MAX);
        cm_err_what(err, "field", "columns");
        return err->code;
    }
    out->col = cm_calloc(n ? n : 1, sizeof(*out->col));
    for (size_t i = 0; i < n; i++) {
        if (col_parse(doc->u.array.values[i], i, out, &out->col[i], err)) {
            yajl_tree_free(doc);
            exp_columns_clear(out);
            return err->code;
        }
        out->n++;
    }
    yajl_tree_free(doc);
    return CM_OK;
}

void
exp_columns_clear(struct exp_columns *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->col[i].name);
        free(c->col[i].type);
        free(c->col[i].title);
        free(c->col[i].description);
    }
    free(c->col);
    memset(c, 0, sizeof(*c));
}

/* ---- One row's values ---------------------------------------------- */

struct xscan {
    const struct exp_columns *cols;
    struct exp_extra         *x;
    int                       depth; /* 1 inside the row's object */
    int                       col;   /* Column of the current key, or -1 */
    const char               *why;   /* Set when the scan refuses */
};

/* Record a scalar for the current key; 1 to go on (yajl's convention). */
static int
xscan_value(struct xscan *s, enum exp_xtype t, const void *p, size_t n)
{
    if (s->depth != 1) {
        s->why = "an extra column's value must be a string, number, "
                 "boolean or null";
        return 0;
    }
    if (s->col >= 0) {
        s->x->type[s->col] = t;
        s->x->off[s->col] = s->x->buf.len;
        s->x->len[s->col] = n;
        cm_buf_add(&s->x->buf, p, n);
        cm_buf_add(&s->x->buf, "", 1); /* strtod() stops at the NUL */
    }
    return 1;
}

static int
xscan_null(void *ctx)
{
    return xscan_value(ctx, EXP_X_NULL, "", 0);
}

static int
xscan_bool(void *ctx, int b)
{
    return xscan_value(ctx, EXP_X_BOOL, b ? "true" : "false", b ? 4 : 5);
}

static int
xscan_number(void *ctx, const char *p, size_t n)
{
    return xscan_value(ctx, EXP_X_NUMBER, p, n);
}

static int
xscan_string(void *ctx, const unsigned char *p, size_t n)
{
    return xscan_value(ctx, EXP_X_STRING, p, n);
}

static int
xscan_start_map(void *ctx)
{
    struct xscan *s = ctx;

    if (s->depth != 0) {
        s->why = "an extra column's value must be a string, number, "
                 "boolean or null";
        return 0;
    }
    s->depth = 1;
    return 1;
}

static int
xscan_key(void *ctx, const unsigned char *p, size_t n)
{
    struct xscan *s = ctx;

    s->col = -1;
    for (size_t i = 0; i < s->cols->n; i++)
        if (strlen(s->cols->col[i].name) == n &&
            memcmp(s->cols->col[i].name, p, n) == 0) {
            s->col = (int) i;
            break;
        }
    return 1;
}

static int
xscan_end_map(void *ctx)
{
    ((struct xscan *) ctx)->depth = 2; /* Anything after it is refused */
    return 1;
}

static int
xscan_start_array(void *ctx)
{
    struct xscan *s = ctx;

    s->why = s->depth == 0 ? "a row's extra values must be a JSON object"
                           : "an extra column's value must be a string, "
                             "number, boolean or null";
    return 0;
}

static const yajl_callbacks xscan_callbacks = {
    .yajl_null = xscan_null,
    .yajl_boolean = xscan_bool,
    .yajl_number = xscan_number, /* Raw text: no precision lost */
    .yajl_string = xscan_string,
    .yajl_start_map = xscan_start_map,
    .yajl_map_key = xscan_key,
    .yajl_end_map = xscan_end_map,
    .yajl_start_array = xscan_start_array,
};

/* Fill *x (initialised, empty) with the values of 'json' for cols. */
static int
extra_parse(const struct exp_columns *cols, const char *json,
            struct exp_extra *x, struct cm_err *err)
{
    struct xscan s = {cols, x, 0, -1, NULL};
    yajl_handle  h;
    yajl_status  st;

    for (size_t i = 0; i < cols->n; i++)
        x->type[i] = EXP_X_NULL;
    if (json == NULL)
        return CM_OK;
    h = yajl_alloc(&xscan_callbacks, NULL, &s);
    if (h == NULL)
        return cm_fail(err, CM_EINTERNAL, "yajl: out of memory");
    st = yajl_parse(h, (const unsigned char *) json, strlen(json));
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    yajl_free(h);
    if (st == yajl_status_ok && s.depth == 2)
        return CM_OK;
    return cm_fail(err, CM_EINVAL, "a row's extra columns: %s",
                   s.why ? s.why : "not a JSON object");
}

/* ---- By name ------------------------------------------------------- */

int
exp_table_begin(struct exp_writer *w, const char *format, unsigned flags,
                const struct exp_columns *cols, struct exp_sink *sink,
                struct cm_err *err)
{
    int f = exp_format_find(format);

    switch (f) {
    case EXP_CSV:
        exp_csv_begin(w, sink, flags);
        break;
    case EXP_CSVFR:
        exp_csv_begin(w, sink, flags | EXP_CSV_FR);
        break;
    case EXP_JSON:
        exp_json_begin(w, sink);
        break;
    case EXP_NDJSON:
        exp_ndjson_begin(w, sink);
        break;
    default:
        cm_fail(err, CM_EINVAL,
                "'%s' is not a table format: use csv, json, "
                "ndjson or csv-fr",
                format ? format : "");
        cm_err_what(err, "param", "format");
        return err->code;
    }
    /* After begin, which clears it; the CSV header waits for the first
    ** row, so it names these columns too. */
    w->cols = cols != NULL && cols->n > 0 ? cols : NULL;
    return CM_OK;
}

void
exp_table_row(struct exp_writer *w, const struct exp_obs *o, const char *extra)
{
    struct exp_extra x;

    if (w->sink->err.code != CM_OK)
        return;
    if (w->cols != NULL) {
        cm_buf_init(&x.buf);
        if (extra_parse(w->cols, extra, &x, &w->sink->err) != CM_OK) {
            cm_buf_clear(&x.buf);
            return; /* The sink keeps the error: sticky */
        }
        w->extra = &x;
    }
    switch (w->format) {
    case EXP_CSV:
        exp_csv_row(w, o);
        break;
    case EXP_JSON:
        exp_json_row(w, o);
        break;
    default:
        exp_ndjson_row(w, o);
        break;
    }
    if (w->cols != NULL) {
        w->extra = NULL; /* x dies here */
        cm_buf_clear(&x.buf);
    }
}

int
exp_table_end(struct exp_writer *w, struct cm_err *err)
{
    switch (w->format) {
    case EXP_CSV:
        return exp_csv_end(w, err);
    case EXP_JSON:
        return exp_json_end(w, err);
    default:
        return exp_ndjson_end(w, err);
    }
}
