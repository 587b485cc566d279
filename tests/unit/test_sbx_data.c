/*
** test_sbx_data.c -- the sandbox's data API (cm.*) against a store with
** published versions written through the store API: what a script reads
** (catalog, columns with nil for suppressed cells, rows, aggregates
** checked against sums computed by hand, SQL with a bound parameter) and
** what it is refused (writes, PRAGMA, ATTACH, private tables: forbidden;
** unknown slug: runtime_error; endless reading: instruction_limit).
*/
#include <signal.h>

#include "exp.h"
#include "sbx.h"
#include "store.h"
#include "../t.h"

static const struct store_opts t_create = {1, 1, 5000, 0};
static char                    t_path[1200];

/* One dataset version with the cells given; made the latest. */
static void
t_version(struct store *st, const char *slug, const char *manifest,
          const struct exp_obs *obs, int n)
{
    struct cm_err            err;
    int64_t                  id, number;
    struct store_version_new v = {
        slug, "manifest", manifest, slug, "2026-11-30T10:00:00Z",
        n,    NULL,       NULL,     NULL, NULL};

    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    for (int i = 0; i < n; i++)
        ASSERT_EQ(store_obs_add(st, id, i, &obs[i], NULL, &err), CM_OK);
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
}

#define T_OBS(period, terr, value, null, status)                               \
    {                                                                          \
        period, "commune", terr, NULL, "electricity", value, null, "kWh", 5,   \
            status                                                             \
    }

static const char t_manifest[] =
    "{\"slug\":\"elec\",\"title\":{\"fr\":\"Électricité\"},"
    "\"period\":\"month\",\"territory\":\"commune\","
    "\"kinds\":[\"electricity\",\"pv\"]}";

static void
t_fixture(void)
{
    struct store  *st;
    struct cm_err  err;
    struct exp_obs v1[] = {T_OBS("2024-01", "56121", 1, 0, 'A'),
                           T_OBS("2024-02", "56121", 2, 0, 'A')};
    /* Sums by territory: 56121 250, 56098 40 (the 02 cell suppressed),
    ** 56162 40. */
    struct exp_obs v2[] = {T_OBS("2024-01", "56121", 100, 0, 'A'),
                           T_OBS("2024-02", "56121", 150, 0, 'A'),
                           T_OBS("2024-01", "56098", 40, 0, 'A'),
                           T_OBS("2024-02", "56098", 0, 1, 'C'),
                           T_OBS("2024-01", "56162", 10, 0, 'A'),
                           T_OBS("2024-02", "56162", 30, 0, 'A')};
    struct exp_obs gas[] = {
        {"2024", "epci", "200042174", "school", "gas", 12.5, 0, "kWh", 3, 'A'}};

    snprintf(t_path, sizeof(t_path), "%s/consometer.db", t_tmpdir("sbxdata"));
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    t_version(st, "elec", t_manifest, v1, 2);
    t_version(st, "elec", t_manifest, v2, 6);
    t_version(st, "gas",
              "{\"title\":{\"fr\":\"Gaz\"},\"period\":\"year\","
              "\"territory\":\"epci\",\"kinds\":[\"gas\"]}",
              gas, 1);
    store_close(st);
}

/* Run src against the fixture; the result JSON or the error message. */
static enum sbx_code
t_run(const char *src, int64_t instructions, char *out, size_t cap)
{
    struct sbx_limits lim;
    struct sbx_result res;
    enum sbx_code     code;

    sbx_limits_default(&lim);
    lim.memory_bytes = 8 << 20;
    lim.instructions = instructions;
    lim.timeout_ms =
        30000; /* Limits other than time must win, even under ASan and load */
    lim.store_path = t_path;
    code = sbx_run(src, strlen(src), &lim, &res);
    snprintf(out, cap, "%s", code == SBX_OK ? res.json : res.message);
    sbx_result_clear(&res);
    return code;
}

#define T_EXPECT(src, code, expect)                                            \
    do {                                                                       \
        char          t_out[4096];                                             \
        enum sbx_code t_code = t_run(src, 5000000, t_out, sizeof(t_out));      \
        if (t_code != (code))                                                  \
            fprintf(stderr, "%s\n=> %s: %s\n", src, sbx_code_name(t_code),     \
                    t_out);                                                    \
        ASSERT_EQ(t_code, code);                                               \
        ASSERT_CONTAINS(t_out, expect);                                        \
    } while (0)

