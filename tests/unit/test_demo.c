/*
** test_demo.c -- the demo federation: the generator streams the same
** bytes whatever the read sizes and run after run; datasets/demo/ loads
** whole into a real store file, and a second load changes nothing; two
** fresh stores get the same sums; the year is complete (8784 hourly
** electricity readings per site in 2024, a leap year), energies are never
** negative, PV is zero at night, and the shapes are those of the model
** (degree-days, PV yield, closed weekends). The real Enedis file is
** loaded when this build has its importer, and skipped with a reason
** otherwise.
*/
#include "t_imp.h"

#include "demo.h"
#include "jw.h"
#include "mem.h"

#define DEMO_DIR CM_SOURCE_DIR "/datasets/demo"
#define T_2024 1704067200LL /* 2024-01-01T00:00:00Z */
#define T_2025 1735689600LL /* 2025-01-01T00:00:00Z */

/* ---- SQL on a store file, as an administrator would read it ---------- */

static long long
t_sql_int(const char *path, const char *sql)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    long long     v;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static double
t_sql_double(const char *path, const char *sql)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    double        v;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* "meter count sum" per meter, one line each, into a malloc'd string. */
static char *
t_sums(const char *path)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    struct cm_buf b;

    cm_buf_init(&b);
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT m.meter_id, count(*), sum(r.value) "
                                 "FROM reading r JOIN meter m ON m.id = "
                                 "r.meter GROUP BY m.meter_id ORDER BY 1",
                                 -1, &s, NULL),
              SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
        cm_buf_printf(&b, "%s %lld %.17g\n", sqlite3_column_text(s, 0),
                      (long long) sqlite3_column_int64(s, 1),
                      sqlite3_column_double(s, 2));
    sqlite3_finalize(s);
    sqlite3_close(db);
    ASSERT(b.len > 0);
    return b.data;
}

/* ---- the generator --------------------------------------------------- */

struct t_stream {
    uint64_t hash; /* FNV-1a of every byte */
    int64_t  bytes, lines;
    char     first[64];
};

/* Read the whole generated CSV 'chunk' bytes at a time. */
static void
t_stream(struct demo_gen *g, size_t chunk, struct t_stream *out)
{
    struct imp_src src;
    struct cm_err  err;
    char          *buf = malloc(chunk);
    ssize_t        got;

    memset(out, 0, sizeof(*out));
    out->hash = 14695981039346656037ull;
    demo_gen_src(g, &src, "gen.csv");
    while ((got = imp_src_read(&src, buf, chunk, &err)) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (out->bytes + i < (int64_t) sizeof(out->first) - 1)
                out->first[out->bytes + i] = buf[i];
            out->hash = (out->hash ^ (unsigned char) buf[i]) * 1099511628211ull;
            out->lines += buf[i] == '\n';
        }
        out->bytes += got;
    }
    ASSERT_EQ(got, 0);
    free(buf);
}

static void
test_generator_same_bytes(void)
{
    struct demo_gen *g1 = demo_gen_new(), *g2 = demo_gen_new();
    struct t_stream  a, b, c, d;

    t_stream(g1, 65536, &a);
    t_stream(g2, 1, &b); /* One byte at a time: lines split anywhere */
    t_stream(g1, 7, &c); /* The same generator, rewound */
    t_stream(g2, 300, &d);
    ASSERT(a.bytes > 1000000);
    ASSERT_CONTAINS(a.first, "site_id,meter_id,kind,unit,timestamp,value\n");
    ASSERT(a.hash == b.hash && a.hash == c.hash && a.hash == d.hash);
    ASSERT_EQ(a.bytes, b.bytes);
    ASSERT_EQ(a.lines, c.lines);
    demo_gen_free(g1);
    demo_gen_free(g2);
    demo_gen_free(NULL);
}

/* ---- loading --------------------------------------------------------- */

static struct t_imp ta, tb;

static void
t_check_first_load(const struct demo_summary *s)
{
    const struct imp_result *gen = &s->files[0];

    ASSERT_EQ(s->sites, t_sql_int(ta.path, "SELECT count(*) FROM site"));
    ASSERT(s->sites >= 12);
    ASSERT_EQ(s->meters, t_sql_int(ta.path, "SELECT count(*) FROM meter"));
    ASSERT_STREQ(gen->format, "csv");
    ASSERT_EQ(gen->status, CM_OK);
    ASSERT(gen->stats.read > 100000);
    ASSERT_EQ(gen->stats.imported, gen->stats.read);
    ASSERT_EQ(gen->stats.rejected, 0);
    if (imp_format_find("enedis") != NULL) {
        /* The real curve: 2020-02-03 .. 2022-02-01, every 10 minutes */
        ASSERT_EQ(s->nfiles, 2);
        ASSERT_EQ(s->nskipped, 0);
        ASSERT_EQ(s->files[1].status, CM_OK);
        ASSERT(s->files[1].stats.imported > 100000);
        ASSERT(t_sql_int(ta.path, "SELECT count(*) FROM reading r JOIN meter "
                                  "m ON m.id = r.meter WHERE m.source = "
                                  "'enedis'") > 100000);
    } else {
        ASSERT_EQ(s->nfiles, 1);
        ASSERT_EQ(s->nskipped, 1);
        ASSERT_CONTAINS(s->skipped[0].file, "enedis/");
        ASSERT_CONTAINS(s->skipped[0].reason, "no 'enedis' importer");
    }
}

