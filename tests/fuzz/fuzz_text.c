/*
** fuzz_text.c -- libFuzzer target for the text primitives every parser
** and every response leans on (text.h, and jw_strn() of jw.h):
**   - cm_pct_decode(), in both plus_space modes, into a buffer of exactly
**     n + 1 bytes (so ASan sees any write past the promised size), must
**     agree with the reference decoder of fuzz_util.h;
**   - cm_utf8_seq() at every offset must agree with a table-driven
**     reference, and cm_utf8_valid(s, n) must equal walking s with
**     cm_utf8_seq() without meeting a 0;
**   - the input written with jw_strn() as the one element of an array
**     must come out as JSON that yajl_tree_parse() reads back as an array
**     of one string: valid UTF-8, the input itself when it was valid and
**     otherwise the input with U+FFFD for each bad byte (compared up to
**     the first NUL, since yajl_tree's strings are C strings).
** The input is used as is, with no terminating NUL. See README.md.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "fuzz_util.h"
#include "jw.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_pct(const char *s, size_t n, int plus_space)
{
    char *out = malloc(n + 1), *want = malloc(n + 1);
    long  got, exp;

    FZ_CHECK(out != NULL && want != NULL);
    got = cm_pct_decode(s, n, plus_space, out);
    exp = fz_pct_decode(s, n, plus_space, want);
    FZ_CHECK(got == exp);
    FZ_CHECK(got >= -1 && got <= (long) n);
    if (got >= 0) {
        FZ_CHECK(memcmp(out, want, (size_t) got + 1) == 0);
        FZ_CHECK(memchr(out, '\0', (size_t) got) == NULL);
        FZ_CHECK(out[got] == '\0');
    }
    free(out);
    free(want);
}

static void
check_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    int                  walked = 1;

    /* Never called with n == 0: cm_utf8_seq() reads s[0] first. */
    for (size_t i = 0; i < n; i++) {
        size_t k = cm_utf8_seq(p + i, n - i);

        FZ_CHECK(k <= 4 && k <= n - i);
        FZ_CHECK(k == fz_utf8_seq(p + i, n - i));
    }
    for (size_t i = 0, k; i < n; i += k)
        if ((k = cm_utf8_seq(p + i, n - i)) == 0) {
            walked = 0;
            break;
        }
    FZ_CHECK(cm_utf8_valid(s, n) == walked);
    FZ_CHECK(walked == fz_utf8_valid(s, n));
}

/* What jw_strn() should write: s, with U+FFFD for each byte that does not
** start a valid sequence. Returns a malloc'd string of *len bytes. */
static char *
expect_json_text(const char *s, size_t n, size_t *len)
{
    const unsigned char *p = (const unsigned char *) s;
    char                *out = malloc(3 * n + 1);
    size_t               o = 0;

    FZ_CHECK(out != NULL);
    for (size_t i = 0; i < n;) {
        size_t k = fz_utf8_seq(p + i, n - i);

        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

static void
check_jw(const char *s, size_t n)
{
    struct jw    *w = jw_new();
    struct cm_err err;
    const char   *json;
    size_t        jlen, wantlen;
    char         *doc, *want, errbuf[256];
    yajl_val      v, elem;

    jw_arr_open(w);
    jw_strn(w, s, n);
    jw_arr_close(w);
    FZ_CHECK(jw_result(w, &json, &jlen, &err) == CM_OK);
    FZ_CHECK(jlen >= 4 && json[0] == '[' && json[jlen - 1] == ']');
    FZ_CHECK(memchr(json, '\0', jlen) == NULL); /* Control bytes escaped */
    FZ_CHECK(cm_utf8_valid(json, jlen));

    doc = malloc(jlen + 1);
    FZ_CHECK(doc != NULL);
    memcpy(doc, json, jlen);
    doc[jlen] = '\0';
    jw_free(w);

    errbuf[0] = '\0';
    v = yajl_tree_parse(doc, errbuf, sizeof(errbuf));
    if (v == NULL)
        fprintf(stderr, "yajl_tree_parse: %s\n", errbuf);
    FZ_CHECK(v != NULL);
    FZ_CHECK(YAJL_IS_ARRAY(v) && v->u.array.len == 1);
    elem = v->u.array.values[0];
    FZ_CHECK(YAJL_IS_STRING(elem));

    want = expect_json_text(s, n, &wantlen);
    wantlen = strlen(want); /* Up to the first NUL, like the parsed text */
    FZ_CHECK(strlen(elem->u.string) == wantlen);
    FZ_CHECK(memcmp(elem->u.string, want, wantlen) == 0);
    FZ_CHECK(cm_utf8_valid(elem->u.string, wantlen));

    free(want);
    yajl_tree_free(v);
    free(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *) data;

    check_pct(s, size, 0);
    check_pct(s, size, 1);
    check_utf8(s, size);
    check_jw(s, size);
    return 0;
}
