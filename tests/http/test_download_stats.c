/*
** test_download_stats.c -- the download counts (dl.h, download_day):
** batches written when due and not before (the clock walked by hand
** through an interval and a UTC midnight), then the real route over
** HTTP: bodies counted with the bytes that went out (200, 206), HEAD,
** 304 and errors not counted, nothing written while the server runs
** within the interval, everything written when it stops.
*/
#include "t_http.h"

#include <sqlite3.h>

#include "dl.h"
#include "ds_manifest.h"
#include "exp.h"
#include "jw.h"
#include "store_downloads.h"

static struct t_server ts;

/* "requests bytes" of (day, dataset, format) in the store at path, or
** "none". */
static const char *
t_counted(const char *path, const char *day, const char *dataset,
          const char *format)
{
    static char   out[64];
    sqlite3      *db;
    sqlite3_stmt *s;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT requests, bytes FROM download_day "
                                 "WHERE day = ?1 AND dataset = ?2 "
                                 "AND format = ?3",
                                 -1, &s, NULL),
              SQLITE_OK);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, dataset, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, format, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, sizeof(out), "%lld %lld",
                 (long long) sqlite3_column_int64(s, 0),
                 (long long) sqlite3_column_int64(s, 1));
    else
        snprintf(out, sizeof(out), "none");
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

static int64_t
t_rows(const char *path)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    int64_t       n;

    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM download_day", -1,
                                 &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* 2026-01-01T12:00:00Z */
#define T_NOON ((time_t) 1767268800)

static void
test_batches(void)
{
    struct store_opts o = {1, 1, 5000, 0};
    struct store     *st;
    struct cm_err     err;
    char              path[1200];
    const char       *d1 = "2026-01-01", *d2 = "2026-01-02";

    snprintf(path, sizeof(path), "%s/consometer.db", t_tmpdir("dlstats"));
    ASSERT_EQ(store_open(path, &o, &st, NULL, &err), CM_OK);

    /* The first count starts the interval: nothing written yet. */
    dl_stats_count_at(st, "a", "csv", 100, T_NOON);
    dl_stats_count_at(st, "a", "csv", 50, T_NOON + 10);
    dl_stats_count_at(st, "b", "zip", 7, T_NOON + DL_STATS_FLUSH_S - 1);
    ASSERT_EQ(t_rows(path), 0);
    /* DL_STATS_FLUSH_S after it: this count and those held, one batch. */
    dl_stats_count_at(st, "a", "csv", 25, T_NOON + DL_STATS_FLUSH_S);
    ASSERT_STREQ(t_counted(path, d1, "a", "csv"), "3 175");
    ASSERT_STREQ(t_counted(path, d1, "b", "zip"), "1 7");
    /* Within the next interval: held; the next batch adds to the rows. */
    dl_stats_count_at(st, "a", "csv", 5, T_NOON + DL_STATS_FLUSH_S + 1);
    ASSERT_STREQ(t_counted(path, d1, "a", "csv"), "3 175");
    dl_stats_count_at(st, "a", "csv", 5, T_NOON + 43170); /* 23:59:30 */
    ASSERT_STREQ(t_counted(path, d1, "a", "csv"), "5 185");
    /* 40 s later, before the interval is over, but a new UTC day. */
    dl_stats_count_at(st, "a", "csv", 1, T_NOON + 43210); /* 00:00:10 */
    ASSERT_STREQ(t_counted(path, d2, "a", "csv"), "1 1");
    ASSERT_STREQ(t_counted(path, d1, "a", "csv"), "5 185");
    /* A batch the store refuses is kept for the next one. */
    dl_stats_count_at(st, "c", "json", 9, T_NOON + 43220);
    ASSERT_EQ(store_begin(st, &err), CM_OK); /* Nested BEGIN: refused */
    ASSERT(dl_stats_flush(st, &err) != CM_OK);
    store_rollback(st);
    ASSERT_STREQ(t_counted(path, d2, "c", "json"), "none");
    ASSERT_EQ(dl_stats_flush(st, &err), CM_OK);
    ASSERT_STREQ(t_counted(path, d2, "c", "json"), "1 9");
    store_close(st);
    /* Nothing held now; the next count starts a new interval. */
    dl_stats_flush_path(path, 5000);
    ASSERT_EQ(t_rows(path), 4);
}

