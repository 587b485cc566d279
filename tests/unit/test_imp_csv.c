/*
** test_imp_csv.c -- the canonical CSV importer and, through it, the import
** driver: one transaction per file, idempotent re-imports, updates,
** duplicates, unknown meters, counters, --strict, and every bad input of
** the federation issue that is not specific to another format.
*/
#include "t_imp.h"

#define HDR "site_id,meter_id,kind,unit,timestamp,value,step\n"

static struct t_imp t;

static void
t_setup(void)
{
    t_imp_open(&t);
    t_imp_site(&t, "school-1");
    t_imp_site(&t, "pool");
    t_imp_meter(&t, "elec-1", "school-1", "electricity", "csv", NULL, 3600);
    t_imp_meter(&t, "temp-1", "school-1", "temperature", "csv", NULL, -1);
    t_imp_meter(&t, "gas-1", "pool", "gas", "csv", NULL, -1);
}

static int
t_text(const char *text, int strict, struct imp_result *res)
{
    return t_imp_text(&t, "t.csv", text, strlen(text), NULL, strict, res);
}

static void
t_counts(const struct imp_result *r, long long read, long long imported,
         long long updated, long long unchanged, long long rejected)
{
    if (r->stats.read != read || r->stats.imported != imported ||
        r->stats.updated != updated || r->stats.unchanged != unchanged ||
        r->stats.rejected != rejected) {
        t_imp_dump(r);
        fprintf(stderr,
                "want read %lld imported %lld updated %lld "
                "unchanged %lld rejected %lld\n",
                read, imported, updated, unchanged, rejected);
        exit(1);
    }
}

static void
test_import_and_reimport(void)
{
    const char *csv =
        HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00:00Z,12.5,PT1H\n"
            "school-1,elec-1,electricity,Wh,2024-01-15T01:00:00+00:00,13500,"
            "3600\n"
            "school-1,elec-1,electricity,kWh,2024-01-15T03:00:00+01:00,1,\n"
            "school-1,temp-1,temperature,degC,2024-01-15T00:00:00Z,-3.5,\n"
            "pool,gas-1,gas,kWh,2024-01-15T06:00:00+01:00,800,P1D\n";
    struct imp_result r;
    double            sum;
    long long         n;

    t_setup();
    ASSERT_EQ(t_text(csv, 0, &r), CM_OK);
    ASSERT_STREQ(r.format, "csv");
    t_counts(&r, 5, 5, 0, 0, 0);
    imp_result_clear(&r);
    t_imp_sum(&t, "elec-1", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 3);
    ASSERT(sum > 26.999 && sum < 27.001); /* 12.5 + 13.5 + 1 */
    /* The same file again changes nothing */
    ASSERT_EQ(t_text(csv, 0, &r), CM_OK);
    t_counts(&r, 5, 0, 0, 5, 0);
    imp_result_clear(&r);
    /* An overlapping file with another value updates it */
    ASSERT_EQ(t_text(HDR "school-1,elec-1,electricity,kWh,"
                         "2024-01-15T00:00:00Z,20,PT1H\n"
                         "school-1,elec-1,electricity,kWh,"
                         "2024-01-15T04:00:00Z,2,PT1H\n",
                     0, &r),
              CM_OK);
    t_counts(&r, 2, 1, 1, 0, 0);
    imp_result_clear(&r);
    t_imp_close(&t);
}

static void
test_duplicates_in_one_file(void)
{
    struct imp_result r;

    t_setup();
    ASSERT_EQ(t_text(HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "1,PT1H\n"
                         "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "1,PT1H\n"
                         "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "2,PT1H\n",
                     0, &r),
              CM_OK);
    /* Same value: unchanged; another value: rejected, never silently won */
    t_counts(&r, 3, 1, 0, 1, 1);
    ASSERT_EQ(r.errors[0].line, 4);
    ASSERT_CONTAINS(r.errors[0].message, "duplicate");
    imp_result_clear(&r);
    t_imp_close(&t);
}

