/*
** test_indicators.c -- the built-in indicators of scripts-lua/indicators/
** against values computed by hand. A small store holds hand-written
** published versions of the datasets they read (energy-site-month,
** temperature-site-day, electricity-site-hour, pv-site-hour), with round
** numbers so each expected value can be worked out on paper: the
** arithmetic is in the comments. Each script runs in the sandbox as the
** demo runs it, its result is published through ind_publish, and the
** published rows are compared with those numbers.
*/
#include <math.h>
#include <signal.h>

#include "ds_manifest.h"
#include "exp.h"
#include "ind.h"
#include "mem.h"
#include "pub.h"
#include "sbx.h"
#include "store.h"
#include "ts.h"
#include "../t.h"

#define T_DIR CM_DEFAULT_DATASETS_DIR "/../scripts-lua/indicators/"

static const struct store_opts t_create = {1, 1, 5000, 0};
static char                    t_path[1200];
static char                    t_data[1000];

/* ---- the fixture -------------------------------------------------------- */

struct t_ds { /* One version being written */
    struct store *st;
    int64_t       id, n;
};

static void
t_ds_begin(struct t_ds *d, struct store *st, const char *slug,
           const char *manifest)
{
    struct store_version_new v;
    struct cm_err            err;
    int64_t                  number;

    memset(&v, 0, sizeof(v));
    v.slug = slug;
    v.origin = "manifest";
    v.manifest = manifest;
    v.search_text = slug;
    v.published_at = "2026-11-30T10:00:00Z";
    d->st = st;
    d->n = 0;
    ASSERT_EQ(store_version_create(st, &v, &d->id, &number, &err), CM_OK);
}

static void
t_ds_end(struct t_ds *d)
{
    struct cm_err err;

    ASSERT_EQ(store_dataset_set_latest(d->st, d->id, &err), CM_OK);
}

/* One published cell of a per-site dataset; null: suppressed ('C'). */
static void
t_cell(struct t_ds *d, const char *period, const char *site, const char *sector,
       const char *kind, double value, int null, const char *extra)
{
    struct exp_obs o;
    struct cm_err  err;

    memset(&o, 0, sizeof(o));
    o.period = period;
    o.territory_level = "site";
    o.territory = site;
    o.sector = sector;
    o.kind = kind;
    o.value = value;
    o.value_null = null;
    o.unit = strcmp(kind, "temperature") == 0 ? "degC" : "kWh";
    o.n_sites = 1;
    o.status = null ? 'C' : 'A';
    ASSERT_EQ(store_obs_add(d->st, d->id, d->n++, &o, extra, &err), CM_OK);
}

/* Months from..to of 'year', each 'kwh', into energy-site-month. */
static void
t_months(struct t_ds *d, const char *site, const char *sector, double area,
         const char *kind, int year, int from, int to, double kwh)
{
    char period[16], extra[64];

    snprintf(extra, sizeof(extra), "{\"floor_area_m2\":%g}", area);
    for (int m = from; m <= to; m++) {
        snprintf(period, sizeof(period), "%04d-%02d", year, m);
        t_cell(d, period, site, sector, kind, kwh, 0, area > 0 ? extra : NULL);
    }
}

/* The local hour 'h' of day 'days' (days since 1970-01-01). */
static void
t_hour(char out[24], int64_t days, int h)
{
    int y, m, md;

    ts_civil_from_days(days, &y, &m, &md);
    snprintf(out, 24, "%04d-%02d-%02dT%02d", y, m, md, h);
}

#define T_SPATIAL "\"spatial\":\"EPCI 200042174\","

