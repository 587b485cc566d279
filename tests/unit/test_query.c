/*
** test_query.c -- strict query-string parsing.
*/
#include "../t.h"
#include "query.h"

static void
test_parse(void)
{
    struct query  q;
    struct cm_err err;

    ASSERT_EQ(query_parse("limit=10&after=elec%2Dx&flag&q=%C3%A9t%C3%A9+2024",
                          &q, &err),
              CM_OK);
    ASSERT_EQ(q.n, 4);
    ASSERT_STREQ(query_get(&q, "limit"), "10");
    ASSERT_STREQ(query_get(&q, "after"), "elec-x");
    ASSERT_STREQ(query_get(&q, "flag"), "");
    ASSERT_STREQ(query_get(&q, "q"), "\xC3\xA9t\xC3\xA9 2024");
    ASSERT(query_get(&q, "nope") == NULL);
    query_clear(&q);

    ASSERT_EQ(query_parse(NULL, &q, &err), CM_OK);
    ASSERT_EQ(q.n, 0);
    ASSERT_EQ(query_parse("", &q, &err), CM_OK);
    ASSERT_EQ(query_parse("a=1&&b=2&", &q, &err), CM_OK);
    ASSERT_EQ(q.n, 2);
    ASSERT_STREQ(query_get(&q, "b"), "2");
    query_clear(&q);
    /* The first of repeated keys wins for query_get */
    ASSERT_EQ(query_parse("k=1&k=2", &q, &err), CM_OK);
    ASSERT_STREQ(query_get(&q, "k"), "1");
    query_clear(&q);
}

/* Flags ("?a&b") have an empty value: ASan found the buffer one byte short
** per flag before (fuzz corpus query-two-flags-overflow). */
static void
test_flags(void)
{
    char          qs[128] = "";
    struct query  q;
    struct cm_err err;

    ASSERT_EQ(query_parse("a&b&c=1&d", &q, &err), CM_OK);
    ASSERT_EQ(q.n, 4);
    ASSERT_STREQ(query_get(&q, "a"), "");
    ASSERT_STREQ(query_get(&q, "b"), "");
    ASSERT_STREQ(query_get(&q, "c"), "1");
    ASSERT_STREQ(query_get(&q, "d"), "");
    query_clear(&q);
    for (int i = 0; i < CM_MAX_QUERY_ARGS; i++)
        strcat(qs, i ? "&x" : "x");
    ASSERT_EQ(query_parse(qs, &q, &err), CM_OK);
    ASSERT_EQ(q.n, CM_MAX_QUERY_ARGS);
    for (int i = 0; i < q.n; i++)
        ASSERT_STREQ(q.val[i], "");
    query_clear(&q);
}

static void
test_malformed(void)
{
    struct query  q;
    struct cm_err err;
    const char   *bad[] = {"a=%zz", "a=%4",  "%=1",         "a=%00",
                           "=1",    "a=%C3", "a=%ED%A0%80", "%FF=1"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(query_parse(bad[i], &q, &err), CM_EMALFORMED);
        ASSERT_CONTAINS(err.msg, "malformed query string");
        ASSERT_EQ(q.n, 0);
        ASSERT(q.buf == NULL);
        query_clear(&q); /* Harmless on the emptied struct */
    }
}

static void
test_too_many(void)
{
    char          qs[1024] = "";
    struct query  q;
    struct cm_err err;

    for (int i = 0; i < CM_MAX_QUERY_ARGS; i++)
        snprintf(qs + strlen(qs), sizeof(qs) - strlen(qs), "k%d=1&", i);
    ASSERT_EQ(query_parse(qs, &q, &err), CM_OK);
    ASSERT_EQ(q.n, CM_MAX_QUERY_ARGS);
    query_clear(&q);
    strcat(qs, "one=more");
    ASSERT_EQ(query_parse(qs, &q, &err), CM_ELIMIT);
    ASSERT_CONTAINS(err.msg, "more than");
}

static void
test_check_keys(void)
{
    struct query  q;
    struct cm_err err;

    ASSERT_EQ(query_parse("limit=1&after=x", &q, &err), CM_OK);
    ASSERT_EQ(query_check_keys(&q, "limit,after", &err), CM_OK);
    ASSERT_EQ(query_check_keys(&q, "limit", &err), CM_EINVAL);
    ASSERT_STREQ(err.what_kind, "param");
    ASSERT_STREQ(err.what, "after");
    ASSERT_CONTAINS(err.msg, "accepts: limit");
    ASSERT_EQ(query_check_keys(&q, NULL, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "accepts: none");
    /* A prefix of an allowed name is not that name */
    query_clear(&q);
    ASSERT_EQ(query_parse("lim=1", &q, &err), CM_OK);
    ASSERT_EQ(query_check_keys(&q, "limit", &err), CM_EINVAL);
    query_clear(&q);
}

int
main(void)
{
    RUN(test_parse);
    RUN(test_flags);
    RUN(test_malformed);
    RUN(test_too_many);
    RUN(test_check_keys);
    return 0;
}
