/*
** test_imp_json.c -- the four streaming JSON importers through the driver,
** on a real store file: Enedis Data Connect (imp_dataconnect.c), Fronius
** archives (imp_fronius.c, reference #14 of energy-domain.md on the real
** files), emoncms feeds (imp_emoncms.c) and SenML packs (imp_senml.c).
** For each: sums and counts, the interval each value covers (the hour
** repeated in October, 23-hour days, gaps), bad values rejected one by
** one, invalid or truncated JSON refused whole, and re-import unchanged.
*/
#include <math.h>

#include "t_imp.h"
#include "ts.h"

#define FIX CM_FIXTURES "/json/"
#define FRONIUS CM_FIXTURES "/real/fronius/"
#define PRM "09111642617347"
#define END 4102444800LL /* 2100: "all readings" */

static struct t_imp t;

static void
setup(void)
{
    t_imp_open(&t);
    t_imp_site(&t, "s1");
}

/* A meter with its source's unit, step (-1: none) and counter flag. */
static void
meter(const char *id, const char *kind, const char *source, const char *ref,
      const char *unit, long long step, int counter)
{
    struct store_meter_def m = {id,  "s1", kind, source,
                                ref, unit, step, counter};
    struct cm_err          err;

    ASSERT_EQ(store_meter_upsert(t.st, &m, &err), CM_OK);
}

static long long
count(const char *meter_id, double *sum)
{
    long long n;

    t_imp_sum(&t, meter_id, 0, END, sum, &n);
    return n;
}

static int
near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* Import text as file 'name' and expect the whole file refused. */
static void
refused(const char *name, const char *text, const char *format, int code,
        const char *why)
{
    struct imp_result res;

    ASSERT_EQ(t_imp_text(&t, name, text, strlen(text), format, 0, &res), code);
    ASSERT_CONTAINS(res.message, why);
    ASSERT(strchr(res.message, '\n') == NULL); /* One line, even yajl's */
    ASSERT_EQ(res.stats.imported, 0);
    imp_result_clear(&res);
}

/* Import a file again: nothing new, everything unchanged. */
static void
reimport(const char *path, long long unchanged)
{
    struct imp_result res;

    ASSERT_EQ(t_imp_file(&t, path, NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 0);
    ASSERT_EQ(res.stats.updated, 0);
    ASSERT_EQ(res.stats.unchanged, unchanged);
    imp_result_clear(&res);
}

/* ---- Enedis Data Connect --------------------------------------------- */

/* A load curve across the end of summer time: 02:00 and 02:30 come twice
** (end of interval, local time). 2020-10-24T22:00Z is 00:00 local. */
static void
test_dataconnect_load_curve(void)
{
    static const double w[] = {540, 480, 460, 420, 400,
                               380, 360, 350, 340, 330};
    const long long     t0 = 1603576800LL;
    struct imp_result   res;
    double              sum;

    setup();
    meter("prm", "electricity", "enedis", PRM, "kWh", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "dataconnect_load_curve.json", NULL, 0, &res),
              CM_OK);
    ASSERT_STREQ(res.format, "dataconnect");
    ASSERT_EQ(res.stats.imported, 10);
    ASSERT_EQ(res.stats.rejected, 0);
    /* Ten consecutive half hours: the repeated ones land after the first */
    for (int i = 0; i < 10; i++)
        ASSERT(near(t_imp_value(&t, "prm", t0 + i * 1800, 1800), w[i] / 2000));
    ASSERT_EQ(count("prm", &sum), 10);
    ASSERT(near(sum, 2.03)); /* 4060 W x 0.5 h */
    imp_result_clear(&res);
    reimport(FIX "dataconnect_load_curve.json", 10);
    t_imp_close(&t);
}

