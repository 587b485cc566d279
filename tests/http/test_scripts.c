/*
** test_scripts.c -- the datathon over real HTTP (api_scripts.c), with the
** real run daemon (runq.c) and its sandbox workers, on a real store file.
** Three servers, each with the lua.* settings its cases need:
**   main    small budgets (5M instructions, 8 MiB), a long deadline:
**           auth, saving scripts and every refusal, runs and previews,
**           57 hostile scripts (each checked by its error.code, then
**           /health and the store), a global that must not survive a
**           run, publishing indicators and the public gallery;
**   bounds  two workers held by infinite loops for 4 s: the server
**           answers meanwhile, lua.team_queue_max and lua.queue_max
**           answer 429 with Retry-After, stopped workers are replaced;
**   time    a 1.5 s deadline and a 1 s daily quota: time_limit runs,
**           runs killed at the deadline, lua.team_concurrency,
**           lua.team_daily_seconds.
** Nothing asserts on timing: runs are polled until they end.
*/
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <time.h>

#include "t_http.h"
#include "auth.h"
#include "exp.h"
#include "mem.h"
#include "runq.h"
#include "store.h"

#define T_TEAMS 8
/* Polling a run: every 20 ms, for at most 90 s (never reached unless
** the daemon lost the run). */
#define T_POLL_NS 20000000L
#define T_POLL_MAX 4500

struct t_env {
    struct t_server ts;
    struct runq    *q;
    char            team[T_TEAMS][AUTH_TOKEN_MAX]; /* team-a ... team-h */
    char            provider[AUTH_TOKEN_MAX];
    long long       versions; /* dataset_version rows after the fixture */
};

static struct t_env env;

/* ---- HTTP ------------------------------------------------------------- */

/* One request; token and ctype may be NULL, body NULL for none. */
static void
t_call(const char *method, const char *target, const char *token,
       const char *ctype, const char *body, size_t len, struct t_resp *r)
{
    struct cm_buf b;

    cm_buf_init(&b);
    cm_buf_printf(&b,
                  "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Connection: close\r\n",
                  method, target);
    if (token != NULL)
        cm_buf_printf(&b, "Authorization: Bearer %s\r\n", token);
    if (ctype != NULL)
        cm_buf_printf(&b, "Content-Type: %s\r\n", ctype);
    if (body != NULL)
        cm_buf_printf(&b, "Content-Length: %zu\r\n", len);
    cm_buf_add(&b, "\r\n", 2);
    if (body != NULL)
        cm_buf_add(&b, body, len);
    t_raw(env.ts.port, b.data, b.len, r);
    cm_buf_clear(&b);
}

static void
t_get(const char *target, const char *token, struct t_resp *r)
{
    t_call("GET", target, token, NULL, NULL, 0, r);
}

static void
t_post(const char *target, const char *token, struct t_resp *r)
{
    t_call("POST", target, token, NULL, "", 0, r);
}

static void
t_want(const struct t_resp *r, int status)
{
    if (r->status != status) {
        fprintf(stderr, "status %d, want %d:\n%s\n\n%s\n", r->status, status,
                r->head, r->body);
        exit(1);
    }
}

static yajl_val
t_at(yajl_val doc, const char *a, const char *b, const char *c)
{
    const char *path[] = {a, b, c, NULL};

    return doc ? yajl_tree_get(doc, path, yajl_t_any) : NULL;
}

static long long
t_int(yajl_val doc, const char *a, const char *b, const char *c)
{
    yajl_val v = t_at(doc, a, b, c);

    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : LLONG_MIN;
}

