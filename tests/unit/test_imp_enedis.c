/*
** test_imp_enedis.c -- the Enedis SGE CSV importer. On the real exports of
** tests/fixtures/real (see SOURCES.md there): the household load curve and
** the daily indexes of the same meter agree day by day (reference figures
** of energy-domain.md section 5 #11: 20 711 Wh on 2022-01-05, 24 217 and
** 29 256 Wh the next days; and every other fully covered day, the 25-hour
** October day included), and the public building's two-year 10-minute
** curve imports and re-imports unchanged. On tests/fixtures/enedis: both
** summer-time changes (23 and 25 hours), BOM or not, CRLF or LF, bad rows
** one by one, and the files refused whole.
*/
#include "t_imp.h"

#include "imp_int.h" /* imp_enedis_detect() */
#include "ts.h"

#define REAL CM_FIXTURES "/real/enedis-sge/"
#define CURVE                                                                  \
    REAL "CommandeTransmissionHistoriqueMesures_C5-CDC_Enedis_SGE_HDM_"        \
         "A06NW0ZI.csv"
#define INDEX                                                                  \
    REAL "CommandeTransmissionHistoriqueMesures_C5-IDX_Enedis_SGE_HDM_"        \
         "A06NW10D.csv"
#define C4                                                                     \
    REAL "CommandeTransmissionHistoriqueMesures_C4-CDC_Enedis_SGE_HDM_"        \
         "A06NW11N.csv"
#define SYN CM_FIXTURES "/enedis/"

#define PRM "09111642617347"

/* 1 Wh: the curve's W x 0.5 h against the index's whole Wh */
#define WH 0.0010001

static void
t_meter(struct t_imp *t, const char *id, const char *ref)
{
    t_imp_site(t, "home");
    t_imp_meter(t, id, "home", "electricity", "enedis", ref, -1);
}

/* UTC second of local midnight, Europe/Paris, starting y-m-d. */
static long long
t_midnight(int y, int m, int d)
{
    struct ts_civil c = {y, m, d, 0, 0, 0, 0, 0};
    struct cm_err   err;
    int64_t         t;

    ASSERT_EQ(ts_to_utc(&c, 1, TS_FOLD_ERROR, &t, &err), CM_OK);
    return t;
}

/* Sum, count and total seconds of a meter's readings starting in
** [from, to). */
struct t_span {
    double    kwh;
    long long n, seconds;
};

static struct t_span
t_span(struct t_imp *t, const char *meter_id, long long from, long long to)
{
    struct t_span s;
    sqlite3      *db;
    sqlite3_stmt *q;

    ASSERT_EQ(sqlite3_open(t->path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT coalesce(sum(value), 0), count(*), "
                                 "coalesce(sum(r.step), 0) FROM reading r "
                                 "JOIN meter m ON m.id = r.meter WHERE "
                                 "m.meter_id = ?1 AND r.start >= ?2 AND "
                                 "r.start < ?3",
                                 -1, &q, NULL),
              SQLITE_OK);
    sqlite3_bind_text(q, 1, meter_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, from);
    sqlite3_bind_int64(q, 3, to);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    s.kwh = sqlite3_column_double(q, 0);
    s.n = sqlite3_column_int64(q, 1);
    s.seconds = sqlite3_column_int64(q, 2);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return s;
}

