/*
** test_download.c -- GET /api/v1/datasets/{slug}/download over real HTTP:
** every format's bytes match the size and sha256 the publisher recorded,
** twice the same bytes, byte ranges (206, resume by concatenation,
** suffix, If-Range, 416), 304, HEAD (which builds nothing), 404 and 400
** envelopes, concurrent first requests that build the file once, a
** build that contradicts its record and is not cached, and a
** Frictionless-style check of the zip as a client downloads it.
*/
#include <dirent.h>
#include <pthread.h>

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>

#include "t_http.h"
#include "dl.h"
#include "ds_manifest.h"
#include "exp.h"
#include "jw.h"

#define T_ROWS 2000 /* About 300 KB of CSV: many chunks, several reads */

static struct t_server ts;

static const char t_columns[] =
    "[{\"name\":\"site_name\",\"type\":\"string\",\"title\":\"Nom du site\"},"
    "{\"name\":\"floor_area_m2\",\"type\":\"number\"}]";

static const char t_disclosure[] =
    "{\"policy\":\"aggregated\",\"rules\":{\"min_sites\":3,"
    "\"max_share\":0.85}}";

/* ---- Fixture: versions written through the store API --------------- */

static void
t_row(int i, char period[16], char extra[128], struct exp_obs *o)
{
    static const char *sectors[] = {"education", "sport", "health"};

    snprintf(period, 16, "%04d-%02d", 2000 + i / 12, 1 + i % 12);
    memset(o, 0, sizeof(*o));
    o->period = period;
    o->territory_level = "commune";
    o->territory = "56121";
    o->sector = sectors[i % 3];
    o->kind = "electricity";
    o->status = i % 9 == 0 ? 'C' : 'A';
    o->value_null = o->status != 'A';
    o->value = i * 3.5 + 0.25;
    o->unit = "kWh";
    o->n_sites = i % 9 == 0 ? 1 : 4 + i % 5;
    snprintf(extra, 128, "{\"site_name\":\"Site, n°%d\",\"floor_area_m2\":%d}",
             i, 50 + i);
}

/*
** Publish the next version of slug with 'rows' rows: rows, latest,
** exp_version_describe() and its distribution rows in one transaction,
** as the publisher does. A non-NULL 'bad_csv_sha' records that sha256
** for the csv file instead of the true one (a corrupt record).
*/
static int64_t
t_publish(const char *slug, int rows, const char *bad_csv_sha)
{
    static const char manifest_fmt[] =
        "{\"slug\":\"%s\",\"title\":{\"fr\":\"Électricité %s\"},"
        "\"license\":\"etalab-2.0\",\"kinds\":[\"electricity\"],"
        "\"period\":\"month\",\"territory\":\"commune\",\"by_sector\":true,"
        "\"privacy\":{\"policy\":\"aggregated\",\"min_sites\":3}}";
    struct store_opts         so = {0, 0, 5000, 0};
    struct store             *st;
    struct store_version_new  nv;
    struct store_version      v;
    struct store_distribution d[EXP_NFORMATS];
    struct ds_manifest        m;
    struct cm_err             err;
    struct exp_obs            o;
    struct jw                *w = jw_new();
    char                      text[1024], period[16], extra[128], *manifest;
    int64_t                   id, number;
    size_t                    n;
    int                       found;

    snprintf(text, sizeof(text), manifest_fmt, slug, slug);
    ASSERT_EQ(ds_manifest_parse(text, strlen(text), NULL, &m, &err), CM_OK);
    ds_manifest_write_json(&m, w);
    manifest = jw_strdup(w);
    jw_free(w);
    ds_manifest_clear(&m);

    ASSERT_EQ(store_open(ts.store, &so, &st, NULL, &err), CM_OK);
    memset(&nv, 0, sizeof(nv));
    nv.slug = slug;
    nv.origin = "manifest";
    nv.manifest = manifest;
    nv.published_at = "2026-11-30T10:00:00Z";
    nv.n_observations = rows;
    nv.columns = t_columns;
    nv.disclosure = t_disclosure;
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &nv, &id, &number, &err), CM_OK);
    for (int i = 0; i < rows; i++) {
        t_row(i, period, extra, &o);
        ASSERT_EQ(store_obs_add(st, id, i, &o, extra, &err), CM_OK);
    }
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_version_get(st, slug, number, &v, &found, &err), CM_OK);
    ASSERT(found);
    ASSERT_EQ(exp_version_describe(st, &v, NULL, d, EXP_NFORMATS, &n, &err),
              CM_OK);
    for (size_t i = 0; i < n; i++) {
        if (bad_csv_sha && strcmp(d[i].format, "csv") == 0)
            snprintf(d[i].sha256, sizeof(d[i].sha256), "%s", bad_csv_sha);
        ASSERT_EQ(store_distribution_add(st, id, &d[i], &err), CM_OK);
    }
    store_version_clear(&v);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    store_close(st);
    free(manifest);
    return number;
}

