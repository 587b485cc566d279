/*
** test_imp_zabbix.c -- the Zabbix importer (imp_zabbix.c) through the
** driver, on a real store file. What a value means comes from the
** registry: the meter's unit, step and counter flag (imp.c applies them to
** readings emitted with unit NULL and step -1). So: a temperature item
** stored as instants, a kWh index differenced with a counter reset
** reported, a power in W over the meter's step, strings everywhere in
** history.get and numbers in the real-time export, bad values, a
** truncated document, an API error, and re-import.
*/
#include <math.h>

#include "t_imp.h"

#define FIX CM_FIXTURES "/zabbix/"
#define T0 1609459200LL /* 2021-01-01T00:00:00Z */

static struct t_imp t;

/* A meter with its source's unit, step (-1: none) and counter flag. */
static void
meter(const char *id, const char *kind, const char *ref, const char *unit,
      long long step, int counter)
{
    struct store_meter_def m = {id,  "s1", kind, "zabbix",
                                ref, unit, step, counter};
    struct cm_err          err;

    ASSERT_EQ(store_meter_upsert(t.st, &m, &err), CM_OK);
}

static void
setup(void)
{
    t_imp_open(&t);
    t_imp_site(&t, "s1");
    meter("temp-1", "temperature", "23296", "degC", -1, 0);
    meter("elec-idx", "electricity", "40001", "kWh", -1, 1);
    /* Export items: 3 a temperature, 5 a boiler power polled every
    ** minute, 7 a heat meter's kWh index. */
    meter("temp-12", "temperature", "3", "degC", -1, 0);
    meter("heat-pw", "heat", "5", "W", 60, 0);
    meter("heat-idx", "heat", "7", "kWh", -1, 1);
}

static long long
count(const char *meter_id, double *sum)
{
    long long n;

    t_imp_sum(&t, meter_id, 0, 4102444800LL, sum, &n);
    return n;
}

/* history.get, the whole JSON-RPC response, every field a string. */
static void
test_history_temperature(void)
{
    struct imp_result res;
    double            sum;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "history_temperature.json", NULL, 0, &res),
              CM_OK);
    ASSERT_STREQ(res.format, "zabbix"); /* Detected, pretty-printed */
    ASSERT_EQ(res.stats.imported, 3);
    ASSERT_EQ(res.stats.rejected, 0);
    /* Instants (step 0), at clock; ns dropped */
    ASSERT(t_imp_value(&t, "temp-1", T0, 0) == 19.5);
    ASSERT(t_imp_value(&t, "temp-1", T0 + 300, 0) == 19.75);
    ASSERT(t_imp_value(&t, "temp-1", T0 + 600, 0) == 20.125);
    ASSERT_EQ(count("temp-1", &sum), 3);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* The result array alone; the registry says item 40001 is a counter. */
static void
test_history_counter(void)
{
    struct imp_result res;
    double            sum;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "history_counter.json", NULL, 0, &res), CM_OK);
    ASSERT_STREQ(res.format, "zabbix");
    ASSERT_EQ(res.stats.read, 5);
    ASSERT_EQ(res.stats.unchanged, 1); /* The first index: the baseline */
    ASSERT_EQ(res.stats.imported, 3);
    ASSERT_EQ(res.stats.rejected, 1);
    ASSERT_CONTAINS(res.errors[0].message, "counter reset");
    ASSERT_CONTAINS(res.errors[0].message, "from 1003.25 to 2");
    /* Differences over the intervals between successive indexes */
    ASSERT(t_imp_value(&t, "elec-idx", T0, 900) == 1.5);
    ASSERT(t_imp_value(&t, "elec-idx", T0 + 900, 900) == 1.75);
    ASSERT(t_imp_value(&t, "elec-idx", T0 + 2700, 900) ==
           2.5); /* After the reset */
    ASSERT(isnan(t_imp_value(&t, "elec-idx", T0 + 1800, 900)));
    ASSERT_EQ(count("elec-idx", &sum), 3);
    ASSERT(sum == 5.75);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* Real-time export lines: numbers, several items, a log item skipped,
