/*
** test_imp_enedis.c -- the Enedis SGE CSV importer on the real exports of
** tests/fixtures/real (see SOURCES.md there): the household load curve and
** the daily indexes of the same meter must agree day by day (reference
** figures: 20 711 Wh on 2022-01-05, 24 217 and 29 256 Wh the next days),
** the public building's two-year 10-minute curve imports and re-imports
** unchanged, and malformed exports are refused or rejected line by line.
*/
#include "t_imp.h"

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

#define PRM "09111642617347"
/* Local day 2022-01-05 in Europe/Paris: [2022-01-04T23:00Z, +24 h) */
#define D0105 1641337200LL
#define DAY 86400LL

static void
t_meter(struct t_imp *t, const char *id, const char *ref)
{
    t_imp_site(t, "home");
    t_imp_meter(t, id, "home", "electricity", "enedis", ref, -1);
}

static void
test_curve_and_index_agree(void)
{
    struct t_imp      curve, index;
    struct imp_result r;
    const double      want[] = {20.711, 24.217, 29.256};

    t_imp_open(&curve);
    t_meter(&curve, "home-curve", PRM);
    ASSERT_EQ(t_imp_file(&curve, CURVE, NULL, 0, &r), CM_OK);
    ASSERT_STREQ(r.format, "enedis");
    if (r.stats.rejected != 0)
        t_imp_dump(&r);
    ASSERT_EQ(r.stats.rejected, 0);
    ASSERT(r.stats.imported > 17000);
    imp_result_clear(&r);

    t_imp_open(&index);
    t_meter(&index, "home-index", PRM);
    ASSERT_EQ(t_imp_file(&index, INDEX, "enedis", 0, &r), CM_OK);
    ASSERT_EQ(r.stats.rejected, 0);
    /* 391 indexes: one baseline, the October change day given twice */
    ASSERT_EQ(r.stats.imported + r.stats.unchanged, 391);
    imp_result_clear(&r);

    for (int d = 0; d < 3; d++) {
        double    c, i;
        long long nc, ni;

        t_imp_sum(&curve, "home-curve", D0105 + d * DAY, D0105 + (d + 1) * DAY,
                  &c, &nc);
        t_imp_sum(&index, "home-index", D0105 + d * DAY, D0105 + d * DAY + 1,
                  &i, &ni);
        ASSERT_EQ(nc, 48); /* Half-hour points */
        ASSERT_EQ(ni, 1);  /* One daily difference, starting at midnight */
        if (c < want[d] - 1e-9 || c > want[d] + 1e-9 || i < want[d] - 1e-9 ||
            i > want[d] + 1e-9) {
            fprintf(stderr, "day %d: curve %.6f index %.6f want %.3f\n", d, c,
                    i, want[d]);
            exit(1);
        }
    }
    /* Re-importing the same file changes nothing */
    ASSERT_EQ(t_imp_file(&curve, CURVE, NULL, 0, &r), CM_OK);
    ASSERT_EQ(r.stats.imported, 0);
    ASSERT_EQ(r.stats.updated, 0);
    imp_result_clear(&r);
    t_imp_close(&curve);
    t_imp_close(&index);
}

static void
test_public_building(void)
{
    struct t_imp      t;
    struct imp_result r;
    double            sum;
    long long         n;

    t_imp_open(&t);
    t_meter(&t, "townhall", "30001642617347");
    ASSERT_EQ(t_imp_file(&t, C4, NULL, 0, &r), CM_OK);
    /* 105 120 ten-minute points, 2 448 of them empty (missing) */
    ASSERT_EQ(r.stats.imported, 105120 - 2448);
    ASSERT_EQ(r.stats.rejected, 0);
    imp_result_clear(&r);
    t_imp_sum(&t, "townhall", 0, 1LL << 40, &sum, &n);
    ASSERT_EQ(n, 105120 - 2448);
    ASSERT(sum > 0);
    ASSERT_EQ(t_imp_file(&t, C4, NULL, 0, &r), CM_OK);
    ASSERT_EQ(r.stats.unchanged, 105120 - 2448);
    ASSERT_EQ(r.stats.imported, 0);
    imp_result_clear(&r);
    t_imp_close(&t);
}

#define HEAD                                                                   \
    "Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur "      \
    "physique;Grandeur metier;Etape metier;Unite;Pas en minutes\n"             \
    "123;Courbe de charge;01/03/2023;01/11/2023;Energie active;"               \
    "Consommation;Comptage Brut;W;30\nHorodate;Valeur\n"

static void
test_synthetic(void)
{
    struct t_imp      t;
    struct imp_result r;
    double            sum;
    long long         n;
    /* DST days, CRLF, no BOM, bad values; 1000 W for 30 min = 0.5 kWh */
    const char dst[] = HEAD "2023-03-26T01:30:00+01:00;1000\r\n"
                            "2023-03-26T03:00:00+02:00;1000\r\n"
                            "2023-03-26T03:30:00+02:00;abc\r\n"
                            "2023-03-26T04:00:00+02:00;12,5\r\n"
                            "2023-10-29T02:30:00+02:00;1000\r\n"
                            "2023-10-29T02:30:00+01:00;1000\r\n"
                            "2023-10-29T02:30:00;1000\r\n"
                            "2023-10-29T03:00:00+01:00;-5\r\n";

    t_imp_open(&t);
    t_meter(&t, "m", "123");
    ASSERT_EQ(t_imp_text(&t, "dst.csv", dst, sizeof(dst) - 1, NULL, 0, &r),
              CM_OK);
    if (r.stats.imported != 5 || r.stats.rejected != 3)
        t_imp_dump(&r);
    ASSERT_EQ(r.stats.imported, 5);
    ASSERT_EQ(r.stats.rejected, 3); /* abc, no offset, negative */
    ASSERT_CONTAINS(r.errors[0].message, "not a number");
    imp_result_clear(&r);
    t_imp_sum(&t, "m", 0, 1LL << 40, &sum, &n);
    /* 0.5 + 0.5 + 0.00625 (12,5 W) + 0.5 + 0.5 */
    ASSERT(sum > 2.006249 && sum < 2.006251);

    ASSERT_EQ(t_imp_text(&t, "e.csv", "", 0, "enedis", 0, &r), CM_EMALFORMED);
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "h.csv", HEAD, sizeof(HEAD) - 1, NULL, 0, &r),
              CM_OK); /* Header only: nothing to import, nothing wrong */
    ASSERT_EQ(r.stats.read, 0);
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "cut.csv", HEAD, 120, "enedis", 0, &r),
              CM_EMALFORMED); /* Cut inside the header block */
    imp_result_clear(&r);
    ASSERT_EQ(t_imp_text(&t, "x.csv", "Horodate;Valeur\n", 16, "enedis", 0, &r),
              CM_EMALFORMED);
    ASSERT_CONTAINS(r.message, "not an Enedis export");
    imp_result_clear(&r);
    t_imp_close(&t);
}

int
main(void)
{
    RUN(test_curve_and_index_agree);
    RUN(test_public_building);
    RUN(test_synthetic);
    return 0;
}
