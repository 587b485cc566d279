/*
** test_imp_mapped.c -- the mapped CSV importer: a French export with ';',
** decimal commas and local times across both summer-time changes, the
** mapping file's own errors, counters and end-of-interval stamps.
*/
#include "t_imp.h"

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

static int
t_run(const char *mapping, const char *csv, struct imp_result *r)
{
    struct imp_opts o = {0, mapping, "test", NULL};
    struct imp_src  src;
    FILE           *f = fmemopen((void *) csv, strlen(csv), "rb");
    int             rc;

    ASSERT(f != NULL);
    imp_src_file(&src, f, "export.csv");
    rc = imp_run(t.st, &src, "mapped", &o, r);
    fclose(f);
    return rc;
}

#define MAP                                                                    \
    "# the school's heat meter\n"                                              \
    "separator = ;\ndecimal = ,\ntime_column = Date\n"                         \
    "time_format = %d/%m/%Y %H:%M\ntime_zone = Europe/Paris\n"                 \
    "value_column = Energie (kWh)\nunit = kWh\nmeter = heat-1\n"               \
    "step = PT1H   # hourly\n"

static void
test_french_export(void)
{
    const char *strict = t_mapping("strict.map", MAP);
    const char *earlier = t_mapping("earlier.map", MAP "ambiguous = earlier\n");
    const char *csv = "Date;Energie (kWh);Commentaire\n"
                      "26/03/2023 01:00;12,5;ok\n" /* 00:00Z */
                      "26/03/2023 02:30;3,0;\n"    /* does not exist */
                      "26/03/2023 03:00;4,25;\n"   /* 01:00Z */
                      "29/10/2023 02:30;5;\n"      /* ambiguous */
                      "29/10/2023 04:00;6;\n"      /* 03:00Z */
                      "29/10/2023 05:00;;\n"       /* no value */
                      "29/10/2023 06:00;1.5;\n";   /* '.' refused */
    struct imp_result r;
    double            sum;
    long long         n;

    t_imp_open(&t);
    t_imp_site(&t, "school");
    t_imp_meter(&t, "heat-1", "school", "heat", "csv", NULL, 3600);
    ASSERT_EQ(t_run(strict, csv, &r), CM_OK);
    if (r.stats.imported != 3 || r.stats.rejected != 3)
        t_imp_dump(&r);
    ASSERT_EQ(r.stats.imported, 3);
    ASSERT_EQ(r.stats.rejected, 3);
    ASSERT_CONTAINS(r.errors[0].message, "does not exist");
    ASSERT_EQ(r.errors[0].line, 3);
    ASSERT_CONTAINS(r.errors[1].message, "ambiguous");
    ASSERT_CONTAINS(r.errors[2].message, "not a number");
    imp_result_clear(&r);
    t_imp_sum(&t, "heat-1", 1679788800LL, 1679788800LL + 1, &sum, &n);
    ASSERT_EQ(n, 1); /* 26/03 01:00 local = 00:00Z */
    ASSERT(sum > 12.4999 && sum < 12.5001);
    /* With ambiguous = earlier the October 02:30 is summer time: 00:30Z */
    ASSERT_EQ(t_run(earlier, csv, &r), CM_OK);
    ASSERT_EQ(r.stats.imported, 1);
    ASSERT_EQ(r.stats.unchanged, 3);
    imp_result_clear(&r);
    t_imp_sum(&t, "heat-1", 1698539400LL, 1698539400LL + 1, &sum, &n);
    ASSERT_EQ(n, 1);
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
    struct imp_result r;
    double            sum;
    long long         n;

    t_imp_open(&t);
    t_imp_site(&t, "s");
    t_imp_meter(&t, "idx", "s", "electricity", "csv", NULL, -1);
    t_imp_meter(&t, "e", "s", "electricity", "csv", NULL, -1);
    ASSERT_EQ(t_run(map,
                    "t,v\n2024-01-01T00:00,1000\n2024-01-02T00:00,"
                    "3500\n2024-01-03T00:00,4000\n",
                    &r),
              CM_OK);
    ASSERT_EQ(r.stats.imported, 2);
    imp_result_clear(&r);
    t_imp_sum(&t, "idx", 0, 1LL << 40, &sum, &n);
    ASSERT(sum > 2.9999 && sum < 3.0001);
    ASSERT_EQ(t_run(end, "t,v\n2024-01-01T00:30:00Z,2\n", &r), CM_OK);
    imp_result_clear(&r);
    t_imp_sum(&t, "e", 1704067200LL, 1704067201LL, &sum, &n);
    ASSERT_EQ(n, 1); /* Starts at 00:00Z, half an hour before its stamp */
    t_imp_close(&t);
}

static void
test_bad_mappings(void)
{
    struct {
        const char *text, *want;
    } bad[] = {
        {"separator = |\n", "bad value for 'separator'"},
        {"colour = red\n", "unknown key 'colour'"},
        {"time_column = t\nvalue_column = v\n", "required"},
        {"time_column = t\nvalue_column = v\nunit = kWh\n",
         "either meter, or source"},
        {"time_column = t\nvalue_column = v\nunit = kWh\nmeter = m\n"
         "timestamp_marks = end\n",
         "needs a step"},
        {"no equals here\n", "expected 'key = value'"},
    };
    struct imp_result r;

    t_imp_open(&t);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(t_run(t_mapping("bad.map", bad[i].text), "t,v\n", &r),
                  CM_EMALFORMED);
        ASSERT_CONTAINS(r.message, bad[i].want);
        imp_result_clear(&r);
    }
    ASSERT_EQ(t_run(NULL, "t,v\n", &r), CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "needs --mapping");
    imp_result_clear(&r);
    t_imp_close(&t);
}

int
main(void)
{
    snprintf(dir, sizeof(dir), "%s", t_tmpdir("mapped"));
    RUN(test_french_export);
    RUN(test_counter_and_end_stamps);
    RUN(test_bad_mappings);
    return 0;
}
