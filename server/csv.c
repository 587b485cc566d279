/*
** csv.c -- streaming delimited-text and line reader.
** The buffer holds the record being read and what follows it: a record is
** first delimited (quotes respected, state kept across reads so a long
** record is scanned once), then split and unquoted into 'out'.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "mem.h"
#include "text.h"

#define CSV_CHUNK 65536

struct csv {
    struct imp_src *src;
    char            sep;
    size_t          line_max;
    char           *buf; /* [start, end) holds unread bytes */
    size_t          cap, start, end;
    char           *out;  /* Unquoted fields of the current record */
    long            line; /* Line number of buf[start] */
    int             eof;
    int             bom_checked;
};

struct csv *
csv_new(struct imp_src *src, char sep, size_t line_max)
{
    struct csv *c = cm_calloc(1, sizeof(*c));

    c->src = src;
    c->sep = sep;
    c->line_max = line_max;
    c->cap = line_max + CSV_CHUNK;
    c->buf = cm_malloc(c->cap + 1); /* + 1: csv_line's NUL */
    c->out = cm_malloc(line_max + CSV_MAX_FIELDS + 1);
    c->line = 1;
    return c;
}

void
csv_free(struct csv *c)
{
    if (c == NULL)
        return;
    free(c->buf);
    free(c->out);
    free(c);
}

