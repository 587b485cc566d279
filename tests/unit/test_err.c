/*
** test_err.c -- the error table: wire names, statuses, and cm_fail().
*/
#include "../t.h"
#include "err.h"

static void
test_table(void)
{
    ASSERT_STREQ(cm_code_name(CM_ENOTFOUND), "not_found");
    ASSERT_EQ(cm_code_status(CM_ENOTFOUND), 404);
    ASSERT_STREQ(cm_code_name(CM_EMETHOD), "method_not_allowed");
    ASSERT_EQ(cm_code_status(CM_EMETHOD), 405);
    ASSERT_EQ(cm_code_status(CM_ELIMIT), 413);
    ASSERT_EQ(cm_code_status(CM_EMALFORMED), 400);
    ASSERT_EQ(cm_code_status(CM_EINTERNAL), 500);
    /* Out-of-range codes fall back to internal, never index past the end */
    ASSERT_STREQ(cm_code_name((enum cm_code) 9999), "internal");
    ASSERT_EQ(cm_code_status((enum cm_code) - 1), 500);
}

static void
test_for_status(void)
{
    ASSERT_EQ(cm_code_for_status(400), CM_EMALFORMED);
    ASSERT_EQ(cm_code_for_status(404), CM_ENOTFOUND);
    ASSERT_EQ(cm_code_for_status(413), CM_ELIMIT);
    ASSERT_EQ(cm_code_for_status(418), CM_EINTERNAL);
}

static void
test_fail(void)
{
    struct cm_err err;

    ASSERT_EQ(cm_fail(&err, CM_EINVAL, "bad %s %d", "x", 3), CM_EINVAL);
    ASSERT_STREQ(err.msg, "bad x 3");
    ASSERT(err.what_kind == NULL);
    cm_err_limit(&err, "http.body_max", 1024);
    ASSERT_STREQ(err.what_kind, "setting");
    ASSERT_STREQ(err.what, "http.body_max");
    ASSERT_EQ(err.limit, 1024);
    /* A long message is cut, never overflows */
    char long_arg[1000];
    memset(long_arg, 'a', sizeof(long_arg) - 1);
    long_arg[sizeof(long_arg) - 1] = '\0';
    cm_fail(&err, CM_EINVAL, "%s", long_arg);
    ASSERT_EQ(strlen(err.msg), sizeof(err.msg) - 1);
}

int
main(void)
{
    RUN(test_table);
    RUN(test_for_status);
    RUN(test_fail);
    return 0;
}
