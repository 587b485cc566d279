/*
** test_text.c -- UTF-8 validation and percent-decoding.
*/
#include "../t.h"
#include "text.h"

static void
test_utf8(void)
{
    ASSERT(cm_utf8_valid("", 0));
    ASSERT(cm_utf8_valid("plain", 5));
    ASSERT(cm_utf8_valid("\xC3\xA9lectricit\xC3\xA9", 13)); /* é */
    ASSERT(cm_utf8_valid("\xE2\x82\xAC", 3));               /* € */
    ASSERT(cm_utf8_valid("\xF0\x9F\x8C\x9E", 4));           /* 🌞 */
    ASSERT(!cm_utf8_valid("\xC3", 1));                      /* cut */
    ASSERT(!cm_utf8_valid("\xC0\xAF", 2));                  /* overlong / */
    ASSERT(!cm_utf8_valid("\xE0\x80\xAF", 3));              /* overlong */
    ASSERT(!cm_utf8_valid("\xED\xA0\x80", 3));              /* surrogate */
    ASSERT(!cm_utf8_valid("\xF4\x90\x80\x80", 4));          /* > U+10FFFF */
    ASSERT(!cm_utf8_valid("\xFF", 1));
    ASSERT(!cm_utf8_valid("a\x80", 2)); /* stray cont. */
}

static void
test_pct(void)
{
    char out[64];

    ASSERT_EQ(cm_pct_decode("a%20b+c", 7, 1, out), 5);
    ASSERT_STREQ(out, "a b c");
    ASSERT_EQ(cm_pct_decode("a+b", 3, 0, out), 3);
    ASSERT_STREQ(out, "a+b");
    ASSERT_EQ(cm_pct_decode("%C3%A9", 6, 1, out), 2);
    ASSERT_STREQ(out, "\xC3\xA9");
    ASSERT_EQ(cm_pct_decode("%2e%2E", 6, 1, out), 2);
    ASSERT_STREQ(out, "..");
    ASSERT_EQ(cm_pct_decode("%", 1, 1, out), -1);
    ASSERT_EQ(cm_pct_decode("%4", 2, 1, out), -1);
    ASSERT_EQ(cm_pct_decode("%zz", 3, 1, out), -1);
    ASSERT_EQ(cm_pct_decode("a%00b", 5, 1, out), -1); /* NUL */
    /* Only the first n bytes are read, even without a NUL after them */
    ASSERT_EQ(cm_pct_decode("ab%41", 4, 1, out), -1);
    ASSERT_EQ(cm_pct_decode("ab%41", 2, 1, out), 2);
}

int
main(void)
{
    RUN(test_utf8);
    RUN(test_pct);
    return 0;
}
