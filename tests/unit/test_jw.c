/*
** test_jw.c -- the JSON writer: shapes, escaping, numbers, sticky errors.
*/
#include <math.h>

#include "../t.h"
#include "jw.h"

static const char *
t_doc(struct jw *w)
{
    static char   copy[4096];
    const char   *buf;
    size_t        len;
    struct cm_err err;

    ASSERT_EQ(jw_result(w, &buf, &len, &err), CM_OK);
    ASSERT(len < sizeof(copy));
    memcpy(copy, buf, len);
    copy[len] = '\0';
    return copy;
}

static void
test_shapes(void)
{
    struct jw *w = jw_new();

    jw_obj_open(w);
    jw_kv_str(w, "s", "a\"b\\c\n");
    jw_kv_int(w, "i", -42);
    jw_kv_bool(w, "t", 1);
    jw_kv_str(w, "n", NULL);
    jw_key(w, "a");
    jw_arr_open(w);
    jw_int(w, 1);
    jw_null(w);
    jw_arr_close(w);
    jw_obj_close(w);
    ASSERT_STREQ(t_doc(w),
                 "{\"s\":\"a\\\"b\\\\c\\n\",\"i\":-42,\"t\":true,\"n\":null,"
                 "\"a\":[1,null]}");
    jw_free(w);
}

static void
test_doubles(void)
{
    struct jw *w = jw_new();

    jw_arr_open(w);
    jw_double(w, 0.1);
    jw_double(w, 48210.5);
    jw_double(w, 1.0 / 3.0);
    jw_double(w, NAN);
    jw_double(w, INFINITY);
    jw_double(w, 1e300);
    jw_arr_close(w);
    /* Shortest text that reads back as the same double; NaN/Inf are null */
    ASSERT_STREQ(t_doc(w),
                 "[0.1,48210.5,0.33333333333333331,null,null,1e+300]");
    jw_free(w);
}

/* The fast path for values to the thousandth writes what printf's
** shortest round-trip form writes, and reads back exactly. */
static void
test_doubles_milli(void)
{
    unsigned long long x = 88172645463325252ull; /* xorshift64 */

    for (int i = 0; i < 200000; i++) {
        struct jw  *w = jw_new();
        double      v;
        char        want[40];
        const char *got;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (i % 4) {
        case 0: /* A published value: kWh to the Wh */
            v = round((double) (x % 2000000000000ull) - 1e12) / 1000.0;
            break;
        case 1:
            v = (double) (long long) (x % 20001) / 1000.0 - 10.0;
            break;
        case 2: /* Not a multiple of 1/1000 */
            v = (double) (x >> 11) / 9007199254740992.0 * 1e6;
            break;
        default: /* A product that lands on an integer thousandth */
            v = (double) (x % 100000) * 0.001;
            break;
        }
        snprintf(want, sizeof(want), "%.15g", v);
        if (strtod(want, NULL) != v)
            snprintf(want, sizeof(want), "%.17g", v);
        jw_double(w, v);
        got = t_doc(w);
        if (strcmp(got, want) != 0 || strtod(got, NULL) != v) {
            fprintf(stderr, "jw_double(%.17g): %s, want %s\n", v, got, want);
            exit(1);
        }
        jw_free(w);
    }
}

static void
test_bad_utf8(void)
{
    struct jw *w = jw_new();

    jw_arr_open(w);
    jw_str(w, "ok \xC3\xA9");
    jw_str(w, "bad \xFF\xC3 end");
    jw_arr_close(w);
    ASSERT_STREQ(t_doc(w),
                 "[\"ok \xC3\xA9\",\"bad \xEF\xBF\xBD\xEF\xBF\xBD end\"]");
    jw_free(w);
}

static void
test_sticky_errors(void)
{
    struct jw    *w = jw_new();
    const char   *buf;
    size_t        len;
    struct cm_err err;

    jw_obj_open(w);
    jw_int(w, 1); /* A value where a key is due */
    jw_kv_str(w, "later", "ignored");
    jw_obj_close(w);
    ASSERT_EQ(jw_result(w, &buf, &len, &err), CM_EINTERNAL);
    jw_free(w);

    w = jw_new();
    jw_obj_open(w); /* Never closed */
    ASSERT_EQ(jw_result(w, &buf, &len, &err), CM_EINTERNAL);
    ASSERT_CONTAINS(err.msg, "open");
    jw_free(w);
    jw_free(NULL);
}

int
main(void)
{
    RUN(test_shapes);
    RUN(test_doubles);
    RUN(test_doubles_milli);
    RUN(test_bad_utf8);
    RUN(test_sticky_errors);
    return 0;
}
