/*
** test_cfg.c -- settings: types and ranges, the four layers in their
** order, and errors that name the setting, the allowed values and where
** the bad value came from.
*/
#include <yajl/yajl_tree.h>

#include "../t.h"
#include "cfg.h"
#include "jw.h"
#include "log.h"

static char *t_noenv[] = {NULL};

static void
test_defaults(void)
{
    struct cfg c;

    cfg_init(&c);
    ASSERT_STREQ(c.http_listen, "127.0.0.1");
    ASSERT_EQ(c.http_port, 8080);
    ASSERT_EQ(c.http_body_max, 1024 * 1024);
    ASSERT_EQ(c.api_page_default, 100);
    ASSERT_EQ(c.api_page_max, 1000);
    ASSERT_EQ(c.log_level, CM_LOG_INFO);
    ASSERT_EQ(c.origin[0], CFG_DEFAULT);
}

static void
test_set(void)
{
    struct cfg    c;
    struct cm_err err;

    cfg_init(&c);
    ASSERT_EQ(cfg_set(&c, "http.port", "9090", CFG_FLAG, "--port", &err),
              CM_OK);
    ASSERT_EQ(c.http_port, 9090);
    ASSERT_EQ(cfg_set(&c, "http.body_max", "2MiB", CFG_FLAG, "x", &err), CM_OK);
    ASSERT_EQ(c.http_body_max, 2 * 1024 * 1024);
    ASSERT_EQ(cfg_set(&c, "http.body_max", "64k", CFG_FLAG, "x", &err), CM_OK);
    ASSERT_EQ(c.http_body_max, 64 * 1024);
    ASSERT_EQ(cfg_set(&c, "log.level", "debug", CFG_FLAG, "x", &err), CM_OK);
    ASSERT_EQ(c.log_level, CM_LOG_DEBUG);

    ASSERT_EQ(cfg_set(&c, "http.port", "70000", CFG_ENV, "CONSOMETER_HTTP_PORT",
                      &err),
              CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "http.port");
    ASSERT_CONTAINS(err.msg, "0..65535");
    ASSERT_CONTAINS(err.msg, "CONSOMETER_HTTP_PORT");
    ASSERT_STREQ(err.what, "http.port");
    ASSERT_EQ(c.http_port, 9090); /* Unchanged by a refused value */

    ASSERT_EQ(cfg_set(&c, "http.port", "80x", CFG_FLAG, "x", &err), CM_EINVAL);
    ASSERT_EQ(cfg_set(&c, "http.port", "", CFG_FLAG, "x", &err), CM_EINVAL);
    ASSERT_EQ(
        cfg_set(&c, "http.port", "99999999999999999999", CFG_FLAG, "x", &err),
        CM_EINVAL);
    ASSERT_EQ(cfg_set(&c, "http.body_max", "10", CFG_FLAG, "x", &err),
              CM_EINVAL); /* Below the 1024 floor */
    ASSERT_EQ(cfg_set(&c, "http.body_max", "1T", CFG_FLAG, "x", &err),
              CM_EINVAL);
    ASSERT_EQ(cfg_set(&c, "http.body_max", "9999999G", CFG_FLAG, "x", &err),
              CM_EINVAL); /* Above CM_MAX_BODY */
    ASSERT_EQ(cfg_set(&c, "log.level", "loud", CFG_FLAG, "x", &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "error|warn|info|debug");
    ASSERT_EQ(cfg_set(&c, "store.data_dir", "", CFG_FLAG, "x", &err),
              CM_EINVAL);
    ASSERT_EQ(cfg_set(&c, "no.such", "1", CFG_FLAG, "x", &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "unknown setting 'no.such'");
}

static void
test_layers(void)
{
    struct cfg    c;
    struct cm_err err;
    const char   *dir = t_tmpdir("cfg");
    char          file[1100];
    char *env[] = {"CONSOMETER_HTTP_THREADS=3", "CONSOMETER_API_PAGE_MAX=500",
                   "UNRELATED=1", NULL};
    char *argv[] = {"--config", file,     "--api.page_max=700",
                    "pos",      "--port", "7000",
                    "--other",  NULL};
    int   nrest;

    snprintf(file, sizeof(file), "%s",
             t_write_file(dir, "c.conf",
                          "# comment\n\n  http.port = 6000\n"
                          "http.threads=2\napi.page_max = 400\n"
                          "http.listen = 0.0.0.0\n"));
    cfg_init(&c);
    ASSERT_EQ(cfg_load(&c, 7, argv, env, &nrest, &err), CM_OK);
    ASSERT_STREQ(c.http_listen, "0.0.0.0"); /* file */
    ASSERT_EQ(c.http_threads, 3);           /* env beats file */
    ASSERT_EQ(c.api_page_max, 700);         /* flag beats env */
    ASSERT_EQ(c.http_port, 7000);           /* alias flag */
    ASSERT_EQ(nrest, 2);                    /* the rest, in order */
    ASSERT_STREQ(argv[0], "pos");
    ASSERT_STREQ(argv[1], "--other");
    ASSERT_STREQ(c.config_file, file);
    cm_log_set_level(CM_LOG_INFO);
}

static void
test_file_errors(void)
{
    struct cfg    c;
    struct cm_err err;
    const char   *dir = t_tmpdir("cfg");
    char          file[1100];
    char         *argv[] = {"--config", file};
    int           nrest;

    snprintf(file, sizeof(file), "%s",
             t_write_file(dir, "bad.conf", "http.port = 1\nnot a setting\n"));
    cfg_init(&c);
    ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "bad.conf:2");
    ASSERT_CONTAINS(err.msg, "expected 'setting = value'");

    snprintf(file, sizeof(file), "%s",
             t_write_file(dir, "unknown.conf", "\n\nhttp.prot = 1\n"));
    ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "unknown.conf:3");
    ASSERT_CONTAINS(err.msg, "unknown setting 'http.prot'");

    snprintf(file, sizeof(file), "%s",
             t_write_file(dir, "range.conf", "http.threads = 0\n"));
    ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "http.threads");
    ASSERT_CONTAINS(err.msg, "range.conf:1");

    snprintf(file, sizeof(file), "%s/missing.conf", dir);
    ASSERT(cfg_load(&c, 2, argv, t_noenv, &nrest, &err) != CM_OK);
    ASSERT_CONTAINS(err.msg, "missing.conf");

    /* A NUL byte must not hide the rest of its line */
    {
        FILE *f;

        snprintf(file, sizeof(file), "%s/nul.conf", dir);
        f = fopen(file, "w");
        ASSERT(f != NULL);
        fwrite("http.port = 81\0http.port = 99\n", 1, 31, f);
        fclose(f);
        ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_EINVAL);
        ASSERT_CONTAINS(err.msg, "nul.conf:1: NUL byte");
    }
    /* The longest line allowed is allowed with or without its newline */
    for (int nl = 0; nl < 2; nl++) {
        char  line[CM_CFG_LINE_MAX + 1];
        FILE *f;

        snprintf(file, sizeof(file), "%s/max%d.conf", dir, nl);
        memset(line, ' ', sizeof(line) - 1);
        memcpy(line, "# comment", 9);
        line[sizeof(line) - 1] = '\0';
        f = fopen(file, "w");
        ASSERT(f != NULL);
        fprintf(f, "%s%s", line, nl ? "\n" : "");
        fclose(f);
        cfg_init(&c);
        ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_OK);
    }
    {
        char  line[CM_CFG_LINE_MAX + 100];
        FILE *f;

        snprintf(file, sizeof(file), "%s/long.conf", dir);
        memset(line, 'x', sizeof(line) - 1);
        line[sizeof(line) - 1] = '\0';
        f = fopen(file, "w");
        ASSERT(f != NULL);
        fprintf(f, "%s\n", line);
        fclose(f);
        ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_EINVAL);
        ASSERT_CONTAINS(err.msg, "long.conf:1");
    }
}