/*
** energy-site-month, 2024 unless said (kWh a month x months = a year):
**   a1 administration 1000 m²: electricity 2000 x 12 = 24000,
**                              gas 3000 x 12 = 36000;
**                       2023:  electricity 2000 x 12 = 24000,
**                              gas 2500 x 12 = 30000
**   e1 education 500 m²:  electricity 1000 x 12 = 12000,
**                         heat 2000 x 12 = 24000, pv 300 x 12 = 3600;
**                   2025: heat 100 x 12 = 1200
**   e2 education 1500 m²: electricity 1500 x 12 = 18000,
**                         gas 4000 x 12 = 48000,
**                         solar_thermal 500 x 12 = 6000
**   e3 education 200 m²:  electricity 100 x 11 (January to November)
**   s1 sport 800 m²:      electricity 1000 x 12, gas 500 x 11 and its
**                         December suppressed
**   x1 no category, 100 m²: electricity 500 x 12 = 6000
** temperature-site-day, station t1: every day of 2024 (366) and
** 2025-01-01; (Tn, Tx) = (5, 15) from January to March (91 days), (20, 30)
** from April to September (183 days), (10, 20) from October to December
** (92 days).
** electricity-site-hour and pv-site-hour (kWh an hour):
**   p1, June 2024 (30 days, 720 hours): electricity 2 at 00h-07h and
**       20h-23h, 10 at 08h-19h, except 2024-06-10T12 missing (719 hours);
**       pv 0 at night, at 08h-19h 6 on the 1st to the 15th and 14 on the
**       16th to the 30th (720 hours); and 2024-07-01T00: 2 and 0.
**   d1, October 2024 (31 days, 744 local hour names for 745 hours):
**       electricity 3, except 5 at 09h-17h and 6 at 2024-10-27T02, the
**       repeated hour (two hours of 3); and 2024-11-01T00: 3.
*/
static void
t_fixture(void)
{
    struct store *st;
    struct cm_err err;
    struct t_ds   d;
    int64_t       jan1 = ts_days_from_civil(2024, 1, 1);
    char          p[24];

    snprintf(t_data, sizeof(t_data), "%.900s", t_tmpdir("indicators"));
    snprintf(t_path, sizeof(t_path), "%s/consometer.db", t_data);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(store_begin(st, &err), CM_OK);

    t_ds_begin(
        &d, st, "energy-site-month",
        "{\"slug\":\"energy-site-month\",\"title\":{\"fr\":\"É\"}," T_SPATIAL
        "\"kinds\":[\"electricity\",\"pv\",\"gas\",\"heat\","
        "\"solar_thermal\"],\"period\":\"month\",\"territory\":"
        "\"site\",\"by_sector\":true,\"privacy\":{\"policy\":"
        "\"open\"}}");
    t_months(&d, "a1", "administration", 1000, "electricity", 2023, 1, 12,
             2000);
    t_months(&d, "a1", "administration", 1000, "gas", 2023, 1, 12, 2500);
    t_months(&d, "a1", "administration", 1000, "electricity", 2024, 1, 12,
             2000);
    t_months(&d, "a1", "administration", 1000, "gas", 2024, 1, 12, 3000);
    t_months(&d, "e1", "education", 500, "electricity", 2024, 1, 12, 1000);
    t_months(&d, "e1", "education", 500, "heat", 2024, 1, 12, 2000);
    t_months(&d, "e1", "education", 500, "pv", 2024, 1, 12, 300);
    t_months(&d, "e1", "education", 500, "heat", 2025, 1, 12, 100);
    t_months(&d, "e2", "education", 1500, "electricity", 2024, 1, 12, 1500);
    t_months(&d, "e2", "education", 1500, "gas", 2024, 1, 12, 4000);
    t_months(&d, "e2", "education", 1500, "solar_thermal", 2024, 1, 12, 500);
    t_months(&d, "e3", "education", 200, "electricity", 2024, 1, 11, 100);
    t_months(&d, "s1", "sport", 800, "electricity", 2024, 1, 12, 1000);
    t_months(&d, "s1", "sport", 800, "gas", 2024, 1, 11, 500);
    t_cell(&d, "2024-12", "s1", "sport", "gas", 0, 1,
           "{\"floor_area_m2\":800}");
    t_months(&d, "x1", NULL, 100, "electricity", 2024, 1, 12, 500);
    t_ds_end(&d);

    t_ds_begin(
        &d, st, "temperature-site-day",
        "{\"slug\":\"temperature-site-day\",\"title\":{\"fr\":\"T\"}," T_SPATIAL
        "\"kinds\":[\"temperature\"],\"period\":\"day\","
        "\"territory\":\"site\",\"measures\":[\"min\",\"max\"],"
        "\"privacy\":{\"policy\":\"open\"}}");
    for (int64_t day = jan1; day <= jan1 + 366; day++) {
        int  y, m, md;
        int  tn = 5, tx = 15;
        char extra[64];

        ts_civil_from_days(day, &y, &m, &md);
        if (y == 2024 && m >= 4 && m <= 9)
            tn = 20, tx = 30;
        else if (y == 2024 && m >= 10)
            tn = 10, tx = 20;
        snprintf(p, sizeof(p), "%04d-%02d-%02d", y, m, md);
        snprintf(extra, sizeof(extra), "{\"min\":%d,\"max\":%d}", tn, tx);
        t_cell(&d, p, "t1", NULL, "temperature", (tn + tx) / 2.0, 0, extra);
    }
    t_ds_end(&d);

    t_ds_begin(&d, st, "electricity-site-hour",
               "{\"slug\":\"electricity-site-hour\",\"title\":{\"fr\":\"E\"},"
               "\"kinds\":[\"electricity\"],\"period\":\"hour\","
               "\"territory\":\"site\",\"privacy\":{\"policy\":\"open\"}}");
    for (int64_t day = ts_days_from_civil(2024, 6, 1);
         day <= ts_days_from_civil(2024, 6, 30); day++)
        for (int h = 0; h < 24; h++) {
            t_hour(p, day, h);
            if (strcmp(p, "2024-06-10T12") != 0)
                t_cell(&d, p, "p1", NULL, "electricity",
                       h >= 8 && h <= 19 ? 10 : 2, 0, NULL);
        }
    t_cell(&d, "2024-07-01T00", "p1", NULL, "electricity", 2, 0, NULL);
    for (int64_t day = ts_days_from_civil(2024, 10, 1);
         day <= ts_days_from_civil(2024, 10, 31); day++)
        for (int h = 0; h < 24; h++) {
            t_hour(p, day, h);
            t_cell(&d, p, "d1", NULL, "electricity",
                   strcmp(p, "2024-10-27T02") == 0 ? 6
                   : h >= 9 && h <= 17             ? 5
                                                   : 3,
                   0, NULL);
        }
    t_cell(&d, "2024-11-01T00", "d1", NULL, "electricity", 3, 0, NULL);
    t_ds_end(&d);

    t_ds_begin(&d, st, "pv-site-hour",
               "{\"slug\":\"pv-site-hour\",\"title\":{\"fr\":\"PV\"},"
               "\"kinds\":[\"pv\"],\"period\":\"hour\",\"territory\":"
               "\"site\",\"privacy\":{\"policy\":\"open\"}}");
    for (int64_t day = ts_days_from_civil(2024, 6, 1);
         day <= ts_days_from_civil(2024, 6, 30); day++)
        for (int h = 0; h < 24; h++) {
            int64_t md = day - ts_days_from_civil(2024, 6, 1) + 1;

            t_hour(p, day, h);
            t_cell(&d, p, "p1", NULL, "pv",
                   h < 8 || h > 19 ? 0
                   : md <= 15      ? 6
                                   : 14,
                   0, NULL);
        }
    t_cell(&d, "2024-07-01T00", "p1", NULL, "pv", 0, 0, NULL);
    t_ds_end(&d);

    ASSERT_EQ(store_commit(st, &err), CM_OK);
    store_close(st);
}

