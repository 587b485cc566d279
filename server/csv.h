/*
** csv.h -- a streaming reader of delimited text (RFC 4180: quotes, doubled
** quotes, CRLF or LF, a leading UTF-8 BOM skipped) and of plain lines,
** over a struct imp_src. Memory is one buffer of at most the line limit:
** a longer record is refused without being held whole. Text that is not
** UTF-8 is refused with its line.
*/
#ifndef CM_CSV_H
#define CM_CSV_H

#include <stddef.h>

#include "err.h"
#include "imp.h"

#define CSV_MAX_FIELDS 64

struct csv;

struct csv_rec {
    int   n;                 /* Fields in this record */
    char *f[CSV_MAX_FIELDS]; /* NUL-terminated, unquoted; valid
                             ** until the next csv_next() */
    size_t len[CSV_MAX_FIELDS];
    long   line; /* Line where the record starts */
};

/* 'sep' is ',' or ';' (or '\t'); 'line_max' the longest record, bytes. */
struct csv *csv_new(struct imp_src *src, char sep, size_t line_max);
void        csv_free(struct csv *c); /* NULL-safe */

/*
** Read the next record. Returns 1, 0 at the end, or -1 with err filled:
** CM_EMALFORMED (unterminated quote, not UTF-8, more than CSV_MAX_FIELDS
** fields, a NUL byte), CM_ELIMIT (a record over line_max), or the
** source's error. Blank lines are skipped.
*/
int csv_next(struct csv *c, struct csv_rec *rec, struct cm_err *err);

/*
** Read the next raw line (without its CR LF), for line-based formats
** (NDJSON, the Enedis header block). Returns 1, 0 at the end, -1 as
** above. *line is valid until the next call. *lineno gets its number.
*/
int csv_line(struct csv *c, char **line, size_t *len, long *lineno,
             struct cm_err *err);

/* Index of the field named 'name' in a header record, or -1. */
int csv_col(const struct csv_rec *hdr, const char *name);

/* Parse a decimal number strictly ("12.5", "-3", "1e3"; with
** decimal_comma "12,5"); refuses "", "NaN", "inf", out-of-range and
** trailing junk. 0 on success. */
int csv_number(const char *s, int decimal_comma, double *out);

#endif /* CM_CSV_H */