static void
test_load_then_reload_unchanged(void)
{
    struct demo_summary *s1 = calloc(1, sizeof(*s1)),
                        *s2 = calloc(1, sizeof(*s2));
    struct cm_err err;
    struct jw    *w = jw_new();
    const char   *json;
    size_t        len;

    t_imp_open(&ta);
    ASSERT_EQ(demo_load(ta.st, DEMO_DIR, "test", s1, &err), CM_OK);
    t_check_first_load(s1);

    ASSERT_EQ(demo_load(ta.st, DEMO_DIR, "test", s2, &err), CM_OK);
    ASSERT_EQ(s2->sites, s1->sites);
    ASSERT_EQ(s2->meters, s1->meters);
    ASSERT_EQ(s2->nfiles, s1->nfiles);
    for (int i = 0; i < s2->nfiles; i++) {
        const struct imp_stats *a = &s1->files[i].stats,
                               *b = &s2->files[i].stats;

        ASSERT_EQ(b->read, a->read);
        ASSERT_EQ(b->imported, 0);
        ASSERT_EQ(b->updated, 0);
        ASSERT_EQ(b->rejected, a->rejected);
        ASSERT_EQ(b->unchanged, a->imported + a->unchanged);
    }

    demo_summary_json(w, s2);
    ASSERT_EQ(jw_result(w, &json, &len, &err), CM_OK);
    ASSERT_CONTAINS(json, "\"demo_dir\":\"" DEMO_DIR "\"");
    ASSERT_CONTAINS(json, "\"rows_imported\":0,\"rows_updated\":0");
    ASSERT_CONTAINS(json, "\"skipped\":[");
    jw_free(w);
    demo_summary_clear(s1);
    demo_summary_clear(s2);
    demo_summary_clear(NULL);
    free(s1);
    free(s2);
}

static void
test_two_stores_same_sums(void)
{
    struct demo_summary *s = calloc(1, sizeof(*s));
    struct cm_err        err;
    char                *a, *b;

    t_imp_open(&tb);
    ASSERT_EQ(demo_load(tb.st, DEMO_DIR, "test", s, &err), CM_OK);
    a = t_sums(ta.path);
    b = t_sums(tb.path);
    ASSERT_STREQ(a, b);
    free(a);
    free(b);
    demo_summary_clear(s);
    free(s);
    t_imp_close(&tb);
}

static void
test_year_complete(void)
{
    /* Every site has one generated electricity meter with every hour of
    ** 2024 (366 days: 8784 hours), once. */
    ASSERT_EQ(t_sql_int(ta.path,
                        "SELECT count(*) FROM site s WHERE (SELECT "
                        "count(DISTINCT r.start) FROM meter m JOIN reading r "
                        "ON r.meter = m.id WHERE m.site = s.id AND m.kind = "
                        "'electricity' AND m.source = 'csv' AND r.step = "
                        "3600 AND r.start >= 1704067200 AND r.start < "
                        "1735689600) = 8784"),
              t_sql_int(ta.path, "SELECT count(*) FROM site"));
    ASSERT_EQ(t_sql_int(ta.path,
                        "SELECT count(*) FROM reading r JOIN meter m ON "
                        "m.id = r.meter WHERE m.kind = 'electricity' AND "
                        "m.source = 'csv'"),
              8784 * t_sql_int(ta.path, "SELECT count(*) FROM site"));
    /* Daily meters: 366 days, each at 00:00 UTC */
    ASSERT_EQ(t_sql_int(ta.path,
                        "SELECT count(*) FROM meter m WHERE m.kind IN "
                        "('gas', 'heat') AND (SELECT count(*) FROM reading "
                        "r WHERE r.meter = m.id AND r.step = 86400 AND "
                        "r.start % 86400 = 0) <> 366"),
              0);
    /* Nothing outside the year, but for the real file's meter */
    ASSERT_EQ(t_sql_int(ta.path, "SELECT count(*) FROM reading r JOIN meter "
                                 "m ON m.id = r.meter WHERE m.source = 'csv' "
                                 "AND (r.start < 1704067200 OR r.start >= "
                                 "1735689600)"),
              0);
}