static void
test_reads(void)
{
    T_EXPECT("local d = cm.datasets()\n"
             "return {#d, d[1].slug, d[1].version, d[1].period,\n"
             "  d[1].territory_level, d[1].kinds[1], d[1].kinds[2],\n"
             "  d[1].n_observations, d[1].title, d[2].slug, d[2].version}",
             SBX_OK,
             "[2,\"elec\",2,\"month\",\"commune\",\"electricity\",\"pv\",6,"
             "\"Électricité\",\"gas\",1]");
    /* value[4] is suppressed: nil, so #value may stop at 3; count by
    ** pairs. */
    T_EXPECT("local c = cm.columns('elec')\n"
             "local n = 0 for _ in pairs(c.value) do n = n + 1 end\n"
             "return {#c.period, n, c.value[4] == nil, c.status[4],\n"
             "  c.territory[3], c.value[2], c.n_sites[1], c.sector[1] == nil}",
             SBX_OK, "[6,5,true,\"C\",\"56098\",150,5,true]");
    T_EXPECT("local c = cm.columns('elec', 1) return {#c.value, c.value[2]}",
             SBX_OK, "[2,2]");
    T_EXPECT("local n, s = 0, 0\n"
             "for r in cm.rows('elec') do\n"
             "  n = n + 1 s = s + (r.value or 0)\n"
             "  assert(r.kind == 'electricity' and r.unit == 'kWh')\n"
             "end\n"
             "return {n, s}",
             SBX_OK, "[6,330]");
    /* An iterator left half-way is finalized by the GC, not leaked. */
    T_EXPECT("for i = 1, 200 do for r in cm.rows('elec') do break end end\n"
             "return 'ok'",
             SBX_OK, "\"ok\"");
}

static void
test_aggregate(void)
{
    static const char fmt[] =
        "local r = cm.aggregate('elec', {by = {'territory'}, fn = '%s'})\n"
        "local t = {} for i, g in ipairs(r) do\n"
        "  t[i] = g.territory .. '=' .. string.format('%%g', g.value) end\n"
        "return table.concat(t, ';')";
    static const char *const cases[][2] = {
        {"sum", "\"56098=40;56121=250;56162=40\""},
        {"mean", "\"56098=40;56121=125;56162=20\""},
        {"min", "\"56098=40;56121=100;56162=10\""},
        {"max", "\"56098=40;56121=150;56162=30\""},
        {"count", "\"56098=1;56121=2;56162=2\""},
        {"p50", "\"56098=40;56121=125;56162=20\""},
        {"p90", "\"56098=40;56121=145;56162=28\""},
    };
    char src[512];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(src, sizeof(src), fmt, cases[i][0]);
        T_EXPECT(src, SBX_OK, cases[i][1]);
    }
    T_EXPECT("local r = cm.aggregate('elec', {by = {'territory', 'period'}})\n"
             "return {#r, r[1].territory, r[1].period, r[2].value == nil}",
             SBX_OK, "[6,\"56098\",\"2024-01\",true]");
    T_EXPECT("return cm.aggregate('elec', {})[1].value", SBX_OK, "330");
    /* Grouped in C over one scan: SQL's results, types and order too. */
    T_EXPECT("local r = cm.aggregate('elec', {by = 'sector', value = "
             "'n_sites'})\n"
             "return {#r, r[1].sector == nil, math.type(r[1].value)}",
             SBX_OK, "[1,true,\"integer\"]");
    T_EXPECT("local r = cm.aggregate('elec', {by = {'period', 'territory'},\n"
             "  fn = 'count'})\n"
             "local ok = true\n"
             "for i = 2, #r do\n"
             "  local a, b = r[i - 1], r[i]\n"
             "  ok = ok and (a.period < b.period or (a.period == b.period\n"
             "    and a.territory < b.territory))\n"
             "end\n"
             "return {#r, ok}",
             SBX_OK, "[6,true]");
    T_EXPECT("return cm.aggregate('elec', {fn = 'median'})", SBX_RUNTIME_ERROR,
             "unknown aggregate 'median'");
    T_EXPECT("return cm.aggregate('elec', {by = 'site_id'})", SBX_RUNTIME_ERROR,
             "cannot group by 'site_id'");
    T_EXPECT("return cm.aggregate('elec', {fn = 'p101'})", SBX_RUNTIME_ERROR,
             "p0..p100");
}

static void
test_sql(void)
{
    T_EXPECT("local r = cm.sql('SELECT territory, sum(value) AS s "
             "FROM observation o JOIN dataset d ON d.latest = o.version "
             "WHERE d.slug = ?1 AND territory = ?2 GROUP BY territory', "
             "'elec', '56121')\n"
             "return {#r, r[1].territory, r[1].s}",
             SBX_OK, "[1,\"56121\",250]");
    T_EXPECT("return #cm.sql('SELECT * FROM dataset_version')", SBX_OK, "3");
    T_EXPECT("return cm.sql('SELECT ?1')", SBX_RUNTIME_ERROR,
             "takes 1 parameters, 0 given");
    T_EXPECT("return cm.sql('SELEC 1')", SBX_RUNTIME_ERROR, "syntax error");
}