/* ---- running and publishing a script ------------------------------------ */

#define T_MAX_ROWS 16

struct t_rows {
    int  n;
    char line[T_MAX_ROWS][128];
};

static int
t_obs(void *ctx, const struct exp_obs *o, const char *extra, struct cm_err *err)
{
    struct t_rows *t = ctx;

    (void) extra;
    (void) err;
    ASSERT(t->n < T_MAX_ROWS);
    ASSERT_STREQ(o->kind, "indicator");
    ASSERT_EQ(o->status, 'A');
    /* %.10g: the scripts round to 0.01 or 1, the double's last digits
    ** are noise */
    snprintf(t->line[t->n++], sizeof(t->line[0]), "%s %s %s %s %.10g %s",
             o->period, o->territory_level, o->territory,
             o->sector ? o->sector : "-", o->value, o->unit);
    return CM_OK;
}

/*
** Run scripts-lua/indicators/<name>.lua over the fixture, publish its
** result, and fill *rows with the published rows (in the version's
** order: period, territory, sector). *manifest: the version's (owned).
*/
static void
t_publish(const char *name, struct t_rows *rows, char **manifest)
{
    struct sbx_limits    lim;
    struct sbx_result    res;
    struct store        *st;
    struct store_version v;
    struct ind_result    r;
    struct cm_err        err;
    char                 path[256];
    size_t               len;
    char                *src;
    int                  found;

    snprintf(path, sizeof(path), "%s%s.lua", T_DIR, name);
    src = t_read_file(path, &len);
    sbx_limits_default(&lim);
    lim.memory_bytes = 32 << 20;
    lim.timeout_ms = 10000;
    lim.store_path = t_path;
    if (sbx_run(src, len, &lim, &res) != SBX_OK)
        fprintf(stderr, "%s: %s: %s (line %d)\n", name, sbx_code_name(res.code),
                res.message, res.line);
    ASSERT_EQ(res.code, SBX_OK);
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    if (ind_publish(st, src, len, res.json, NULL, &r, &err) != CM_OK)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    ASSERT_STREQ(r.slug, name);
    ASSERT_EQ(store_version_get(st, name, 0, &v, &found, &err), CM_OK);
    ASSERT_EQ(found, 1);
    ASSERT_STREQ(v.origin, "lua");
    memset(rows, 0, sizeof(*rows));
    ASSERT_EQ(store_obs_each(st, v.id, t_obs, rows, &err), CM_OK);
    ASSERT_EQ(rows->n, r.rows);
    if (manifest)
        *manifest = cm_strdup(v.manifest);
    store_version_clear(&v);
    store_close(st);
    sbx_result_clear(&res);
    free(src);
}

