/*
** test_ind.c -- publishing a Lua indicator run (ind.c): the built-in
** scripts-lua/indicators/energy-intensity.lua run in the sandbox over a
** tiny energy-site-month written through the store API, its published
** values checked against numbers computed by hand, its provenance and
** downloads; invalid outputs refused with the row and field named; an
** unchanged republish writing nothing.
*/
#include <math.h>
#include <signal.h>

#include "exp.h"
#include "ind.h"
#include "mem.h"
#include "sbx.h"
#include "store.h"
#include "../t.h"

#define T_SCRIPT                                                               \
    CM_DEFAULT_DATASETS_DIR "/../scripts-lua/indicators/energy-intensity.lua"

static const struct store_opts t_create = {1, 1, 5000, 0};
static char                    t_path[1200];
static char                    t_data[1000];

/* Months from..to of 'year' of one site and kind, each 'kwh'; 'area'
** < 0: unknown floor area; 'null_last': the last month suppressed. */
static void
t_months(struct store *st, int64_t id, int64_t *row, const char *site,
         double area, const char *kind, int year, int from, int to, double kwh,
         int null_last)
{
    char           period[16], extra[48];
    struct exp_obs o;
    struct cm_err  err;

    if (area > 0)
        snprintf(extra, sizeof(extra), "{\"floor_area_m2\":%g}", area);
    else
        snprintf(extra, sizeof(extra), "{\"floor_area_m2\":null}");
    for (int m = from; m <= to; m++) {
        snprintf(period, sizeof(period), "%04d-%02d", year, m);
        memset(&o, 0, sizeof(o));
        o.period = period;
        o.territory_level = "site";
        o.territory = site;
        o.kind = kind;
        o.value = kwh;
        o.value_null = null_last && m == to;
        o.unit = "kWh";
        o.n_sites = 1;
        o.status = o.value_null ? 'C' : 'A';
        ASSERT_EQ(store_obs_add(st, id, (*row)++, &o, extra, &err), CM_OK);
    }
}

/*
** A tiny energy-site-month; by hand (kWh/m², electricity + gas + heat of
** the 12 months, pv left out, 0.01):
**   2023 s1: 12 x 3000 / 1000                            = 36
**   2024 s1: (12 x 4000 + 12 x 6000) / 1000 = 120000 / 1000 = 120
**   2024 s2: (12 x 1028.75 + 11 x 1700 + 1300) / 300
**            = (12345 + 20000) / 300 = 107.8166...       = 107.82
**   2024 s3: no floor area                               -> no row
**   2024 s4: its December gas suppressed                 -> no row
**   2024 s5: 11 months only                              -> no row
*/
static void
t_fixture(void)
{
    struct store            *st;
    struct cm_err            err;
    int64_t                  id, number, row = 0;
    struct store_version_new v = {"energy-site-month",
                                  "manifest",
                                  "{\"slug\":\"energy-site-month\","
                                  "\"title\":{\"fr\":\"Énergie\"},"
                                  "\"period\":\"month\",\"territory\":"
                                  "\"site\",\"kinds\":[\"electricity\","
                                  "\"pv\",\"gas\",\"heat\"],\"privacy\":"
                                  "{\"policy\":\"open\"}}",
                                  "energy",
                                  "2026-11-30T10:00:00Z",
                                  0,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL};

    snprintf(t_data, sizeof(t_data), "%.900s", t_tmpdir("ind"));
    snprintf(t_path, sizeof(t_path), "%s/consometer.db", t_data);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    t_months(st, id, &row, "s1", 1000, "electricity", 2023, 1, 12, 3000, 0);
    t_months(st, id, &row, "s1", 1000, "electricity", 2024, 1, 12, 4000, 0);
    t_months(st, id, &row, "s1", 1000, "gas", 2024, 1, 12, 6000, 0);
    t_months(st, id, &row, "s1", 1000, "pv", 2024, 1, 12, 800, 0);
    t_months(st, id, &row, "s2", 300, "electricity", 2024, 1, 12, 1028.75, 0);
    t_months(st, id, &row, "s2", 300, "heat", 2024, 1, 11, 1700, 0);
    t_months(st, id, &row, "s2", 300, "heat", 2024, 12, 12, 1300, 0);
    t_months(st, id, &row, "s3", -1, "electricity", 2024, 1, 12, 400, 0);
    t_months(st, id, &row, "s4", 200, "electricity", 2024, 1, 12, 400, 0);
    t_months(st, id, &row, "s4", 200, "gas", 2024, 1, 12, 500, 1);
    t_months(st, id, &row, "s5", 200, "electricity", 2024, 1, 11, 400, 0);
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    store_close(st);
}