/* The distribution of (slug, version) in format, from the store. */
static void
t_dist(const char *slug, int64_t number, const char *format,
       struct store_distribution *out, int64_t *n_obs)
{
    struct store_opts         so = {0, 0, 5000, 0};
    struct store             *st;
    struct store_version      v;
    struct store_distribution d[EXP_NFORMATS];
    struct cm_err             err;
    size_t                    n;
    int                       found;

    ASSERT_EQ(store_open(ts.store, &so, &st, NULL, &err), CM_OK);
    ASSERT_EQ(store_version_get(st, slug, number, &v, &found, &err), CM_OK);
    ASSERT(found);
    ASSERT_EQ(store_distribution_list(st, v.id, d, EXP_NFORMATS, &n, &err),
              CM_OK);
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].format, format) == 0)
            *out = d[i];
    ASSERT(out->bytes > 0);
    if (n_obs)
        *n_obs = v.n_observations;
    store_version_clear(&v);
    store_close(st);
}

static void
t_sha(const void *p, size_t n, char hex[65])
{
    exp_sha256_hex(p, n, hex);
}

/* Files in the cache folder of (slug, N); their names into names[0]. */
static int
t_cache_files(const char *slug, int64_t number, char *first, size_t firstsz)
{
    char           dir[2048];
    DIR           *d;
    struct dirent *e;
    int            n = 0;

    snprintf(dir, sizeof(dir), "%s/cache/%s/v%lld", ts.cfg.data_dir, slug,
             (long long) number);
    if ((d = opendir(dir)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n++ == 0 && first)
            snprintf(first, firstsz, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static void
t_get(const char *target, const char *headers, struct t_resp *r)
{
    t_req(ts.port, "GET", target, headers, r);
}

/* ---- Tests --------------------------------------------------------- */

static void
test_each_format(void)
{
    for (int f = 0; f < EXP_NFORMATS; f++) {
        struct store_distribution d;
        struct t_resp             a, b;
        char                      target[256], hex[65], v[256], want[256];

        t_dist("dl-main", 1, exp_formats[f], &d, NULL);
        snprintf(target, sizeof(target),
                 "/api/v1/datasets/dl-main/download?format=%s&version=1",
                 exp_formats[f]);
        t_get(target, NULL, &a); /* The first: built while streamed */
        ASSERT_EQ(a.status, 200);
        ASSERT_EQ((int64_t) a.body_len, d.bytes);
        t_sha(a.body, a.body_len, hex);
        ASSERT_STREQ(hex, d.sha256);
        ASSERT(t_header(&a, "Content-Length", v, sizeof(v)));
        ASSERT_EQ(atoll(v), d.bytes);
        ASSERT(t_header(&a, "Content-Type", v, sizeof(v)));
        ASSERT_STREQ(v, d.media_type);
        ASSERT(t_header(&a, "ETag", v, sizeof(v)));
        snprintf(want, sizeof(want), "\"%s\"", d.sha256);
        ASSERT_STREQ(v, want);
        ASSERT(t_header(&a, "Content-Disposition", v, sizeof(v)));
        snprintf(want, sizeof(want), "attachment; filename=\"dl-main-v1.%s\"",
                 f == EXP_CSVFR ? "fr.csv" : exp_formats[f]);
        ASSERT_STREQ(v, want);
        ASSERT(t_header(&a, "Accept-Ranges", v, sizeof(v)));
        ASSERT_STREQ(v, "bytes");
        ASSERT(t_header(&a, "Cache-Control", v, sizeof(v)));
        ASSERT_CONTAINS(v, "immutable"); /* A numbered version */

        t_get(target, NULL, &b); /* The second: from the cache */
        ASSERT_EQ(b.status, 200);
        ASSERT_EQ(b.body_len, a.body_len);
        ASSERT(memcmp(a.body, b.body, a.body_len) == 0);
        t_resp_free(&a);
        t_resp_free(&b);
    }
    ASSERT_EQ(t_cache_files("dl-main", 1, NULL, 0), EXP_NFORMATS);
}

/* csv-fr is the same table for French spreadsheets: BOM, ';', decimal
** comma, same rows. */
static void
test_french_csv(void)
{
    struct t_resp en, fr;
    size_t        nen = 0, nfr = 0;

    t_get("/api/v1/datasets/dl-main/download?format=csv&version=1", NULL, &en);
    t_get("/api/v1/datasets/dl-main/download?format=csv-fr&version=1", NULL,
          &fr);
    ASSERT_EQ(en.status, 200);
    ASSERT_EQ(fr.status, 200);
    ASSERT(fr.body_len > 3 && memcmp(fr.body, "\xEF\xBB\xBF", 3) == 0);
    ASSERT(strncmp(fr.body + 3, "period;territory_level;territory;", 32) == 0);
    ASSERT(strncmp(en.body, "period,territory_level,territory,", 33) == 0);
    for (size_t i = 0; i < en.body_len; i++)
        nen += en.body[i] == '\n';
    for (size_t i = 0; i < fr.body_len; i++)
        nfr += fr.body[i] == '\n';
    ASSERT_EQ(nfr, nen);
    /* A decimal value of the fixture (row 1: 3.75 kWh) with its comma */
    ASSERT_CONTAINS(en.body, ",3.75,kWh,");
    ASSERT_CONTAINS(fr.body, ";3,75;kWh;");
    t_resp_free(&en);
    t_resp_free(&fr);
}

static void
test_latest_and_versions(void)
{
    struct store_distribution d1, d2;
    struct t_resp             r;
    char                      hex[65], v[256];

    t_dist("dl-main", 1, "ndjson", &d1, NULL);
    t_dist("dl-main", 2, "ndjson", &d2, NULL);
    ASSERT(strcmp(d1.sha256, d2.sha256) != 0); /* v2 has more rows */
    /* No version: the latest; no format: csv. */
    t_get("/api/v1/datasets/dl-main/download?format=ndjson", NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_sha(r.body, r.body_len, hex);
    ASSERT_STREQ(hex, d2.sha256);
    ASSERT(t_header(&r, "Cache-Control", v, sizeof(v)));
    ASSERT_CONTAINS(v, "must-revalidate"); /* "latest" moves on */
    t_resp_free(&r);
    t_dist("dl-main", 2, "csv", &d2, NULL);
    t_get("/api/v1/datasets/dl-main/download", NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_sha(r.body, r.body_len, hex);
    ASSERT_STREQ(hex, d2.sha256);
    ASSERT_CONTAINS(r.body, "period,territory_level,territory,sector,kind,"
                            "value,unit,n_sites,status,site_name,"
                            "floor_area_m2\r\n");
    t_resp_free(&r);
}

static void
test_ranges(void)
{
    struct store_distribution d;
    struct t_resp             whole, a, b, r;
    char                      v[256], want[128], hdr[256], hex[65];
    int64_t                   cut;
    int                       cached;

    t_dist("dl-main", 1, "zip", &d, NULL);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1", NULL,
          &whole);
    ASSERT_EQ(whole.status, 200);
    cut = d.bytes / 3;

    /* A broken download resumes: the first part, then the rest. */
    snprintf(hdr, sizeof(hdr), "Range: bytes=0-%lld\r\n", (long long) cut - 1);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1", hdr, &a);
    ASSERT_EQ(a.status, 206);
    ASSERT_EQ((int64_t) a.body_len, cut);
    ASSERT(t_header(&a, "Content-Range", v, sizeof(v)));
    snprintf(want, sizeof(want), "bytes 0-%lld/%lld", (long long) cut - 1,
             (long long) d.bytes);
    ASSERT_STREQ(v, want);
    ASSERT(t_header(&a, "Content-Length", v, sizeof(v)));
    ASSERT_EQ(atoll(v), cut);
    snprintf(hdr, sizeof(hdr), "Range: bytes=%lld-\r\nIf-Range: \"%s\"\r\n",
             (long long) cut, d.sha256);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1", hdr, &b);
    ASSERT_EQ(b.status, 206);
    ASSERT_EQ((int64_t) (a.body_len + b.body_len), d.bytes);
    {
        char *all = malloc((size_t) d.bytes);

        memcpy(all, a.body, a.body_len);
        memcpy(all + a.body_len, b.body, b.body_len);
        t_sha(all, (size_t) d.bytes, hex);
        ASSERT_STREQ(hex, d.sha256);
        free(all);
    }

    /* The last 10 bytes; a range past the end is cut to the end. */
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1",
          "Range: bytes=-10\r\n", &r);
    ASSERT_EQ(r.status, 206);
    ASSERT_EQ(r.body_len, 10);
    ASSERT(memcmp(r.body, whole.body + whole.body_len - 10, 10) == 0);
    t_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Range: bytes=%lld-99999999\r\n",
             (long long) d.bytes - 5);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1", hdr, &r);
    ASSERT_EQ(r.status, 206);
    ASSERT_EQ(r.body_len, 5);
    t_resp_free(&r);

    /* If-Range with a stale tag: the part held is outdated, send all. */
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1",
          "Range: bytes=0-9\r\nIf-Range: \"0123stale\"\r\n", &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ((int64_t) r.body_len, d.bytes);
    t_resp_free(&r);
    /* Several ranges, or a syntax we do not know: the whole file. */
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1",
          "Range: bytes=0-1,5-6\r\n", &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ((int64_t) r.body_len, d.bytes);
    t_resp_free(&r);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1",
          "Range: lines=0-1\r\n", &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);

    /* Nothing of the file is in the range: 416 with the envelope. */
    snprintf(hdr, sizeof(hdr), "Range: bytes=%lld-\r\n", (long long) d.bytes);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1", hdr, &r);
    t_assert_envelope(&r, 416, "range_not_satisfiable");
    snprintf(want, sizeof(want), "\"content_range\":\"bytes */%lld\"",
             (long long) d.bytes);
    ASSERT_CONTAINS(r.body, want);
    ASSERT(t_header(&r, "Content-Range", v, sizeof(v)));
    snprintf(want, sizeof(want), "bytes */%lld", (long long) d.bytes);
    ASSERT_STREQ(v, want); /* RFC 9110 15.5.17 */
    ASSERT(t_header(&r, "Cache-Control", v, sizeof(v)));
    ASSERT_STREQ(v, "no-store"); /* An error is never cached */
    t_resp_free(&r);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=1",
          "Range: bytes=-0\r\n", &r);
    t_assert_envelope(&r, 416, "range_not_satisfiable");
    t_resp_free(&r);

    /* A range on a file not cached yet builds it, then serves the part. */
    t_dist("dl-main", 2, "tar.gz", &d, NULL);
    cached = t_cache_files("dl-main", 2, NULL, 0);
    t_get("/api/v1/datasets/dl-main/download?format=tar.gz&version=2",
          "Range: bytes=100-199\r\n", &r);
    ASSERT_EQ(r.status, 206);
    ASSERT_EQ(r.body_len, 100);
    ASSERT_EQ(t_cache_files("dl-main", 2, NULL, 0), cached + 1);
    t_resp_free(&r);

    t_resp_free(&whole);
    t_resp_free(&a);
    t_resp_free(&b);
}