/* Daily energies, usage_point_id and reading_type after the readings;
** 2020-03-29 has 23 hours. */
static void
test_dataconnect_daily(void)
{
    struct imp_result res;
    double            sum;

    setup();
    meter("prm", "electricity", "enedis", PRM, "kWh", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "dataconnect_daily.json", NULL, 0, &res),
              CM_OK);
    ASSERT_STREQ(res.format, "dataconnect");
    ASSERT_EQ(res.stats.imported, 3);
    ASSERT_EQ(res.stats.rejected, 0);
    ASSERT(t_imp_value(&t, "prm", 1585350000LL, 86400) ==
           12.5); /* 03-28 00:00+01 */
    ASSERT(t_imp_value(&t, "prm", 1585436400LL, 82800) ==
           11.8); /* 03-29, 23 h */
    ASSERT(t_imp_value(&t, "prm", 1585519200LL, 86400) ==
           13.1); /* 03-30 00:00+02 */
    ASSERT_EQ(count("prm", &sum), 3);
    ASSERT(near(sum, 37.4));
    imp_result_clear(&res);
    reimport(FIX "dataconnect_daily.json", 3);
    t_imp_close(&t);
}

/* Two months of a 30-minute curve (about 200 KB, several of jstream's
** 64 KB reads), the metadata at the end: every reading is held, then
** emitted. Winter only, so local time is UTC+1. */
static void
test_dataconnect_streamed(void)
{
    const int         n = 2832;          /* 59 days x 48 */
    const long long   t0 = 1609455600LL; /* 2021-01-01T00:00+01:00 */
    size_t            cap = (size_t) n * 100 + 400, len = 0;
    char             *text = malloc(cap);
    struct imp_result res;
    double            sum, expect = 0;

    setup();
    meter("prm", "electricity", "enedis", PRM, "kWh", -1, 0);
    len += (size_t) snprintf(text + len, cap - len,
                             "{\"meter_reading\":{\"interval_reading\":[");
    for (int i = 0; i < n; i++) {
        long long end = t0 + 3600 + (i + 1) * 1800LL; /* Local, as UTC */
        int       y, m, d;

        ts_civil_from_days(end / 86400, &y, &m, &d);
        len += (size_t) snprintf(
            text + len, cap - len,
            "%s{\"value\":\"%d\",\"date\":\"%04d-%02d-%02d %02lld:%02lld:00\","
            "\"interval_length\":\"PT30M\",\"measure_type\":\"B\"}",
            i ? "," : "", i % 997, y, m, d, end % 86400 / 3600,
            end % 3600 / 60);
        expect += (i % 997) / 2000.0;
    }
    len += (size_t) snprintf(text + len, cap - len,
                             "],\"reading_type\":{\"unit\":\"W\"},"
                             "\"usage_point_id\":\"%s\"}}",
                             PRM);
    ASSERT(len > 3 * 65536 && len < cap);
    ASSERT_EQ(t_imp_text(&t, "curve.json", text, len, NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, n);
    ASSERT_EQ(res.stats.rejected, 0);
    ASSERT_EQ(count("prm", &sum), n);
    ASSERT(fabs(sum - expect) < 1e-6);
    ASSERT(near(t_imp_value(&t, "prm", t0 + 1800LL * (n - 1), 1800),
                ((n - 1) % 997) / 2000.0));
    imp_result_clear(&res);
    free(text);
    t_imp_close(&t);
}

static void
test_dataconnect_bad_rows(void)
{
    struct imp_result res;
    double            sum;

    setup();
    meter("prm", "electricity", "enedis", PRM, "kWh", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "dataconnect_bad.json", NULL, 0, &res), CM_OK);
    if (res.stats.rejected != 12)
        t_imp_dump(&res);
    ASSERT_EQ(res.stats.read, 15);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT_EQ(res.stats.unchanged, 1); /* The same value twice */
    ASSERT_EQ(res.stats.rejected, 12);
    ASSERT_CONTAINS(res.errors[0].message, "value 'NaN' is not a number");
    ASSERT(res.errors[0].line > 0); /* A byte offset */
    ASSERT_CONTAINS(res.errors[1].message, "'inf'");
    ASSERT_CONTAINS(res.errors[2].message, "'1e400'");
    ASSERT_CONTAINS(res.errors[3].message, "does not exist"); /* 02:30 */
    ASSERT_CONTAINS(res.errors[4].message, "negative energy");
    ASSERT_CONTAINS(res.errors[5].message, "'abc'");
    ASSERT_CONTAINS(res.errors[6].message, "no date");
    ASSERT_CONTAINS(res.errors[7].message, "'(missing)'");
    ASSERT_CONTAINS(res.errors[8].message, "not an ISO 8601 time");
    ASSERT_CONTAINS(res.errors[9].message, "interval_length 'PT30X'");
    ASSERT_CONTAINS(res.errors[10].message, "not an object");
    ASSERT_CONTAINS(res.errors[11].message, "duplicate");
    /* 500 W over 23:00-23:30Z and 800 W (a JSON number) ending 06:00+02 */
    ASSERT(near(t_imp_value(&t, "prm", 1585436400LL, 1800), 0.25));
    ASSERT(near(t_imp_value(&t, "prm", 1585452600LL, 1800), 0.4));
    ASSERT_EQ(count("prm", &sum), 2);
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_dataconnect_refused(void)
{
    struct imp_result res;
    double            sum;
    const char *noid = "{\"meter_reading\":{\"reading_type\":{\"unit\":\"W\"},"
                       "\"interval_reading\":[{\"value\":\"1\",\"date\":"
                       "\"2020-01-01 00:30:00\",\"interval_length\":"
                       "\"PT30M\"}]}}";

    setup();
    meter("prm", "electricity", "enedis", PRM, "kWh", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "dataconnect_truncated.json", NULL, 0, &res),
              CM_EMALFORMED);
    ASSERT_CONTAINS(res.message, "ends early");
    imp_result_clear(&res);
    ASSERT_EQ(count("prm", &sum), 0); /* Four values came before the cut */
    refused("err.json",
            "{\"error\":\"ADAM-DC-0008\",\"error_description\":\"No consent "
            "can be found for this customer and this usage point\"}",
            "dataconnect", CM_EMALFORMED, "ADAM-DC-0008: No consent");
    refused("noid.json", noid, NULL, CM_EMALFORMED,
            "no meter_reading.usage_point_id");
    refused("array.json", "[1, 2]", "dataconnect", CM_EMALFORMED,
            "no meter_reading.usage_point_id");
    refused("empty.json", "", "dataconnect", CM_EMALFORMED, "ends early");
    refused("bad.json", "{\"meter_reading\":{\"usage_point_id\":1}}",
            "dataconnect", CM_EMALFORMED, "usage_point_id is not a string");
    refused("notjson.json", "{\"meter_reading\": NaN}", "dataconnect",
            CM_EMALFORMED, "not valid JSON at byte");
    t_imp_close(&t);
}

