/*
** exp_csv.c -- observations as CSV (RFC 4180): UTF-8, CRLF line ends, a
** header with the published column names. EXP_CSV_FR makes the file
** French spreadsheets open as they should: ';' separator, decimal comma
** and a UTF-8 BOM. A null (suppressed value, no sector) is an empty
** field. A version's extra columns follow the published ones. Streams
** one row at a time onto the sink.
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"

static char
csv_sep(const struct exp_writer *w)
{
    return (w->flags & EXP_CSV_FR) ? ';' : ',';
}

/* One field of n bytes, quoted when it holds the separator, a quote,
** CR or LF. */
static void
csv_field_n(struct exp_writer *w, const char *s, size_t n)
{
    const char *p, *q, *end = s + n;
    char        sep = csv_sep(w);
    int         quote = 0;

    for (p = s; p < end && !quote; p++)
        quote = *p == '"' || *p == '\r' || *p == '\n' || *p == sep;
    if (!quote) {
        exp_sink_write(w->sink, s, n);
        return;
    }
    exp_sink_write(w->sink, "\"", 1);
    for (p = s; (q = memchr(p, '"', (size_t) (end - p))) != NULL; p = q + 1) {
        exp_sink_write(w->sink, p, (size_t) (q - p + 1)); /* Through '"' */
        exp_sink_write(w->sink, "\"", 1);                 /* doubled */
    }
    exp_sink_write(w->sink, p, (size_t) (end - p));
    exp_sink_write(w->sink, "\"", 1);
}

static void
csv_field(struct exp_writer *w, const char *s)
{
    if (s != NULL)
        csv_field_n(w, s, strlen(s));
}

static void
csv_sep_write(struct exp_writer *w)
{
    char c = csv_sep(w);

    exp_sink_write(w->sink, &c, 1);
}

/* The header line, once: written with the first row or by end, so that
** exp_table_begin() can still declare the extra columns after begin. */
static void
csv_header(struct exp_writer *w)
{
    if (w->header)
        return;
    w->header = 1;
    for (int i = 0; i < EXP_NCOLS; i++) {
        if (i > 0)
            csv_sep_write(w);
        csv_field(w, exp_columns[i]);
    }
    for (size_t i = 0; w->cols != NULL && i < w->cols->n; i++) {
        csv_sep_write(w);
        csv_field(w, w->cols->col[i].name);
    }
    exp_sink_write(w->sink, "\r\n", 2);
}

/* An extra column's value: text as is, numbers in the dialect's decimal
** form (integers untouched), null (or no row values) empty. */
static void
csv_extra(struct exp_writer *w, size_t i)
{
    const struct exp_extra *x = w->extra;
    const char             *p;
    char                    num[32];

    if (x == NULL || x->type[i] == EXP_X_NULL)
        return;
    p = x->buf.data + x->off[i];
    if (x->type[i] == EXP_X_NUMBER && strpbrk(p, ".eE") != NULL) {
        exp_fmt_double(strtod(p, NULL), (w->flags & EXP_CSV_FR) ? ',' : '.',
                       num);
        csv_field(w, num);
        return;
    }
    csv_field_n(w, p, x->len[i]);
}

void
exp_csv_begin(struct exp_writer *w, struct exp_sink *sink, unsigned flags)
{
    memset(w, 0, sizeof(*w));
    w->sink = sink;
    w->flags = flags;
    w->format = EXP_CSV;
    if (flags & EXP_CSV_FR)
        exp_sink_write(sink, "\xEF\xBB\xBF", 3);
}

void
exp_csv_row(struct exp_writer *w, const struct exp_obs *o)
{
    char num[32];
    char status[2] = {o->status, '\0'};

    csv_header(w);
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
    for (size_t i = 0; w->cols != NULL && i < w->cols->n; i++) {
        csv_sep_write(w);
        csv_extra(w, i);
    }
    exp_sink_write(w->sink, "\r\n", 2);
    w->rows++;
}

int
exp_csv_end(struct exp_writer *w, struct cm_err *err)
{
    csv_header(w); /* An empty table still names its columns */
    return exp_sink_flush(w->sink, err);
}