static void
test_bad_rows(void)
{
    struct imp_result r;
    const char       *csv =
        HDR "school-1,nope,electricity,kWh,2024-01-15T00:00Z,1,PT1H\n"   /* 2 */
            "pool,elec-1,electricity,kWh,2024-01-15T00:00Z,1,PT1H\n"     /* 3 */
            "school-1,elec-1,gas,kWh,2024-01-15T00:00Z,1,PT1H\n"         /* 4 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,NaN,\n"   /* 5 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,inf,\n"   /* 6 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,1e400,\n" /* 7 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,\"12,5\",\n"
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,-4,\n"  /* 9 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00,1,\n"    /* 10 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,1\n"    /* 11 */
            "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,1,,x\n" /* 12 */
            "school-1,elec-1,electricity,W,2024-01-15T00:00Z,1,PT1X\n" /* 13 */
            "school-1,temp-1,temperature,kWh,2024-01-15T00:00Z,1,\n"   /* 14 */
            "school-1,elec-1,electricity,kWh,2024-02-30T00:00Z,1,\n"   /* 15 */
            "school-1,elec-1,electricity,kWh,2024-01-15T05:00Z,7,\n";  /* ok */
    const char *want[] = {"unknown meter 'nope'",
                          "belongs to site",
                          "measures electricity",
                          "not a number",
                          "not a number",
                          "not a number",
                          "not a number",
                          "negative",
                          "no offset",
                          "fields",
                          "fields",
                          "step",
                          "kWh",
                          "timestamp"};

    t_setup();
    ASSERT_EQ(t_text(csv, 0, &r), CM_OK);
    t_counts(&r, 15, 1, 0, 0, 14);
    for (int i = 0; i < 14; i++) {
        ASSERT_EQ(r.errors[i].line, i + 2);
        ASSERT_CONTAINS(r.errors[i].message, want[i]);
    }
    imp_result_clear(&r);
    /* --strict: the same file imports nothing */
    ASSERT_EQ(t_text(csv, 1, &r), CM_EINVAL);
    ASSERT_CONTAINS(r.message, "--strict");
    ASSERT_EQ(r.stats.imported, 0);
    imp_result_clear(&r);
    {
        double    sum;
        long long n;

        t_imp_sum(&t, "elec-1", 0, 1LL << 40, &sum, &n);
        ASSERT_EQ(n, 1); /* Only the first, non-strict run's good row */
    }
    t_imp_close(&t);
}

static void
test_whole_file_refusals(void)
{
    struct imp_result r;
    double            sum;
    long long         n;
    const char        good[] =
        HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,1,PT1H\n";

    t_setup();
    /* Empty: no format to detect; header only: fine, nothing to import */
    ASSERT_EQ(t_text("", 0, &r), CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "empty");
    imp_result_clear(&r);
    ASSERT_EQ(t_text(HDR, 0, &r), CM_OK);
    t_counts(&r, 0, 0, 0, 0, 0);
    imp_result_clear(&r);
    /* An unterminated quote after good rows: nothing of the file stays */
    ASSERT_EQ(t_text(HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "1,PT1H\n"
                         "school-1,elec-1,electricity,kWh,\"2024-01-15T01:00Z,"
                         "1,PT1H\n",
                     0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "unterminated quote");
    ASSERT_EQ(r.stats.imported, 0);
    imp_result_clear(&r);
    t_imp_sum(&t, "elec-1", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 0);
    /* Invalid UTF-8 (a Latin-1 'é') */
    ASSERT_EQ(t_text(HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "1,PT1H\nschool-1,\xE9l,electricity,kWh,"
                         "2024-01-15T01:00Z,1,PT1H\n",
                     0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "line 3: not UTF-8");
    imp_result_clear(&r);
    /* Unknown and missing columns */
    ASSERT_EQ(t_imp_text(&t, "t.csv",
                         "site_id,meter_id,kind,unit,timestamp,value,colour\n",
                         51, "csv", 0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "unknown column 'colour'");
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "t.csv", "site_id,meter_id,kind,unit,value\n", 33,
                         "csv", 0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "required column 'timestamp'");
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "t.csv", good, sizeof(good) - 1, "nope", 0, &r),
              CM_EMEDIA);
    ASSERT_CONTAINS(r.message, "unknown format 'nope'");
    imp_result_clear(&r);
    t_imp_sum(&t, "elec-1", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 0);
    t_imp_close(&t);
}