/* Run src in the sandbox against the fixture; its result JSON (owned). */
static char *
t_run(const char *src, size_t len)
{
    struct sbx_limits lim;
    struct sbx_result res;
    char             *out;

    sbx_limits_default(&lim);
    lim.memory_bytes = 16 << 20;
    lim.timeout_ms = 5000;
    lim.store_path = t_path;
    if (sbx_run(src, len, &lim, &res) != SBX_OK)
        fprintf(stderr, "%s: %s (line %d)\n", sbx_code_name(res.code),
                res.message, res.line);
    ASSERT_EQ(res.code, SBX_OK);
    out = res.json;
    res.json = NULL;
    sbx_result_clear(&res);
    return out;
}

struct t_rows {
    int  n;
    char line[8][160];
};

static int
t_obs(void *ctx, const struct exp_obs *o, const char *extra, struct cm_err *err)
{
    struct t_rows *t = ctx;

    (void) err;
    ASSERT(extra == NULL);
    ASSERT(t->n < 8);
    snprintf(t->line[t->n++], sizeof(t->line[0]),
             "%s %s %s %s %s %.17g %s %lld %c", o->period, o->territory_level,
             o->territory, o->sector ? o->sector : "-", o->kind, o->value,
             o->unit, (long long) o->n_sites, o->status);
    return CM_OK;
}

static void
test_energy_intensity(void)
{
    struct store             *st;
    struct store_version      v;
    struct store_distribution d[8];
    struct cm_err             err;
    struct ind_result         r;
    struct t_rows             rows;
    size_t                    len, nd;
    int                       found;
    char                     *src = t_read_file(T_SCRIPT, &len), *json, hex[65];
    char                      prov[300];

    json = t_run(src, len);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    if (ind_publish(st, src, len, json, t_data, &r, &err) != CM_OK)
        fprintf(stderr, "%s\n", err.msg);
    ASSERT_STREQ(r.slug, "energy-intensity");
    ASSERT_EQ(r.version, 1);
    ASSERT_EQ(r.unchanged, 0);
    ASSERT_EQ(r.rows, 3);
    ASSERT_EQ(store_version_get(st, "energy-intensity", 0, &v, &found, &err),
              CM_OK);
    ASSERT_EQ(found, 1);
    ASSERT_STREQ(v.origin, "lua");
    ASSERT_STREQ(v.sha256, r.sha256);
    ASSERT_CONTAINS(v.manifest, "\"slug\":\"energy-intensity\"");
    ASSERT_CONTAINS(v.manifest, "\"kinds\":[\"electricity\",\"pv\","
                                "\"gas\",\"heat\"]");
    ASSERT_CONTAINS(v.manifest, "\"territory\":\"site\"");
    ASSERT_CONTAINS(v.manifest, "\"privacy\":{\"policy\":\"open\"}");
    exp_sha256_hex(src, len, hex);
    snprintf(prov, sizeof(prov),
             "\"unit\":\"kWh/m²\",\"script_sha256\":\"%s\",\"reads\":[{"
             "\"slug\":\"energy-site-month\",\"version\":1}]}",
             hex);
    ASSERT_CONTAINS(v.provenance, prov);
    ASSERT_CONTAINS(v.provenance, "{\"method\":\"per building and year: "
                                  "sum of the electricity");
    memset(&rows, 0, sizeof(rows));
    ASSERT_EQ(store_obs_each(st, v.id, t_obs, &rows, &err), CM_OK);
    ASSERT_EQ(rows.n, 3);
    ASSERT_STREQ(rows.line[0], "2023 site s1 - indicator 36 kWh/m² 0 A");
    ASSERT_STREQ(rows.line[1], "2024 site s1 - indicator 120 kWh/m² 0 A");
    ASSERT_STREQ(rows.line[2],
                 "2024 site s2 - indicator 107.81999999999999 kWh/m² 0 A");
    ASSERT_EQ(store_distribution_list(st, v.id, d, 8, &nd, &err), CM_OK);
    ASSERT(nd >= 5);
    for (size_t i = 0; i < nd; i++)
        if (strcmp(d[i].format, "csv") == 0)
            ASSERT_STREQ(d[i].sha256, r.sha256);
    store_version_clear(&v);

    /* The same script on the same data: nothing new. */
    ASSERT_EQ(ind_publish(st, src, len, json, t_data, &r, &err), CM_OK);
    ASSERT_EQ(r.unchanged, 1);
    ASSERT_EQ(r.version, 1);
    store_close(st);
    free(json);
    free(src);
}

