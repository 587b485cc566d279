/*
** test_imp_adict.c -- the GRDF ADICT importer (imp_adict.c) through the
** driver, on a real store file: reference #8 of energy-domain.md (energie
** 2032 kWh is stored as 2032, not 180 x 11.29 = 2032.2), informative daily
** data, gas days across both changes of summer time, GRDF's error status,
** a truncated download, bad lines, and re-import.
*/
#include "t_imp.h"

#define FIX CM_FIXTURES "/adict/"
#define PCE "23000000000000"
#define DAY 86400

static struct t_imp t;

static void
setup(void)
{
    t_imp_open(&t);
    t_imp_site(&t, "s1");
    t_imp_meter(&t, "gaz-1", "s1", "gas", "grdf", PCE, -1);
}

/* The value of gaz-1's reading keyed (start, step), or -1 if none. */
static double
reading(long long start, long long step)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    double        v = -1;

    ASSERT_EQ(sqlite3_open(t.path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT r.value FROM reading r JOIN meter m "
                                 "ON m.id = r.meter WHERE m.meter_id = "
                                 "'gaz-1' AND r.start = ?1 AND r.step = ?2",
                                 -1, &s, NULL),
              SQLITE_OK);
    sqlite3_bind_int64(s, 1, start);
    sqlite3_bind_int64(s, 2, step);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void
count_all(double *sum, long long *n)
{
    t_imp_sum(&t, "gaz-1", 0, 4102444800LL, sum, n);
}