/* ---- Fronius ----------------------------------------------------------- */

/* Reference #14, the real files of 2017-08-30: feed-in 10 279 Wh and
** import 37 Wh (differences of the smart meter's counters), production
** 15 587.78 Wh (the inverter's DailySum). 2017-08-29T22:00Z is 00:00+02. */
static void
test_fronius_reference(void)
{
    const long long   t0 = 1504044000LL;
    struct imp_result res;
    double            feedin, import, prod;

    setup();
    meter("feedin", "electricity", "fronius",
          "meter:16220118/EnergyReal_WAC_Minus_Absolute", "Wh", -1, 0);
    meter("import", "electricity", "fronius",
          "meter:16220118/EnergyReal_WAC_Plus_Absolute", "Wh", -1, 0);
    meter("pv", "pv", "fronius", "inverter/1/EnergyReal_WAC_Sum_Produced", "Wh",
          -1, 0);

    ASSERT_EQ(t_imp_file(&t, FRONIUS "archivedata_day_2017-08-30.json", NULL, 0,
                         &res),
              CM_OK);
    ASSERT_STREQ(res.format, "fronius");
    ASSERT_EQ(res.stats.read, 576);    /* 2 x 288 indexes */
    ASSERT_EQ(res.stats.unchanged, 2); /* The baselines */
    ASSERT_EQ(res.stats.imported, 574);
    ASSERT_EQ(res.stats.rejected, 0);
    ASSERT_EQ(count("feedin", &feedin), 287);
    ASSERT_EQ(count("import", &import), 287);
    ASSERT(near(feedin, 10.279));
    ASSERT(near(import, 0.037));
    /* 2343918 Wh at 23:35, 2343921 at 23:40 local */
    ASSERT(near(t_imp_value(&t, "feedin", t0 + 23400, 300), 0.003));
    imp_result_clear(&res);

    ASSERT_EQ(t_imp_file(&t, FRONIUS "archivedata_dailysum_2017-08-30.json",
                         NULL, 0, &res),
              CM_OK);
    ASSERT_STREQ(res.format, "fronius");
    ASSERT_EQ(res.stats.imported, 1); /* InverterErrors skipped, uncounted */
    ASSERT_EQ(res.stats.read, 1);
    ASSERT(fabs(t_imp_value(&t, "pv", t0, 86400) - 15.58778) < 1e-5);
    ASSERT_EQ(count("pv", &prod), 1);
    /* Self-consumption rate of the day: 34.06 % */
    ASSERT(fabs((prod - feedin) / prod - 0.3406) < 5e-5);
    imp_result_clear(&res);

    reimport(FRONIUS "archivedata_day_2017-08-30.json", 576);
    reimport(FRONIUS "archivedata_dailysum_2017-08-30.json", 1);
    t_imp_close(&t);
}

