/*
** test_imp_mapped.c -- the mapped CSV importer: a French export (BOM, CRLF,
** ';', decimal commas, local times across both summer-time changes) from
** tests/fixtures/mapped, what each 'ambiguous' policy does with an export
** that lists the repeated October hour twice, counters and end-of-interval
** stamps, and the mapping file's own errors.
*/
#include "t_imp.h"

#include "ts.h"

#define FIX CM_FIXTURES "/mapped/"

static struct t_imp t;
static char         dir[1024];

/* Write a mapping file; the path stays valid for the next 7 calls. */
static const char *
t_mapping(const char *name, const char *text)
{
    static char path[8][2048];
    static int  i;

    i = (i + 1) % 8;
    snprintf(path[i], sizeof(path[i]), "%s", t_write_file(dir, name, text));
    return path[i];
}

/* Import 'csv' (a fixture's path, or text when it has a newline). */
static int
t_run(const char *mapping, const char *csv, struct imp_result *r)
{
    struct imp_opts o = {0, mapping, "test", NULL};
    struct imp_src  src;
    FILE *f = strchr(csv, '\n') ? fmemopen((void *) csv, strlen(csv), "rb")
                                : fopen(csv, "rb");
    int   rc;

    ASSERT(f != NULL);
    imp_src_file(&src, f, "export.csv");
    rc = imp_run(t.st, &src, "mapped", &o, r);
    fclose(f);
    return rc;
}

/* Count and sum of a meter's readings starting in [from, to). */
static long long
t_readings(const char *meter, long long from, long long to, double *sum)
{
    double    s;
    long long n;

    t_imp_sum(&t, meter, from, to, sum ? sum : &s, &n);
    return n;
}