/* ---- the indicators ------------------------------------------------------ */

/*
** Per building and year, (electricity + gas + heat) / floor area:
**   2023 a1: (24000 + 30000) / 1000       = 54
**   2024 a1: (24000 + 36000) / 1000       = 60
**   2024 e1: (12000 + 24000) / 500        = 72    (pv left out)
**   2024 e2: (18000 + 48000) / 1500       = 44    (solar thermal left out)
**   2024 x1: 6000 / 100                   = 60
**   2025 e1: 1200 / 500                   = 2.4
**   e3 (11 months) and s1 (a suppressed month): no row.
*/
static void
test_energy_intensity(void)
{
    struct t_rows r;

    t_publish("energy-intensity", &r, NULL);
    ASSERT_EQ(r.n, 6);
    ASSERT_STREQ(r.line[0], "2023 site a1 - 54 kWh/m²");
    ASSERT_STREQ(r.line[1], "2024 site a1 - 60 kWh/m²");
    ASSERT_STREQ(r.line[2], "2024 site e1 - 72 kWh/m²");
    ASSERT_STREQ(r.line[3], "2024 site e2 - 44 kWh/m²");
    ASSERT_STREQ(r.line[4], "2024 site x1 - 60 kWh/m²");
    ASSERT_STREQ(r.line[5], "2025 site e1 - 2.4 kWh/m²");
}

/*
** Per category and year, sum of kWh / sum of m² (not the mean of the
** buildings' intensities), territory the EPCI of the dataset's spatial:
**   2023 administration: 54000 / 1000                        = 54
**   2023 _T:             the same                            = 54
**   2024 administration: 60000 / 1000                        = 60
**   2024 education:      (36000 + 66000) / (500 + 1500)
**                        = 102000 / 2000                     = 51
**                        (the mean of 72 and 44 would be 58; e3 with 11
**                        months is left out)
**   2024 _T:             (60000 + 36000 + 66000 + 6000)
**                        / (1000 + 500 + 1500 + 100)
**                        = 168000 / 3100 = 54.1935...        = 54.19
**                        (x1, without a category, counts here only)
**   2025 education and _T: 1200 / 500                        = 2.4
**   sport: s1 has a suppressed month, so no row.
*/
static void
test_energy_intensity_category(void)
{
    struct t_rows r;
    char         *manifest;

    t_publish("energy-intensity-category", &r, &manifest);
    ASSERT_EQ(r.n, 7);
    ASSERT_STREQ(r.line[0], "2023 epci 200042174 _T 54 kWh/m²");
    ASSERT_STREQ(r.line[1], "2023 epci 200042174 administration 54 kWh/m²");
    ASSERT_STREQ(r.line[2], "2024 epci 200042174 _T 54.19 kWh/m²");
    ASSERT_STREQ(r.line[3], "2024 epci 200042174 administration 60 kWh/m²");
    ASSERT_STREQ(r.line[4], "2024 epci 200042174 education 51 kWh/m²");
    ASSERT_STREQ(r.line[5], "2025 epci 200042174 _T 2.4 kWh/m²");
    ASSERT_STREQ(r.line[6], "2025 epci 200042174 education 2.4 kWh/m²");
    /* An EPCI level: a definition of policy "aggregated" that withholds
    ** nothing (ind.c) */
    ASSERT_CONTAINS(manifest, "\"territory\":\"epci\"");
    ASSERT_CONTAINS(manifest, "\"policy\":\"aggregated\",\"households\":"
                              "false,\"min_sites\":1,\"max_share\":1");
    free(manifest);
}