static void
test_not_modified_and_head(void)
{
    struct store_distribution d;
    struct t_resp             r;
    char                      hdr[256], v[256];

    t_dist("dl-main", 1, "json", &d, NULL);
    snprintf(hdr, sizeof(hdr), "If-None-Match: \"%s\"\r\n", d.sha256);
    t_get("/api/v1/datasets/dl-main/download?format=json&version=1", hdr, &r);
    ASSERT_EQ(r.status, 304);
    ASSERT_EQ(r.body_len, 0);
    ASSERT(t_header(&r, "ETag", v, sizeof(v)));
    t_resp_free(&r);
    t_get("/api/v1/datasets/dl-main/download?format=json&version=1",
          "If-None-Match: \"other\"\r\n", &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);

    /* HEAD: the headers of the download, no body, and nothing built. */
    t_publish("dl-head", 50, NULL);
    t_dist("dl-head", 1, "tar.gz", &d, NULL);
    t_req(ts.port, "HEAD",
          "/api/v1/datasets/dl-head/download?format=tar.gz&version=1", NULL,
          &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body_len, 0);
    ASSERT(t_header(&r, "Content-Length", v, sizeof(v)));
    ASSERT_EQ(atoll(v), d.bytes);
    ASSERT(t_header(&r, "ETag", v, sizeof(v)));
    t_resp_free(&r);
    t_req(ts.port, "HEAD",
          "/api/v1/datasets/dl-head/download?format=tar.gz&version=1",
          "Range: bytes=0-9\r\n", &r);
    ASSERT_EQ(r.status, 206);
    ASSERT(t_header(&r, "Content-Length", v, sizeof(v)));
    ASSERT_EQ(atoll(v), 10);
    t_resp_free(&r);
    ASSERT_EQ(t_cache_files("dl-head", 1, NULL, 0), 0);
}