/* Publish version 1 of slug (a few rows) with its distributions, as the
** publisher does. */
static void
t_publish(const char *slug)
{
    static const char manifest[] =
        "{\"slug\":\"stats-ds\",\"title\":{\"fr\":\"Électricité\"},"
        "\"license\":\"etalab-2.0\",\"kinds\":[\"electricity\"],"
        "\"period\":\"month\",\"territory\":\"commune\","
        "\"privacy\":{\"policy\":\"aggregated\",\"min_sites\":3}}";
    struct store_opts         so = {0, 0, 5000, 0};
    struct store             *st;
    struct store_version_new  nv;
    struct store_version      v;
    struct store_distribution d[EXP_NFORMATS];
    struct ds_manifest        m;
    struct cm_err             err;
    struct jw                *w = jw_new();
    char                     *canon, period[16];
    int64_t                   id, number;
    size_t                    n;
    int                       found;

    ASSERT_EQ(ds_manifest_parse(manifest, strlen(manifest), NULL, &m, &err),
              CM_OK);
    ds_manifest_write_json(&m, w);
    canon = jw_strdup(w);
    jw_free(w);
    ds_manifest_clear(&m);
    ASSERT_EQ(store_open(ts.store, &so, &st, NULL, &err), CM_OK);
    memset(&nv, 0, sizeof(nv));
    nv.slug = slug;
    nv.origin = "manifest";
    nv.manifest = canon;
    nv.published_at = "2026-11-30T10:00:00Z";
    nv.n_observations = 12;
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &nv, &id, &number, &err), CM_OK);
    for (int i = 0; i < 12; i++) {
        struct exp_obs o = {period,   "commune", "56121", NULL, "electricity",
                            i * 10.5, 0,         "kWh",   4,    'A'};

        snprintf(period, sizeof(period), "2024-%02d", i + 1);
        ASSERT_EQ(store_obs_add(st, id, i, &o, NULL, &err), CM_OK);
    }
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_version_get(st, slug, number, &v, &found, &err), CM_OK);
    ASSERT(found);
    ASSERT_EQ(exp_version_describe(st, &v, NULL, d, EXP_NFORMATS, &n, &err),
              CM_OK);
    for (size_t i = 0; i < n; i++)
        ASSERT_EQ(store_distribution_add(st, id, &d[i], &err), CM_OK);
    store_version_clear(&v);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    store_close(st);
    free(canon);
}

static void
test_route(void)
{
    struct t_resp r;
    char          etag[128], day[16], want[160];
    int64_t       csv, zip;
    time_t        now = time(NULL);
    struct tm     tm;

    t_server_start(&ts, routes, nroutes, NULL);
    t_publish("stats-ds");

    t_req(ts.port, "GET", "/api/v1/datasets/stats-ds/download?format=csv", NULL,
          &r);
    ASSERT_EQ(r.status, 200);
    csv = (int64_t) r.body_len;
    ASSERT(csv > 10);
    ASSERT(t_header(&r, "ETag", etag, sizeof(etag)) != NULL);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/datasets/stats-ds/download", NULL, &r);
    ASSERT_EQ(r.status, 200); /* csv by default, from the cache now */
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/datasets/stats-ds/download?format=csv",
          "Range: bytes=0-9\r\n", &r);
    ASSERT_EQ(r.status, 206);
    ASSERT_EQ(r.body_len, 10);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/datasets/stats-ds/download?format=zip", NULL,
          &r);
    ASSERT_EQ(r.status, 200);
    zip = (int64_t) r.body_len;
    t_resp_free(&r);
    /* Not counted: no body of the file went out. */
    t_req(ts.port, "HEAD", "/api/v1/datasets/stats-ds/download?format=csv",
          NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);
    snprintf(want, sizeof(want), "If-None-Match: %s\r\n", etag);
    t_req(ts.port, "GET", "/api/v1/datasets/stats-ds/download?format=csv", want,
          &r);
    ASSERT_EQ(r.status, 304);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/datasets/nope/download", NULL, &r);
    ASSERT_EQ(r.status, 404);
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/datasets/stats-ds/download?format=xls", NULL,
          &r);
    ASSERT_EQ(r.status, 400);
    t_resp_free(&r);

    /* Within the interval nothing is written; at stop everything is. */
    ASSERT_EQ(t_rows(ts.store), 0);
    http_stop(ts.srv);
    gmtime_r(&now, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    snprintf(want, sizeof(want), "3 %lld", (long long) (2 * csv + 10));
    ASSERT_STREQ(t_counted(ts.store, day, "stats-ds", "csv"), want);
    snprintf(want, sizeof(want), "1 %lld", (long long) zip);
    ASSERT_STREQ(t_counted(ts.store, day, "stats-ds", "zip"), want);
    ASSERT_EQ(t_rows(ts.store), 2);
}

int
main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    RUN(test_batches);
    RUN(test_route);
    return 0;
}