** an item the registry does not know rejected. */
static void
test_export_ndjson(void)
{
    struct imp_result res;
    double            sum;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "export.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_STREQ(res.format, "zabbix");
    ASSERT_EQ(res.stats.read, 7); /* 8 lines, the log item not counted */
    ASSERT_EQ(res.stats.imported, 5);
    ASSERT_EQ(res.stats.unchanged, 1); /* Item 7's baseline */
    ASSERT_EQ(res.stats.rejected, 1);
    ASSERT_EQ(res.errors[0].line, 8);
    ASSERT_CONTAINS(res.errors[0].message, "source_ref '11'");
    ASSERT(t_imp_value(&t, "temp-12", T0, 0) == 19.5);
    ASSERT(t_imp_value(&t, "temp-12", T0 + 60, 0) == 19.75);
    /* 1200 W for the meter's 60 s step: 0.02 kWh; 1500 W: 0.025 kWh */
    ASSERT(fabs(t_imp_value(&t, "heat-pw", T0, 60) - 0.02) < 1e-12);
    ASSERT(fabs(t_imp_value(&t, "heat-pw", T0 + 60, 60) - 0.025) < 1e-12);
    /* Index 53000 then 53002 kWh */
    ASSERT(t_imp_value(&t, "heat-idx", T0, 60) == 2.0);
    ASSERT_EQ(count("heat-idx", &sum), 1);
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_bad_values(void)
{
    static const char text[] =
        "[{\"itemid\":\"23296\",\"clock\":\"1609459200\",\"value\":\"abc\"},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459260\",\"value\":\"NaN\"},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459320\",\"value\":\"\"},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459380\",\"value\":\"inf\"},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459440\",\"value\":\" 1\"},"
        "{\"itemid\":\"23296\",\"clock\":\"12.5\",\"value\":\"1\"},"
        "{\"itemid\":\"23296\",\"value\":\"1\"},"
        "{\"clock\":\"1609459500\",\"value\":\"1\"},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459560\"},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459620\",\"value\":null},"
        "\"23296\","
        /* Good: a number, and a string in exponent form */
        "{\"itemid\":\"23296\",\"clock\":\"1609459680\",\"value\":21},"
        "{\"itemid\":\"23296\",\"clock\":\"1609459740\",\"value\":\"2.1e1\","
        "\"ns\":\"5\"},"
        /* The same second, another ns: a duplicate for the store */
        "{\"itemid\":\"23296\",\"clock\":\"1609459740\",\"value\":\"22\","
        "\"ns\":\"900000000\"}]";
    struct imp_result res;
    double            sum;

    setup();
    ASSERT_EQ(t_imp_text(&t, "bad.json", text, sizeof(text) - 1, NULL, 0, &res),
              CM_OK);
    if (res.stats.rejected != 12)
        t_imp_dump(&res);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT_EQ(res.stats.rejected, 12);
    ASSERT_CONTAINS(res.errors[0].message, "item 23296: value 'abc' is not");
    ASSERT(res.errors[0].line > 0); /* A byte offset in one document */
    ASSERT(res.errors[1].line > res.errors[0].line);
    ASSERT_CONTAINS(res.errors[1].message, "'NaN' is not a number");
    ASSERT_CONTAINS(res.errors[2].message, "'' is not a number");
    ASSERT_CONTAINS(res.errors[3].message, "'inf' is not a number");
    ASSERT_CONTAINS(res.errors[4].message, "' 1' is not a number");
    ASSERT_CONTAINS(res.errors[5].message, "clock");
    ASSERT_CONTAINS(res.errors[6].message, "clock");
    ASSERT_CONTAINS(res.errors[7].message, "no itemid");
    ASSERT_CONTAINS(res.errors[8].message, "no value");
    ASSERT_CONTAINS(res.errors[9].message, "is not a number");
    ASSERT_CONTAINS(res.errors[10].message, "not a history object");
    ASSERT_CONTAINS(res.errors[11].message, "duplicate");
    ASSERT_EQ(count("temp-1", &sum), 2);
    ASSERT(sum == 42.0);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* A document cut short is refused whole: nothing of it stays. */
static void
test_truncated(void)
{
    struct imp_result res;
    double            sum;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "truncated.json", NULL, 0, &res),
              CM_EMALFORMED);
    ASSERT_CONTAINS(res.message, "ends early");
    ASSERT_EQ(res.stats.imported, 0);
    ASSERT_EQ(count("temp-1", &sum), 0); /* Two values came before the cut */
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* The API's error answer, and an object that is no answer at all. */
static void
test_api_error(void)
{
    static const char err[] =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":"
        "\"Invalid params.\",\"data\":\"No permissions to referred object "
        "or it does not exist!\"},\"id\":1}";
    static const char other[] = "{\"items\":[]}";
    struct imp_result res;

    setup();
    ASSERT_EQ(t_imp_text(&t, "err.json", err, sizeof(err) - 1, NULL, 0, &res),
              CM_EMALFORMED);
    ASSERT_CONTAINS(res.message, "answered with an error");
    ASSERT_CONTAINS(res.message, "Invalid params. No permissions");
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_text(&t, "other.json", other, sizeof(other) - 1, "zabbix",
                         0, &res),
              CM_EMALFORMED);
    ASSERT_CONTAINS(res.message, "not a history.get response");
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* Bad NDJSON lines are rejected with their line numbers. */
static void
test_ndjson_lines(void)
{
    static const char text[] =
        "{\"itemid\":3,\"clock\":1609459200,\"ns\":1,\"value\":18.5,"
        "\"type\":0}\n"
        "{\"itemid\":3,\"clock\":1609459260,\n"
        "\n"
        "{\"itemid\":3,\"clock\":1609459320,\"value\":\"x\",\"type\":1}\n"
        "{\"itemid\":7,\"clock\":1609459200,\"count\":60,\"min\":1,"
        "\"avg\":1,\"max\":1,\"type\":3}\n"
        "{\"itemid\":3,\"clock\":1609459380,\"ns\":1,\"value\":18.75}";
    struct imp_result res;
    double            sum;

    setup();
    ASSERT_EQ(
        t_imp_text(&t, "lines.ndjson", text, sizeof(text) - 1, NULL, 0, &res),
        CM_OK);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT_EQ(res.stats.rejected, 2);
    ASSERT_EQ(res.errors[0].line, 2);
    ASSERT_CONTAINS(res.errors[0].message, "not JSON");
    ASSERT_EQ(res.errors[1].line, 5);
    ASSERT_CONTAINS(res.errors[1].message, "trend");
    ASSERT_EQ(count("temp-12", &sum), 2);
    ASSERT(sum == 37.25);
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_reimport_unchanged(void)
{
    struct imp_result res;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "history_counter.json", NULL, 0, &res), CM_OK);
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_file(&t, FIX "history_counter.json", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 0);
    ASSERT_EQ(res.stats.updated, 0);
    ASSERT_EQ(res.stats.unchanged, 4); /* Baseline + 3 intervals */
    ASSERT_EQ(res.stats.rejected, 1);  /* The reset, reported again */
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_file(&t, FIX "export.ndjson", NULL, 0, &res), CM_OK);
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_file(&t, FIX "export.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 0);
    ASSERT_EQ(res.stats.updated, 0);
    ASSERT_EQ(res.stats.unchanged, 6);
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_detect(void)
{
    const struct imp_format *f = imp_format_find("zabbix");
    static const char        rpc[] = "{\n    \"jsonrpc\": \"2.0\",\n    "
                                     "\"result\": []}";
    static const char        arr[] = " [{\"itemid\":\"1\",\"clock\":\"2\"}]";
    static const char        nd[] = "{\"host\":{},\"itemid\":1,\"clock\":2}\n";
    static const char        adict[] = "{\"pce\":{\"id_pce\":\"1\"}}\n";
    static const char        other[] = "{\"jsonrpc\":\"2.0\",\"id\":1}";

    ASSERT(f != NULL);
    ASSERT(f->detect(rpc, sizeof(rpc) - 1));
    ASSERT(f->detect(arr, sizeof(arr) - 1));
    ASSERT(f->detect(nd, sizeof(nd) - 1));
    ASSERT(!f->detect(adict, sizeof(adict) - 1));
    ASSERT(!f->detect(other, sizeof(other) - 1));
    ASSERT(!f->detect("", 0));
}

int
main(void)
{
    RUN(test_history_temperature);
    RUN(test_history_counter);
    RUN(test_export_ndjson);
    RUN(test_bad_values);
    RUN(test_truncated);
    RUN(test_api_error);
    RUN(test_ndjson_lines);
    RUN(test_reimport_unchanged);
    RUN(test_detect);
    return 0;
}