static void
test_errors(void)
{
    static const char *const bad[] = {"0",  "-1", "abc",
                                      "1x", "",   "99999999999999999999"};
    struct t_resp            r;
    yajl_val                 doc, allowed;
    const char              *path[] = {"error", "details", "allowed", NULL};

    t_get("/api/v1/datasets/nope/download?format=csv", NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);
    t_get("/api/v1/datasets/dl-main/download?format=csv&version=99", NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    ASSERT_CONTAINS(r.body, "no version 99");
    t_resp_free(&r);
    t_get("/api/v1/datasets/"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "/download",
          NULL, &r);
    t_assert_envelope(&r, 404, "not_found");
    t_resp_free(&r);

    t_get("/api/v1/datasets/dl-main/download?format=xlsx", NULL, &r);
    t_assert_envelope(&r, 400, "invalid_param");
    doc = t_json(&r);
    allowed = yajl_tree_get(doc, path, yajl_t_array);
    ASSERT(allowed != NULL);
    ASSERT_EQ(allowed->u.array.len, EXP_NFORMATS);
    for (int i = 0; i < EXP_NFORMATS; i++)
        ASSERT_STREQ(YAJL_GET_STRING(allowed->u.array.values[i]),
                     exp_formats[i]);
    ASSERT_STREQ(t_json_str(doc, "error", "details", "param"), "format");
    yajl_tree_free(doc);
    t_resp_free(&r);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char target[128];

        snprintf(target, sizeof(target),
                 "/api/v1/datasets/dl-main/download?version=%s", bad[i]);
        t_get(target, NULL, &r);
        t_assert_envelope(&r, 400, "invalid_param");
        ASSERT_CONTAINS(r.body, "\"param\":\"version\"");
        t_resp_free(&r);
    }
    t_get("/api/v1/datasets/dl-main/download?fmt=csv", NULL, &r);
    t_assert_envelope(&r, 400, "invalid_param"); /* Unknown parameter */
    t_resp_free(&r);
}

