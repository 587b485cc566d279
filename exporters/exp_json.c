/*
** exp_json.c -- observations as JSON (one array) and NDJSON (one object
** per line). Each object goes through jw, the one JSON writer, and is
** written to the sink at once, so memory stays one row whatever the
** size of the dataset. Suppressed values and missing sectors are null;
** a version's extra columns follow the published ones, in its order.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "jw.h"

/* An extra column's value: as the row has it, null when absent. An
** integer stays an integer; other numbers go through jw_double, which
** keeps what reads back as the same double. */
static void
json_extra(struct jw *j, const struct exp_extra *x, size_t i)
{
    const char *p;
    char       *end;
    long long   v;

    if (x == NULL || x->type[i] == EXP_X_NULL) {
        jw_null(j);
        return;
    }
    p = x->buf.data + x->off[i];
    switch (x->type[i]) {
    case EXP_X_STRING:
        jw_strn(j, p, x->len[i]);
        break;
    case EXP_X_BOOL:
        jw_bool(j, p[0] == 't');
        break;
    default:
        errno = 0;
        v = strtoll(p, &end, 10);
        if (*end == '\0' && errno == 0)
            jw_int(j, v);
        else
            jw_double(j, strtod(p, NULL));
        break;
    }
}

/* Write one observation object, then 'end' (",\n", "\n"...). */
static void
json_obj(struct exp_writer *w, const struct exp_obs *o, const char *end)
{
    struct jw    *j;
    const char   *doc;
    size_t        len;
    struct cm_err err;
    char          status[2] = {o->status, '\0'};

    if (w->sink->err.code != CM_OK)
        return;
    j = jw_new();
    jw_obj_open(j);
    jw_kv_str(j, "period", o->period);
    jw_kv_str(j, "territory_level", o->territory_level);
    jw_kv_str(j, "territory", o->territory);
    jw_kv_str(j, "sector", o->sector);
    jw_kv_str(j, "kind", o->kind);
    jw_key(j, "value");
    if (o->value_null)
        jw_null(j);
    else
        jw_double(j, o->value);
    jw_kv_str(j, "unit", o->unit);
    jw_key(j, "n_sites");
    if (o->n_sites < 0)
        jw_null(j);
    else
        jw_int(j, o->n_sites);
    jw_kv_str(j, "status", status);
    for (size_t i = 0; w->cols != NULL && i < w->cols->n; i++) {
        jw_key(j, w->cols->col[i].name);
        json_extra(j, w->extra, i);
    }
    jw_obj_close(j);
    if (jw_result(j, &doc, &len, &err) != CM_OK) {
        w->sink->err = err; /* Sticky, like a write failure */
    } else {
        exp_sink_write(w->sink, doc, len);
        exp_sink_puts(w->sink, end);
    }
    jw_free(j);
    w->rows++;
}

void
exp_json_begin(struct exp_writer *w, struct exp_sink *sink)
{
    memset(w, 0, sizeof(*w));
    w->sink = sink;
    w->format = EXP_JSON;
    exp_sink_write(sink, "[", 1);
}

void
exp_json_row(struct exp_writer *w, const struct exp_obs *o)
{
    /* The separator goes before every object but the first. */
    exp_sink_puts(w->sink, w->rows == 0 ? "\n" : ",\n");
    json_obj(w, o, "");
}

int
exp_json_end(struct exp_writer *w, struct cm_err *err)
{
    exp_sink_puts(w->sink, "\n]\n");
    return exp_sink_flush(w->sink, err);
}

void
exp_ndjson_begin(struct exp_writer *w, struct exp_sink *sink)
{
    memset(w, 0, sizeof(*w));
    w->sink = sink;
    w->format = EXP_NDJSON;
}

void
exp_ndjson_row(struct exp_writer *w, const struct exp_obs *o)
{
    json_obj(w, o, "\n");
}

int
exp_ndjson_end(struct exp_writer *w, struct cm_err *err)
{
    return exp_sink_flush(w->sink, err);
}