/*
** Per building and year, (pv + solar_thermal) / (electricity + gas +
** heat + solar_thermal) x 100:
**   2023 a1: 0 / 54000                              = 0
**   2024 a1: 0 / 60000                              = 0
**   2024 e1: 3600 / (12000 + 24000)                 = 10
**   2024 e2: 6000 / (18000 + 48000 + 6000)
**            = 6000 / 72000 = 8.333...              = 8.33
**   2024 x1: 0 / 6000                               = 0
**   2025 e1: 0 / 1200                               = 0
**   e3 (11 months) and s1 (a suppressed month): no row.
*/
static void
test_renewable_share(void)
{
    struct t_rows r;

    t_publish("renewable-share", &r, NULL);
    ASSERT_EQ(r.n, 6);
    ASSERT_STREQ(r.line[0], "2023 site a1 - 0 %");
    ASSERT_STREQ(r.line[1], "2024 site a1 - 0 %");
    ASSERT_STREQ(r.line[2], "2024 site e1 - 10 %");
    ASSERT_STREQ(r.line[3], "2024 site e2 - 8.33 %");
    ASSERT_STREQ(r.line[4], "2024 site x1 - 0 %");
    ASSERT_STREQ(r.line[5], "2025 site e1 - 0 %");
}

/*
** COSTIC degree-days, base 18 (cm.factor 'dju.base'), 2024:
**   (5, 15):  18 > Tx, 18 - (5 + 15) / 2                   = 8     x 91
**   (20, 30): 18 <= Tn                                     = 0     x 183
**   (10, 20): (18 - 10) x (0.08 + 0.42 x (18 - 10) / (20 - 10))
**             = 8 x 0.416                                  = 3.328 x 92
**   DJU_2024 = 728 + 0 + 306.176                           = 1034.176
** (the 8 and 3.328 of energy-domain.md 5 #10). Reference: the script's
** DJU_REFERENCE, 2285 (the table has no 'dju.normal'). Corrected =
** gas + heat x 2285 / 1034.176, to 1 kWh:
**   a1: 36000 x 2285 = 82260000  / 1034.176 = 79541.59     -> 79542
**   e1: 24000 x 2285 = 54840000  / 1034.176 = 53027.72     -> 53028
**   e2: 48000 x 2285 = 109680000 / 1034.176 = 106055.45    -> 106055
** 2023 (a1's 30000): no temperature; 2025 (e1's 1200): one day of 366;
** s1: a suppressed month; x1: no gas nor heat. No row for them.
*/
static void
test_heating_climate_corrected(void)
{
    struct t_rows r;

    t_publish("heating-climate-corrected", &r, NULL);
    ASSERT_EQ(r.n, 3);
    ASSERT_STREQ(r.line[0], "2024 site a1 - 79542 kWh");
    ASSERT_STREQ(r.line[1], "2024 site e1 - 53028 kWh");
    ASSERT_STREQ(r.line[2], "2024 site e2 - 106055 kWh");
}