/* A Detail series of production: the step is the logging period (300 s),
** also for the value after the six-hour gap; other channels are skipped. */
static void
test_fronius_detail(void)
{
    static const char text[] =
        "{\"Body\":{\"Data\":{\"inverter/1\":{\"Data\":{"
        "\"Current_DC_String_1\":{\"Unit\":\"A\",\"Values\":{\"0\":1.5}},"
        "\"EnergyReal_WAC_Sum_Produced\":{\"Unit\":\"Wh\",\"Values\":{"
        "\"21600\":10,\"21900\":25.5,\"22200\":40,\"43200\":100,"
        "\"x\":1,\"43500\":\"5\",\"43800\":null}},"
        "\"Temperature_Powerstage\":{\"Unit\":\"\\u00b0C\",\"Values\":"
        "{\"0\":30}}},"
        "\"DeviceType\":83,\"End\":\"2017-08-30T23:59:59+02:00\","
        "\"Start\":\"2017-08-30T00:00:00+02:00\"}}},"
        "\"Head\":{\"RequestArguments\":{\"SeriesType\":\"Detail\"},"
        "\"Status\":{\"Code\":0,\"Reason\":\"\",\"UserMessage\":\"\"}}}";
    const long long   t0 = 1504044000LL;
    struct imp_result res;
    double            sum;

    setup();
    meter("pv", "pv", "fronius", "inverter/1/EnergyReal_WAC_Sum_Produced", "Wh",
          -1, 0);
    ASSERT_EQ(
        t_imp_text(&t, "detail.json", text, sizeof(text) - 1, NULL, 0, &res),
        CM_OK);
    ASSERT_STREQ(res.format, "fronius");
    ASSERT_EQ(res.stats.imported, 4);
    ASSERT_EQ(res.stats.rejected, 2);
    ASSERT_CONTAINS(res.errors[0].message, "key 'x' is not seconds");
    ASSERT_CONTAINS(res.errors[1].message, "at 43500 s is not a finite");
    ASSERT(near(t_imp_value(&t, "pv", t0 + 21600, 300), 0.01));
    ASSERT(near(t_imp_value(&t, "pv", t0 + 43200, 300), 0.1));
    ASSERT_EQ(count("pv", &sum), 4);
    ASSERT(near(sum, 0.1755));
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_fronius_refused(void)
{
    setup();
    refused("status.json",
            "{\"Body\":{\"Data\":{}},\"Head\":{\"RequestArguments\":{"
            "\"Scope\":\"System\",\"SeriesType\":\"Detail\"},\"Status\":{"
            "\"Code\":255,\"Reason\":\"Query not supported\","
            "\"UserMessage\":\"\"}}}",
            NULL, CM_EMALFORMED, "(Head.Status.Code 255): Query not supported");
    refused("nohead.json", "{\"Body\":{\"Data\":{}}}", "fronius", CM_EMALFORMED,
            "no Head.Status");
    refused("array.json", "[]", "fronius", CM_EMALFORMED, "no Head.Status");
    refused("empty.json", "", "fronius", CM_EMALFORMED, "ends early");
    refused("cut.json", "{\"Body\":{\"Data\":{\"meter:1\":{\"Data\":{",
            "fronius", CM_EMALFORMED, "ends early");
    t_imp_close(&t);
}

/* ---- emoncms ----------------------------------------------------------- */

/* A power feed: the meter declares "W" and the feed's 60 s interval. */
static void
test_emoncms_power(void)
{
    const long long   t0 = 1609459200LL; /* 2021-01-01T00:00Z */
    struct imp_result res;
    double            sum;

    setup();
    meter("pw", "electricity", "emoncms", "12", "W", 60, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "emoncms/feed-12.json", NULL, 0, &res), CM_OK);
    ASSERT_STREQ(res.format, "emoncms");
    ASSERT_EQ(res.stats.read, 4); /* The null is skipped */
    ASSERT_EQ(res.stats.imported, 4);
    ASSERT_EQ(res.stats.rejected, 0);
    ASSERT(near(t_imp_value(&t, "pw", t0, 60), 0.02)); /* 1200 W x 1 min */
    ASSERT(near(t_imp_value(&t, "pw", t0 + 180, 60), 900.5 / 60000));
    ASSERT(isnan(t_imp_value(&t, "pw", t0 + 120, 60)));
    ASSERT_EQ(count("pw", &sum), 4);
    ASSERT(near(sum, 0.076675)); /* 4600.5 W x 1 min */
    imp_result_clear(&res);
    reimport(FIX "emoncms/feed-12.json", 4);
    /* The same data under a name that does not give the feed */
    ASSERT_EQ(t_imp_file(&t, FIX "emoncms/power.json", NULL, 0, &res),
              CM_EINVAL);
    ASSERT_CONTAINS(res.message, "name the file feed-<id>.json or <id>.json");
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* The registry says what a feed is: a temperature is an instant, a kWh
** counter is differenced, a power without a declared step is rejected.
** Times in seconds (timeformat=unix) are read as such. */
static void
test_emoncms_kinds(void)
{
    static const char temp[] = "[[1609459200000,19.5],[1609459210000,19.75]]";
    static const char idx[] =
        "[[1609459200,100.0],[1609459500,100.25],[1609459800,100.75]]";
    static const char pw[] = "[[1609459200000,1000]]";
    struct imp_result res;
    double            sum;

    setup();
    meter("temp", "temperature", "emoncms", "7", "degC", -1, 0);
    meter("idx", "electricity", "emoncms", "31", "kWh", -1, 1);
    meter("nostep", "electricity", "emoncms", "13", "W", -1, 0);
    ASSERT_EQ(t_imp_text(&t, "/tmp/x/feed-7.json", temp, sizeof(temp) - 1,
                         "emoncms", 0, &res),
              CM_OK);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT(t_imp_value(&t, "temp", 1609459210LL, 0) == 19.75);
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_text(&t, "31.json", idx, sizeof(idx) - 1, NULL, 0, &res),
              CM_OK);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT_EQ(res.stats.unchanged, 1);
    ASSERT(near(t_imp_value(&t, "idx", 1609459500LL, 300), 0.5));
    ASSERT_EQ(count("idx", &sum), 2);
    ASSERT(near(sum, 0.75));
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_text(&t, "feed-13.json", pw, sizeof(pw) - 1, NULL, 0, &res),
              CM_OK);
    ASSERT_EQ(res.stats.rejected, 1);
    ASSERT_CONTAINS(res.errors[0].message, "declare the step");
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_emoncms_bad(void)
{
    struct imp_result res;
    double            sum;

    setup();
    meter("temp", "temperature", "emoncms", "99", "degC", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "emoncms/feed-99.json", "emoncms", 0, &res),
              CM_OK);
    if (res.stats.rejected != 8)
        t_imp_dump(&res);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT_EQ(res.stats.rejected, 8);
    ASSERT_CONTAINS(res.errors[0].message, "value is not a finite number");
    ASSERT_CONTAINS(res.errors[1].message, "not a [time, value] pair");
    ASSERT_CONTAINS(res.errors[2].message, "time is not");
    ASSERT_CONTAINS(res.errors[3].message, "time is not"); /* A string */
    ASSERT_CONTAINS(res.errors[4].message, "not a [time, value] pair");
    ASSERT_CONTAINS(res.errors[5].message, "value is not a finite"); /* 1e400 */
    ASSERT_CONTAINS(res.errors[6].message, "not a [time, value] pair");
    ASSERT_CONTAINS(res.errors[7].message, "time is not"); /* Negative */
    ASSERT_EQ(count("temp", &sum), 2);
    ASSERT(sum == 42.0);
    imp_result_clear(&res);

    refused("feed-5.json",
            "{\"success\":false,\"message\":\"Feed does not exist\"}",
            "emoncms", CM_EMALFORMED, "emoncms says: Feed does not exist");
    refused("feed-5.json", "", "emoncms", CM_EMALFORMED, "ends early");
    refused("feed-5.json", "[[1609459200000,1200],[16094592", "emoncms",
            CM_EMALFORMED, "ends early");
    refused("feed-5.json", "[[1609459200000,1200]]]", "emoncms", CM_EMALFORMED,
            "not valid JSON at byte");
    refused("request body", "[[1609459200000,1200]]", "emoncms", CM_EINVAL,
            "feed-<id>.json");
    t_imp_close(&t);
}

