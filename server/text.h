/*
** text.h -- small text checks shared by every parser: UTF-8 validity and
** percent-decoding. Pure functions, no allocation.
*/
#ifndef CM_TEXT_H
#define CM_TEXT_H

#include <stddef.h>

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
int cm_utf8_valid(const char *s, size_t n);

/* Characters (code points) of the valid UTF-8 string s. */
size_t cm_utf8_chars(const char *s);

/* Length of the valid UTF-8 sequence at s[0..n), 0 if none. */
size_t cm_utf8_seq(const unsigned char *s, size_t n);

/*
** Decode %XX escapes (and '+' as a space when plus_space) from s[0..n)
** into out, which must hold n + 1 bytes. Returns the decoded length, or
** -1 on a malformed escape or a decoded NUL byte.
*/
long cm_pct_decode(const char *s, size_t n, int plus_space, char *out);

/*
** Append to *out the search form of s[0..n): lowercase, Latin accents
** and ligatures folded to ASCII ("Électricité" -> "electricite",
** "œ" -> "oe"), every other character kept as is (bad UTF-8 bytes
** dropped). Catalog text and queries are folded alike, so "electricite"
** finds "Électricité".
*/
struct cm_buf;
void cm_fold(const char *s, size_t n, struct cm_buf *out);

/* The shortest text that reads back as v ("%.15g", else "%.17g"; values
** to the thousandth, as published, without printf), NUL-ended in buf.
** Returns its length; 0 and "" when v is not finite. The JSON writer and
** the CSV exporters both print numbers with it. */
int cm_fmt_double(double v, char buf[32]);

/*
** Check JSON text before yajl's tree parser sees it: 0 if it is fit,
** else 1 when an escape \u0000 hides a NUL (yajl's tree gives strings
** without their length, so it would cut them silently) and 2 when
** arrays and objects nest deeper than max_depth (yajl frees a tree
** recursively: a body of a million '[' would exhaust the stack). The
** text need not be valid JSON: yajl says so afterwards.
*/
int cm_json_guard(const char *p, size_t n, int max_depth);

/* The nesting every JSON body and line we parse may have: no document
** of ours nests deeper than 6. */
#define CM_JSON_DEPTH_MAX 32

#endif /* CM_TEXT_H */