/*
** Degree-days per month, the same daily values as above summed by month
** (to 0.1), territory the EPCI of temperature-site-day's spatial:
**   2024-01: 31 x 8 = 248        2024-02: 29 x 8 = 232
**   2024-03: 31 x 8 = 248        2024-04 .. 2024-09: 0
**   2024-10: 31 x 3.328 = 103.168 -> 103.2
**   2024-11: 30 x 3.328 = 99.84   -> 99.8
**   2024-12: 31 x 3.328 = 103.168 -> 103.2
**   (the twelve add up to the 1034.176 above)
**   2025-01: one day of 31, no row.
*/
static void
test_degree_days(void)
{
    static const char *const want[] = {"2024-01 epci 200042174 - 248 DJU",
                                       "2024-02 epci 200042174 - 232 DJU",
                                       "2024-03 epci 200042174 - 248 DJU",
                                       "2024-04 epci 200042174 - 0 DJU",
                                       "2024-05 epci 200042174 - 0 DJU",
                                       "2024-06 epci 200042174 - 0 DJU",
                                       "2024-07 epci 200042174 - 0 DJU",
                                       "2024-08 epci 200042174 - 0 DJU",
                                       "2024-09 epci 200042174 - 0 DJU",
                                       "2024-10 epci 200042174 - 103.2 DJU",
                                       "2024-11 epci 200042174 - 99.8 DJU",
                                       "2024-12 epci 200042174 - 103.2 DJU"};
    struct t_rows            r;

    t_publish("degree-days", &r, NULL);
    ASSERT_EQ(r.n, 12);
    for (int i = 0; i < 12; i++)
        ASSERT_STREQ(r.line[i], want[i]);
}

/*
** p1 in June 2024, over the 719 hours with both sides (2024-06-10T12 has
** no consumption: its pv 6 is left out too):
**   production = 15 x 12 x 6 + 15 x 12 x 14 - 6     = 1080 + 2520 - 6
**                                                   = 3594
**   self-consumed, min(pv, consumption) by hour:
**                15 x 12 x min(6, 10) + 15 x 12 x min(14, 10) - 6
**              = 1080 + 1800 - 6                    = 2874
**   consumption = 30 x (12 x 2 + 12 x 10) - 10      = 4320 - 10 = 4310
**   self-consumption = 2874 / 3594 = 79.9666...     -> 79.97 %
**   self-sufficiency = 2874 / 4310 = 66.6821...     -> 66.68 %
** July: one hour of 744, under the 90 % coverage: no row.
*/
static void
test_pv(void)
{
    struct t_rows r;

    t_publish("pv-self-consumption", &r, NULL);
    ASSERT_EQ(r.n, 1);
    ASSERT_STREQ(r.line[0], "2024-06 site p1 - 79.97 %");
    t_publish("pv-self-sufficiency", &r, NULL);
    ASSERT_EQ(r.n, 1);
    ASSERT_STREQ(r.line[0], "2024-06 site p1 - 66.68 %");
}

/*
** Load factor, (kWh / hours) / largest hourly kWh:
**   p1 2024-06: 4310 kWh / 719 hours = 5.9944... kW; peak 10
**               -> 59.94 %
**   d1 2024-10: 744 names, 745 hours (2024-10-27T02 is two);
**               kWh = 31 x (15 x 3 + 9 x 5) + 3 = 2790 + 3 = 2793;
**               mean 2793 / 745 = 3.7490 kW; peak 5 (the repeated hour
**               is 6 / 2 = 3 an hour, not a peak of 6)
**               -> 74.98 %
** Night base load, mean of the hours 00h-04h:
**   p1 2024-06: 30 x 5 hours of 2                      -> 2 kW
**   d1 2024-10: (155 x 3 + 3) / (155 + 1) = 468 / 156  -> 3 kW
**               (not 468 / 155 = 3.02)
** July and November: one hour each, under the 90 % coverage: no row.
*/
static void
test_load(void)
{
    struct t_rows r;

    t_publish("load-factor", &r, NULL);
    ASSERT_EQ(r.n, 2);
    ASSERT_STREQ(r.line[0], "2024-06 site p1 - 59.94 %");
    ASSERT_STREQ(r.line[1], "2024-10 site d1 - 74.98 %");
    t_publish("night-base-load", &r, NULL);
    ASSERT_EQ(r.n, 2);
    ASSERT_STREQ(r.line[0], "2024-06 site p1 - 2 kW");
    ASSERT_STREQ(r.line[1], "2024-10 site d1 - 3 kW");
}

/* ---- the publisher beside indicators ------------------------------------ */

