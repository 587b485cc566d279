/*
** test_ingest.c -- POST /api/v1/ingest over real HTTP: a provider's token
** streams a file through the importer; every refusal has its status (401
** no token, 403 another role, 413 over ingest.body_max, 415 unknown
** format, 422 a file refused whole) and writes nothing.
*/
#include <sqlite3.h>

#include "t_http.h"
#include "auth.h"

static struct t_server ts;
static char            provider[AUTH_TOKEN_MAX], admin[AUTH_TOKEN_MAX];

#define CSV                                                                    \
    "site_id,meter_id,kind,unit,timestamp,value,step\n"                        \
    "s1,m1,electricity,kWh,2024-01-15T00:00:00Z,12.5,PT1H\n"                   \
    "s1,m1,electricity,kWh,2024-01-15T01:00:00Z,13.5,PT1H\n"

static void
t_small_upload(struct cfg *c)
{
    c->ingest_body_max = 64 * 1024;
}

static void
t_setup(void)
{
    struct store          *st;
    struct store_opts      o = {1, 1, 5000, 0};
    struct cm_err          err;
    struct store_site      s = {"s1", "School", "education", 0,   "56121",
                                NULL, NULL,     1,           NULL};
    struct store_meter_def m = {"m1", "s1",  "electricity", "csv",
                                NULL, "kWh", 3600,          0};

    t_server_start(&ts, routes, nroutes, t_small_upload);
    ASSERT_EQ(auth_init(&err), CM_OK);
    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    ASSERT_EQ(store_site_upsert(st, &s, &err), CM_OK);
    ASSERT_EQ(store_meter_upsert(st, &m, &err), CM_OK);
    ASSERT_EQ(auth_user_add(st, "lorient-zabbix", "provider", provider, &err),
              CM_OK);
    ASSERT_EQ(auth_user_add(st, "root", "admin", admin, &err), CM_OK);
    store_close(st);
}

/* POST body to /api/v1/ingest with a token ("" for none). */
static void
t_post(const char *query, const char *token, const char *body, size_t len,
       struct t_resp *r)
{
    char  hdr[512];
    char *raw = malloc(len + 1024);
    int   n;

    ASSERT(raw != NULL);
    if (token && *token)
        snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", token);
    else
        hdr[0] = '\0';
    n = snprintf(raw, 1024,
                 "POST /api/v1/ingest%s HTTP/1.1\r\nHost: x\r\n"
                 "Connection: close\r\n%sContent-Length: %zu\r\n\r\n",
                 query, hdr, len);
    memcpy(raw + n, body, len);
    t_raw(ts.port, raw, (size_t) n + len, r);
    free(raw);
}