static void
test_env_file_and_cross_rules(void)
{
    struct cfg    c;
    struct cm_err err;
    const char   *dir = t_tmpdir("cfg");
    char          envfile[1200];
    char         *env[] = {envfile, NULL};
    char         *argv[] = {"--api.page_default", "2000"};
    int           nrest;

    snprintf(envfile, sizeof(envfile), "CONSOMETER_CONFIG=%s",
             t_write_file(dir, "e.conf", "http.port = 5555\n"));
    cfg_init(&c);
    ASSERT_EQ(cfg_load(&c, 0, argv, env, &nrest, &err), CM_OK);
    ASSERT_EQ(c.http_port, 5555);

    cfg_init(&c);
    ASSERT_EQ(cfg_load(&c, 2, argv, t_noenv, &nrest, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "api.page_default (2000) must not exceed");

    char *missing[] = {"--port"};
    ASSERT_EQ(cfg_load(&c, 1, missing, t_noenv, &nrest, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "missing value");
}

static void
test_json(void)
{
    struct cfg    c;
    struct cm_err err;
    struct jw    *w = jw_new();
    const char   *buf;
    size_t        len;
    char          copy[8192], ebuf[128];
    yajl_val      doc, v;
    const char   *port[] = {"http.port", NULL};
    const char   *lvl[] = {"log.level", NULL};

    cfg_init(&c);
    cfg_set(&c, "http.port", "1234", CFG_ENV, "x", &err);
    cfg_write_json(&c, w, 0);
    ASSERT_EQ(jw_result(w, &buf, &len, &err), CM_OK);
    memcpy(copy, buf, len);
    copy[len] = '\0';
    doc = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
    ASSERT(doc != NULL);
    v = yajl_tree_get(doc, port, yajl_t_number);
    ASSERT(v != NULL && YAJL_GET_INTEGER(v) == 1234);
    v = yajl_tree_get(doc, lvl, yajl_t_string);
    ASSERT(v != NULL);
    ASSERT_STREQ(YAJL_GET_STRING(v), "info");
    yajl_tree_free(doc);
    jw_free(w);

    w = jw_new();
    cfg_write_json(&c, w, 1);
    ASSERT_EQ(jw_result(w, &buf, &len, &err), CM_OK);
    memcpy(copy, buf, len);
    copy[len] = '\0';
    ASSERT_CONTAINS(copy, "\"http.port\":{\"value\":1234,\"origin\":\"env\"");
    jw_free(w);
}

int
main(void)
{
    RUN(test_defaults);
    RUN(test_set);
    RUN(test_layers);
    RUN(test_file_errors);
    RUN(test_env_file_and_cross_rules);
    RUN(test_json);
    return 0;
}
