/*
** test_indicators_co2.c -- the built-in carbon indicators of
** scripts-lua/indicators run in the sandbox over a small store written
** here (an energy-site-year version and a few days of download counts),
** published through ind_publish, and their values checked against
** numbers computed by hand below from the reference factors of
** migration 0009: co2-emissions, co2-avoided, co2-avoided-car-km and
** downloads-footprint.
*/
#include <math.h>
#include <signal.h>
#include <time.h>

#include <sqlite3.h>

#include "exp.h"
#include "ind.h"
#include "mem.h"
#include "sbx.h"
#include "store.h"
#include "../t.h"

#define T_DIR CM_DEFAULT_DATASETS_DIR "/../scripts-lua/indicators/"

static const struct store_opts t_create = {1, 1, 5000, 0};
static char                    t_path[1200];
static char                    t_data[1000];
static char                    t_year[8]; /* The current UTC year */

#define T_ROW(period, site, kind, value, null, status)                         \
    {                                                                          \
        period, "site", site, NULL, kind, value, null, "kWh", 1, status        \
    }

/*
** energy-site-year, kWh. The factors in force (reference_factor, the
** latest year not after the row's), kg CO2e per kWh:
**   co2.electricity   2021: 0.055  2022: 0.073 (none before 2021)
**   co2.gas.pcs       2006: 0.2108 2021: 0.2045
**   co2.gas (PCI)     2006: 0.234  2021: 0.227
**   co2.heat_network  2012: 0.200  2022: 0.112
**   efficiency.gas_boiler: 0.9 (every year); co2.car.km 2011: 0.218/km
*/
static void
t_fixture(void)
{
    struct store            *st;
    struct cm_err            err;
    int64_t                  id, number;
    struct store_version_new v = {"energy-site-year",
                                  "manifest",
                                  "{\"slug\":\"energy-site-year\","
                                  "\"title\":{\"fr\":\"Énergie\"},"
                                  "\"spatial\":\"EPCI 200042174\","
                                  "\"period\":\"year\",\"territory\":\"site\","
                                  "\"kinds\":[\"electricity\",\"gas\","
                                  "\"heat\",\"pv\"],\"privacy\":{\"policy\":"
                                  "\"open\"}}",
                                  "energy",
                                  "2026-11-30T10:00:00Z",
                                  0,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL};
    struct exp_obs           obs[] = {
                  T_ROW("2019", "s5", "gas", 1000, 0, 'A'),
                  T_ROW("2020", "s1", "electricity", 10000, 0, 'A'),
                  T_ROW("2021", "s1", "electricity", 10000, 0, 'A'),
                  T_ROW("2021", "s6", "heat", 9000, 0, 'A'),
                  T_ROW("2022", "s1", "electricity", 10000, 0, 'A'),
                  T_ROW("2022", "s1", "gas", 20000, 0, 'A'),
                  T_ROW("2022", "s6", "heat", 9000, 0, 'A'),
                  T_ROW("2024", "s2", "electricity", 1000, 0, 'A'),
                  T_ROW("2024", "s2", "heat", 5000, 0, 'A'),
                  T_ROW("2024", "s3", "electricity", 100, 0, 'A'),
                  T_ROW("2024", "s3", "gas", 0, 1, 'C'),
                  T_ROW("2024", "s4", "pv", 999, 0, 'A'),
                  T_ROW("2024", "s7", "heat", 0, 1, 'C'),
    };
    int       n = (int) (sizeof(obs) / sizeof(obs[0]));
    time_t    now = time(NULL);
    struct tm tm;
    sqlite3  *db;
    char      sql[512];

    gmtime_r(&now, &tm);
    strftime(t_year, sizeof(t_year), "%Y", &tm);
    snprintf(t_data, sizeof(t_data), "%.900s", t_tmpdir("indco2"));
    snprintf(t_path, sizeof(t_path), "%s/consometer.db", t_data);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    v.n_observations = n;
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    for (int i = 0; i < n; i++)
        ASSERT_EQ(store_obs_add(st, id, i, &obs[i], NULL, &err), CM_OK);
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    store_close(st);

    /* Download counts as dl.c writes them (per UTC day, dataset, format):
    ** 2025 energy-site-year 0.5 + 1.5 GB, a dataset no longer published,
    ** and this year 0.25 GB of co2-emissions. */
    snprintf(sql, sizeof(sql),
             "INSERT INTO download_day VALUES "
             "('2025-03-01', 'energy-site-year', 'csv', 2, 500000000), "
             "('2025-07-14', 'energy-site-year', 'zip', 1, 1500000000), "
             "('2025-12-31', 'old-dataset', 'json', 1, 1000000), "
             "('%s-01-01', 'co2-emissions', 'csv', 4, 250000000)",
             t_year);
    ASSERT_EQ(sqlite3_open(t_path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

struct t_rows {
    int    n;
    char   line[16][160]; /* period level territory sector unit */
    double value[16];
};

static int
t_obs(void *ctx, const struct exp_obs *o, const char *extra, struct cm_err *err)
{
    struct t_rows *t = ctx;

    (void) extra;
    (void) err;
    ASSERT(t->n < 16);
    ASSERT(o->status == 'A' && !o->value_null);
    snprintf(t->line[t->n], sizeof(t->line[0]), "%s %s %s %s %s", o->period,
             o->territory_level, o->territory, o->sector ? o->sector : "-",
             o->unit);
    t->value[t->n++] = o->value;
    return CM_OK;
}

/* Run scripts-lua/indicators/<name>, publish its result, fill *rows
** with the version's observations. */
static void
t_publish(const char *name, const char *slug, struct t_rows *rows)
{
    struct sbx_limits    lim;
    struct sbx_result    res;
    struct store        *st;
    struct store_version v;
    struct ind_result    r;
    struct cm_err        err;
    char                 path[1200];
    size_t               len;
    int                  found;
    char                *src;

    snprintf(path, sizeof(path), "%s%s", T_DIR, name);
    src = t_read_file(path, &len);
    sbx_limits_default(&lim);
    lim.memory_bytes = 16 << 20;
    lim.timeout_ms = 30000; /* Under ASan and a loaded machine */
    lim.store_path = t_path;
    if (sbx_run(src, len, &lim, &res) != SBX_OK)
        fprintf(stderr, "%s: %s: %s (line %d)\n", name, sbx_code_name(res.code),
                res.message, res.line);
    ASSERT_EQ(res.code, SBX_OK);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    if (ind_publish(st, src, len, res.json, t_data, &r, &err) != CM_OK)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    ASSERT_STREQ(r.slug, slug);
    ASSERT_EQ(r.version, 1);
    ASSERT_EQ(store_version_get(st, slug, 0, &v, &found, &err), CM_OK);
    ASSERT_EQ(found, 1);
    memset(rows, 0, sizeof(*rows));
    ASSERT_EQ(store_obs_each(st, v.id, t_obs, rows, &err), CM_OK);
    ASSERT_EQ(rows->n, r.rows);
    store_version_clear(&v);
    store_close(st);
    sbx_result_clear(&res);
    free(src);
}

static void
t_expect(const struct t_rows *rows, int i, const char *line, double value)
{
    if (strcmp(rows->line[i], line) != 0 || fabs(rows->value[i] - value) > 1e-9)
        fprintf(stderr, "row %d: \"%s\" %.17g, want \"%s\" %.17g\n", i,
                rows->line[i], rows->value[i], line, value);
    ASSERT_STREQ(rows->line[i], line);
    ASSERT(fabs(rows->value[i] - value) <= 1e-9);
}

/*
** kg CO2e = sum of kWh x factor, rounded to 0.1:
**   2019 s5: gas 1000 x 0.2108                        = 210.8
**   2020 s1: no electricity factor before 2021        -> no row
**   2021 s1: 10000 x 0.055                            = 550
**   2021 s6: heat 9000 x 0.200 (the 2012 value)       = 1800
**   2022 s1: 10000 x 0.073 + 20000 x 0.2045 = 730 + 4090 = 4820
**   2022 s6: 9000 x 0.112                             = 1008
**   2024 s2: 1000 x 0.073 + 5000 x 0.112 = 73 + 560   = 633
**   2024 s3: its gas suppressed; s4: pv only; s7: heat suppressed -> none
*/
static void
test_emissions(void)
{
    struct t_rows rows;

    t_publish("co2-emissions.lua", "co2-emissions", &rows);
    ASSERT_EQ(rows.n, 6);
    t_expect(&rows, 0, "2019 site s5 - kg CO2e", 210.8);
    t_expect(&rows, 1, "2021 site s1 - kg CO2e", 550);
    t_expect(&rows, 2, "2021 site s6 - kg CO2e", 1800);
    t_expect(&rows, 3, "2022 site s1 - kg CO2e", 4820);
    t_expect(&rows, 4, "2022 site s6 - kg CO2e", 1008);
    t_expect(&rows, 5, "2024 site s2 - kg CO2e", 633);
}

/*
** Avoided kg CO2e = heat x (co2.gas / 0.9 - co2.heat_network), 0.1:
**   2021 s6: 9000 x 0.227 / 0.9 = 2270; 9000 x 0.200 = 1800 -> 470
**   2022 s6: 2270 - 9000 x 0.112 = 2270 - 1008            -> 1262
**   2024 s2: 5000 x 0.227 / 0.9 = 1261.111...; - 560 = 701.111... -> 701.1
**   2024 s7: heat suppressed -> no row
** As km of an average car, / 0.218 from the unrounded kg, to 1 km:
**   470 / 0.218 = 2155.96 -> 2156; 1262 / 0.218 = 5788.99 -> 5789;
**   701.111 / 0.218 = 3216.11 -> 3216
*/
static void
test_avoided(void)
{
    struct t_rows rows;

    t_publish("co2-avoided.lua", "co2-avoided", &rows);
    ASSERT_EQ(rows.n, 3);
    t_expect(&rows, 0, "2021 site s6 - kg CO2e", 470);
    t_expect(&rows, 1, "2022 site s6 - kg CO2e", 1262);
    t_expect(&rows, 2, "2024 site s2 - kg CO2e", 701.1);

    t_publish("co2-avoided-car-km.lua", "co2-avoided-car-km", &rows);
    ASSERT_EQ(rows.n, 3);
    t_expect(&rows, 0, "2021 site s6 - km", 2156);
    t_expect(&rows, 1, "2022 site s6 - km", 5789);
    t_expect(&rows, 2, "2024 site s2 - km", 3216);
}

/*
** g CO2e = bytes / 1e9 x 0.0492 kg/GB (co2.network.mobile, 2022) x 1000,
** to 0.001 g, per dataset and year, territory the EPCI of "spatial":
**   2025 energy-site-year: (5e8 + 1.5e9) B = 2 GB x 49.2 g  = 98.4
**   2025 old-dataset: 1e6 B = 0.001 GB x 49.2 = 0.0492      -> 0.049
**   this year co2-emissions: 0.25 GB x 49.2                 = 12.3
**   this year, every other dataset published now: 0
*/
static void
test_footprint(void)
{
    struct t_rows            rows;
    char                     line[160];
    static const char *const zero[] = {"co2-avoided", "co2-avoided-car-km",
                                       NULL, "energy-site-year"};

    t_publish("downloads-footprint.lua", "downloads-footprint", &rows);
    ASSERT_EQ(rows.n, 6);
    t_expect(&rows, 0, "2025 epci 200042174 energy-site-year g CO2e", 98.4);
    t_expect(&rows, 1, "2025 epci 200042174 old-dataset g CO2e", 0.049);
    for (int i = 0; i < 4; i++) {
        snprintf(line, sizeof(line), "%s epci 200042174 %s g CO2e", t_year,
                 zero[i] ? zero[i] : "co2-emissions");
        t_expect(&rows, 2 + i, line, zero[i] ? 0 : 12.3);
    }
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    t_fixture();
    RUN(test_emissions);
    RUN(test_avoided);
    RUN(test_footprint);
    return 0;
}