static const char t_head[] =
    "{\"indicator\":{\"slug\":\"t-ind\",\"title\":{\"fr\":\"T\"},"
    "\"unit\":\"kWh\",\"method\":\"m\",\"period\":\"year\","
    "\"territory\":\"site\",\"reads\":[\"energy-site-month\"]},"
    "\"observations\":[";

static void
t_refuse(const char *rows, const char *expect)
{
    struct store     *st;
    struct cm_err     err;
    struct ind_result r;
    struct cm_buf     b;

    cm_buf_init(&b);
    cm_buf_printf(&b, "%s%s]}", t_head, rows);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(ind_publish(st, "x", 1, b.data, NULL, &r, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, expect);
    store_close(st);
    cm_buf_clear(&b);
}

static void
test_invalid(void)
{
    struct store     *st;
    struct cm_err     err;
    struct ind_result r;
    struct sbx_limits lim;
    struct sbx_result res;
    const char        nan_src[] =
        "return {indicator = {}, observations = {{value = 0/0}}}";
    int                  found;
    struct store_version v;

    t_refuse("{\"period\":\"2024\",\"territory\":\"56121\",\"value\":1},"
             "{\"period\":\"2024\",\"territory\":\"56098\",\"value\":1e999}",
             "observations[2].value: not a finite number");
    t_refuse("{\"period\":\"2024\",\"territory\":\"56121\",\"value\":\"NaN\"}",
             "observations[1].value: not a finite number");
    t_refuse("{\"period\":\"2024\",\"territory\":\"56121\",\"value\":null}",
             "observations[1].value: required");
    t_refuse("{\"period\":\"2024\",\"territory\":\"56121\",\"value\":1},"
             "{\"period\":\"2024-01\",\"territory\":\"56121\",\"value\":1}",
             "observations[2].period: '2024-01' is not a year period (YYYY)");
    t_refuse("{\"period\":\"2024\",\"value\":1}",
             "observations[1].territory: required");
    t_refuse("{\"period\":\"2024\",\"territory\":\"a\",\"sector\":3,"
             "\"value\":1}",
             "observations[1].sector: expected a string");
    t_refuse("{\"period\":\"2024\",\"territory\":\"a\",\"kind\":\"x\","
             "\"value\":1}",
             "observations[1].kind: unknown dimension");
    t_refuse("{\"period\":\"2024\",\"territory\":\"a\",\"value\":1},"
             "{\"period\":\"2024\",\"territory\":\"a\",\"value\":2}",
             "observations[2]: same period, territory and sector as "
             "observations[1]");

    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
#define T_BAD(json, expect)                                                    \
    do {                                                                       \
        ASSERT_EQ(ind_publish(st, "x", 1, json, NULL, &r, &err), CM_EINVAL);   \
        ASSERT_CONTAINS(err.msg, expect);                                      \
    } while (0)
    T_BAD("{\"indicator\":{\"slug\":\"a\",\"unit\":\"kWh\",\"method\":\"m\","
          "\"period\":\"year\",\"territory\":\"site\"},\"observations\":[{"
          "\"period\":\"2024\",\"territory\":\"a\",\"value\":1}]}",
          "indicator.title.fr: required");
    T_BAD("{\"indicator\":{\"slug\":\"A b\",\"title\":{\"fr\":\"T\"}}}",
          "indicator.slug");
    T_BAD("{\"indicator\":{\"slug\":\"a\",\"title\":{\"fr\":\"T\"},"
          "\"unit\":\"\"}}",
          "indicator.unit: empty");
    T_BAD("{\"indicator\":{\"slug\":\"a\",\"title\":{\"fr\":\"T\"},"
          "\"unit\":\"u\",\"method\":\"m\",\"period\":\"week\"}}",
          "indicator.period");
    T_BAD("[1,2]", "the result is not");
    T_BAD("{\"indicator\":{\"slug\":\"a\",\"title\":{\"fr\":\"T\"},"
          "\"unit\":\"u\",\"method\":\"m\",\"period\":\"year\","
          "\"territory\":\"region\"}}",
          "indicator.territory: one of site, district, commune, epci, not "
          "\"region\"");
    T_BAD("{\"indicator\":{\"slug\":\"a\",\"title\":{\"fr\":\"T\"},"
          "\"unit\":\"u\",\"method\":\"m\",\"period\":\"year\","
          "\"territory\":\"site\"},\"observations\":[{"
          "\"period\":\"2024\",\"territory\":\"a\",\"value\":1}]}",
          "indicator.reads: name at least one");
    T_BAD("{\"indicator\":{\"slug\":\"a\",\"title\":{\"fr\":\"T\"},"
          "\"unit\":\"u\",\"method\":\"m\",\"period\":\"year\","
          "\"territory\":\"site\",\"reads\":[\"nope\"]},\"observations\":[{"
          "\"period\":\"2024\",\"territory\":\"a\",\"value\":1}]}",
          "indicator.reads[1]: no published dataset 'nope'");
    /* Nothing of the refused ones was written. */
    ASSERT_EQ(store_version_get(st, "t-ind", 0, &v, &found, &err), CM_OK);
    ASSERT_EQ(found, 0);
    ASSERT_EQ(store_version_get(st, "a", 0, &v, &found, &err), CM_OK);
    ASSERT_EQ(found, 0);
    /* A dataset drawn from readings cannot be overwritten by a script. */
    ASSERT_EQ(ind_publish(st, "x", 1,
                          "{\"indicator\":{\"slug\":\"energy-site-month\","
                          "\"title\":{\"fr\":\"T\"},\"unit\":\"u\","
                          "\"method\":\"m\",\"period\":\"year\","
                          "\"territory\":\"site\",\"reads\":["
                          "\"energy-site-month\"]},\"observations\":[{"
                          "\"period\":\"2024\",\"territory\":\"a\","
                          "\"value\":1}]}",
                          NULL, &r, &err),
              CM_ECONFLICT);
    store_close(st);

    /* NaN never leaves the sandbox: JSON cannot carry it. */
    sbx_limits_default(&lim);
    lim.timeout_ms = 5000;
    ASSERT_EQ(sbx_run(nan_src, strlen(nan_src), &lim, &res),
              SBX_INVALID_OUTPUT);
    sbx_result_clear(&res);
}

/* A new result publishes version 2, with what it read as provenance. */
static void
test_republish(void)
{
    struct store     *st;
    struct cm_err     err;
    struct ind_result r;
    struct cm_buf     b;

    cm_buf_init(&b);
    cm_buf_printf(&b,
                  "%s{\"period\":\"2024\",\"territory\":\"56121\","
                  "\"sector\":\"education\",\"value\":12.5}]}",
                  t_head);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(ind_publish(st, "a", 1, b.data, NULL, &r, &err), CM_OK);
    ASSERT_EQ(r.version, 1);
    ASSERT_EQ(ind_publish(st, "b", 1, b.data, NULL, &r, &err), CM_OK);
    ASSERT_EQ(r.unchanged, 1);
    cm_buf_clear(&b);
    cm_buf_printf(&b,
                  "%s{\"period\":\"2024\",\"territory\":\"56121\","
                  "\"sector\":\"education\",\"value\":13}]}",
                  t_head);
    ASSERT_EQ(ind_publish(st, "a", 1, b.data, NULL, &r, &err), CM_OK);
    ASSERT_EQ(r.unchanged, 0);
    ASSERT_EQ(r.version, 2);
    ASSERT_EQ(r.rows, 1);
    /* Same rows, another method: a new version too. */
    cm_buf_clear(&b);
    cm_buf_printf(&b, "%s%s", "{\"indicator\":{\"slug\":\"t-ind\",",
                  strstr(t_head, "\"title\""));
    memcpy(strstr(b.data, "\"m\""), "\"n\"", 3);
    cm_buf_printf(&b, "{\"period\":\"2024\",\"territory\":\"56121\","
                      "\"sector\":\"education\",\"value\":13}]}");
    ASSERT_EQ(ind_publish(st, "a", 1, b.data, NULL, &r, &err), CM_OK);
    ASSERT_EQ(r.unchanged, 0);
    ASSERT_EQ(r.version, 3);
    cm_buf_clear(&b);
    store_close(st);
}

/*
** Another territory level: an indicator per commune (or district, EPCI)
** publishes the same way, its definition "aggregated" with thresholds
** that withhold nothing (its inputs are public already); the rows keep
** their checks (grain, duplicates).
*/
static void
test_levels(void)
{
    struct store        *st;
    struct cm_err        err;
    struct ind_result    r;
    struct store_version v;
    int                  found;
    static const char    head[] =
        "{\"indicator\":{\"slug\":\"t-commune\",\"title\":{\"fr\":\"T\"},"
        "\"unit\":\"kWh\",\"method\":\"m\",\"period\":\"month\","
        "\"territory\":\"commune\",\"reads\":[\"energy-site-month\"]},"
        "\"observations\":[";
    struct cm_buf b;

    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    cm_buf_init(&b);
    cm_buf_printf(&b,
                  "%s{\"period\":\"2024-01\",\"territory\":\"56121\","
                  "\"sector\":\"education\",\"value\":2},{\"period\":"
                  "\"2024-01\",\"territory\":\"56121\",\"sector\":\"_T\","
                  "\"value\":3}]}",
                  head);
    if (ind_publish(st, "c", 1, b.data, NULL, &r, &err) != CM_OK)
        fprintf(stderr, "%s\n", err.msg);
    ASSERT_EQ(r.version, 1);
    ASSERT_EQ(r.rows, 2);
    ASSERT_EQ(store_version_get(st, "t-commune", 0, &v, &found, &err), CM_OK);
    ASSERT_EQ(found, 1);
    ASSERT_CONTAINS(v.manifest, "\"territory\":\"commune\"");
    ASSERT_CONTAINS(v.manifest, "\"privacy\":{\"policy\":\"aggregated\","
                                "\"households\":false,\"min_sites\":1,"
                                "\"max_share\":1}");
    store_version_clear(&v);
    cm_buf_clear(&b);
    cm_buf_printf(&b,
                  "%s{\"period\":\"2024\",\"territory\":\"56121\","
                  "\"value\":2}]}",
                  head);
    ASSERT_EQ(ind_publish(st, "c", 1, b.data, NULL, &r, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "observations[1].period: '2024' is not a month");
    cm_buf_clear(&b);
    cm_buf_printf(&b,
                  "%s{\"period\":\"2024-01\",\"territory\":\"56121\","
                  "\"sector\":\"_T\",\"value\":2},{\"period\":\"2024-01\","
                  "\"territory\":\"56121\",\"sector\":\"_T\",\"value\":3}]}",
                  head);
    ASSERT_EQ(ind_publish(st, "c", 1, b.data, NULL, &r, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "observations[2]: same period, territory and "
                             "sector as observations[1]");
    cm_buf_clear(&b);
    store_close(st);
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    t_fixture();
    RUN(test_energy_intensity);
    RUN(test_invalid);
    RUN(test_republish);
    RUN(test_levels);
    return 0;
}