#define ASSERT_NEAR(a, b)                                                      \
    do {                                                                       \
        double t_x = (a), t_y = (b);                                           \
        if (t_x - t_y > 1e-9 || t_y - t_x > 1e-9) {                            \
            fprintf(stderr, "%s:%d: %s = %.9f, want %.9f\n", __FILE__,         \
                    __LINE__, #a, t_x, t_y);                                   \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* chaufferie.csv: 26/03 01:00 (00:00Z), 02:30 (does not exist), 03:00
** (01:00Z); 29/10 02:30 (ambiguous), 04:00 (03:00Z), 05:00 (empty), 06:00
** ("1.5" with a decimal comma expected). */
static void
test_french_export(void)
{
    const char *earlier =
        t_mapping("earlier.map", "separator = ;\ndecimal = ,\n"
                                 "time_column = Date\n"
                                 "time_format = %d/%m/%Y %H:%M\n"
                                 "value_column = Energie (kWh)\nunit = kWh\n"
                                 "meter = heat-1\nstep = PT1H\n"
                                 "ambiguous = earlier\n");
    const long long   mar26 = ts_days_from_civil(2023, 3, 26) * 86400LL;
    const long long   oct29 = ts_days_from_civil(2023, 10, 29) * 86400LL;
    struct imp_result r;
    double            sum;

    t_imp_open(&t);
    t_imp_site(&t, "school");
    t_imp_meter(&t, "heat-1", "school", "heat", "csv", NULL, 3600);
    ASSERT_EQ(t_run(FIX "chaufferie.map", FIX "chaufferie.csv", &r), CM_OK);
    if (r.stats.imported != 3 || r.stats.rejected != 3)
        t_imp_dump(&r);
    ASSERT_EQ(r.stats.read, 6); /* The empty value is not a row */
    ASSERT_EQ(r.stats.imported, 3);
    ASSERT_EQ(r.stats.rejected, 3);
    ASSERT_EQ(r.errors[0].line, 3);
    ASSERT_CONTAINS(r.errors[0].message,
                    "Date: local time 2023-03-26T02:30:00 does not exist in "
                    "Europe/Paris (the hour skipped by summer time)");
    ASSERT_EQ(r.errors[1].line, 5);
    ASSERT_CONTAINS(r.errors[1].message, "is ambiguous in Europe/Paris");
    ASSERT_EQ(r.errors[2].line, 8);
    ASSERT_CONTAINS(r.errors[2].message,
                    "Energie (kWh) '1.5' is not a number (decimal mark ',')");
    imp_result_clear(&r);
    ASSERT_EQ(t_readings("heat-1", mar26, mar26 + 1, &sum), 1); /* 01:00+01 */
    ASSERT_NEAR(sum, 12.5);
    ASSERT_EQ(t_readings("heat-1", mar26 + 3600, mar26 + 3601, &sum), 1);
    ASSERT_NEAR(sum, 4.25); /* 03:00+02 */
    ASSERT_EQ(
        t_readings("heat-1", oct29 + 3 * 3600, oct29 + 3 * 3600 + 1, &sum), 1);
    ASSERT_NEAR(sum, 6); /* 04:00+01 */

    /* Again with ambiguous = earlier: the October 02:30 is summer time,
    ** 00:30Z; the rest is unchanged. */
    ASSERT_EQ(t_run(earlier, FIX "chaufferie.csv", &r), CM_OK);
    ASSERT_EQ(r.stats.imported, 1);
    ASSERT_EQ(r.stats.unchanged, 3);
    ASSERT_EQ(r.stats.rejected, 2);
    imp_result_clear(&r);
    ASSERT_EQ(t_readings("heat-1", oct29 + 1800, oct29 + 1801, &sum), 1);
    ASSERT_NEAR(sum, 5);
    t_imp_close(&t);
}

/* october.csv lists 29/10 01:30, 02:00, 02:30, then 02:00 and 02:30 again
** (the second pass, winter time), then 03:00; half-hourly kWh
** 1, 2, 3, 4, 3, 5. */
static void
test_october_policies(void)
{
    const long long oct29 = ts_days_from_civil(2023, 10, 29) * 86400LL;
    const long long from = oct29 - 1800, to = oct29 + 3 * 3600; /* 23:30Z */
    const struct {
        const char *policy;
        int         imported, unchanged, rejected;
        double      sum;
        int         at_0000z, at_0100z; /* Readings starting there */
    } want[] = {
        /* Both passes rejected: 4 half-hours missing, visibly */
        {"error", 2, 0, 4, 1 + 5, 0, 0},
        /* Both passes on the summer instants: the second 02:00 (4 kWh)
        ** is rejected as a duplicate, the second 02:30 (3 kWh, the same
        ** value) is unchanged -- that half-hour is lost without a word */
        {"earlier", 4, 1, 1, 1 + 2 + 3 + 5, 1, 0},
        /* Both passes on the winter instants, the same way */
        {"later", 4, 1, 1, 1 + 2 + 3 + 5, 0, 1},
        /* Read in order: every half-hour where it belongs */
        {"order", 6, 0, 0, 1 + 2 + 3 + 4 + 3 + 5, 1, 1},
    };
    struct imp_result r;

    t_imp_open(&t);
    t_imp_site(&t, "s");
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        char        map[512], meter[32];
        double      sum;
        const char *path;

        snprintf(meter, sizeof(meter), "oct-%s", want[i].policy);
        snprintf(map, sizeof(map),
                 "separator = ,\ntime_column = Horodatage\n"
                 "time_format = %%d/%%m/%%Y %%H:%%M\nvalue_column = kWh\n"
                 "unit = kWh\nstep = PT30M\nmeter = %s\nambiguous = %s\n",
                 meter, want[i].policy);
        path = t_mapping("october.map", map);
        t_imp_meter(&t, meter, "s", "electricity", "csv", NULL, -1);
        ASSERT_EQ(t_run(path, FIX "october.csv", &r), CM_OK);
        if (r.stats.imported != want[i].imported ||
            r.stats.rejected != want[i].rejected)
            t_imp_dump(&r);
        ASSERT_EQ(r.stats.imported, want[i].imported);
        ASSERT_EQ(r.stats.unchanged, want[i].unchanged);
        ASSERT_EQ(r.stats.rejected, want[i].rejected);
        if (!strcmp(want[i].policy, "error"))
            ASSERT_CONTAINS(r.errors[0].message, "ambiguous");
        else if (want[i].rejected) {
            ASSERT_EQ(r.errors[0].line, 5);
            ASSERT_CONTAINS(r.errors[0].message, "duplicate");
        }
        imp_result_clear(&r);
        ASSERT_EQ(t_readings(meter, from, to, &sum),
                  want[i].imported); /* Re-read: nothing else landed */
        ASSERT_NEAR(sum, want[i].sum);
        ASSERT_EQ(t_readings(meter, oct29, oct29 + 1, NULL), want[i].at_0000z);
        ASSERT_EQ(t_readings(meter, oct29 + 3600, oct29 + 3601, NULL),
                  want[i].at_0100z);
    }
    t_imp_close(&t);
}

static void
test_counter_and_end_stamps(void)
{
    const char *map = t_mapping(
        "idx.map", "separator = ,\ntime_column = t\ntime_format = iso\n"
                   "time_zone = UTC\nvalue_column = v\nunit = Wh\n"
                   "meter = idx\ncounter = yes\n");
    const char *end = t_mapping(
        "end.map", "separator = ,\ntime_column = t\ntime_format = iso\n"
                   "value_column = v\nunit = kWh\nmeter = e\nstep = PT30M\n"
                   "timestamp_marks = end\n");
    const char *ref = t_mapping(
        "ref.map", "\xEF\xBB\xBF# saved by Notepad, with a BOM\n"
                   "separator = tab\ntime_column = clock\n"
                   "time_format = %Y-%m-%d %H:%M:%S%z\nvalue_column = value\n"
                   "unit = kWh\nsource = zabbix\nsource_ref = 23297\n"
                   "step = 3600\n");
    struct imp_result r;
    double            sum;

    t_imp_open(&t);
    t_imp_site(&t, "s");
    t_imp_meter(&t, "idx", "s", "electricity", "csv", NULL, -1);
    t_imp_meter(&t, "e", "s", "electricity", "csv", NULL, -1);
    t_imp_meter(&t, "z", "s", "electricity", "zabbix", "23297", -1);
    /* Wh indexes: a baseline, then 2 500 and 500 Wh */
    ASSERT_EQ(t_run(map,
                    "t,v\n2024-01-01T00:00,1000\n2024-01-02T00:00,"
                    "3500\n2024-01-03T00:00,4000\n",
                    &r),
              CM_OK);
    ASSERT_EQ(r.stats.imported, 2);
    ASSERT_EQ(r.stats.unchanged, 1);
    imp_result_clear(&r);
    ASSERT_EQ(t_readings("idx", 0, 1LL << 40, &sum), 2);
    ASSERT_NEAR(sum, 3.0);
    /* Stamped at the end: starts at 00:00Z, half an hour before */
    ASSERT_EQ(t_run(end, "t,v\n2024-01-01T00:30:00Z,2\n", &r), CM_OK);
    imp_result_clear(&r);
    ASSERT_EQ(t_readings("e", 1704067200LL, 1704067201LL, NULL), 1);
    /* A tab-separated file for another source, times with offsets */
    ASSERT_EQ(t_run(ref, "clock\tvalue\n2024-01-01 01:00:00+01:00\t7\n", &r),
              CM_OK);
    ASSERT_EQ(r.stats.imported, 1);
    imp_result_clear(&r);
    ASSERT_EQ(t_readings("z", 1704067200LL, 1704067201LL, &sum), 1);
    ASSERT_NEAR(sum, 7);
    t_imp_close(&t);
}

#define BASE "time_column = t\nvalue_column = v\nunit = kWh\n"

static void
test_bad_mappings(void)
{
    struct {
        const char *text, *want;
    } bad[] = {
        {"separator = |\n", "bad.map:1: bad value for 'separator': '|'"},
        {"# colours\n\ncolour = red\n",
         "bad.map:3: unknown key 'colour' (known: separator, decimal,"},
        {BASE "meter = m\nunit = Wh\n", "bad.map:5: 'unit' is given twice"},
        {BASE "meter = m\nambiguous = maybe\n",
         "bad.map:5: bad value for 'ambiguous'"},
        {BASE "meter = m\nstep = PT1M30\n", "bad.map:5: bad value for 'step'"},
        {BASE "meter = m\ntime_zone = Europe/Berlin\n",
         "bad.map:5: bad value for 'time_zone'"},
        {"time_column = t\nvalue_column = v\n", "required"},
        {BASE, "either meter, or source"},
        {BASE "meter = m\nsource = zabbix\nsource_ref = 1\n",
         "either meter, or source"},
        {BASE "meter = m\ntimestamp_marks = end\n", "needs a step"},
        {"no equals here\n", "bad.map:1: expected 'key = value'"},
    };
    struct imp_result r;

    t_imp_open(&t);
    ASSERT(!imp_format_find("mapped")->detect("t,v\n", 4));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(t_run(t_mapping("bad.map", bad[i].text), "t,v\n", &r),
                  CM_EMALFORMED);
        ASSERT_CONTAINS(r.message, bad[i].want);
        imp_result_clear(&r);
    }
    ASSERT_EQ(t_run(NULL, "t,v\n", &r), CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "the mapped format needs --mapping FILE");
    imp_result_clear(&r);
    ASSERT_EQ(t_run("/nonexistent/x.map", "t,v\n", &r), CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "mapping /nonexistent/x.map: No such file");
    imp_result_clear(&r);
    /* A good mapping, but the file lacks the column it names */
    ASSERT_EQ(t_run(t_mapping("ok.map", BASE "meter = m\n"), "t;w\n", &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "no column 'v'");
    imp_result_clear(&r);
    t_imp_close(&t);
}

int
main(void)
{
    snprintf(dir, sizeof(dir), "%s", t_tmpdir("mapped"));
    RUN(test_french_export);
    RUN(test_october_policies);
    RUN(test_counter_and_end_stamps);
    RUN(test_bad_mappings);
    return 0;
}