static void
test_bom_crlf(void)
{
    const char *lf =
        HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,1,PT1H\n";
    const char       *crlf = "\xEF\xBB\xBFsite_id,meter_id,kind,unit,timestamp,"
                             "value,step\r\nschool-1,elec-1,electricity,kWh,"
                             "2024-01-15T00:00Z,1,PT1H\r\n";
    struct imp_result r;

    t_setup();
    ASSERT_EQ(t_text(lf, 0, &r), CM_OK);
    t_counts(&r, 1, 1, 0, 0, 0);
    imp_result_clear(&r);
    ASSERT_EQ(t_text(crlf, 0, &r), CM_OK); /* Detected despite the BOM */
    t_counts(&r, 1, 0, 0, 1, 0);           /* The very same reading */
    imp_result_clear(&r);
    t_imp_close(&t);
}

/* An endless line: the importer must refuse it without holding it. */
static ssize_t
t_endless(void *ctx, char *buf, size_t n)
{
    size_t           *left = ctx;
    size_t            k = n < *left ? n : *left;
    static const char hdr[] = HDR;

    if (*left == (size_t) 100 << 20) { /* First call: the header */
        memcpy(buf, hdr, sizeof(hdr) - 1);
        *left -= sizeof(hdr) - 1;
        return (ssize_t) (sizeof(hdr) - 1);
    }
    memset(buf, 'a', k);
    *left -= k;
    return (ssize_t) k;
}

static ssize_t
t_failing(void *ctx, char *buf, size_t n)
{
    int       *calls = ctx;
    const char rows[] =
        HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,1,PT1H\n";

    (void) n;
    if ((*calls)++ == 0) {
        memcpy(buf, rows, sizeof(rows) - 1);
        return (ssize_t) (sizeof(rows) - 1);
    }
    return -1; /* The disk, the network: gone mid-file */
}

static void
test_limits_and_failures(void)
{
    struct imp_result r;
    struct imp_opts   o = {0, NULL, "test", NULL};
    struct imp_src    src;
    size_t            left = (size_t) 100 << 20;
    int               calls = 0;
    double            sum;
    long long         n;

    t_setup();
    memset(&src, 0, sizeof(src));
    src.name = "huge.csv";
    src.read = t_endless;
    src.ctx = &left;
    ASSERT_EQ(imp_run(t.st, &src, "csv", &o, &r), CM_ELIMIT);
    ASSERT_CONTAINS(r.message, "line 2 is longer than");
    ASSERT(left > ((size_t) 99 << 20)); /* Stopped early: not held whole */
    imp_result_clear(&r);

    memset(&src, 0, sizeof(src));
    src.name = "cut.csv";
    src.read = t_failing;
    src.ctx = &calls;
    ASSERT_EQ(imp_run(t.st, &src, "csv", &o, &r), CM_EIO);
    imp_result_clear(&r);
    t_imp_sum(&t, "elec-1", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 0); /* The row read before the failure is not kept */

    /* A body over its limit */
    memset(&src, 0, sizeof(src));
    left = (size_t) 100 << 20;
    src.name = "body";
    src.read = t_endless;
    src.ctx = &left;
    src.limit = 4096;
    src.limit_setting = "ingest.body_max";
    ASSERT_EQ(imp_run(t.st, &src, "csv", &o, &r), CM_ELIMIT);
    ASSERT_CONTAINS(r.message, "ingest.body_max");
    imp_result_clear(&r);
    t_imp_close(&t);
}