static long long
t_count_readings(void)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    long long     n;

    ASSERT_EQ(sqlite3_open(ts.store, &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM reading", -1, &s, NULL),
        SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void
test_auth(void)
{
    struct t_resp r;
    char          v[64];

    t_post("?format=csv", "", CSV, sizeof(CSV) - 1, &r);
    t_assert_envelope(&r, 401, "unauthorized");
    ASSERT(t_header(&r, "WWW-Authenticate", v, sizeof(v)));
    ASSERT_STREQ(v, "Bearer");
    t_resp_free(&r);
    t_post("?format=csv", "cm_forged-token", CSV, sizeof(CSV) - 1, &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
    t_post("?format=csv", admin, CSV, sizeof(CSV) - 1, &r);
    t_assert_envelope(&r, 403, "forbidden");
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/ingest", NULL, &r);
    t_assert_envelope(&r, 405, "method_not_allowed");
    t_resp_free(&r);
    ASSERT_EQ(t_count_readings(), 0);
}

static void
test_upload(void)
{
    struct t_resp r;
    yajl_val      doc;
    const char   *imported[] = {"total", "rows_imported", NULL};
    const char   *unchanged[] = {"total", "rows_unchanged", NULL};

    t_post("?format=csv", provider, CSV, sizeof(CSV) - 1, &r);
    ASSERT_EQ(r.status, 200);
    doc = t_json(&r);
    ASSERT_EQ(YAJL_GET_INTEGER(yajl_tree_get(doc, imported, yajl_t_number)), 2);
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* Detected without ?format, and idempotent */
    t_post("", provider, CSV, sizeof(CSV) - 1, &r);
    ASSERT_EQ(r.status, 200);
    doc = t_json(&r);
    ASSERT_EQ(YAJL_GET_INTEGER(yajl_tree_get(doc, unchanged, yajl_t_number)),
              2);
    yajl_tree_free(doc);
    t_resp_free(&r);
    ASSERT_EQ(t_count_readings(), 2);
}

static void
test_refusals(void)
{
    struct t_resp r;
    size_t        big = 200 * 1024;
    char         *body = malloc(big);
    const char    with_nan[] =
        CSV "s1,m1,electricity,kWh,2024-01-16T00:00Z,NaN,PT1H\n";
    const char broken[] = "site_id,meter_id,kind,unit,timestamp,value\n"
                          "s1,m1,electricity,kWh,\"2024-01-16T00:00Z,1\n";

    t_post("?format=nope", provider, CSV, sizeof(CSV) - 1, &r);
    t_assert_envelope(&r, 415, "unsupported_format");
    t_resp_free(&r);
    t_post("?format=csv", provider, broken, sizeof(broken) - 1, &r);
    t_assert_envelope(&r, 422, "unprocessable");
    ASSERT_CONTAINS(r.body, "\"rows_imported\":0");
    t_resp_free(&r);
    t_post("?format=csv&strict=true", provider, with_nan, sizeof(with_nan) - 1,
           &r);
    t_assert_envelope(&r, 422, "unprocessable");
    t_resp_free(&r);
    t_post("?format=csv&strict=maybe", provider, CSV, sizeof(CSV) - 1, &r);
    t_assert_envelope(&r, 400, "invalid_param");
    t_resp_free(&r);

    /* Over ingest.body_max (64 KiB here): announced... */
    ASSERT(body != NULL);
    memcpy(body, CSV, sizeof(CSV) - 1);
    memset(body + sizeof(CSV) - 1, '\n', big - (sizeof(CSV) - 1));
    t_post("?format=csv", provider, body, big, &r);
    t_assert_envelope(&r, 413, "limit_exceeded");
    ASSERT_CONTAINS(r.body, "ingest.body_max");
    t_resp_free(&r);
    /* ...and streamed in chunks with no length announced */
    {
        char   head[512];
        char  *raw = malloc(big + 4096);
        size_t n = (size_t) snprintf(
            head, sizeof(head),
            "POST /api/v1/ingest?format=csv HTTP/1.1\r\nHost: x\r\n"
            "Connection: close\r\nAuthorization: Bearer %s\r\n"
            "Transfer-Encoding: chunked\r\n\r\n",
            provider);
        size_t o = n;

        memcpy(raw, head, n);
        for (size_t off = 0; off < big; off += 8192) {
            size_t k = big - off < 8192 ? big - off : 8192;

            o += (size_t) sprintf(raw + o, "%zx\r\n", k);
            memcpy(raw + o, body + off, k);
            o += k;
            memcpy(raw + o, "\r\n", 2);
            o += 2;
        }
        memcpy(raw + o, "0\r\n\r\n", 5);
        o += 5;
        t_raw(ts.port, raw, o, &r);
        t_assert_envelope(&r, 413, "limit_exceeded");
        t_resp_free(&r);
        free(raw);
    }
    free(body);
    ASSERT_EQ(t_count_readings(), 2); /* Nothing of the refused bodies */
}

int
main(void)
{
    t_setup();
    RUN(test_auth);
    RUN(test_upload);
    RUN(test_refusals);
    http_stop(ts.srv);
    return 0;
}