/* ---- Concurrent first requests -------------------------------------- */

#define T_THREADS 8

struct t_job {
    pthread_t     t;
    struct t_resp r;
};

static void *
t_fetch(void *arg)
{
    struct t_job *j = arg;

    t_get("/api/v1/datasets/dl-conc/download?format=zip&version=1", NULL,
          &j->r);
    return NULL;
}

static void
test_concurrent_first(void)
{
    struct store_distribution d;
    struct t_job              jobs[T_THREADS];
    uint64_t                  before;
    char                      hex[65], name[256];

    t_publish("dl-conc", T_ROWS * 4, NULL);
    t_dist("dl-conc", 1, "zip", &d, NULL);
    before = dl_builds();
    for (int i = 0; i < T_THREADS; i++)
        ASSERT_EQ(pthread_create(&jobs[i].t, NULL, t_fetch, &jobs[i]), 0);
    for (int i = 0; i < T_THREADS; i++)
        ASSERT_EQ(pthread_join(jobs[i].t, NULL), 0);
    for (int i = 0; i < T_THREADS; i++) {
        ASSERT_EQ(jobs[i].r.status, 200);
        ASSERT_EQ((int64_t) jobs[i].r.body_len, d.bytes);
        t_sha(jobs[i].r.body, jobs[i].r.body_len, hex);
        ASSERT_STREQ(hex, d.sha256);
        t_resp_free(&jobs[i].r);
    }
    /* Built once: one build, one file, no temporary left behind. */
    ASSERT_EQ(dl_builds() - before, 1);
    ASSERT_EQ(t_cache_files("dl-conc", 1, name, sizeof(name)), 1);
    ASSERT_STREQ(name, "dl-conc-v1.zip");
}