/* Read more bytes after c->end; 0 at the end of the source, -1 on error. */
static int
csv_fill(struct csv *c, struct cm_err *err)
{
    ssize_t n;

    if (c->start > 0) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    n = imp_src_read(c->src, c->buf + c->end, c->cap - c->end, err);
    if (n < 0)
        return -1;
    if (n == 0) {
        c->eof = 1;
        return 0;
    }
    c->end += (size_t) n;
    if (!c->bom_checked && c->end >= 3) {
        c->bom_checked = 1;
        if (memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
            c->start = 3;
    }
    return 1;
}

/*
** Delimit the next record (quotes respected when 'quotes'): its length in
** *len (without the newline) and the bytes to skip past it in *adv.
** Returns 1, 0 at the end, -1 on error.
*/
static int
csv_extent(struct csv *c, int quotes, size_t *len, size_t *adv,
           struct cm_err *err)
{
    size_t scan = 0; /* Bytes after start already scanned */
    int    inq = 0;

    for (;;) {
        for (; c->start + scan < c->end; scan++) {
            char ch = c->buf[c->start + scan];

            if (quotes && ch == '"')
                inq = !inq;
            else if (ch == '\n' && !inq) {
                *len = scan;
                *adv = scan + 1;
                return 1;
            }
        }
        if (scan > c->line_max) {
            cm_fail(err, CM_ELIMIT, "%s: line %ld is longer than %zu bytes",
                    c->src->name, c->line, c->line_max);
            return -1;
        }
        if (c->eof) {
            if (scan == 0)
                return 0;
            if (inq) {
                cm_fail(err, CM_EMALFORMED,
                        "%s: line %ld: unterminated quote (the file ends "
                        "inside a quoted field)",
                        c->src->name, c->line);
                return -1;
            }
            *len = *adv = scan;
            return 1;
        }
        if (csv_fill(c, err) < 0)
            return -1;
        if (!c->bom_checked && c->eof)
            c->bom_checked = 1;
    }
}

/* Check the record's bytes and count its lines; strip a final CR. */
static int
csv_take(struct csv *c, size_t *len, size_t adv, long *lineno,
         struct cm_err *err)
{
    char *p = c->buf + c->start;

    *lineno = c->line;
    for (size_t i = 0; i < adv; i++)
        if (p[i] == '\n')
            c->line++;
    if (*len > 0 && p[*len - 1] == '\r')
        (*len)--;
    if (memchr(p, '\0', *len) != NULL) {
        cm_fail(err, CM_EMALFORMED, "%s: line %ld: NUL byte", c->src->name,
                *lineno);
        return -1;
    }
    if (!cm_utf8_valid(p, *len)) {
        cm_fail(err, CM_EMALFORMED,
                "%s: line %ld: not UTF-8 (a Latin-1 export? convert it "
                "with iconv -f latin1 -t utf-8)",
                c->src->name, *lineno);
        return -1;
    }
    return 0;
}

int
csv_line(struct csv *c, char **line, size_t *len, long *lineno,
         struct cm_err *err)
{
    size_t adv;
    int    rc;

    for (;;) {
        if ((rc = csv_extent(c, 0, len, &adv, err)) <= 0)
            return rc;
        if (csv_take(c, len, adv, lineno, err) < 0)
            return -1;
        *line = c->buf + c->start;
        c->start += adv;
        (*line)[*len] = '\0'; /* Over the '\n' or '\r' (or past the end) */
        return 1;
    }
}

int
csv_next(struct csv *c, struct csv_rec *rec, struct cm_err *err)
{
    char  *p, *o;
    size_t len, adv, i = 0;
    int    rc;

    for (;;) {
        if ((rc = csv_extent(c, 1, &len, &adv, err)) <= 0)
            return rc;
        if (csv_take(c, &len, adv, &rec->line, err) < 0)
            return -1;
        p = c->buf + c->start;
        c->start += adv;
        if (len > 0)
            break; /* Blank lines are skipped */
    }
    rec->n = 0;
    o = c->out;
    for (;;) {
        if (rec->n == CSV_MAX_FIELDS) {
            cm_fail(err, CM_EMALFORMED, "%s: line %ld: more than %d fields",
                    c->src->name, rec->line, CSV_MAX_FIELDS);
            return -1;
        }
        rec->f[rec->n] = o;
        if (i < len && p[i] == '"') {
            for (i++;; i++) {
                if (i >= len) /* csv_extent saw the closing quote */
                    break;
                if (p[i] == '"') {
                    if (i + 1 < len && p[i + 1] == '"') {
                        *o++ = '"';
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                *o++ = p[i];
            }
            if (i < len && p[i] != c->sep) {
                cm_fail(err, CM_EMALFORMED,
                        "%s: line %ld: text after a closing quote in field "
                        "%d",
                        c->src->name, rec->line, rec->n + 1);
                return -1;
            }
        } else
            while (i < len && p[i] != c->sep)
                *o++ = p[i++];
        rec->len[rec->n] = (size_t) (o - rec->f[rec->n]);
        *o++ = '\0';
        rec->n++;
        if (i >= len)
            break;
        i++;            /* The separator */
        if (i == len) { /* A trailing separator: one more, empty field */
            if (rec->n == CSV_MAX_FIELDS) {
                cm_fail(err, CM_EMALFORMED, "%s: line %ld: more than %d fields",
                        c->src->name, rec->line, CSV_MAX_FIELDS);
                return -1;
            }
            rec->f[rec->n] = o;
            rec->len[rec->n] = 0;
            *o++ = '\0';
            rec->n++;
            break;
        }
    }
    return 1;
}

int
csv_col(const struct csv_rec *hdr, const char *name)
{
    for (int i = 0; i < hdr->n; i++)
        if (strcmp(hdr->f[i], name) == 0)
            return i;
    return -1;
}

int
csv_number(const char *s, int decimal_comma, double *out)
{
    char   buf[64], *end;
    size_t n = strlen(s);
    double v;

    if (n == 0 || n >= sizeof(buf))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (decimal_comma && ch == ',')
            ch = '.';
        else if (decimal_comma && ch == '.')
            return -1; /* "1.234,5": a thousands separator is ambiguous */
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' ||
              ch == 'e' || ch == 'E'))
            return -1; /* Also refuses "NaN", "inf", "0x1p3", spaces */
        buf[i] = ch;
    }
    buf[n] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    if (end != buf + n || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