/* ---- SenML ------------------------------------------------------------- */

/* Quoalise: two interleaved load curves (mean W, stamped at the start of
** each half hour), a temperature in Cel, a Wh counter as sums. */
static void
test_senml_quoalise(void)
{
    const long long   t0 = 1600041600LL; /* 2020-09-14T00:00Z */
    struct imp_result res;
    double            sum;

    setup();
    meter("cons", "electricity", "senml",
          "urn:dev:prm:30001642617347_consumption/active_power/raw", "kWh", -1,
          0);
    meter("prod", "pv", "senml",
          "urn:dev:prm:30001642617347_production/active_power/raw", "kWh", -1,
          0);
    meter("temp", "temperature", "senml", "urn:dev:org:60060-elfe:23296",
          "degC", -1, 0);
    meter("idx", "heat", "senml", "urn:dev:org:60060-elfe:40001", "kWh", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "senml_quoalise.json", NULL, 0, &res), CM_OK);
    ASSERT_STREQ(res.format, "senml");
    if (res.stats.rejected)
        t_imp_dump(&res);
    ASSERT_EQ(res.stats.read, 13);
    ASSERT_EQ(res.stats.imported, 12);
    ASSERT_EQ(res.stats.unchanged, 1); /* The counter's baseline */
    ASSERT_EQ(res.stats.rejected, 0);
    ASSERT(near(t_imp_value(&t, "cons", t0, 1800), 0.1225));
    ASSERT(
        near(t_imp_value(&t, "cons", t0 + 5400, 1800), 0.1885)); /* The last */
    ASSERT_EQ(count("cons", &sum), 4);
    ASSERT(near(sum, 0.7045)); /* (245 + 420 + 367 + 377) W x 0.5 h */
    ASSERT_EQ(count("prod", &sum), 4);
    ASSERT(near(sum, 1.8));
    ASSERT(t_imp_value(&t, "temp", t0 + 600, 0) == 19.75);
    ASSERT_EQ(count("temp", &sum), 2);
    ASSERT(t_imp_value(&t, "idx", t0 + 3600, 3600) == 0.75);
    ASSERT_EQ(count("idx", &sum), 2);
    ASSERT(near(sum, 2.0));
    imp_result_clear(&res);
    reimport(FIX "senml_quoalise.json", 13);
    t_imp_close(&t);
}