#define ASSERT_NEAR(a, b, tol)                                                 \
    do {                                                                       \
        double t_x = (a), t_y = (b);                                           \
        if (t_x - t_y > (tol) || t_y - t_x > (tol)) {                          \
            fprintf(stderr, "%s:%d: %s = %.6f, want %.6f\n", __FILE__,         \
                    __LINE__, #a, t_x, t_y);                                   \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static void
test_curve_and_index_agree(void)
{
    struct t_imp      curve, index;
    struct imp_result r;
    const double      want[] = {20.711, 24.217, 29.256};
    struct t_span     c, i;
    int               full = 0;

    t_imp_open(&curve);
    t_meter(&curve, "home-curve", PRM);
    ASSERT_EQ(t_imp_file(&curve, CURVE, NULL, 0, &r), CM_OK);
    ASSERT_STREQ(r.format, "enedis");
    if (r.stats.rejected != 0)
        t_imp_dump(&r);
    /* 17 866 rows, 14 of them empty (missing points, not counted) */
    ASSERT_EQ(r.stats.read, 17852);
    ASSERT_EQ(r.stats.imported, 17852);
    imp_result_clear(&r);

    /* The same PRM again: a second store, or its daily readings would
    ** overlap the half-hours of the same meter. */
    t_imp_open(&index);
    t_meter(&index, "home-index", PRM);
    ASSERT_EQ(t_imp_file(&index, INDEX, "enedis", 0, &r), CM_OK);
    ASSERT_EQ(r.stats.rejected, 0);
    /* 391 non-empty EAS T (reference #13): a baseline, 389 daily
    ** differences, and the October change day given twice */
    ASSERT_EQ(r.stats.read, 391);
    ASSERT_EQ(r.stats.imported, 389);
    ASSERT_EQ(r.stats.unchanged, 2);
    imp_result_clear(&r);

    /* Reference #11: local days 2022-01-05, -06, -07 */
    for (int d = 0; d < 3; d++) {
        long long d0 = t_midnight(2022, 1, 5 + d), d1 = d0 + 86400;

        c = t_span(&curve, "home-curve", d0, d1);
        i = t_span(&index, "home-index", d0, d0 + 1);
        ASSERT_EQ(c.n, 48); /* Half-hour points */
        ASSERT_EQ(i.n, 1);  /* One daily difference, from midnight */
        ASSERT_EQ(i.seconds, 86400);
        ASSERT_NEAR(c.kwh, want[d], 1e-9);
        ASSERT_NEAR(i.kwh, want[d], 1e-9);
    }

    /* Every local day the curve covers whole agrees with the index to the
    ** Wh: hourly then half-hourly points, both summer-time changes. */
    for (long long d0 = t_midnight(2021, 1, 9), d1; d0 < t_midnight(2022, 2, 2);
         d0 = d1) {
        int y, m, d;

        ts_civil_from_days((d0 + 7200) / 86400 + 1, &y, &m, &d);
        d1 = t_midnight(y, m, d);
        c = t_span(&curve, "home-curve", d0, d1);
        i = t_span(&index, "home-index", d0, d0 + 1);
        if (c.seconds != d1 - d0 || i.seconds != d1 - d0)
            continue; /* Missing curve points, or no index that day */
        ASSERT_NEAR(c.kwh, i.kwh, WH);
        full++;
    }
    ASSERT_EQ(full, 384);

    /* 2021-10-31 has 25 hours: 50 half-hours, and its index (the two rows
    ** labelled 10-31, then 11-01T23:00+01:00) spans 90 000 s. */
    c = t_span(&curve, "home-curve", t_midnight(2021, 10, 31),
               t_midnight(2021, 11, 1));
    i = t_span(&index, "home-index", t_midnight(2021, 10, 31),
               t_midnight(2021, 10, 31) + 1);
    ASSERT_EQ(c.n, 50);
    ASSERT_EQ(i.seconds, 90000);
    ASSERT_NEAR(i.kwh, (7473376 - 7452055) / 1000.0, 1e-9);
    ASSERT_NEAR(c.kwh, i.kwh, WH);
    /* The index has no row for 2021-03-28 (the March change): one reading
    ** covers 03-27 and 03-28, 24 + 23 hours. */
    i = t_span(&index, "home-index", t_midnight(2021, 3, 27),
               t_midnight(2021, 3, 27) + 1);
    ASSERT_EQ(i.seconds, 47 * 3600);
    ASSERT_NEAR(i.kwh, (3166954 - 3106688) / 1000.0, 1e-9);
    /* 2021-02-13 follows a 12.5-hour hole across which the step went from
    ** 60 to 30 min: its first point (00:30) takes the gap after it, 30 min,
    ** not the last hour-long step, so the day has all its 48 points. */
    c = t_span(&curve, "home-curve", t_midnight(2021, 2, 13),
               t_midnight(2021, 2, 14));
    ASSERT_EQ(c.n, 48);
    ASSERT_NEAR(c.kwh, 75.834, WH);

    /* Re-importing the same file changes nothing */
    ASSERT_EQ(t_imp_file(&curve, CURVE, NULL, 0, &r), CM_OK);
    ASSERT_EQ(r.stats.imported, 0);
    ASSERT_EQ(r.stats.updated, 0);
    ASSERT_EQ(r.stats.unchanged, r.stats.read);
    imp_result_clear(&r);
    t_imp_close(&curve);
    t_imp_close(&index);
}

static void
test_public_building(void)
{
    struct t_imp      t;
    struct imp_result r;
    struct t_span     s;

    t_imp_open(&t);
    t_meter(&t, "townhall", "30001642617347");
    ASSERT_EQ(t_imp_file(&t, C4, NULL, 0, &r), CM_OK);
    /* 105 120 ten-minute points (730 days x 144), 2 448 of them empty;
    ** no 'Unite' in the header: W */
    ASSERT_EQ(r.stats.read, 105120 - 2448);
    ASSERT_EQ(r.stats.imported, 105120 - 2448);
    imp_result_clear(&r);
    s = t_span(&t, "townhall", 0, 1LL << 40);
    ASSERT_EQ(s.n, 105120 - 2448);
    ASSERT_EQ(s.seconds, (105120 - 2448) * 600LL);
    /* A 132 kVA building: between 100 and 200 MWh a year */
    ASSERT(s.kwh > 2 * 100000 && s.kwh < 2 * 200000);
    ASSERT_EQ(t_imp_file(&t, C4, NULL, 0, &r), CM_OK);
    ASSERT_EQ(r.stats.unchanged, r.stats.read);
    ASSERT_EQ(r.stats.imported, 0);
    ASSERT_EQ(r.stats.updated, 0);
    imp_result_clear(&r);
    t_imp_close(&t);
}

/* Read a fixture whole. */
static char *
t_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = malloc(1 << 16);

    ASSERT(f != NULL && p != NULL);
    *len = fread(p, 1, 1 << 16, f);
    ASSERT(*len < (1 << 16));
    fclose(f);
    return p;
}

/* dst-2023.csv: 1000 W every half hour of local days 2023-03-26 (23 h)
** and 2023-10-29 (25 h), PRM 123; indexes of PRM 456 labelled the Enedis
** way; a calendar; a max-power section. 'text' is the file, or a variant. */
static void
t_check_dst(const char *name, const char *text, size_t len)
{
    struct t_imp      t;
    struct imp_result r;
    struct t_span     s;

    t_imp_open(&t);
    t_meter(&t, "curve", "123");
    t_meter(&t, "index", "456");
    ASSERT_EQ(t_imp_text(&t, name, text, len, NULL, 0, &r), CM_OK);
    if (r.stats.rejected)
        t_imp_dump(&r);
    ASSERT_STREQ(r.format, "enedis");
    ASSERT_EQ(r.stats.rejected, 0);
    /* 46 + 50 points; 6 indexes: a baseline, a repeat, 4 differences
    ** (one of them from March to October: the file has no rows between) */
    ASSERT_EQ(r.stats.imported, 46 + 50 + 4);
    ASSERT_EQ(r.stats.unchanged, 2);
    imp_result_clear(&r);

    s = t_span(&t, "curve", t_midnight(2023, 3, 26), t_midnight(2023, 3, 27));
    ASSERT_EQ(s.n, 46);
    ASSERT_NEAR(s.kwh, 23.0, 1e-9);
    s = t_span(&t, "curve", t_midnight(2023, 10, 29), t_midnight(2023, 10, 30));
    ASSERT_EQ(s.n, 50);
    ASSERT_NEAR(s.kwh, 25.0, 1e-9);
    /* No row for 03-26: one reading from 03-25 to 03-27, 24 + 23 h */
    s = t_span(&t, "index", t_midnight(2023, 3, 25),
               t_midnight(2023, 3, 25) + 1);
    ASSERT_EQ(s.seconds, 47 * 3600);
    ASSERT_NEAR(s.kwh, 47.0, 1e-9);
    /* 10-29 labelled twice: one 25-hour day */
    s = t_span(&t, "index", t_midnight(2023, 10, 29),
               t_midnight(2023, 10, 29) + 1);
    ASSERT_EQ(s.seconds, 25 * 3600);
    ASSERT_NEAR(s.kwh, 25.0, 1e-9);
    t_imp_close(&t);
}

static void
test_summer_time_bom_crlf(void)
{
    size_t len, n = 0;
    char  *text = t_slurp(SYN "dst-2023.csv", &len);
    char  *lf = malloc(len);

    ASSERT(len > 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0);
    ASSERT(memchr(text, '\r', len) != NULL);
    t_check_dst("dst-2023.csv", text, len);
    /* The same without its BOM and with LF line ends */
    for (size_t i = 3; i < len; i++)
        if (text[i] != '\r')
            lf[n++] = text[i];
    t_check_dst("dst-2023-lf.csv", lf, n);
    free(lf);
    free(text);
}

static void
test_bad_rows(void)
{
    struct t_imp      t;
    struct imp_result r;
    struct t_span     s;
    const struct {
        long        line;
        const char *why;
    } want[] = {
        {7, "'abc' is not a number"},
        {9, "month out of range"},
        {10, "no UTC offset"},
        {12, "repeats the previous row's"},
        {13, "comes before the previous row's"},
        {14, "negative"},
        {15, "'1 200' is not a number"},
        {16, "expected Horodate;Valeur"},
    };

    t_imp_open(&t);
    t_meter(&t, "m", "789");
    ASSERT_EQ(t_imp_file(&t, SYN "bad-rows.csv", NULL, 0, &r), CM_OK);
    /* 600 W, 12,5 W, 12.5 W and 600 W over 10 minutes; line 8 is empty */
    ASSERT_EQ(r.stats.imported, 4);
    ASSERT_EQ(r.stats.rejected, 8);
    ASSERT_EQ(r.nerrors, 8);
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ(r.errors[i].line, want[i].line);
        ASSERT_CONTAINS(r.errors[i].message, want[i].why);
    }
    imp_result_clear(&r);
    s = t_span(&t, "m", 0, 1LL << 40);
    ASSERT_NEAR(s.kwh, (600 + 12.5 + 12.5 + 600) / 6 / 1000, 1e-12);
    /* --strict: the same file is refused whole */
    ASSERT_EQ(t_imp_file(&t, SYN "bad-rows.csv", NULL, 1, &r), CM_EINVAL);
    ASSERT_CONTAINS(r.message, "8 rows rejected");
    imp_result_clear(&r);
    t_imp_close(&t);
}

static void
test_refused_files(void)
{
    struct t_imp      t;
    struct imp_result r;

    t_imp_open(&t);
    t_meter(&t, "m", "789");
    /* Cut in the middle of its last row: that row alone is bad */
    ASSERT_EQ(t_imp_file(&t, SYN "truncated-row.csv", NULL, 0, &r), CM_OK);
    ASSERT_EQ(r.stats.imported, 2);
    ASSERT_EQ(r.stats.rejected, 1);
    ASSERT_EQ(r.errors[0].line, 6);
    ASSERT_CONTAINS(r.errors[0].message, "expected Horodate;Valeur");
    imp_result_clear(&r);
    /* Cut inside the header block: the file is unusable */
    ASSERT_EQ(t_imp_file(&t, SYN "truncated-header.csv", NULL, 0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "ends inside a section header");
    imp_result_clear(&r);
    /* A header and no rows: nothing to import, nothing wrong */
    ASSERT_EQ(t_imp_file(&t, SYN "header-only.csv", NULL, 0, &r), CM_OK);
    ASSERT_EQ(r.stats.read, 0);
    imp_result_clear(&r);
    /* Empty: refused, whether detected or named */
    ASSERT_EQ(t_imp_file(&t, SYN "empty.csv", NULL, 0, &r), CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "empty");
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_file(&t, SYN "empty.csv", "enedis", 0, &r), CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "empty file");
    imp_result_clear(&r);
    /* Rows without the PRM header block */
    ASSERT_EQ(t_imp_text(&t, "x.csv", "Horodate;Valeur\n", 16, "enedis", 0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "not an Enedis export");
    imp_result_clear(&r);
    t_imp_close(&t);
}

#define HEAD(metier, pas)                                                      \
    "Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur "      \
    "physique;Grandeur metier;Etape metier;Unite;Pas en minutes\n"             \
    "789;Courbe de charge;01/01/2023;02/01/2023;Energie active;" metier        \
    ";Comptage Brut;W;" pas "\nHorodate;Valeur\n"

static void
test_sections(void)
{
    struct t_imp      t;
    struct imp_result r;
    /* A column line alone restarts the section: not a bad row */
    const char again[] = HEAD(
        "Consommation",
        "") "2023-01-01T00:30:00+01:00;1000\n2023-01-01T01:00:00+01:00;1000\n"
            "Horodate;Valeur\n2023-01-02T00:30:00+01:00;1000\n"
            "2023-01-02T01:00:00+01:00;1000\n";
    /* One point and no 'Pas en minutes': no step to give it */
    const char one[] = HEAD("Consommation", "") "2023-01-03T00:30:00+01:00;1\n";
    /* Injection: claims kind pv, so a consumption meter refuses it */
    const char prod[] =
        HEAD("Production", "30") "2023-01-04T00:30:00+01:00;1\n";

    ASSERT(imp_enedis_detect("Identifiant PRM;Type", 20));
    ASSERT(imp_enedis_detect("\xEF\xBB\xBFIdentifiant PRM;Type", 23));
    ASSERT(!imp_enedis_detect("Horodate;Valeur\n", 16));
    t_imp_open(&t);
    t_meter(&t, "m", "789");
    ASSERT_EQ(
        t_imp_text(&t, "again.csv", again, sizeof(again) - 1, NULL, 0, &r),
        CM_OK);
    ASSERT_EQ(r.stats.imported, 4);
    ASSERT_EQ(r.stats.rejected, 0);
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "one.csv", one, sizeof(one) - 1, NULL, 0, &r),
              CM_OK);
    ASSERT_EQ(r.stats.rejected, 1);
    ASSERT_CONTAINS(r.errors[0].message, "step of this point is unknown");
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "prod.csv", prod, sizeof(prod) - 1, NULL, 0, &r),
              CM_OK);
    ASSERT_EQ(r.stats.rejected, 1);
    ASSERT_CONTAINS(r.errors[0].message, "measures electricity, not pv");
    imp_result_clear(&r);
    t_imp_close(&t);
}

int
main(void)
{
    RUN(test_curve_and_index_agree);
    RUN(test_public_building);
    RUN(test_summer_time_bom_crlf);
    RUN(test_bad_rows);
    RUN(test_refused_files);
    RUN(test_sections);
    return 0;
}