/* Reference #8: GRDF's energie, never volume_brut x coeff_conversion. */
static void
test_published_period(void)
{
    struct imp_result res;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "publiees.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_STREQ(res.format, "adict"); /* Detected */
    ASSERT_EQ(res.stats.imported, 1);
    ASSERT_EQ(res.stats.rejected, 0);
    /* 2021-01-01T06:00+01:00 .. 2021-01-23T06:00+01:00: 22 gas days */
    ASSERT(reading(1609477200, 22 * DAY) == 2032.0);
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_informative_days(void)
{
    struct imp_result res;
    double            sum;
    long long         n;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "informatives.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 3);
    ASSERT_EQ(res.stats.rejected, 0);
    /* lowatt-grdf's example: 1 m3 at 11.16 kWh/m3 is energie 8 kWh */
    ASSERT(reading(1629086400, DAY) == 8.0);
    ASSERT(reading(1629172800, DAY) == 19.0);
    /* energie null: 2 m3 x 11.16 kWh/m3, converted by units.c */
    ASSERT(reading(1629259200, DAY) == 2 * 11.16);
    count_all(&sum, &n);
    ASSERT_EQ(n, 3);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* Gas days run 06:00 to 06:00 local: 23 h in March, 25 h in October. */
static void
test_dst_gas_days(void)
{
    struct imp_result res;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "dst.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT(reading(1616821200, 23 * 3600) == 34.0);
    ASSERT(reading(1635566400, 25 * 3600) == 45.0);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* A status with an error code refuses the whole file, quoting GRDF. */
static void
test_status_error(void)
{
    struct imp_result res;
    double            sum;
    long long         n;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "status_error.ndjson", NULL, 0, &res),
              CM_EMALFORMED);
    ASSERT_EQ(res.status, CM_EMALFORMED);
    ASSERT_CONTAINS(res.message, "line 2");
    ASSERT_CONTAINS(res.message, "2000000010");
    ASSERT_CONTAINS(res.message, "Une erreur technique");
    ASSERT_CONTAINS(res.message, "nothing was imported");
    ASSERT_EQ(res.stats.imported, 0);
    count_all(&sum, &n);
    ASSERT_EQ(n, 0); /* The period before the status was rolled back */
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* No status at the end: a cut download, refused whole. */
static void
test_truncated(void)
{
    static const char text[] =
        "{\"pce\":{\"id_pce\":\"" PCE "\"},\"consommation\":{"
        "\"date_debut_consommation\":\"2021-01-01T06:00:00+01:00\","
        "\"date_fin_consommation\":\"2021-01-02T06:00:00+01:00\","
        "\"energie\":50}}\n"
        "{\"pce\":{\"id_pce\":\"" PCE "\"},\"consommation\":{"
        "\"date_debut_consommation\":\"2021-01-02T06:00:00+01:00\",";
    struct imp_result res;
    double            sum;
    long long         n;

    setup();
    ASSERT_EQ(
        t_imp_text(&t, "cut.ndjson", text, sizeof(text) - 1, "adict", 0, &res),
        CM_EMALFORMED);
    ASSERT_CONTAINS(res.message, "truncated");
    ASSERT_CONTAINS(res.message, "line, 2,");
    count_all(&sum, &n);
    ASSERT_EQ(n, 0);
    imp_result_clear(&res);
    /* The same period with its status line is fine. */
    {
        static const char ok[] =
            "{\"pce\":{\"id_pce\":\"" PCE "\"},\"consommation\":{"
            "\"date_debut_consommation\":\"2021-01-01T06:00:00+01:00\","
            "\"date_fin_consommation\":\"2021-01-02T06:00:00+01:00\","
            "\"energie\":50}}\n\n"
            "{\"code_statut_traitement\":\"0000000000\"}\n";

        ASSERT_EQ(
            t_imp_text(&t, "ok.ndjson", ok, sizeof(ok) - 1, NULL, 0, &res),
            CM_OK);
        ASSERT_EQ(res.stats.imported, 1);
        ASSERT(reading(1609477200, DAY) == 50.0);
        imp_result_clear(&res);
    }
    t_imp_close(&t);
}

static void
test_bad_lines(void)
{
    struct imp_result res;
    double            sum;
    long long         n;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "bad_lines.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 2);
    ASSERT_EQ(res.stats.rejected, 3);
    ASSERT_EQ(res.nerrors, 3);
    ASSERT_EQ(res.errors[0].line, 2);
    ASSERT_CONTAINS(res.errors[0].message, "not a JSON object");
    ASSERT_EQ(res.errors[1].line, 3);
    ASSERT_CONTAINS(res.errors[1].message, "no energie");
    ASSERT_CONTAINS(res.errors[1].message, "Absence de Donn");
    ASSERT_EQ(res.errors[2].line, 4);
    ASSERT_CONTAINS(res.errors[2].message, "negative");
    count_all(&sum, &n);
    ASSERT_EQ(n, 2);
    ASSERT(sum == 23.0); /* 11 + 12 */
    ASSERT(reading(1612155600, DAY) == 11.0);
    ASSERT(reading(1612414800, DAY) == 12.0);
    imp_result_clear(&res);
    /* --strict: the same file is refused whole. */
    ASSERT_EQ(t_imp_file(&t, FIX "bad_lines.ndjson", NULL, 1, &res), CM_EINVAL);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* Line-level checks that need no fixture file. */
static void
test_row_checks(void)
{
    static const char text[] =
        /* 1: an unknown PCE */
        "{\"pce\":{\"id_pce\":\"99\"},\"consommation\":{"
        "\"date_debut_consommation\":\"2021-01-01T06:00:00+01:00\","
        "\"date_fin_consommation\":\"2021-01-02T06:00:00+01:00\","
        "\"energie\":1}}\n"
        /* 2: the end before the start */
        "{\"pce\":{\"id_pce\":\"" PCE "\"},\"consommation\":{"
        "\"date_debut_consommation\":\"2021-01-02T06:00:00+01:00\","
        "\"date_fin_consommation\":\"2021-01-01T06:00:00+01:00\","
        "\"energie\":1}}\n"
        /* 3: a date without a time */
        "{\"pce\":{\"id_pce\":\"" PCE "\"},\"consommation\":{"
        "\"date_debut_consommation\":\"2021-01-01\","
        "\"date_fin_consommation\":\"2021-01-02T06:00:00+01:00\","
        "\"energie\":1}}\n"
        /* 4: a period GRDF could not give */
        "{\"pce\":{\"id_pce\":\"" PCE "\"},\"statut_restitution\":{"
        "\"code\":\"1000000020\",\"message\":\"Pas de donnees\"}}\n"
        /* 5: no offset: Paris time (06:00 is 05:00 UTC in winter) */
        "{\"pce\":{\"id_pce\":\"" PCE "\"},\"consommation\":{"
        "\"date_debut_consommation\":\"2021-01-05T06:00:00\","
        "\"date_fin_consommation\":\"2021-01-06T06:00:00\","
        "\"energie\":7}}\n"
        /* 6: another JSON value */
        "[1,2]\n"
        "{\"code_statut_traitement\":\"0000000000\"}\n";
    struct imp_result res;

    setup();
    ASSERT_EQ(
        t_imp_text(&t, "rows.ndjson", text, sizeof(text) - 1, "adict", 0, &res),
        CM_OK);
    ASSERT_EQ(res.stats.imported, 1);
    ASSERT_EQ(res.stats.rejected, 5);
    ASSERT_EQ(res.errors[0].line, 1);
    ASSERT_CONTAINS(res.errors[0].message, "source_ref '99'");
    ASSERT_EQ(res.errors[1].line, 2);
    ASSERT_CONTAINS(res.errors[1].message, "empty or reversed");
    ASSERT_EQ(res.errors[2].line, 3);
    ASSERT_CONTAINS(res.errors[2].message, "no time of day");
    ASSERT_EQ(res.errors[3].line, 4);
    ASSERT_CONTAINS(res.errors[3].message, "Pas de donnees");
    ASSERT_EQ(res.errors[4].line, 6);
    ASSERT(reading(1609477200 + 4 * DAY, DAY) == 7.0);
    imp_result_clear(&res);
    t_imp_close(&t);
}

/* A meter registered as electricity does not take gas. */
static void
test_wrong_kind(void)
{
    struct imp_result res;

    t_imp_open(&t);
    t_imp_site(&t, "s1");
    t_imp_meter(&t, "elec-1", "s1", "electricity", "grdf", PCE, -1);
    ASSERT_EQ(t_imp_file(&t, FIX "publiees.ndjson", "adict", 0, &res), CM_OK);
    ASSERT_EQ(res.stats.rejected, 1);
    ASSERT_CONTAINS(res.errors[0].message, "not gas");
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_reimport_unchanged(void)
{
    struct imp_result res;
    double            sum;
    long long         n;

    setup();
    ASSERT_EQ(t_imp_file(&t, FIX "informatives.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 3);
    imp_result_clear(&res);
    ASSERT_EQ(t_imp_file(&t, FIX "informatives.ndjson", NULL, 0, &res), CM_OK);
    ASSERT_EQ(res.stats.imported, 0);
    ASSERT_EQ(res.stats.updated, 0);
    ASSERT_EQ(res.stats.unchanged, 3);
    count_all(&sum, &n);
    ASSERT_EQ(n, 3);
    imp_result_clear(&res);
    t_imp_close(&t);
}

static void
test_detect(void)
{
    const struct imp_format *f = imp_format_find("adict");
    static const char        pub[] = "{\"pce\":{\"id_pce\":\"1\"}}\n";
    static const char        spaced[] = "  \n{\"pce\": {}}";
    static const char        later[] = "{\"periode\":{},\"pce\":{\"id_pce\":"
                                       "\"1\"}}";
    static const char        status[] = "{\"code_statut_traitement\":\"1\"}";
    static const char        csv[] = "site_id,meter_id,kind,unit,timestamp,"
                                     "value\n";
    static const char        zbx[] = "{\"itemid\":\"1\",\"clock\":\"2\"}";

    ASSERT(f != NULL);
    ASSERT(f->detect(pub, sizeof(pub) - 1));
    ASSERT(f->detect(spaced, sizeof(spaced) - 1));
    ASSERT(f->detect(later, sizeof(later) - 1));
    ASSERT(f->detect(status, sizeof(status) - 1));
    ASSERT(!f->detect(csv, sizeof(csv) - 1));
    ASSERT(!f->detect(zbx, sizeof(zbx) - 1));
}

int
main(void)
{
    RUN(test_published_period);
    RUN(test_informative_days);
    RUN(test_dst_gas_days);
    RUN(test_status_error);
    RUN(test_truncated);
    RUN(test_bad_lines);
    RUN(test_row_checks);
    RUN(test_wrong_kind);
    RUN(test_reimport_unchanged);
    RUN(test_detect);
    return 0;
}