static void
test_refusals(void)
{
    static const char *const forbidden[] = {
        "INSERT INTO dataset (slug, origin, manifest) VALUES ('x', 'lua', "
        "'{}')",
        "DELETE FROM observation",
        "UPDATE dataset SET slug = 'y'",
        "DROP TABLE observation",
        "CREATE TABLE t (x)",
        "PRAGMA user_version",
        "PRAGMA journal_mode = DELETE",
        "ATTACH DATABASE ':memory:' AS aux",
        "SELECT * FROM reading",
        "SELECT * FROM site",
        "SELECT * FROM account",
        "SELECT * FROM api_token",
        "SELECT * FROM meter",
        "SELECT * FROM sqlite_master",
        "SELECT count(*) FROM observation WHERE version IN "
        "(SELECT id FROM import)",
        "SELECT randomblob(100)",
        "SELECT 1; DELETE FROM observation",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x FROM c",
        "BEGIN",
    };
    char src[512];

    for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
        /* pcall cannot swallow it: forbidden is sticky. */
        snprintf(src, sizeof(src), "pcall(cm.sql, [[%s]]) return 'escaped'",
                 forbidden[i]);
        T_EXPECT(src, SBX_FORBIDDEN, "cm.sql");
    }
    T_EXPECT("return cm.columns('nope')", SBX_RUNTIME_ERROR,
             "no published dataset 'nope'");
    T_EXPECT("return cm.rows('elec', 7)", SBX_RUNTIME_ERROR,
             "has no published version 7");
    T_EXPECT("return cm.aggregate('nope', {})", SBX_RUNTIME_ERROR,
             "no published dataset 'nope'");
}

static void
test_limits(void)
{
    char out[4096];

    /* Reading forever, even while swallowing errors, ends at the budget. */
    ASSERT_EQ(t_run("while true do pcall(function()\n"
                    "  for r in cm.rows('elec') do end end) end",
                    1000000, out, sizeof(out)),
              SBX_INSTRUCTION_LIMIT);
    ASSERT_EQ(t_run("while true do cm.columns('elec') end", 1000000, out,
                    sizeof(out)),
              SBX_INSTRUCTION_LIMIT);
    /* One SELECT returning one row but doing millions of steps inside
    ** SQLite is charged through the progress handler. */
    ASSERT_EQ(t_run("return cm.sql('SELECT count(*) AS n FROM observation a, "
                    "observation b, observation c, observation d, "
                    "observation e, observation f, observation g, "
                    "observation h')",
                    1000000, out, sizeof(out)),
              SBX_INSTRUCTION_LIMIT);
    /* Iterators kept alive hold SQLite memory the budget cannot see. */
    T_EXPECT("local t = {} for i = 1, 100 do t[i] = cm.rows('elec') end",
             SBX_RUNTIME_ERROR, "too many cm.rows iterators");
    /* The same heavy SELECT with instructions to spare: the progress
    ** handler stops it at the deadline, long before SQLite would finish. */
    {
        struct sbx_limits lim;
        struct sbx_result res;
        const char       *src = "return cm.sql('SELECT count(*) AS n FROM "
                                "observation a, observation b, observation c, "
                                "observation d, observation e, observation f, "
                                "observation g, observation h, observation i')";

        sbx_limits_default(&lim);
        lim.timeout_ms = 300;
        lim.store_path = t_path;
        ASSERT_EQ(sbx_run(src, strlen(src), &lim, &res), SBX_TIME_LIMIT);
        ASSERT_CONTAINS(res.message, "lua.timeout_ms (300 ms)");
        ASSERT(strstr(res.message, "killed") == NULL); /* Not the parent */
        ASSERT_EQ(res.line, 1);
        sbx_result_clear(&res);
    }
    /* More rows than lua.output_rows from one cm.sql. */
    {
        struct sbx_limits lim;
        struct sbx_result res;
        const char       *src = "return cm.sql('SELECT * FROM observation')";

        sbx_limits_default(&lim);
        lim.output_rows = 4;
        lim.store_path = t_path;
        ASSERT_EQ(sbx_run(src, strlen(src), &lim, &res), SBX_OUTPUT_LIMIT);
        ASSERT_CONTAINS(res.message, "lua.output_rows");
        sbx_result_clear(&res);
    }
}

static void
test_no_store(void)
{
    struct sbx_limits lim;
    struct sbx_result res;
    const char       *src = "return cm.datasets()";

    sbx_limits_default(&lim);
    ASSERT_EQ(sbx_run(src, strlen(src), &lim, &res), SBX_RUNTIME_ERROR);
    ASSERT_CONTAINS(res.message, "no data store");
    sbx_result_clear(&res);
    lim.store_path = "/nonexistent/consometer.db";
    ASSERT_EQ(sbx_run(src, strlen(src), &lim, &res), SBX_RUNTIME_ERROR);
    ASSERT_CONTAINS(res.message, "cannot open the store");
    sbx_result_clear(&res);
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    t_fixture();
    RUN(test_reads);
    RUN(test_aggregate);
    RUN(test_sql);
    RUN(test_refusals);
    RUN(test_limits);
    RUN(test_no_store);
    return 0;
}