static const char *
t_str(yajl_val doc, const char *a, const char *b, const char *c)
{
    yajl_val v = t_at(doc, a, b, c);

    return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static void
t_sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* ---- the store, read behind the server's back --------------------------- */

static long long
t_sql_count(const char *sql)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    long long     n;

    ASSERT_EQ(sqlite3_open_v2(env.ts.store, &db, SQLITE_OPEN_READONLY, NULL),
              SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* The server answers, and the store is whole: its pages check, and the
** published data is what the fixture and the publications wrote. */
static void
t_alive(void)
{
    struct t_resp r;
    sqlite3      *db;
    sqlite3_stmt *s;

    t_get("/health", NULL, &r);
    t_want(&r, 200);
    t_resp_free(&r);
    t_get("/api/v1/datasets/energy-site-month", NULL, &r);
    t_want(&r, 200);
    t_resp_free(&r);
    ASSERT_EQ(sqlite3_open_v2(env.ts.store, &db, SQLITE_OPEN_READONLY, NULL),
              SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    ASSERT_STREQ((const char *) sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    sqlite3_close(db);
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM dataset_version"),
              env.versions);
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM observation WHERE version "
                          "= (SELECT latest FROM dataset WHERE slug = "
                          "'energy-site-month')"),
              24);
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM account"), T_TEAMS + 1);
}

/* ---- servers ------------------------------------------------------------ */

/*
** A published dataset drawn from readings (as tests/unit/test_ind.c
** makes it): energy-site-month, 2024, sites s1 (electricity 100 kWh a
** month) and s2 (gas 50), which indicators may read.
*/
static void
t_fixture(struct store *st)
{
    struct cm_err            err;
    int64_t                  id, number, row = 0;
    struct store_version_new v = {"energy-site-month",
                                  "manifest",
                                  "{\"slug\":\"energy-site-month\","
                                  "\"title\":{\"fr\":\"Énergie\"},"
                                  "\"period\":\"month\",\"territory\":"
                                  "\"site\",\"kinds\":[\"electricity\","
                                  "\"gas\"],\"privacy\":"
                                  "{\"policy\":\"open\"}}",
                                  "energy",
                                  "2026-11-30T10:00:00Z",
                                  0,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL};

    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    for (int site = 0; site < 2; site++)
        for (int m = 1; m <= 12; m++) {
            char           period[16];
            struct exp_obs o;

            snprintf(period, sizeof(period), "2024-%02d", m);
            memset(&o, 0, sizeof(o));
            o.period = period;
            o.territory_level = "site";
            o.territory = site ? "s2" : "s1";
            o.kind = site ? "gas" : "electricity";
            o.value = site ? 50 : 100;
            o.unit = "kWh";
            o.n_sites = 1;
            o.status = 'A';
            ASSERT_EQ(store_obs_add(st, id, row++, &o, NULL, &err), CM_OK);
        }
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
}

/* A store with the fixture and the accounts, the run daemon forked while
** this process has one thread, then the server. */
static void
t_env_start(void (*tweak)(struct cfg *))
{
    struct store     *st;
    struct store_opts o = {0, 0, 5000, 0};
    struct cm_err     err;

    memset(&env, 0, sizeof(env));
    t_server_prepare(&env.ts, tweak);
    ASSERT_EQ(store_open(env.ts.store, &o, &st, NULL, &err), CM_OK);
    t_fixture(st);
    for (int i = 0; i < T_TEAMS; i++) {
        char name[16];

        snprintf(name, sizeof(name), "team-%c", 'a' + i);
        ASSERT_EQ(auth_user_add(st, name, "team", env.team[i], &err), CM_OK);
    }
    ASSERT_EQ(auth_user_add(st, "zabbix", "provider", env.provider, &err),
              CM_OK);
    store_close(st);
    env.versions = t_sql_count("SELECT count(*) FROM dataset_version");
    if (runq_start(&env.ts.cfg, env.ts.store, &env.q, &err) != CM_OK) {
        fprintf(stderr, "runq_start: %s\n", err.msg);
        exit(1);
    }
    t_server_listen(&env.ts, routes, nroutes);
}

static void
t_env_stop(void)
{
    http_stop(env.ts.srv);
    runq_stop(env.q);
    env.ts.srv = NULL;
    env.q = NULL;
}

/* ---- scripts and runs --------------------------------------------------- */

/* POST a script as text/x-lua: its id (201 required). */
static long long
t_script(const char *token, const char *src)
{
    struct t_resp r;
    yajl_val      doc;
    long long     id;

    t_call("POST", "/api/v1/scripts?name=t.lua", token, "text/x-lua", src,
           strlen(src), &r);
    t_want(&r, 201);
    doc = t_json(&r);
    id = t_int(doc, "id", NULL, NULL);
    ASSERT(id > 0);
    yajl_tree_free(doc);
    t_resp_free(&r);
    return id;
}

/* Queue a run: its id (202 and a Location required). */
static long long
t_run(const char *token, long long script)
{
    struct t_resp r;
    yajl_val      doc;
    long long     id;
    char          path[64], loc[128], want[64];

    snprintf(path, sizeof(path), "/api/v1/scripts/%lld/runs", script);
    t_post(path, token, &r);
    t_want(&r, 202);
    doc = t_json(&r);
    id = t_int(doc, "id", NULL, NULL);
    ASSERT(id > 0);
    ASSERT_EQ(t_int(doc, "script", NULL, NULL), script);
    ASSERT(t_header(&r, "Location", loc, sizeof(loc)) != NULL);
    snprintf(want, sizeof(want), "/api/v1/runs/%lld", id);
    ASSERT_STREQ(loc, want);
    ASSERT_STREQ(t_str(doc, "url", NULL, NULL), want);
    yajl_tree_free(doc);
    t_resp_free(&r);
    return id;
}

/* The run as GET /api/v1/runs/{id} shows it now; yajl_tree_free() it. */
static yajl_val
t_run_get(const char *token, long long run)
{
    struct t_resp r;
    yajl_val      doc;
    char          path[64];

    snprintf(path, sizeof(path), "/api/v1/runs/%lld", run);
    t_get(path, token, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    t_resp_free(&r);
    return doc;
}

/* Poll until the run is 'want' ("running") or has ended (want NULL). */
static yajl_val
t_run_until(const char *token, long long run, const char *want)
{
    for (int i = 0; i < T_POLL_MAX; i++) {
        yajl_val    doc = t_run_get(token, run);
        const char *status = t_str(doc, "status", NULL, NULL);

        ASSERT(status != NULL);
        if (want != NULL && strcmp(status, want) == 0)
            return doc;
        if (strcmp(status, "succeeded") == 0 || strcmp(status, "failed") == 0) {
            if (want != NULL) {
                fprintf(stderr, "run %lld ended before it was seen %s\n", run,
                        want);
                exit(1);
            }
            return doc;
        }
        ASSERT(strcmp(status, "queued") == 0 || strcmp(status, "running") == 0);
        yajl_tree_free(doc);
        t_sleep_ms(T_POLL_NS / 1000000L);
    }
    fprintf(stderr, "run %lld never ended\n", run);
    exit(1);
}

static yajl_val
t_run_wait(const char *token, long long run)
{
    return t_run_until(token, run, NULL);
}

/* Save, run and wait: the ended run. */
static yajl_val
t_exec(const char *token, const char *src)
{
    return t_run_wait(token, t_run(token, t_script(token, src)));
}

/* The run succeeded; its result_preview printed as JSON equals 'want'. */
static void
t_assert_ok(yajl_val run, const char *src)
{
    if (strcmp(t_str(run, "status", NULL, NULL), "succeeded") != 0) {
        fprintf(stderr, "'%s': %s: %s (line %lld)\n", src,
                t_str(run, "error", "code", NULL),
                t_str(run, "error", "message", NULL),
                t_int(run, "error", "line", NULL) == LLONG_MIN
                    ? 0LL
                    : t_int(run, "error", "line", NULL));
        exit(1);
    }
    ASSERT(t_at(run, "error", NULL, NULL) != NULL &&
           YAJL_IS_NULL(t_at(run, "error", NULL, NULL)));
}

/* ---- main server: auth ------------------------------------------------- */

static void
t_tweak_main(struct cfg *c)
{
    c->lua_memory_mb = 8;
    c->lua_instructions = 5000000;
    c->lua_timeout_ms = 30000; /* Only instruction and memory limits here */
    c->lua_output_bytes = 1 << 20;
    c->lua_preview_rows = 5;
    c->lua_workers = 2;
}

static void
test_auth(void)
{
    static const char *const team_routes[][2] = {
        {"POST", "/api/v1/scripts"},  {"GET", "/api/v1/scripts"},
        {"GET", "/api/v1/scripts/1"}, {"POST", "/api/v1/scripts/1/runs"},
        {"GET", "/api/v1/runs/1"},    {"POST", "/api/v1/scripts/1/publish"},
    };
    const char   *a = env.team[0], *b = env.team[1];
    struct t_resp r;
    long long     script, run;
    char          path[64], v[64];
    yajl_val      doc;

    for (size_t i = 0; i < sizeof(team_routes) / sizeof(team_routes[0]); i++) {
        const char *body = strcmp(team_routes[i][0], "POST") ? NULL : "";

        t_call(team_routes[i][0], team_routes[i][1], NULL, NULL, body, 0, &r);
        t_assert_envelope(&r, 401, "unauthorized");
        ASSERT(t_header(&r, "WWW-Authenticate", v, sizeof(v)) != NULL);
        t_resp_free(&r);
        t_call(team_routes[i][0], team_routes[i][1], "cm_forged", NULL, body, 0,
               &r);
        t_assert_envelope(&r, 401, "unauthorized");
        t_resp_free(&r);
        t_call(team_routes[i][0], team_routes[i][1], env.provider, NULL, body,
               0, &r);
        t_assert_envelope(&r, 403, "forbidden");
        t_resp_free(&r);
    }

    /* Team A's script and run do not exist for team B. */
    script = t_script(a, "return 1");
    run = t_run(a, script);
    doc = t_run_wait(a, run);
    t_assert_ok(doc, "return 1");
    yajl_tree_free(doc);
    snprintf(path, sizeof(path), "/api/v1/scripts/%lld", script);
    t_get(path, b, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/scripts/%lld/runs", script);
    t_post(path, b, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/scripts/%lld/publish", script);
    t_post(path, b, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/runs/%lld", run);
    t_get(path, b, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    t_get("/api/v1/scripts", b, &r);
    t_want(&r, 200);
    ASSERT_CONTAINS(r.body, "\"scripts\":[]");
    t_resp_free(&r);
    /* ...and their owner sees them. */
    snprintf(path, sizeof(path), "/api/v1/scripts/%lld", script);
    t_get(path, a, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    ASSERT_STREQ(t_str(doc, "source", NULL, NULL), "return 1");
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* Ids that cannot be: 404 too. */
    t_get("/api/v1/runs/abc", a, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    t_get("/api/v1/runs/99999999", a, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    t_get("/api/v1/scripts/0", a, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);

    /* Public routes need no token. */
    t_get("/api/v1/indicators", NULL, &r);
    t_want(&r, 200);
    t_resp_free(&r);
    t_get("/api/v1/indicators/nope/source", NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
}

/* ---- main server: saving scripts --------------------------------------- */

static long long
t_nscripts(const char *token)
{
    struct t_resp r;
    yajl_val      doc, list;
    long long     n;

    t_get("/api/v1/scripts", token, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    list = t_at(doc, "scripts", NULL, NULL);
    ASSERT(list != NULL && YAJL_IS_ARRAY(list));
    n = (long long) list->u.array.len;
    yajl_tree_free(doc);
    t_resp_free(&r);
    return n;
}

/* POST a body that must be refused with 'status' and 'code'. */
static void
t_refused(const char *ctype, const char *body, size_t len, int status,
          const char *code, const char *expect)
{
    struct t_resp r;

    t_call("POST", "/api/v1/scripts", env.team[2], ctype, body, len, &r);
    t_assert_envelope(&r, status, code);
    if (expect != NULL)
        ASSERT_CONTAINS(r.body, expect);
    t_resp_free(&r);
}

static void
test_save(void)
{
    const char   *c = env.team[2];
    const char    src[] = "local t = {}\nreturn #t";
    const char    json_src[] = "return 'caf\xc3\xa9'";
    const char    syntax[] = "local a = 1\nlocal b = 2\nlocal c = = 3\n"
                             "return c";
    char          hex[EXP_SHA256_HEX + 1], path[64];
    struct t_resp r;
    yajl_val      doc;
    long long     n0 = t_nscripts(c), id;
    size_t        big = 300 * 1024;
    char         *body;

    /* Lua text, named by ?name= */
    t_call("POST", "/api/v1/scripts?name=first.lua", c,
           "text/x-lua; charset=utf-8", src, strlen(src), &r);
    t_want(&r, 201);
    doc = t_json(&r);
    id = t_int(doc, "id", NULL, NULL);
    ASSERT(id > 0);
    ASSERT_STREQ(t_str(doc, "name", NULL, NULL), "first.lua");
    exp_sha256_hex(src, strlen(src), hex);
    ASSERT_STREQ(t_str(doc, "sha256", NULL, NULL), hex);
    ASSERT_EQ(t_int(doc, "bytes", NULL, NULL), strlen(src));
    yajl_tree_free(doc);
    t_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/scripts/%lld", id);
    t_get(path, c, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    ASSERT_STREQ(t_str(doc, "source", NULL, NULL), src);
    ASSERT_STREQ(t_str(doc, "sha256", NULL, NULL), hex);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* A JSON object; the sha256 is of the decoded UTF-8 source. */
    {
        const char body_json[] =
            "{\"name\": \"second.lua\", \"source\": \"return 'caf\\u00e9'\"}";

        t_call("POST", "/api/v1/scripts", c, "application/json", body_json,
               strlen(body_json), &r);
        t_want(&r, 201);
        doc = t_json(&r);
        ASSERT_STREQ(t_str(doc, "name", NULL, NULL), "second.lua");
        exp_sha256_hex(json_src, strlen(json_src), hex);
        ASSERT_STREQ(t_str(doc, "sha256", NULL, NULL), hex);
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
    ASSERT_EQ(t_nscripts(c), n0 + 2);

    /* A syntax error comes back at once, with its real line. */
    t_call("POST", "/api/v1/scripts", c, "text/x-lua", syntax, strlen(syntax),
           &r);
    t_assert_envelope(&r, 422, "unprocessable");
    doc = t_json(&r);
    ASSERT_EQ(t_int(doc, "error", "details", "line"), 3);
    ASSERT_STREQ(t_str(doc, "error", "details", "code"), "syntax_error");
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* Over lua.script_bytes (256 KiB): 413 naming the setting. */
    body = malloc(big);
    ASSERT(body != NULL);
    for (size_t i = 0; i < big; i++)
        body[i] = (i % 64 == 63) ? '\n' : (i % 64 < 2 ? '-' : 'x');
    t_refused("text/x-lua", body, big, 413, "limit_exceeded",
              "lua.script_bytes");
    /* ...and streamed in chunks, with no length announced. */
    {
        struct cm_buf raw;

        cm_buf_init(&raw);
        cm_buf_printf(&raw,
                      "POST /api/v1/scripts HTTP/1.1\r\nHost: x\r\n"
                      "Connection: close\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: text/x-lua\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n",
                      c);
        for (size_t off = 0; off < big; off += 8192) {
            size_t k = big - off < 8192 ? big - off : 8192;

            cm_buf_printf(&raw, "%zx\r\n", k);
            cm_buf_add(&raw, body + off, k);
            cm_buf_add(&raw, "\r\n", 2);
        }
        cm_buf_add(&raw, "0\r\n\r\n", 5);
        t_raw(env.ts.port, raw.data, raw.len, &r);
        t_assert_envelope(&r, 413, "limit_exceeded");
        ASSERT_CONTAINS(r.body, "lua.script_bytes");
        t_resp_free(&r);
        cm_buf_clear(&raw);
    }
    free(body);

    /* Not text: 415. */
    t_refused("application/octet-stream", "return 1", 8, 415,
              "unsupported_format", NULL);
    t_refused("image/png", "return 1", 8, 415, "unsupported_format", NULL);
    /* JSON with a field that is not name or source: 422 naming it. */
    {
        const char extra[] = "{\"name\":\"x\",\"source\":\"return 1\","
                             "\"owner\":\"team-a\"}";

        t_refused("application/json", extra, strlen(extra), 422,
                  "unprocessable", "owner");
        t_refused("application/json", "{\"name\":\"x\"}", 12, 422,
                  "unprocessable", "source");
        t_refused("application/json", "{\"source\":1}", 12, 422,
                  "unprocessable", "source");
        t_refused("application/json", "[\"return 1\"]", 12, 400, "bad_request",
                  NULL);
    }
    /* A binary chunk, as text or inside JSON; bytes that are not UTF-8;
    ** a NUL byte. */
    t_refused("text/x-lua", "\x1bLua\x54\x00\x19\x93", 8, 422, "unprocessable",
              NULL);
    t_refused("text/x-lua", "\x1bLuaT", 5, 422, "unprocessable", NULL);
    t_refused("application/json", "{\"source\":\"\\u001bLuaT\"}", 23, 422,
              "unprocessable", NULL);
    t_refused("text/x-lua", "return '\xff\xfe'", 11, 422, "unprocessable",
              NULL);
    t_refused("text/x-lua", "return '\xc3('", 10, 422, "unprocessable", NULL);
    t_refused("text/x-lua", "return 1\0", 9, 422, "unprocessable", NULL);
    /* A NUL escaped in JSON must not cut the script short either. */
    {
        const char nul[] = "{\"source\":\"return 1\\u0000 while true do "
                           "end\"}";

        t_refused("application/json", nul, strlen(nul), 422, "unprocessable",
                  NULL);
    }
    /* A name that is too long. */
    {
        char q[300] = "/api/v1/scripts?name=";

        memset(q + strlen(q), 'n', 200);
        t_call("POST", q, c, "text/x-lua", "return 1", 8, &r);
        t_assert_envelope(&r, 422, "unprocessable");
        t_resp_free(&r);
    }
    /* Nothing of the refused ones was saved. */
    ASSERT_EQ(t_nscripts(c), n0 + 2);
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM script WHERE account = "
                          "(SELECT id FROM account WHERE name = 'team-c')"),
              n0 + 2);
}

/* ---- main server: runs -------------------------------------------------- */

static void
test_runs(void)
{
    const char   *d = env.team[3];
    const char    src[] = "return {a = 1, b = {1, 2, 3}, c = 'x'}";
    struct t_resp r;
    yajl_val      run, v;
    long long     script, id;
    char          path[64];

    script = t_script(d, src);
    /* 202 at once, queued (or already claimed). */
    snprintf(path, sizeof(path), "/api/v1/scripts/%lld/runs", script);
    t_post(path, d, &r);
    t_want(&r, 202);
    run = t_json(&r);
    id = t_int(run, "id", NULL, NULL);
    ASSERT(strcmp(t_str(run, "status", NULL, NULL), "queued") == 0 ||
           strcmp(t_str(run, "status", NULL, NULL), "running") == 0);
    ASSERT(t_str(run, "queued_at", NULL, NULL) != NULL);
    yajl_tree_free(run);
    t_resp_free(&r);

    run = t_run_wait(d, id);
    t_assert_ok(run, src);
    v = t_at(run, "result_preview", NULL, NULL);
    ASSERT(v != NULL && YAJL_IS_OBJECT(v));
    ASSERT_EQ(t_int(run, "result_preview", "a", NULL), 1);
    ASSERT_STREQ(t_str(run, "result_preview", "c", NULL), "x");
    ASSERT_EQ(t_at(run, "result_preview", "b", NULL)->u.array.len, 3);
    ASSERT(t_int(run, "stats", "instructions", NULL) >= 0);
    ASSERT(t_int(run, "stats", "memory_peak_bytes", NULL) > 0);
    ASSERT(t_int(run, "stats", "wall_ms", NULL) >= 0);
    ASSERT(t_int(run, "result_bytes", NULL, NULL) > 0);
    ASSERT(t_str(run, "started_at", NULL, NULL) != NULL);
    ASSERT(t_str(run, "finished_at", NULL, NULL) != NULL);
    ASSERT(strcmp(t_str(run, "started_at", NULL, NULL),
                  t_str(run, "finished_at", NULL, NULL)) <= 0);
    yajl_tree_free(run);

    /* The script list shows its last run. */
    t_get("/api/v1/scripts", d, &r);
    t_want(&r, 200);
    ASSERT_CONTAINS(r.body, "\"status\":\"succeeded\"");
    t_resp_free(&r);

    /* More observations than lua.preview_rows (5): cut, with the total. */
    run = t_exec(d, "local obs = {}\n"
                    "for i = 1, 12 do obs[i] = {period = '2024', territory "
                    "= 's' .. i, value = i} end\n"
                    "return {indicator = {slug = 'x'}, observations = obs}");
    t_assert_ok(run, "observations");
    v = t_at(run, "result_preview", "observations", NULL);
    ASSERT(v != NULL && YAJL_IS_ARRAY(v));
    ASSERT_EQ(v->u.array.len, 5);
    ASSERT_EQ(t_int(run, "result_preview", "observations_total", NULL), 12);
    ASSERT_STREQ(t_str(run, "result_preview", "indicator", "slug"), "x");
    yajl_tree_free(run);
    /* A long top-level array too. */
    run = t_exec(d, "local t = {} for i = 1, 9 do t[i] = i end return t");
    t_assert_ok(run, "array");
    v = t_at(run, "result_preview", "rows", NULL);
    ASSERT(v != NULL && YAJL_IS_ARRAY(v));
    ASSERT_EQ(v->u.array.len, 5);
    ASSERT_EQ(t_int(run, "result_preview", "rows_total", NULL), 9);
    yajl_tree_free(run);

    /* A result too large to preview (over 64 KiB): its size instead. */
    run = t_exec(d, "return ('x'):rep(100000)");
    t_assert_ok(run, "large");
    ASSERT(YAJL_IS_TRUE(t_at(run, "result_preview", "truncated", NULL)));
    ASSERT_EQ(t_int(run, "result_preview", "bytes", NULL), 100002);
    ASSERT_EQ(t_int(run, "result_bytes", NULL, NULL), 100002);
    yajl_tree_free(run);

    /* A failed run: its code and line. */
    run = t_exec(d, "local x\n\nreturn x.y");
    ASSERT_STREQ(t_str(run, "status", NULL, NULL), "failed");
    ASSERT_STREQ(t_str(run, "error", "code", NULL), "runtime_error");
    ASSERT_EQ(t_int(run, "error", "line", NULL), 3);
    ASSERT(t_at(run, "result_preview", NULL, NULL) != NULL &&
           YAJL_IS_NULL(t_at(run, "result_preview", NULL, NULL)));
    yajl_tree_free(run);

    /* Reading published data through cm.*. */
    run = t_exec(d, "local r = cm.sql('SELECT count(*) AS n FROM "
                    "observation')\nreturn r[1].n");
    t_assert_ok(run, "cm.sql");
    ASSERT_EQ(YAJL_GET_INTEGER(t_at(run, "result_preview", NULL, NULL)), 24);
    yajl_tree_free(run);
}

/* A run leaves nothing behind for the next one. */
static void
test_isolation(void)
{
    const char *e = env.team[4];
    yajl_val    run;
    yajl_val    v;

    run = t_exec(e, "leaked = 42\nstring.upper = nil\n_G.math = nil\n"
                    "return true");
    t_assert_ok(run, "leak");
    yajl_tree_free(run);
    run = t_exec(e, "return {leaked == nil, ('x'):upper(), math.floor(1.5)}");
    t_assert_ok(run, "check");
    v = t_at(run, "result_preview", NULL, NULL);
    ASSERT(v != NULL && YAJL_IS_ARRAY(v) && v->u.array.len == 3);
    ASSERT(YAJL_IS_TRUE(v->u.array.values[0]));
    ASSERT_STREQ(YAJL_GET_STRING(v->u.array.values[1]), "X");
    ASSERT_EQ(YAJL_GET_INTEGER(v->u.array.values[2]), 1);
    yajl_tree_free(run);
}

/* ---- main server: hostile scripts --------------------------------------- */

struct t_case {
    const char *name;
    const char *src;
    const char *code;   /* error.code of the run */
    const char *expect; /* In error.message, or NULL */
};

#define T_SQL(q) "pcall(cm.sql, [[" q "]]) return 'escaped'"

static const struct t_case hostile[] = {
    /* CPU (lua.instructions 5M): every way to keep running ends. */
    {"plain loop", "while true do end", "instruction_limit", NULL},
    {"loop in a coroutine",
     "local co = coroutine.create(function() while true do end end)\n"
     "coroutine.resume(co) return 1",
     "instruction_limit", NULL},
    {"loop in a wrapped coroutine",
     "coroutine.wrap(function() while true do end end)()", "instruction_limit",
     NULL},
    {"resume swallows, loop again",
     "while true do\n"
     "  coroutine.resume(coroutine.create(function() while true do end "
     "end))\nend",
     "instruction_limit", NULL},
    {"loop in __index",
     "local t = setmetatable({}, {__index = function() while true do end "
     "end})\nreturn t.x",
     "instruction_limit", NULL},
    {"loop in __lt through table.sort",
     "local mt = {__lt = function() while true do end end}\n"
     "local t = {setmetatable({}, mt), setmetatable({}, mt)}\n"
     "table.sort(t) return 1",
     "instruction_limit", NULL},
    {"loop in a gsub callback",
     "return (\"abc\"):gsub(\".\", function() while true do end end)",
     "instruction_limit", NULL},
    {"pcall swallows its limit, loops again",
     "while true do pcall(function() while true do end end) end",
     "instruction_limit", NULL},
    {"pcall swallows its limit, returns",
     "local ok = pcall(function() while true do end end)\nreturn ok",
     "instruction_limit", NULL},
    {"xpcall handler loops after the limit",
     "xpcall(function() while true do end end,\n"
     "       function() while true do end end)",
     "instruction_limit", NULL},
    {"__close loops while unwinding",
     "do local x <close> = setmetatable({}, {__close = function()\n"
     "  while true do end end})\n  while true do end\nend",
     "instruction_limit", NULL},
    {"table.move over 2^62 slots", "table.move({}, 1, 1 << 62, 1)",
     "instruction_limit", NULL},
    /* Finalizers and weak tables. */
    {"__gc finalizer",
     "setmetatable({}, {__gc = function() while true do end end})", "forbidden",
     "__gc"},
    {"weak table", "setmetatable({}, {__mode = 'k'})", "forbidden", "__mode"},
    /* Memory (lua.memory_mb 8). */
    {"string.rep huge", "return #string.rep('x', 1e9)", "memory_limit", NULL},
    {"doubling concatenation", "local s = 'x' while true do s = s .. s end",
     "memory_limit", NULL},
    {"table growth",
     "local t = {} local i = 0\nwhile true do i = i + 1 t[i] = {} end",
     "memory_limit", NULL},
    {"memory error swallowed by pcall",
     "local t = {}\nwhile true do pcall(function() t[#t + 1] = "
     "('x'):rep(1e5) .. #t end) end",
     "memory_limit", NULL},
    {"deep recursion", "local function f(n) return f(n + 1) + 1 end\nf(1)",
     "memory_limit", NULL},
    {"C stack through nested __index",
     "local t = setmetatable({}, {__index = function(t, k) return t[k] "
     "end})\nreturn t.x",
     "runtime_error", "stack overflow"},
    {"C stack through nested coroutines",
     "local function f() return coroutine.wrap(f)() end\nreturn f()",
     "runtime_error", NULL},
    /* Patterns: C calls the hook cannot interrupt. */
    {"pattern .-.-.-.-.-.-.-b",
     "return string.find(string.rep('a', 1e5), '.-.-.-.-.-.-.-b')",
     "instruction_limit", "pattern"},
    {"pattern a?^50 a^50",
     "return string.find(string.rep('a', 50), string.rep('a?', 50) .. "
     "string.rep('a', 50))",
     "instruction_limit", "pattern"},
    {"gmatch exponential", "for w in ('a'):rep(5000):gmatch('a*a*a*b') do end",
     "instruction_limit", "pattern"},
    /* Escapes. */
    {"load of bytecode", "return load('\\27Lua\\84\\0')", "forbidden",
     "binary"},
    {"load with a reader function", "return load(function() return nil end)",
     "forbidden", NULL},
    {"string.dump", "return string.dump(function() end)", "runtime_error",
     "dump"},
    {"(''):dump", "return (''):dump()", "runtime_error", "dump"},
    {"string metatable __index", "getmetatable('').__index = {}", "forbidden",
     "string metatable"},
    {"setmetatable on the string metatable",
     "setmetatable(getmetatable(''), nil)", "forbidden", "string metatable"},
    {"os.execute", "return os.execute('id')", "runtime_error", "execute"},
    {"io.open", "return io.open('/etc/passwd')", "runtime_error", "io"},
    {"require", "return require('os')", "runtime_error", "require"},
    {"dofile", "return dofile('/etc/passwd')", "runtime_error", "dofile"},
    {"debug through _ENV", "local e = _ENV return e.debug.getinfo(1)",
     "runtime_error", "debug"},
    {"package through _G", "return _G.package.loadlib", "runtime_error",
     "package"},
    {"io through a loaded chunk's _ENV",
     "local e = load('return _ENV')()\nreturn e.io.open('/etc/passwd')",
     "runtime_error", "io"},
    {"_ENV replaced, then os.exit",
     "local _ENV = setmetatable({}, {__index = _G})\nreturn os.exit(1)",
     "runtime_error", "exit"},
    {"collectgarbage stop", "collectgarbage('stop')", "forbidden",
     "collectgarbage"},
    {"error with a looping __tostring",
     "error(setmetatable({}, {__tostring = function() while true do end "
     "end}))",
     "runtime_error", NULL},
    /* Output. */
    {"too many rows", "local t = {} for i = 1, 200000 do t[i] = i end return t",
     "output_limit", "lua.output_rows"},
    {"too many bytes", "return ('x'):rep(2e6)", "output_limit",
     "lua.output_bytes"},
    {"a function", "return print or function() end", "invalid_output",
     "function"},
    {"a cycle", "local t = {} t.self = t return t", "invalid_output", "cyclic"},
    {"NaN", "return {x = 0/0}", "invalid_output", "NaN"},
    /* The sandboxed SQL: read-only, published tables only; pcall cannot
    ** swallow the refusal. */
    {"cm.sql INSERT",
     T_SQL("INSERT INTO dataset (slug, origin, manifest) VALUES ('x', "
           "'lua', '{}')"),
     "forbidden", "cm.sql"},
    {"cm.sql UPDATE", T_SQL("UPDATE dataset SET slug = 'y'"), "forbidden",
     "cm.sql"},
    {"cm.sql DELETE", T_SQL("DELETE FROM observation"), "forbidden", "cm.sql"},
    {"cm.sql ATTACH", T_SQL("ATTACH DATABASE ':memory:' AS aux"), "forbidden",
     "cm.sql"},
    {"cm.sql PRAGMA", T_SQL("PRAGMA journal_mode = DELETE"), "forbidden",
     "cm.sql"},
    {"cm.sql reading", T_SQL("SELECT * FROM reading"), "forbidden", "cm.sql"},
    {"cm.sql site", T_SQL("SELECT * FROM site"), "forbidden", "cm.sql"},
    {"cm.sql meter", T_SQL("SELECT * FROM meter"), "forbidden", "cm.sql"},
    {"cm.sql account", T_SQL("SELECT * FROM account"), "forbidden", "cm.sql"},
    {"cm.sql api_token", T_SQL("SELECT * FROM api_token"), "forbidden",
     "cm.sql"},
    {"cm.sql script", T_SQL("SELECT source FROM script"), "forbidden",
     "cm.sql"},
    {"cm.sql script_run", T_SQL("SELECT result FROM script_run"), "forbidden",
     "cm.sql"},
};

static void
test_hostile(void)
{
    const char *f = env.team[5];
    size_t      n = sizeof(hostile) / sizeof(hostile[0]);

    ASSERT(n >= 30);
    for (size_t i = 0; i < n; i++) {
        const struct t_case *c = &hostile[i];
        yajl_val             run = t_exec(f, c->src);
        const char          *code = t_str(run, "error", "code", NULL);
        const char          *msg = t_str(run, "error", "message", NULL);

        if (strcmp(t_str(run, "status", NULL, NULL), "failed") != 0 ||
            code == NULL || strcmp(code, c->code) != 0 ||
            (c->expect && (msg == NULL || strstr(msg, c->expect) == NULL))) {
            fprintf(stderr,
                    "hostile '%s': status %s, code %s (%s), want %s%s%s\n",
                    c->name, t_str(run, "status", NULL, NULL),
                    code ? code : "-", msg ? msg : "-", c->code,
                    c->expect ? " with " : "", c->expect ? c->expect : "");
            exit(1);
        }
        yajl_tree_free(run);
        t_alive();
    }
    /* Refused at once by POST, never run. */
    {
        struct t_resp r;
        const char    bad[] = "while true do\n  x = = 1\nend";

        t_call("POST", "/api/v1/scripts", f, "text/x-lua", bad, strlen(bad),
               &r);
        t_assert_envelope(&r, 422, "unprocessable");
        ASSERT_CONTAINS(r.body, "\"code\":\"syntax_error\"");
        ASSERT_CONTAINS(r.body, "\"line\":2");
        t_resp_free(&r);
    }
    t_alive();
}

/* ---- main server: publishing -------------------------------------------- */

#define T_IND(slug, title, extra)                                              \
    "local rows = cm.sql([[SELECT territory, sum(value) AS v\n"                \
    "  FROM observation o JOIN dataset d ON d.latest = o.version\n"            \
    "  WHERE d.slug = 'energy-site-month' GROUP BY territory\n"                \
    "  ORDER BY territory]])\n"                                                \
    "local obs = {}\n"                                                         \
    "for i, r in ipairs(rows) do\n"                                            \
    "  obs[i] = {period = '2024', territory = r.territory, value = r.v" extra  \
    "}\nend\n"                                                                 \
    "return {indicator = {slug = '" slug "', title = {fr = '" title "', "      \
    "en = '" title "'},\n"                                                     \
    "  unit = 'kWh', method = 'yearly sum of energy-site-month',\n"            \
    "  reads = {'energy-site-month'}, period = 'year', territory = 'site'},\n" \
    "  observations = obs}\n"

/* Run a saved script and wait: it must succeed. The run's id. */
static long long
t_run_ok(const char *token, long long script)
{
    yajl_val  run = t_run_wait(token, t_run(token, script));
    long long id = t_int(run, "id", NULL, NULL);

    t_assert_ok(run, "publishable");
    yajl_tree_free(run);
    return id;
}

static void
t_publish(const char *token, long long script, struct t_resp *r)
{
    char path[64];

    snprintf(path, sizeof(path), "/api/v1/scripts/%lld/publish", script);
    t_post(path, token, r);
}

/* The indicator 'slug' in a GET /api/v1/indicators document, or NULL. */
static yajl_val
t_indicator(yajl_val doc, const char *slug)
{
    yajl_val list = t_at(doc, "indicators", NULL, NULL);

    ASSERT(list != NULL && YAJL_IS_ARRAY(list));
    for (size_t i = 0; i < list->u.array.len; i++) {
        const char *s = t_str(list->u.array.values[i], "slug", NULL, NULL);

        if (s != NULL && strcmp(s, slug) == 0)
            return list->u.array.values[i];
    }
    return NULL;
}

/* The slugs of GET /api/v1/indicators?sort=..., in order, "a b". */
static void
t_order(const char *sort, char *out, size_t outsz)
{
    struct t_resp r;
    yajl_val      doc, list;
    char          path[64];

    snprintf(path, sizeof(path), "/api/v1/indicators?sort=%s", sort);
    t_get(path, NULL, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    ASSERT_STREQ(t_str(doc, "sort", NULL, NULL), sort);
    list = t_at(doc, "indicators", NULL, NULL);
    ASSERT(list != NULL && YAJL_IS_ARRAY(list));
    out[0] = '\0';
    for (size_t i = 0; i < list->u.array.len; i++) {
        size_t l = strlen(out);

        snprintf(out + l, outsz - l, "%s%s", l ? " " : "",
                 t_str(list->u.array.values[i], "slug", NULL, NULL));
    }
    yajl_tree_free(doc);
    t_resp_free(&r);
}

static void
test_publish(void)
{
    const char   *a = env.team[0], *b = env.team[1];
    const char    src[] = T_IND("zeta-total", "Zeta total", "");
    const char    src_b[] = T_IND("alpha-b", "Alpha", " * 2");
    char          hex[EXP_SHA256_HEX + 1], ctype[128], order[256];
    struct t_resp r;
    yajl_val      doc, ind;
    long long     script, script_b, run;

    exp_sha256_hex(src, strlen(src), hex);
    script = t_script(a, src);
    /* No successful run yet: nothing to publish. */
    t_publish(a, script, &r);
    t_assert_envelope(&r, 409, "conflict");
    t_resp_free(&r);
    run = t_run_ok(a, script);
    t_publish(a, script, &r);
    t_want(&r, 201);
    doc = t_json(&r);
    ASSERT_STREQ(t_str(doc, "slug", NULL, NULL), "zeta-total");
    ASSERT_EQ(t_int(doc, "version", NULL, NULL), 1);
    ASSERT(YAJL_IS_FALSE(t_at(doc, "unchanged", NULL, NULL)));
    yajl_tree_free(doc);
    t_resp_free(&r);
    env.versions++;
    /* The run says where it went. */
    doc = t_run_get(a, run);
    ASSERT_STREQ(t_str(doc, "published", "slug", NULL), "zeta-total");
    ASSERT_EQ(t_int(doc, "published", "version", NULL), 1);
    yajl_tree_free(doc);
    /* Again, unchanged: 200 and nothing written. */
    t_publish(a, script, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    ASSERT(YAJL_IS_TRUE(t_at(doc, "unchanged", NULL, NULL)));
    ASSERT_EQ(t_int(doc, "version", NULL, NULL), 1);
    yajl_tree_free(doc);
    t_resp_free(&r);
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM dataset_version"),
              env.versions);

    /* A dataset like any other... */
    t_get("/api/v1/datasets/zeta-total", NULL, &r);
    t_want(&r, 200);
    ASSERT_CONTAINS(r.body, "zeta-total");
    t_resp_free(&r);
    t_get("/api/v1/datasets/zeta-total/records", NULL, &r);
    t_want(&r, 200);
    ASSERT_CONTAINS(r.body, "\"territory\":\"s1\"");
    ASSERT_CONTAINS(r.body, "1200");
    t_resp_free(&r);
    /* ...listed with its team and provenance... */
    t_get("/api/v1/indicators", NULL, &r);
    t_want(&r, 200);
    doc = t_json(&r);
    ind = t_indicator(doc, "zeta-total");
    ASSERT(ind != NULL);
    ASSERT_STREQ(t_str(ind, "team", NULL, NULL), "team-a");
    ASSERT_STREQ(t_str(ind, "provenance", "script_sha256", NULL), hex);
    ASSERT_STREQ(t_str(ind, "title", "fr", NULL), "Zeta total");
    ASSERT_EQ(t_int(ind, "version", NULL, NULL), 1);
    ASSERT_STREQ(t_str(ind, "source_url", NULL, NULL),
                 "/api/v1/indicators/zeta-total/source");
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* ...with its exact source, public. */
    t_get("/api/v1/indicators/zeta-total/source", NULL, &r);
    t_want(&r, 200);
    ASSERT_EQ(r.body_len, strlen(src));
    ASSERT_STREQ(r.body, src);
    ASSERT(t_header(&r, "Content-Type", ctype, sizeof(ctype)) != NULL);
    ASSERT_CONTAINS(ctype, "text/x-lua");
    t_resp_free(&r);
    {
        char hdr[128];

        snprintf(hdr, sizeof(hdr), "If-None-Match: \"%s\"\r\n", hex);
        t_req(env.ts.port, "GET", "/api/v1/indicators/zeta-total/source", hdr,
              &r);
        t_want(&r, 304);
        t_resp_free(&r);
    }

    /* Another team may not take the slug... */
    script_b = t_script(b, T_IND("zeta-total", "Mine", " + 1"));
    t_run_ok(b, script_b);
    t_publish(b, script_b, &r);
    t_assert_envelope(&r, 409, "conflict");
    t_resp_free(&r);
    /* ...nor a dataset published from readings... */
    script_b = t_script(b, T_IND("energy-site-month", "Mine", ""));
    t_run_ok(b, script_b);
    t_publish(b, script_b, &r);
    t_assert_envelope(&r, 409, "conflict");
    t_resp_free(&r);
    /* ...and a result that is not an indicator names the field. */
    script_b = t_script(b, "return {indicator = {slug = 'no-title', unit = "
                           "'kWh', method = 'm', period = 'year', territory "
                           "= 'site', reads = {'energy-site-month'}},\n"
                           "  observations = {}}");
    t_run_ok(b, script_b);
    t_publish(b, script_b, &r);
    t_assert_envelope(&r, 422, "unprocessable");
    ASSERT_CONTAINS(r.body, "indicator.title.fr");
    t_resp_free(&r);
    script_b = t_script(b, "return {1, 2, 3}");
    t_run_ok(b, script_b);
    t_publish(b, script_b, &r);
    t_assert_envelope(&r, 422, "unprocessable");
    t_resp_free(&r);
    script_b = t_script(b, T_IND("bad-row", "Bad", ", extra = 1"));
    t_run_ok(b, script_b);
    t_publish(b, script_b, &r);
    t_assert_envelope(&r, 422, "unprocessable");
    ASSERT_CONTAINS(r.body, "observations[1].extra");
    t_resp_free(&r);
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM dataset_version"),
              env.versions);
    t_alive();

    /* Team B's own indicator, a second later (published_at has seconds):
    ** the gallery orders. */
    t_sleep_ms(1100);
    script_b = t_script(b, src_b);
    t_run_ok(b, script_b);
    t_publish(b, script_b, &r);
    t_want(&r, 201);
    t_resp_free(&r);
    env.versions++;
    t_order("recent", order, sizeof(order));
    ASSERT_STREQ(order, "alpha-b zeta-total");
    t_order("title", order, sizeof(order));
    ASSERT_STREQ(order, "alpha-b zeta-total");
    t_order("team", order, sizeof(order));
    ASSERT_STREQ(order, "zeta-total alpha-b");
    t_order("gallery", order, sizeof(order));
    ASSERT_STREQ(order, "alpha-b zeta-total");
    t_get("/api/v1/indicators?sort=bogus", NULL, &r);
    t_assert_envelope(&r, 400, "invalid_param");
    ASSERT_CONTAINS(r.body, "\"param\":\"sort\"");
    t_resp_free(&r);
    t_get("/api/v1/indicators?sorted=title", NULL, &r);
    t_assert_envelope(&r, 400, "invalid_param");
    t_resp_free(&r);
    t_alive();
}

/* ---- bounds server: busy workers, full queues --------------------------- */

static void
t_tweak_bounds(struct cfg *c)
{
    c->lua_instructions = 2000000000;
    c->lua_timeout_ms = 4000; /* How long the two loops hold the workers */
    c->lua_workers = 2;
    c->lua_queue_max = 2;
    c->lua_team_queue_max = 1;
    c->lua_team_concurrency = 1;
}

/* POST a run that must be refused with 429 naming 'setting'. */
static void
t_run_refused(const char *token, long long script, const char *setting,
              long max_after)
{
    struct t_resp r;
    char          path[64], after[32];
    yajl_val      doc;
    long          secs;

    snprintf(path, sizeof(path), "/api/v1/scripts/%lld/runs", script);
    t_post(path, token, &r);
    t_assert_envelope(&r, 429, "too_many_requests");
    doc = t_json(&r);
    ASSERT_STREQ(t_str(doc, "error", "details", "setting"), setting);
    yajl_tree_free(doc);
    ASSERT_CONTAINS(r.body, setting);
    ASSERT(t_header(&r, "Retry-After", after, sizeof(after)) != NULL);
    secs = strtol(after, NULL, 10);
    ASSERT(secs >= 1 && secs <= max_after);
    t_resp_free(&r);
}

static void
test_bounds(void)
{
    const char   *a = env.team[0], *b = env.team[1], *c = env.team[2];
    const char   *d = env.team[3];
    struct t_resp r;
    yajl_val      run;
    long long     loop_a, loop_b, quick_a, quick_c, quick_d;
    long long     run_la, run_lb, run_qa, run_qc;
    long long     n0 = t_sql_count("SELECT count(*) FROM script_run");

    loop_a = t_script(a, "while true do end");
    loop_b = t_script(b, "local f = coroutine.wrap(function()\n"
                         "  while true do end end)\nf()");
    quick_a = t_script(a, "return 'a'");
    quick_c = t_script(c, "return 'c'");
    quick_d = t_script(d, "return 'd'");

    /* Two infinite loops hold both workers... */
    run_la = t_run(a, loop_a);
    run_lb = t_run(b, loop_b);
    yajl_tree_free(t_run_until(a, run_la, "running"));
    yajl_tree_free(t_run_until(b, run_lb, "running"));
    /* ...and the server answers. */
    t_get("/health", NULL, &r);
    t_want(&r, 200);
    t_resp_free(&r);
    t_get("/api/v1/datasets", NULL, &r);
    t_want(&r, 200);
    t_resp_free(&r);
    t_get("/api/v1/indicators", NULL, &r);
    t_want(&r, 200);
    t_resp_free(&r);
    t_get("/api/v1/scripts", a, &r);
    t_want(&r, 200);
    t_resp_free(&r);

    /* Team A may have one run waiting (lua.team_queue_max 1)... */
    run_qa = t_run(a, quick_a);
    t_run_refused(a, quick_a, "lua.team_queue_max", 3600);
    /* ...the queue two (lua.queue_max 2). */
    run_qc = t_run(c, quick_c);
    t_run_refused(d, quick_d, "lua.queue_max", 3600);
    t_run_refused(b, loop_b, "lua.queue_max", 3600);
    /* Only what was accepted was written. */
    ASSERT_EQ(t_sql_count("SELECT count(*) FROM script_run"), n0 + 4);
    /* The loops were still holding the workers: the refusals were the
    ** queue's, not a race with a free worker. */
    run = t_run_get(a, run_la);
    ASSERT_STREQ(t_str(run, "status", NULL, NULL), "running");
    yajl_tree_free(run);

    /* The loops end at their deadline; their workers are replaced and
    ** the queued runs succeed. */
    run = t_run_wait(a, run_la);
    ASSERT_STREQ(t_str(run, "error", "code", NULL), "time_limit");
    yajl_tree_free(run);
    run = t_run_wait(b, run_lb);
    ASSERT_STREQ(t_str(run, "error", "code", NULL), "time_limit");
    yajl_tree_free(run);
    run = t_run_wait(a, run_qa);
    t_assert_ok(run, "return 'a'");
    ASSERT_STREQ(YAJL_GET_STRING(t_at(run, "result_preview", NULL, NULL)), "a");
    yajl_tree_free(run);
    run = t_run_wait(c, run_qc);
    t_assert_ok(run, "return 'c'");
    yajl_tree_free(run);
    /* Room again. */
    run = t_run_wait(d, t_run(d, quick_d));
    t_assert_ok(run, "return 'd'");
    yajl_tree_free(run);
    t_alive();
}

/* ---- time server: deadlines, team concurrency, the daily quota ---------- */

static void
t_tweak_time(struct cfg *c)
{
    c->lua_instructions = 2000000000;
    c->lua_timeout_ms = 1500;
    c->lua_workers = 2;
    c->lua_team_concurrency = 1;
    c->lua_team_daily_seconds = 1;
}

static void
test_time(void)
{
    const char                *a = env.team[0];
    yajl_val                   run1, run2, run;
    long long                  loop, quick, id1, id2;
    static const struct t_case deadline[] = {
        {"quadratic find killed at the deadline",
         "return string.find(string.rep('a', 4e5), 'a-b')", "time_limit",
         "lua.timeout_ms"},
        {"pcall swallows the time limit, loops again",
         "while true do pcall(function() while true do end end) end",
         "time_limit", "lua.timeout_ms"},
        {"loop in a gsub callback, past the deadline",
         "return ('abc'):gsub('.', function() while true do end end)",
         "time_limit", "lua.timeout_ms"},
    };

    /* Two runs of one team never overlap (lua.team_concurrency 1), even
    ** with a worker free: the second starts when the first has ended. */
    loop = t_script(a, "while true do end");
    quick = t_script(a, "return 2");
    id1 = t_run(a, loop);
    yajl_tree_free(t_run_until(a, id1, "running"));
    id2 = t_run(a, quick);
    run1 = t_run_wait(a, id1);
    run2 = t_run_wait(a, id2);
    ASSERT_STREQ(t_str(run1, "error", "code", NULL), "time_limit");
    ASSERT_CONTAINS(t_str(run1, "error", "message", NULL), "lua.timeout_ms");
    t_assert_ok(run2, "return 2");
    ASSERT(strcmp(t_str(run2, "started_at", NULL, NULL),
                  t_str(run1, "finished_at", NULL, NULL)) >= 0);
    yajl_tree_free(run1);
    yajl_tree_free(run2);

    /* Team A has used more than lua.team_daily_seconds (1 s) today. */
    t_run_refused(a, quick, "lua.team_daily_seconds", 86400);
    t_alive();

    /* Runs stopped or killed at their deadline; each time a new worker
    ** serves the next run. One team each: the quota is 1 s. */
    for (size_t i = 0; i < sizeof(deadline) / sizeof(deadline[0]); i++) {
        const char *t = env.team[1 + i];

        run = t_exec(t, deadline[i].src);
        if (strcmp(t_str(run, "error", "code", NULL)
                       ? t_str(run, "error", "code", NULL)
                       : "",
                   deadline[i].code) != 0) {
            fprintf(stderr, "'%s': %s, want %s\n", deadline[i].name,
                    t_str(run, "error", "code", NULL), deadline[i].code);
            exit(1);
        }
        ASSERT_CONTAINS(t_str(run, "error", "message", NULL),
                        deadline[i].expect);
        yajl_tree_free(run);
        t_alive();
        run = t_exec(env.team[7], "return 1 + 1");
        t_assert_ok(run, "return 1 + 1");
        ASSERT_EQ(YAJL_GET_INTEGER(t_at(run, "result_preview", NULL, NULL)), 2);
        yajl_tree_free(run);
    }
}

int
main(void)
{
    struct cm_err err;

    /* A server inherits descriptors from whatever starts it (ctest gives
    ** its log file as descriptor 3, systemd its sockets): hold descriptor
    ** 3 the same way however this test is started, so that the numbers
    ** the store and the workers get are those of a ctest run. */
    if (fcntl(3, F_GETFD) < 0)
        ASSERT_EQ(open("/dev/null", O_RDONLY), 3);
    ASSERT_EQ(auth_init(&err), CM_OK);

    t_env_start(t_tweak_main);
    RUN(test_auth);
    RUN(test_save);
    RUN(test_runs);
    RUN(test_isolation);
    RUN(test_hostile);
    RUN(test_publish);
    t_env_stop();

    t_env_start(t_tweak_bounds);
    RUN(test_bounds);
    t_env_stop();

    t_env_start(t_tweak_time);
    RUN(test_time);
    t_env_stop();
    return 0;
}
