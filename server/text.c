/*
** text.c -- UTF-8 validation and percent-decoding.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

size_t
cm_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c;
    size_t   len;
    unsigned min, cp;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int
cm_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t               i = 0;

    while (i < n) {
        size_t k = cm_utf8_seq(p + i, n - i);

        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

static int
cm_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long
cm_pct_decode(const char *s, size_t n, int plus_space, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            int hi, lo;

            if (i + 2 >= n)
                return -1;
            hi = cm_hex(s[i + 1]);
            lo = cm_hex(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char) (hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space)
            c = ' ';
        if (c == '\0')
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long) o;
}

/* U+00C0..U+017F folded to ASCII: one or two letters per code point, ""
** for those that have none (multiplication and division signs). */
static const char *const cm_fold_latin[] = {
    /* C0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    "d",           "n", "o",  "o",  "o", "o", "o",  "",
    "o",           "u", "u",  "u",  "u", "y", "th", "ss",
    /* E0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    "d",           "n", "o",  "o",  "o", "o", "o",  "",
    "o",           "u", "u",  "u",  "u", "y", "th", "y",
    /* 100 */ "a", "a", "a",  "a",  "a", "a", "c",  "c",
    "c",           "c", "c",  "c",  "c", "c", "d",  "d",
    "d",           "d", "e",  "e",  "e", "e", "e",  "e",
    "e",           "e", "e",  "e",  "g", "g", "g",  "g",
    /* 120 */ "g", "g", "g",  "g",  "h", "h", "h",  "h",
    "i",           "i", "i",  "i",  "i", "i", "i",  "i",
    "i",           "i", "ij", "ij", "j", "j", "k",  "k",
    "k",           "l", "l",  "l",  "l", "l", "l",  "l",
    /* 140 */ "l", "l", "l",  "n",  "n", "n", "n",  "n",
    "n",           "n", "n",  "n",  "o", "o", "o",  "o",
    "o",           "o", "oe", "oe", "r", "r", "r",  "r",
    "r",           "r", "s",  "s",  "s", "s", "s",  "s",
    /* 160 */ "s", "s", "t",  "t",  "t", "t", "t",  "t",
    "u",           "u", "u",  "u",  "u", "u", "u",  "u",
    "u",           "u", "u",  "u",  "w", "w", "y",  "y",
    "y",           "z", "z",  "z",  "z", "z", "z",  "s"};

void
cm_fold(const char *s, size_t n, struct cm_buf *out)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t               i = 0;

    while (i < n) {
        size_t   len = cm_utf8_seq(p + i, n - i);
        unsigned cp;

        if (len == 0) { /* Not UTF-8: dropped */
            i++;
            continue;
        }
        if (len == 1) {
            char c = (char) p[i];

            if (c >= 'A' && c <= 'Z')
                c = (char) (c - 'A' + 'a');
            cm_buf_add(out, &c, 1);
        } else if (len == 2 &&
                   (cp = ((p[i] & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu)) >= 0xC0 &&
                   cp <= 0x17F) {
            const char *f = cm_fold_latin[cp - 0xC0];

            cm_buf_add(out, f, strlen(f));
        } else
            cm_buf_add(out, s + i, len);
        i += len;
    }
}

/*
** v in decimal when it is k / 1000 for an integer k (published values are
** rounded to the Wh): exact, and several times faster than printf and
** strtod. The decimal k/1000 reads back as v exactly when the correctly
** rounded k / 1000.0 is v, which the test checks. -1 otherwise.
*/
static int
cm_fmt_milli(double v, char buf[32])
{
    double             k = v * 1000.0;
    unsigned long long a, ip, fp;
    char               tmp[24];
    int                n = 0, t = 0;

    if (!(fabs(k) < 9007199254740992.0) || k != floor(k) || k / 1000.0 != v ||
        (v == 0 && signbit(v)))
        return -1;
    a = (unsigned long long) fabs(k);
    ip = a / 1000;
    fp = a % 1000;
    if (k < 0)
        buf[n++] = '-';
    do
        tmp[t++] = (char) ('0' + ip % 10);
    while ((ip /= 10) > 0);
    while (t > 0)
        buf[n++] = tmp[--t];
    if (fp) {
        buf[n++] = '.';
        buf[n++] = (char) ('0' + fp / 100);
        if (fp % 100) {
            buf[n++] = (char) ('0' + fp / 10 % 10);
            if (fp % 10)
                buf[n++] = (char) ('0' + fp % 10);
        }
    }
    return n;
}

int
cm_fmt_double(double v, char buf[32])
{
    int n;

    if (!isfinite(v)) {
        buf[0] = '\0';
        return 0;
    }
    if ((n = cm_fmt_milli(v, buf)) > 0) {
        buf[n] = '\0';
        return n;
    }
    /* yajl prints %.20g (0.1 -> 0.10000000000000000555); print the
    ** shortest form that reads back as the same double instead. */
    n = snprintf(buf, 32, "%.15g", v);
    if (strtod(buf, NULL) != v)
        n = snprintf(buf, 32, "%.17g", v);
    return n;
}

int
cm_json_guard(const char *p, size_t n, int max_depth)
{
    int depth = 0, in_string = 0;

    for (size_t i = 0; i < n; i++) {
        char c = p[i];

        if (in_string) {
            if (c == '"')
                in_string = 0;
            else if (c == '\\' && i + 1 < n) {
                if (p[i + 1] == 'u' && i + 5 < n &&
                    memcmp(p + i + 2, "0000", 4) == 0)
                    return 1;
                i++; /* "\\" whole: its second backslash escapes nothing */
            }
        } else if (c == '"')
            in_string = 1;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return 2;
        } else if (c == ']' || c == '}')
            depth--;
    }
    return 0;
}

size_t
cm_utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char) *s & 0xC0) != 0x80;
    return n;
}
