/*
** exp_csv.c -- observations as CSV (RFC 4180): UTF-8, CRLF line ends, a
** header with the published column names. EXP_CSV_FR makes the file
** French spreadsheets open as they should: ';' separator, decimal comma
** and a UTF-8 BOM. A null (suppressed value, no sector) is an empty
** field. Streams one row at a time onto the sink.
*/
#include <inttypes.h>
#include <string.h>

#include "exp.h"

static char
csv_sep(const struct exp_writer *w)
{
    return (w->flags & EXP_CSV_FR) ? ';' : ',';
}

/* One field, quoted when it holds the separator, a quote, CR or LF. */
static void
csv_field(struct exp_writer *w, const char *s)
{
    const char *p, *q;

    if (s == NULL)
        return;
    if (strpbrk(s, "\"\r\n") == NULL && strchr(s, csv_sep(w)) == NULL) {
        exp_sink_puts(w->sink, s);
        return;
    }
    exp_sink_write(w->sink, "\"", 1);
    for (p = s; (q = strchr(p, '"')) != NULL; p = q + 1) {
        exp_sink_write(w->sink, p, (size_t) (q - p + 1)); /* Through '"' */
        exp_sink_write(w->sink, "\"", 1);                 /* doubled */
    }
    exp_sink_puts(w->sink, p);
    exp_sink_write(w->sink, "\"", 1);
}

static void
csv_sep_write(struct exp_writer *w)
{
    char c = csv_sep(w);

    exp_sink_write(w->sink, &c, 1);
}

void
exp_csv_begin(struct exp_writer *w, struct exp_sink *sink, unsigned flags)
{
    w->sink = sink;
    w->flags = flags;
    w->rows = 0;
    if (flags & EXP_CSV_FR)
        exp_sink_write(sink, "\xEF\xBB\xBF", 3);
    for (int i = 0; i < EXP_NCOLS; i++) {
        if (i > 0)
            csv_sep_write(w);
        csv_field(w, exp_columns[i]);
    }
    exp_sink_write(sink, "\r\n", 2);
}

void
exp_csv_row(struct exp_writer *w, const struct exp_obs *o)
{
    char num[32];
    char status[2] = {o->status, '\0'};

    csv_field(w, o->period);
    csv_sep_write(w);
    csv_field(w, o->territory_level);
    csv_sep_write(w);
    csv_field(w, o->territory);
    csv_sep_write(w);
    csv_field(w, o->sector);
    csv_sep_write(w);
    csv_field(w, o->kind);
    csv_sep_write(w);
    if (!o->value_null) {
        exp_fmt_double(o->value, (w->flags & EXP_CSV_FR) ? ',' : '.', num);
        csv_field(w, num);
    }
    csv_sep_write(w);
    csv_field(w, o->unit);
    csv_sep_write(w);
    if (o->n_sites >= 0) {
        snprintf(num, sizeof(num), "%" PRId64, o->n_sites);
        csv_field(w, num);
    }
    csv_sep_write(w);
    csv_field(w, status);
    exp_sink_write(w->sink, "\r\n", 2);
    w->rows++;
}

int
exp_csv_end(struct exp_writer *w, struct cm_err *err)
{
    return exp_sink_flush(w->sink, err);
}