static void
test_values(void)
{
    /* Energies are never negative; values have at most 3 decimals */
    ASSERT_EQ(t_sql_int(ta.path,
                        "SELECT count(*) FROM reading r JOIN meter m ON "
                        "m.id = r.meter WHERE m.kind <> 'temperature' AND "
                        "r.value < 0"),
              0);
    ASSERT_EQ(t_sql_int(ta.path,
                        "SELECT count(*) FROM reading r JOIN meter m ON "
                        "m.id = r.meter WHERE m.source = 'csv' AND "
                        "abs(r.value * 1000 - round(r.value * 1000)) > 1e-6"),
              0);
    /* PV: nothing between 21:00 and 04:00 UTC (the shortest June night in
    ** Lorient runs from about 20:15 to 04:10 UTC), something every
    ** summer noon. */
    ASSERT(t_sql_int(ta.path, "SELECT count(*) FROM reading r JOIN meter m "
                              "ON m.id = r.meter WHERE m.kind = 'pv' AND "
                              "(r.start % 86400 >= 21 * 3600 OR r.start % "
                              "86400 < 4 * 3600)") > 3 * 366 * 7 - 1);
    ASSERT_EQ(t_sql_int(ta.path, "SELECT count(*) FROM reading r JOIN meter "
                                 "m ON m.id = r.meter WHERE m.kind IN ('pv', "
                                 "'solar_thermal') AND (r.start % 86400 >= "
                                 "21 * 3600 OR r.start % 86400 < 4 * 3600) "
                                 "AND r.value <> 0"),
              0);
    ASSERT_EQ(t_sql_int(ta.path,
                        "SELECT count(*) FROM reading r JOIN meter m ON "
                        "m.id = r.meter WHERE m.kind = 'pv' AND r.start >= "
                        "1717200000 AND r.start < 1725148800 AND r.start % "
                        "86400 = 12 * 3600 AND r.value <= 0"),
              0); /* June to August, 12:00 UTC */
}

static void
test_shapes(void)
{
    double dju, yield, ratio;

    /* Degree-days (base 18 °C) of the outdoor sensor: Lorient's are
    ** about 2000-2400 a year. */
    dju = t_sql_double(
        ta.path, "WITH d AS (SELECT r.start / 86400 AS day, min(value) AS tn, "
                 "max(value) AS tx FROM reading r JOIN meter m ON m.id = "
                 "r.meter WHERE m.kind = 'temperature' GROUP BY day) "
                 "SELECT sum(max(0, 18 - (tn + tx) / 2)) FROM d");
    ASSERT(dju > 1900 && dju < 2600);
    /* PV: Brittany's 1000-1300 kWh per kWp and year; the demo's panels
    ** are 36 + 24 + 18 kWp */
    yield = t_sql_double(ta.path, "SELECT sum(value) FROM reading r JOIN "
                                  "meter m ON m.id = r.meter WHERE m.kind = "
                                  "'pv'") /
            78;
    ASSERT(yield > 1000 && yield < 1300);
    /* Heating: January's gas is many times July's */
    ratio = t_sql_double(
        ta.path, "SELECT sum(CASE WHEN strftime('%m', r.start, 'unixepoch') "
                 "= '01' THEN value END) / sum(CASE WHEN strftime('%m', "
                 "r.start, 'unixepoch') = '07' THEN value END) FROM reading "
                 "r JOIN meter m ON m.id = r.meter WHERE m.kind = 'gas' AND "
                 "m.meter_id NOT LIKE '%piscine%'");
    ASSERT(ratio > 4);
    /* Schools: a term-time Tuesday 10:00 local draws several times the
    ** Saturday's (2024-03-12 and 2024-03-16, 09:00 UTC) */
    ASSERT(t_sql_double(ta.path,
                        "SELECT sum(CASE WHEN r.start = 1710234000 THEN "
                        "value END) / sum(CASE WHEN r.start = 1710579600 "
                        "THEN value END) FROM reading r JOIN meter m ON "
                        "m.id = r.meter JOIN site s ON s.id = m.site WHERE "
                        "s.category = 'education' AND m.kind = "
                        "'electricity' AND m.source = 'csv'") > 3);
}

static void
test_bad_dir(void)
{
    struct demo_summary *s = calloc(1, sizeof(*s));
    struct cm_err        err;

    ASSERT_EQ(demo_load(ta.st, DEMO_DIR "/no-such", "test", s, &err),
              CM_EINVAL);
    ASSERT_STREQ(err.what, "demo.dir");
    ASSERT_CONTAINS(err.msg, "no-such");
    ASSERT_EQ(s->nfiles, 0);
    demo_summary_clear(s);
    free(s);
}

int
main(void)
{
    RUN(test_generator_same_bytes);
    RUN(test_load_then_reload_unchanged);
    RUN(test_two_stores_same_sums);
    RUN(test_year_complete);
    RUN(test_values);
    RUN(test_shapes);
    RUN(test_bad_dir);
    t_imp_close(&ta);
    return 0;
}