static void
test_counters_and_steps(void)
{
    struct imp_result      r;
    struct cm_err          err;
    struct store_meter_def idx = {
        "idx-1", "school-1", "electricity", "csv", NULL, "Wh", -1, 1};
    double    sum;
    long long n;

    t_setup();
    ASSERT_EQ(store_meter_upsert(t.st, &idx, &err), CM_OK);
    ASSERT_EQ(t_text(HDR "school-1,idx-1,electricity,Wh,2024-01-15T00:00Z,"
                         "1000,\n"
                         "school-1,idx-1,electricity,Wh,2024-01-16T00:00Z,"
                         "21000,\n"
                         "school-1,idx-1,electricity,Wh,2024-01-17T00:00Z,"
                         "45000,\n"
                         "school-1,idx-1,electricity,Wh,2024-01-18T00:00Z,"
                         "500,\n" /* The meter was replaced */
                         "school-1,idx-1,electricity,Wh,2024-01-19T00:00Z,"
                         "2500,\n",
                     0, &r),
              CM_OK);
    /* 1st: baseline; 2nd, 3rd: intervals; 4th: reset; 5th: interval */
    t_counts(&r, 5, 3, 0, 1, 1);
    ASSERT_CONTAINS(r.errors[0].message, "counter reset");
    imp_result_clear(&r);
    t_imp_sum(&t, "idx-1", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 3);
    ASSERT(sum > 45.999 && sum < 46.001); /* 20 + 24 + 2 kWh */

    /* No step column and no declared step: an energy has no interval */
    ASSERT_EQ(t_text("site_id,meter_id,kind,unit,timestamp,value\n"
                     "pool,gas-1,gas,kWh,2024-01-15T06:00+01:00,800\n"
                     "school-1,elec-1,electricity,kWh,2024-01-15T06:00Z,3\n"
                     "school-1,temp-1,temperature,degC,2024-01-15T06:00Z,3\n",
                     0, &r),
              CM_OK);
    t_counts(&r, 3, 2, 0, 0, 1);
    ASSERT_CONTAINS(r.errors[0].message, "no interval");
    imp_result_clear(&r);
    t_imp_close(&t);
}

/* A counter's chain goes on from one file to the next: the energy between
** the last index of a file and the first of the next is not lost. */
static void
test_counter_across_files(void)
{
    struct imp_result      r;
    struct cm_err          err;
    struct store_meter_def idx = {
        "idx-1", "school-1", "electricity", "csv", NULL, "Wh", -1, 1};
    const char first[] = HDR "school-1,idx-1,electricity,Wh,2024-01-01T00:00Z,"
                             "1000,\n"
                             "school-1,idx-1,electricity,Wh,2024-01-02T00:00Z,"
                             "3000,\n";
    const char next[] = HDR "school-1,idx-1,electricity,Wh,2024-01-03T00:00Z,"
                            "6000,\n"
                            "school-1,idx-1,electricity,Wh,2024-01-04T00:00Z,"
                            "10000,\n";
    double     sum;
    long long  n;

    t_setup();
    ASSERT_EQ(store_meter_upsert(t.st, &idx, &err), CM_OK);
    ASSERT_EQ(t_text(first, 0, &r), CM_OK);
    t_counts(&r, 2, 1, 0, 1, 0); /* Baseline, then one day */
    imp_result_clear(&r);
    ASSERT_EQ(t_text(next, 0, &r), CM_OK);
    t_counts(&r, 2, 2, 0, 0, 0); /* Jan 2 -> 3 comes from the store */
    imp_result_clear(&r);
    t_imp_sum(&t, "idx-1", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 3);
    ASSERT(sum > 8.9999 && sum < 9.0001); /* 2 + 3 + 4 kWh */
    /* Re-importing the older file changes nothing and moves nothing back */
    ASSERT_EQ(t_text(first, 0, &r), CM_OK);
    t_counts(&r, 2, 0, 0, 2, 0);
    imp_result_clear(&r);
    ASSERT_EQ(t_text(next, 0, &r), CM_OK);
    t_counts(&r, 2, 0, 0, 2, 0);
    imp_result_clear(&r);
    t_imp_close(&t);
}

/* A daily total beside the hourly readings it sums would count twice. */
static void
test_declared_step(void)
{
    struct imp_result r;

    t_setup();
    ASSERT_EQ(t_text(HDR "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "240,P1D\n"
                         "school-1,elec-1,electricity,kWh,2024-01-15T00:00Z,"
                         "10,PT1H\n",
                     0, &r),
              CM_OK);
    t_counts(&r, 2, 1, 0, 0, 1);
    ASSERT_CONTAINS(r.errors[0].message, "takes readings of 3600 s");
    imp_result_clear(&r);
    t_imp_close(&t);
}

int
main(void)
{
    RUN(test_import_and_reimport);
    RUN(test_duplicates_in_one_file);
    RUN(test_bad_rows);
    RUN(test_whole_file_refusals);
    RUN(test_bom_crlf);
    RUN(test_limits_and_failures);
    RUN(test_counters_and_steps);
    RUN(test_declared_step);
    RUN(test_counter_across_files);
    return 0;
}
