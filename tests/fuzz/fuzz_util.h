/*
** fuzz_util.h -- what the fuzz targets share: a check that aborts with a
** message (assert() would vanish under NDEBUG, and libFuzzer needs a crash
** to notice a broken invariant), and small reference models of UTF-8 and
** percent-decoding written independently of server/text.c, so a target
** can compare the server's answer with a second opinion instead of only
** looking for crashes. The models favour obviousness over speed.
*/
#ifndef CM_FUZZ_UTIL_H
#define CM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define FZ_CHECK(cond)                                                         \
    do {                                                                       \
        if (!(cond))                                                           \
            fz_fail(__FILE__, __LINE__, #cond);                                \
    } while (0)

static inline _Noreturn void
fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}

/*
** Length of the well-formed UTF-8 sequence at s[0..n), 0 if none, from
** the byte ranges of Unicode's table 3-7 rather than from code point
** arithmetic (which is what text.c does).
*/
static inline size_t
fz_utf8_seq(const unsigned char *s, size_t n)
{
    static const struct {
        unsigned char lo[4], hi[4];
        size_t        len;
    } rows[] = {
        {{0x00}, {0x7F}, 1},
        {{0xC2, 0x80}, {0xDF, 0xBF}, 2},
        {{0xE0, 0xA0, 0x80}, {0xE0, 0xBF, 0xBF}, 3},
        {{0xE1, 0x80, 0x80}, {0xEC, 0xBF, 0xBF}, 3},
        {{0xED, 0x80, 0x80}, {0xED, 0x9F, 0xBF}, 3}, /* No surrogates */
        {{0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}, 3},
        {{0xF0, 0x90, 0x80, 0x80}, {0xF0, 0xBF, 0xBF, 0xBF}, 4},
        {{0xF1, 0x80, 0x80, 0x80}, {0xF3, 0xBF, 0xBF, 0xBF}, 4},
        {{0xF4, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF}, 4},
    };

    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        size_t i;

        if (n < rows[r].len)
            continue;
        for (i = 0; i < rows[r].len; i++)
            if (s[i] < rows[r].lo[i] || s[i] > rows[r].hi[i])
                break;
        if (i == rows[r].len)
            return rows[r].len;
    }
    return 0;
}

static inline int
fz_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if ((k = fz_utf8_seq((const unsigned char *) s + i, n - i)) == 0)
            return 0;
    return 1;
}

static inline int
fz_hexval(char c)
{
    static const char digits[] = "0123456789abcdef0123456789ABCDEF";

    for (int i = 0; i < 32; i++)
        if (digits[i] == c)
            return i % 16;
    return -1;
}

/*
** The contract of cm_pct_decode(): %XX (either case) and, when plus_space,
** '+' as a space; -1 on a short or non-hex escape or a NUL in the result.
*/
static inline long
fz_pct_decode(const char *s, size_t n, int plus_space, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char) s[i];

        if (c == '%') {
            if (n - i < 3 || fz_hexval(s[i + 1]) < 0 || fz_hexval(s[i + 2]) < 0)
                return -1;
            c = fz_hexval(s[i + 1]) * 16 + fz_hexval(s[i + 2]);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == 0)
            return -1;
        out[o++] = (char) c;
    }
    out[o] = '\0';
    return (long) o;
}

#endif /* CM_FUZZ_UTIL_H */