/* A record whose sha256 the bytes do not have: served as built (the
** headers were promised) but never cached, and logged. */
static void
test_mismatch_not_cached(void)
{
    struct t_resp r;

    t_publish("dl-bad", 20,
              "0000000000000000000000000000000000000000000000"
              "000000000000000000");
    for (int i = 0; i < 2; i++) {
        t_get("/api/v1/datasets/dl-bad/download?format=csv", NULL, &r);
        ASSERT_EQ(r.status, 200);
        t_resp_free(&r);
        ASSERT_EQ(t_cache_files("dl-bad", 1, NULL, 0), 0);
    }
    /* The other formats of the same version are fine. */
    t_get("/api/v1/datasets/dl-bad/download?format=json", NULL, &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);
    ASSERT_EQ(t_cache_files("dl-bad", 1, NULL, 0), 1);
}

/* ---- Frictionless-style check of the zip a client downloads ---------- */

struct t_member {
    char   name[64];
    char  *data;
    size_t len;
};

static const struct t_member *
t_member_find(const struct t_member *m, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].name, name) == 0)
            return &m[i];
    return NULL;
}

/* Records of an RFC 4180 text (quoted fields may hold CR and LF). */
static int64_t
t_csv_records(const char *p, size_t n)
{
    int64_t records = 0;
    int     quoted = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            quoted = !quoted;
        else if (!quoted && p[i] == '\n')
            records++;
    }
    return records;
}

