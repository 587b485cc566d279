/*
** exp_json.c -- observations as JSON (one array) and NDJSON (one object
** per line). Each object goes through jw, the one JSON writer, and is
** written to the sink at once, so memory stays one row whatever the
** size of the dataset. Suppressed values and missing sectors are null.
*/
#include "exp.h"
#include "jw.h"

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
    w->sink = sink;
    w->flags = 0;
    w->rows = 0;
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
    w->sink = sink;
    w->flags = 0;
    w->rows = 0;
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