/* Site 'id' (public, commune 56121, EPCI 200042174) with an electricity
** meter and 'kwh' at noon UTC on the 15th of months 1..n of 2024. */
static void
t_site(struct store *st, int64_t import, const char *id, int n, double kwh)
{
    struct cm_err     err;
    struct store_site s = {id,       id,          "education", 1000, "56121",
                           "Centre", "200042174", 1,           NULL};
    struct store_meter_def m = {id, id, "electricity", "csv", NULL, "kWh",
                                -1, 0};
    struct store_meter     sm;
    int                    found;

    ASSERT_EQ(store_site_upsert(st, &s, &err), CM_OK);
    ASSERT_EQ(store_meter_upsert(st, &m, &err), CM_OK);
    ASSERT_EQ(store_meter_find(st, "csv", id, &sm, &found, &err), CM_OK);
    ASSERT(found);
    for (int i = 1; i <= n; i++) {
        enum store_put out;
        double         prev;
        int64_t        t = (ts_days_from_civil(2024, i, 15) * 24 + 12) * 3600;

        ASSERT_EQ(store_reading_put(st, sm.id, t, 3600, kwh, import, &out,
                                    &prev, &err),
                  CM_OK);
    }
}

static void
t_pub(struct store *st, const char *json, struct pub_result *r)
{
    struct ds_manifest m;
    struct cm_err      err;
    struct pub_opts    o = {"2026-11-30T10:00:00Z", "test", 0, NULL};
    int                rc;

    ASSERT_EQ(ds_manifest_parse(json, strlen(json), NULL, &m, &err), CM_OK);
    if ((rc = pub_publish(st, &m, &o, r, &err)) != CM_OK)
        fprintf(stderr, "publish: %s\n", err.msg);
    ASSERT_EQ(rc, CM_OK);
    ds_manifest_clear(&m);
}

/*
** An indicator per EPCI has an "aggregated" definition (ind.c), but it is
** no aggregate of readings: when an open dataset is published again, the
** publisher's check of the aggregates it could disclose must not load
** the indicator as one (its rows, of kind "indicator", would count as
** hidden cells, and the open dataset be refused).
*/
static void
test_publisher_skips_indicators(void)
{
    static const char open_def[] =
        "{\"slug\":\"t-open\",\"title\":{\"fr\":\"O\"},\"kinds\":"
        "[\"electricity\"],\"period\":\"month\",\"territory\":\"site\","
        "\"privacy\":{\"policy\":\"open\"}}";
    static const char ind_json[] =
        "{\"indicator\":{\"slug\":\"t-epci\",\"title\":{\"fr\":\"E\"},"
        "\"unit\":\"kWh\",\"method\":\"m\",\"period\":\"year\","
        "\"territory\":\"epci\",\"reads\":[\"t-open\"]},\"observations\":"
        "[{\"period\":\"2024\",\"territory\":\"200042174\",\"value\":"
        "360}]}";
    struct store     *st;
    struct cm_err     err;
    struct pub_result pr;
    struct ind_result ir;
    char              path[1200];
    int64_t           import;

    snprintf(path, sizeof(path), "%.1000s/consometer.db",
             t_tmpdir("indicators-pub"));
    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(store_import_begin(st, "test", "csv", "t", "test", &import, &err),
              CM_OK);
    t_site(st, import, "s1", 12, 10);
    t_site(st, import, "s2", 12, 20);
    t_site(st, import, "s3", 12, 30);
    t_pub(st, open_def, &pr);
    ASSERT_EQ(pr.version, 1);
    ASSERT_EQ(ind_publish(st, "x", 1, ind_json, NULL, &ir, &err), CM_OK);
    ASSERT_EQ(ir.version, 1);
    /* New readings: the open dataset's next version */
    t_site(st, import, "s4", 3, 40);
    t_pub(st, open_def, &pr);
    ASSERT_EQ(pr.unchanged, 0);
    ASSERT_EQ(pr.version, 2);
    store_close(st);
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    t_fixture();
    RUN(test_energy_intensity);
    RUN(test_energy_intensity_category);
    RUN(test_renewable_share);
    RUN(test_heating_climate_corrected);
    RUN(test_degree_days);
    RUN(test_pv);
    RUN(test_load);
    RUN(test_publisher_skips_indicators);
    return 0;
}