static void
test_senml_bad(void)
{
    const long long   t0 = 1600041600LL;
    struct imp_result res;
    double            sum;

    setup();
    meter("t1", "temperature", "senml", "urn:dev:x:t1", "degC", -1, 0);
    meter("p1", "electricity", "senml", "urn:dev:x:p1", "kWh", -1, 0);
    ASSERT_EQ(t_imp_file(&t, FIX "senml_bad.json", NULL, 0, &res), CM_OK);
    if (res.stats.rejected != 9)
        t_imp_dump(&res);
    ASSERT_EQ(res.stats.imported, 3);
    ASSERT_EQ(res.stats.rejected, 9);
    ASSERT_CONTAINS(res.errors[0].message, "wrong type"); /* "21" */
    ASSERT_CONTAINS(res.errors[1].message, "vs, vb and vd");
    ASSERT_CONTAINS(res.errors[2].message, "relative to now");
    ASSERT_CONTAINS(res.errors[3].message, "no numeric value");
    ASSERT_CONTAINS(res.errors[4].message, "wrong type"); /* 1e400 */
    ASSERT_CONTAINS(res.errors[5].message, "negative energy");
    ASSERT_CONTAINS(res.errors[6].message, "not a SenML record");
    ASSERT_CONTAINS(res.errors[7].message, "'foo_' must be understood");
    ASSERT_CONTAINS(res.errors[8].message, "urn:dev:x:lone: a lone W value");
    ASSERT(t_imp_value(&t, "t1", t0 + 360, 0) == 22.5);
    ASSERT_EQ(count("t1", &sum), 2);
    /* -100 W rejected; 100 W lasts as long as the interval before it */
    ASSERT(near(t_imp_value(&t, "p1", t0 + 60, 60), 100.0 / 60000));
    ASSERT_EQ(count("p1", &sum), 1);
    imp_result_clear(&res);

    refused("obj.json", "{\"bn\":\"urn:dev:x:\",\"v\":1}", "senml",
            CM_EMALFORMED, "must be an array of records");
    refused("empty.json", "", "senml", CM_EMALFORMED, "ends early");
    refused("cut.json",
            "[{\"bn\":\"urn:dev:x:\",\"bt\":1600041600,\"n\":\"t1\",\"u\":"
            "\"Cel\",\"v\":20},{\"n\":\"t1\",\"t\":6",
            NULL, CM_EMALFORMED, "ends early");
    ASSERT_EQ(count("t1", &sum), 2); /* Nothing of the cut file stayed */
    t_imp_close(&t);
}