static void
test_frictionless_zip(void)
{
    struct t_resp             r;
    struct t_member           m[8];
    struct archive           *a = archive_read_new();
    struct archive_entry     *ae;
    size_t                    n = 0;
    int64_t                   n_obs;
    struct store_distribution d;
    const struct t_member    *csv, *dp, *sums;
    const char               *rpath[] = {"resources", NULL};
    yajl_val                  doc, res;
    char                      hex[65], header[512];

    t_dist("dl-main", 2, "zip", &d, &n_obs);
    t_get("/api/v1/datasets/dl-main/download?format=zip&version=2", NULL, &r);
    ASSERT_EQ(r.status, 200);
    archive_read_support_format_zip(a);
    ASSERT_EQ(archive_read_open_memory(a, r.body, r.body_len), ARCHIVE_OK);
    while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
        ASSERT(n < 8);
        snprintf(m[n].name, sizeof(m[n].name), "%s",
                 archive_entry_pathname(ae));
        m[n].len = (size_t) archive_entry_size(ae);
        m[n].data = malloc(m[n].len + 1);
        ASSERT_EQ(archive_read_data(a, m[n].data, m[n].len + 1),
                  (la_ssize_t) m[n].len);
        m[n].data[m[n].len] = '\0';
        n++;
    }
    ASSERT_EQ(archive_read_free(a), ARCHIVE_OK);
    ASSERT_EQ(n, 5);
    ASSERT((csv = t_member_find(m, n, "data.csv")) != NULL);
    ASSERT((dp = t_member_find(m, n, "datapackage.json")) != NULL);
    ASSERT((sums = t_member_find(m, n, "SHA256SUMS")) != NULL);
    ASSERT(t_member_find(m, n, "README.md") != NULL);
    ASSERT(t_member_find(m, n, "disclosure.json") != NULL);

    /* datapackage.json is valid JSON; each resource's bytes and hash are
    ** its file's. */
    doc = yajl_tree_parse(dp->data, NULL, 0);
    ASSERT(doc != NULL);
    ASSERT_CONTAINS(t_json_str(doc, "$schema", NULL, NULL), "datapackage");
    res = yajl_tree_get(doc, rpath, yajl_t_array);
    ASSERT(res != NULL && res->u.array.len == 3);
    for (size_t i = 0; i < res->u.array.len; i++) {
        yajl_val    o = res->u.array.values[i];
        const char *p[] = {"path", NULL}, *b[] = {"bytes", NULL},
                   *h[] = {"hash", NULL};
        const struct t_member *f = t_member_find(
            m, n, YAJL_GET_STRING(yajl_tree_get(o, p, yajl_t_string)));
        char want[80];

        ASSERT(f != NULL);
        ASSERT_EQ(YAJL_GET_INTEGER(yajl_tree_get(o, b, yajl_t_number)),
                  (long long) f->len);
        t_sha(f->data, f->len, hex);
        snprintf(want, sizeof(want), "sha256:%s", hex);
        ASSERT_STREQ(YAJL_GET_STRING(yajl_tree_get(o, h, yajl_t_string)), want);
    }

    /* data.csv: the header is the schema's field names, one record per
    ** observation of the version. */
    {
        const char *fp[] = {"schema", "fields", NULL};
        yajl_val    fields =
            yajl_tree_get(res->u.array.values[0], fp, yajl_t_array);
        size_t at = 0;

        ASSERT(fields != NULL);
        for (size_t i = 0; i < fields->u.array.len; i++) {
            const char *np[] = {"name", NULL};

            at += (size_t) snprintf(
                header + at, sizeof(header) - at, "%s%s", i ? "," : "",
                YAJL_GET_STRING(yajl_tree_get(fields->u.array.values[i], np,
                                              yajl_t_string)));
        }
        ASSERT_EQ(fields->u.array.len, EXP_NCOLS + 2);
        ASSERT(strncmp(csv->data, header, at) == 0);
        ASSERT(strncmp(csv->data + at, "\r\n", 2) == 0);
        ASSERT_EQ(t_csv_records(csv->data, csv->len) - 1, n_obs);
    }
    yajl_tree_free(doc);

    /* SHA256SUMS: one line per other member, each hash right. */
    {
        char  *copy = strdup(sums->data), *save = NULL;
        size_t lines = 0;

        for (char *line = strtok_r(copy, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            const struct t_member *f;

            ASSERT(strlen(line) > 66 && line[64] == ' ' && line[65] == ' ');
            ASSERT((f = t_member_find(m, n, line + 66)) != NULL);
            t_sha(f->data, f->len, hex);
            ASSERT(strncmp(line, hex, 64) == 0);
            lines++;
        }
        ASSERT_EQ(lines, n - 1);
        free(copy);
    }
    for (size_t i = 0; i < n; i++)
        free(m[i].data);
    t_resp_free(&r);
}

int
main(void)
{
    /* As consometer does: zip member times come from localtime(). */
    setenv("TZ", "UTC", 1);
    tzset();
    t_server_start(&ts, routes, nroutes, NULL);
    ASSERT_EQ(t_publish("dl-main", T_ROWS, NULL), 1);
    ASSERT_EQ(t_publish("dl-main", T_ROWS + 7, NULL), 2);
    RUN(test_each_format);
    RUN(test_french_csv);
    RUN(test_latest_and_versions);
    RUN(test_ranges);
    RUN(test_not_modified_and_head);
    RUN(test_errors);
    RUN(test_concurrent_first);
    RUN(test_mismatch_not_cached);
    RUN(test_frictionless_zip);
    http_stop(ts.srv);
    return 0;
}