/* ---- detection ----------------------------------------------------------- */

/* Each sample is claimed by exactly one format: its own. */
static void
test_detect(void)
{
    static const struct {
        const char *format, *peek;
    } cases[] = {
        {"dataconnect", " {\"meter_reading\":{\"usage_point_id\":\"1\"}}"},
        {"fronius", "{\n \"Body\" : {\"Data\":{\"inverter/1\":{\"Data\":{"
                    "\"EnergyReal_WAC_Sum_Produced\":{\"Unit\":\"Wh\","
                    "\"Values\":{\"0\":1}}}}}}}"},
        {"emoncms", "[ [1609459200000,1200],[1609459260000,null]]"},
        {"senml", "[{\"bn\":\"urn:dev:x:\",\"bt\":1.6e9,\"v\":1}]"},
        {"senml", "[ {\"n\":\"a\",\"t\":1600000000,\"v\":1}]"},
        {"zabbix", "[{\"itemid\":\"1\",\"clock\":\"2\",\"value\":\"3\"}]"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *p = cases[i].peek;
        int         claimed = 0;

        for (int f = 0; f < imp_nformats; f++)
            if (imp_formats[f].detect && imp_formats[f].detect(p, strlen(p))) {
                ASSERT_STREQ(imp_formats[f].name, cases[i].format);
                claimed++;
            }
        ASSERT_EQ(claimed, 1);
    }
    for (int f = 0; f < imp_nformats; f++)
        ASSERT(imp_formats[f].detect == NULL || !imp_formats[f].detect("", 0));
}

int
main(void)
{
    RUN(test_dataconnect_load_curve);
    RUN(test_dataconnect_daily);
    RUN(test_dataconnect_streamed);
    RUN(test_dataconnect_bad_rows);
    RUN(test_dataconnect_refused);
    RUN(test_fronius_reference);
    RUN(test_fronius_detail);
    RUN(test_fronius_refused);
    RUN(test_emoncms_power);
    RUN(test_emoncms_kinds);
    RUN(test_emoncms_bad);
    RUN(test_senml_quoalise);
    RUN(test_senml_bad);
    RUN(test_detect);
    return 0;
}
