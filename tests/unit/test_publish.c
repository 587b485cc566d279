/*
** test_publish.c -- the publisher on a real store: disclosure control
** (a cell of 2 sites, a cell one site dominates at 90 %, a margin with
** exactly one primary-suppressed child), equations with other published
** datasets (a differencing attack through an open per-site dataset),
** idempotence, version numbers, atomicity and refusals.
**
** Whether a suppressed value can be recomputed is checked here by an
** auditor of its own, stronger than the publisher's rule: it writes every
** equation the published tables give (totals = sums of parts, found from
** the rows themselves) and decides by Gaussian elimination whether a
** hidden value is determined by any combination of them.
*/
#include <math.h>
#include <time.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "../t.h"
#include "dl.h"
#include "ds_manifest.h"
#include "exp.h"
#include "mem.h"
#include "pub.h"
#include "store.h"

static const struct store_opts t_create = {1, 1, 5000, 0};
static int64_t                 t_import;
static char t_data[1200]; /* The data folder the downloads are cached in */
static int  t_meters;

static struct store *
t_store(const char *tag, char path[1200])
{
    struct store *st;
    struct cm_err err;

    snprintf(path, 1200, "%s/consometer.db", t_tmpdir(tag));
    snprintf(t_data, sizeof(t_data), "%.*s", (int) (strlen(path) - 14), path);
    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(
        store_import_begin(st, "test", "csv", "t", "test", &t_import, &err),
        CM_OK);
    return st;
}

/* A site with one electricity meter and one reading per month listed
** (value kWh on the 15th at noon UTC, months 1..n of 2024). */
static void
t_site(struct store *st, const char *id, const char *category,
       const char *commune, const char *district, int public_,
       const double *values, int nmonths)
{
    struct cm_err          err;
    struct store_site      s = {id,       id,          category, 1000, commune,
                                district, "200042174", public_,  NULL};
    char                   meter[64];
    struct store_meter_def m = {meter, id, "electricity", "csv", NULL, "kWh",
                                -1,    0};
    struct store_meter     sm;
    int                    found;

    snprintf(meter, sizeof(meter), "m%d", ++t_meters);
    ASSERT_EQ(store_site_upsert(st, &s, &err), CM_OK);
    ASSERT_EQ(store_meter_upsert(st, &m, &err), CM_OK);
    ASSERT_EQ(store_meter_find(st, "csv", meter, &sm, &found, &err), CM_OK);
    ASSERT(found);
    for (int i = 0; i < nmonths; i++) {
        struct tm      tm = {0};
        enum store_put out;
        double         prev;

        tm.tm_year = 124;
        tm.tm_mon = i;
        tm.tm_mday = 15;
        tm.tm_hour = 12;
        ASSERT_EQ(store_reading_put(st, sm.id, (int64_t) timegm(&tm), 3600,
                                    values[i], t_import, &out, &prev, &err),
                  CM_OK);
    }
}

static void
t_manifest(const char *json, struct ds_manifest *m)
{
    struct cm_err err;

    if (ds_manifest_parse(json, strlen(json), NULL, m, &err) != CM_OK) {
        fprintf(stderr, "manifest: %s (%s)\n", err.msg, err.what);
        exit(1);
    }
}

static void
t_publish(struct store *st, const char *json, struct pub_result *r)
{
    struct ds_manifest m;
    struct cm_err      err;
    struct pub_opts    o = {"2026-11-30T10:00:00Z", "test", 0, t_data};

    t_manifest(json, &m);
    if (pub_publish(st, &m, &o, r, &err) != CM_OK) {
        fprintf(stderr, "publish: %s\n", err.msg);
        exit(1);
    }
    ds_manifest_clear(&m);
}

/* ---- the published rows ------------------------------------------------ */

#define T_MAXROWS 512

struct t_row {
    char    period[24], level[16], territory[64], sector[32];
    double  value;
    int     hidden;
    char    status;
    int64_t n_sites;
};

struct t_rows {
    struct t_row r[T_MAXROWS];
    int          n;
};

static int
t_collect(void *ctx, const struct exp_obs *o, const char *extra,
          struct cm_err *err)
{
    struct t_rows *rows = ctx;
    struct t_row  *r = &rows->r[rows->n++];

    (void) extra;
    (void) err;
    ASSERT(rows->n < T_MAXROWS);
    snprintf(r->period, sizeof(r->period), "%s", o->period);
    snprintf(r->level, sizeof(r->level), "%s", o->territory_level);
    snprintf(r->territory, sizeof(r->territory), "%s", o->territory);
    snprintf(r->sector, sizeof(r->sector), "%s", o->sector ? o->sector : "");
    r->value = o->value;
    r->status = o->status;
    r->hidden = o->value_null;
    r->n_sites = o->n_sites;
    /* The table says what it hides: a null value exactly when C or D */
    ASSERT_EQ(o->value_null, o->status != 'A');
    return CM_OK;
}

static void
t_rows(struct store *st, const char *slug, int64_t version, struct t_rows *rows)
{
    struct store_version v;
    struct cm_err        err;
    int                  found;

    rows->n = 0;
    ASSERT_EQ(store_version_get(st, slug, version, &v, &found, &err), CM_OK);
    ASSERT(found);
    ASSERT_EQ(store_obs_each(st, v.id, t_collect, rows, &err), CM_OK);
    ASSERT_EQ(rows->n, v.n_observations);
    store_version_clear(&v);
}

static struct t_row *
t_find(struct t_rows *rows, const char *period, const char *territory,
       const char *sector)
{
    for (int i = 0; i < rows->n; i++)
        if (!strcmp(rows->r[i].period, period) &&
            !strcmp(rows->r[i].territory, territory) &&
            !strcmp(rows->r[i].sector, sector))
            return &rows->r[i];
    fprintf(stderr, "no row %s %s %s\n", period, territory, sector);
    exit(1);
}

/* ---- the auditor ----------------------------------------------------------
 */

/*
** Equations sum(coef * x) = rhs over unknowns: the hidden rows (index i <
** rows->n) and extra unknowns (index rows->n + j). Each equation is
** reduced into a row-echelon basis as it is added.
*/
#define T_MAXVARS (T_MAXROWS + 8)
#define T_MAXEQ 1024

struct t_audit {
    const struct t_rows *rows;
    int                  nvars;
    double               basis[T_MAXEQ][T_MAXVARS];
    int                  pivot[T_MAXEQ];
    int                  nbasis;
    double               eq[T_MAXVARS]; /* The equation being built */
    int                  terms;         /* Unknown terms in it */
};

static void
t_eq_begin(struct t_audit *a)
{
    memset(a->eq, 0, sizeof(a->eq));
    a->terms = 0;
}

/* Add coef * row i (a known value moves to the right-hand side). */
static void
t_eq_row(struct t_audit *a, int i, double coef)
{
    if (a->rows->r[i].hidden) {
        a->eq[i] += coef;
        a->terms++;
    }
}

static void
t_eq_var(struct t_audit *a, int j, double coef)
{
    a->eq[a->rows->n + j] += coef;
    a->terms++;
}

/* Reduce v against the basis; returns the index of its first nonzero
** coefficient, or -1 when v lies in the span. */
static int
t_reduce(struct t_audit *a, double *v)
{
    for (int b = 0; b < a->nbasis; b++) {
        double f = v[a->pivot[b]];

        if (fabs(f) > 1e-9)
            for (int k = 0; k < a->nvars; k++)
                v[k] -= f * a->basis[b][k];
    }
    for (int k = 0; k < a->nvars; k++)
        if (fabs(v[k]) > 1e-9)
            return k;
    return -1;
}

static void
t_eq_end(struct t_audit *a)
{
    int p;

    if (a->terms == 0)
        return;
    p = t_reduce(a, a->eq);
    if (p < 0)
        return;
    ASSERT(a->nbasis < T_MAXEQ);
    for (int k = 0; k < a->nvars; k++)
        a->basis[a->nbasis][k] = a->eq[k] / a->eq[p];
    a->pivot[a->nbasis++] = p;
    /* Keep the basis reduced: eliminate p from the earlier rows */
    for (int b = 0; b < a->nbasis - 1; b++) {
        double f = a->basis[b][p];

        if (fabs(f) > 1e-9)
            for (int k = 0; k < a->nvars; k++)
                a->basis[b][k] -= f * a->basis[a->nbasis - 1][k];
    }
}

/* 1 if unknown k is determined by the equations. */
static int
t_determined(struct t_audit *a, int k)
{
    static double v[T_MAXVARS];

    memset(v, 0, sizeof(v));
    v[k] = 1;
    return t_reduce(a, v) < 0;
}

static const char *
t_parent(const struct t_row *r, char buf[64])
{
    if (!strcmp(r->level, "district")) {
        snprintf(buf, 64, "%.5s", r->territory); /* "56121:D1" */
        return "commune";
    }
    if (!strcmp(r->level, "commune")) {
        snprintf(buf, 64, "200042174");
        return "epci";
    }
    return NULL;
}

/* Every equation the version's own rows state: a total over sectors is
** the sum of the sectors, a parent territory the sum of its children. */
static void
t_audit_margins(struct t_audit *a)
{
    const struct t_rows *rows = a->rows;

    for (int i = 0; i < rows->n; i++) {
        const struct t_row *t = &rows->r[i];

        if (!strcmp(t->sector, "_T")) {
            t_eq_begin(a);
            t_eq_row(a, i, -1);
            for (int j = 0; j < rows->n; j++) {
                const struct t_row *c = &rows->r[j];

                if (j != i && !strcmp(c->period, t->period) &&
                    !strcmp(c->level, t->level) &&
                    !strcmp(c->territory, t->territory) &&
                    strcmp(c->sector, "_T") != 0)
                    t_eq_row(a, j, 1);
            }
            t_eq_end(a);
        }
        { /* t as the parent of the rows one level down */
            int any = 0;

            t_eq_begin(a);
            t_eq_row(a, i, -1);
            for (int j = 0; j < rows->n; j++) {
                const struct t_row *c = &rows->r[j];
                char                buf[64];
                const char         *pl = t_parent(c, buf);

                if (pl && !strcmp(pl, t->level) && !strcmp(buf, t->territory) &&
                    !strcmp(c->period, t->period) &&
                    !strcmp(c->sector, t->sector)) {
                    t_eq_row(a, j, 1);
                    any = 1;
                }
            }
            if (any)
                t_eq_end(a);
        }
    }
}

static void
t_audit_init(struct t_audit *a, const struct t_rows *rows, int extra)
{
    memset(a, 0, sizeof(*a));
    a->rows = rows;
    a->nvars = rows->n + extra;
    ASSERT(a->nvars <= T_MAXVARS);
}

/* No hidden row is determined. */
static void
t_audit_hidden(struct t_audit *a)
{
    for (int i = 0; i < a->rows->n; i++)
        if (a->rows->r[i].hidden && t_determined(a, i)) {
            fprintf(stderr, "recoverable: %s %s %s\n", a->rows->r[i].period,
                    a->rows->r[i].territory, a->rows->r[i].sector);
            exit(1);
        }
}

/* ---- tests ------------------------------------------------------------------
 */

#define T_SECTOR_DISTRICT                                                      \
    "{\"slug\": \"elec-district\", \"title\": {\"fr\": \"Test\"},"             \
    " \"kinds\": [\"electricity\"], \"period\": \"month\","                    \
    " \"territory\": \"district\", \"by_sector\": true, \"privacy\":"          \
    " {\"policy\": \"aggregated\", \"min_sites\": 3, \"max_share\": 0.85}}"

static void
t_add(struct store *st, const char *prefix, int n, const char *category,
      const char *commune, const char *district, const double *values)
{
    for (int i = 0; i < n; i++) {
        char   id[64];
        double v[1] = {values[i]};

        snprintf(id, sizeof(id), "%s-%s-%s-%d", prefix, district, category, i);
        t_site(st, id, category, commune, district, 0, v, 1);
    }
}

static void
test_primary_and_secondary(void)
{
    char              path[1200];
    struct store     *st = t_store("pub", path);
    struct pub_result r;
    struct t_rows    *rows = malloc(sizeof(*rows));
    struct t_audit   *a = malloc(sizeof(*a));
    struct t_row     *x;
    int               hidden_in_d3 = 0;

    /* Commune 56121: district D1 has a cell of 2 sites (education), a
    ** cell one site dominates at 90 % (sport) and a good one (office);
    ** district D2 only good cells. Commune 56098, district D3: its total
    ** over sectors has exactly one primary-suppressed child (culture). */
    t_add(st, "a", 2, "education", "56121", "D1", (double[]){10, 12});
    t_add(st, "a", 3, "sport", "56121", "D1", (double[]){90, 5, 5});
    t_add(st, "a", 3, "office", "56121", "D1", (double[]){20, 25, 30});
    t_add(st, "a", 3, "education", "56121", "D2", (double[]){11, 12, 13});
    t_add(st, "a", 3, "culture", "56121", "D2", (double[]){14, 15, 16});
    t_add(st, "b", 4, "education", "56098", "D3", (double[]){10, 10, 10, 10});
    t_add(st, "b", 3, "sport", "56098", "D3", (double[]){8, 9, 10});
    t_add(st, "b", 2, "culture", "56098", "D3", (double[]){5, 6});
    t_publish(st, T_SECTOR_DISTRICT, &r);
    ASSERT_EQ(r.version, 1);
    ASSERT(!r.unchanged);
    t_rows(st, "elec-district", 1, rows);

    x = t_find(rows, "2024-01", "56121:D1", "education");
    ASSERT_EQ(x->status, 'C');
    ASSERT_EQ(x->n_sites, 2);
    x = t_find(rows, "2024-01", "56121:D1", "sport");
    ASSERT_EQ(x->status, 'C');
    ASSERT_EQ(x->n_sites, 3);
    ASSERT_EQ(t_find(rows, "2024-01", "56121:D1", "office")->status, 'A');
    ASSERT(fabs(t_find(rows, "2024-01", "56121:D1", "office")->value - 75) <
           1e-9);
    ASSERT_EQ(t_find(rows, "2024-01", "56098:D3", "culture")->status, 'C');
    /* The margin with one primary child: one more of its members hidden */
    hidden_in_d3 += t_find(rows, "2024-01", "56098:D3", "education")->hidden;
    hidden_in_d3 += t_find(rows, "2024-01", "56098:D3", "sport")->hidden;
    hidden_in_d3 += t_find(rows, "2024-01", "56098:D3", "_T")->hidden;
    ASSERT(hidden_in_d3 >= 1);
    ASSERT(r.secondary >= 1);
    /* Margins get the primary rules too: 56121's sport is still 90 % one
    ** site; 56098 has one district, so its culture is 2 sites again */
    ASSERT_EQ(t_find(rows, "2024-01", "56121", "sport")->status, 'C');
    ASSERT_EQ(t_find(rows, "2024-01", "56098", "culture")->status, 'C');
    ASSERT_EQ(r.primary, 5);
    ASSERT_EQ(r.rows, rows->n);
    ASSERT_EQ(r.published + r.primary + r.secondary, r.rows);

    /* Margins published at commune and EPCI level, over sectors too */
    ASSERT_EQ(t_find(rows, "2024-01", "200042174", "_T")->status, 'A');
    ASSERT(fabs(t_find(rows, "2024-01", "200042174", "_T")->value -
                (22 + 100 + 75 + 36 + 45 + 40 + 27 + 11)) < 1e-9);

    t_audit_init(a, rows, 0);
    t_audit_margins(a);
    t_audit_hidden(a);
    free(a);
    free(rows);
    store_close(st);
}

#define T_OPEN_SITE_YEAR                                                       \
    "{\"slug\": \"site-year\", \"title\": {\"fr\": \"Sites\"},"                \
    " \"kinds\": [\"electricity\"], \"period\": \"year\","                     \
    " \"territory\": \"site\", \"privacy\": {\"policy\": \"open\"}}"
#define T_COMMUNE_SECTOR_MONTH                                                 \
    "{\"slug\": \"commune-month\", \"title\": {\"fr\": \"Communes\"},"         \
    " \"kinds\": [\"electricity\"], \"period\": \"month\","                    \
    " \"territory\": \"commune\", \"by_sector\": true, \"privacy\":"           \
    " {\"policy\": \"aggregated\", \"min_sites\": 3, \"max_share\": 0.85}}"

static void
test_differencing_through_open_data(void)
{
    char              path[1200];
    struct store     *st = t_store("pub-across", path);
    struct pub_result r;
    struct t_rows    *open = malloc(sizeof(*open));
    struct t_rows    *rows = malloc(sizeof(*rows));
    struct t_audit   *a = malloc(sizeof(*a));
    const double      pub1[] = {10, 11, 12}, pub2[] = {20, 21, 22},
                 pub3[] = {30, 31, 32}, priv[] = {7, 8, 9};
    int any_hidden = 0;

    /* Commune 56098: three public schools, whose yearly values the open
    ** dataset publishes, and one private one. Every monthly cell has four
    ** sites, so the primary rules pass everywhere; but the year's sum
    ** of the commune minus the three public sites is the private site's
    ** consumption. Three public sports halls too, so that a month's
    ** total over sectors is not just its schools. Commune 56121: enough
    ** public sites of its own. */
    t_site(st, "b-pub1", "education", "56098", "B", 1, pub1, 3);
    t_site(st, "b-pub2", "education", "56098", "B", 1, pub2, 3);
    t_site(st, "b-pub3", "education", "56098", "B", 1, pub3, 3);
    t_site(st, "b-priv", "education", "56098", "B", 0, priv, 3);
    t_site(st, "b-spo1", "sport", "56098", "B", 1, pub1, 3);
    t_site(st, "b-spo2", "sport", "56098", "B", 1, pub2, 3);
    t_site(st, "b-spo3", "sport", "56098", "B", 1, pub3, 3);
    for (int i = 0; i < 4; i++) {
        char   id[32];
        double v[3] = {40.0 + i, 41.0 + i, 42.0 + i};

        snprintf(id, sizeof(id), "a-%d", i);
        t_site(st, id, "education", "56121", "A", 1, v, 3);
    }
    t_publish(st, T_OPEN_SITE_YEAR, &r);
    ASSERT_EQ(r.rows, 10); /* Public sites only, one year */
    ASSERT_EQ(r.primary + r.secondary, 0);
    t_rows(st, "site-year", 1, open);
    t_publish(st, T_COMMUNE_SECTOR_MONTH, &r);
    ASSERT(r.across >= 1 || getenv("T_MUTANT"));
    t_rows(st, "commune-month", 1, rows);

    /* Unknowns: the hidden rows and p, the private site's year. */
    t_audit_init(a, rows, 1);
    t_audit_margins(a);
    /* sum of 56098's monthly cells by sector = public sites' year + p;
    ** the same for the totals over sectors */
    /* (the public sites' values are known: they only move the
    ** right-hand side, which the auditor does not need) */
    for (int i = 0; i < open->n; i++)
        ASSERT_EQ(open->r[i].status, 'A');
    for (int tot = 0; tot < 2; tot++) {
        t_eq_begin(a);
        for (int i = 0; i < rows->n; i++)
            if (!strcmp(rows->r[i].territory, "56098") &&
                (tot ? !strcmp(rows->r[i].sector, "_T")
                     : strcmp(rows->r[i].sector, "_T") != 0))
                t_eq_row(a, i, 1);
        t_eq_var(a, 0, -1);
        t_eq_end(a);
    }
    for (int i = 0; i < rows->n; i++)
        if (!strcmp(rows->r[i].territory, "56098"))
            any_hidden |= rows->r[i].hidden;
    ASSERT(any_hidden);
    if (t_determined(a, rows->n)) {
        for (int i = 0; i < rows->n; i++)
            fprintf(stderr, "%s %s %s %s %c %g\n", rows->r[i].period,
                    rows->r[i].level, rows->r[i].territory, rows->r[i].sector,
                    rows->r[i].status, rows->r[i].value);
        fprintf(stderr, "the private site's year is recoverable\n");
        exit(1);
    }
    t_audit_hidden(a);
    free(a);
    free(rows);
    free(open);
    store_close(st);
}

/* Every download of the version is in the cache, with the bytes its
** distribution row announces; nothing half-written is left beside. */
static void
t_cached_files(struct store *st, const char *slug, int64_t number)
{
    struct store_version      v;
    struct store_distribution d[8];
    struct cm_err             err;
    size_t                    n;
    int                       found;

    ASSERT_EQ(store_version_get(st, slug, number, &v, &found, &err), CM_OK);
    ASSERT(found);
    ASSERT_EQ(store_distribution_list(st, v.id, d, 8, &n, &err), CM_OK);
    ASSERT_EQ(n, EXP_NFORMATS);
    for (size_t i = 0; i < n; i++) {
        char          file[1600], part[1700], hex[EXP_SHA256_HEX + 1];
        FILE         *f;
        struct cm_buf b;
        char          chunk[8192];
        size_t        got;

        snprintf(file, sizeof(file), "%s/cache/%s/v%lld/%s", t_data, slug,
                 (long long) number, d[i].name);
        snprintf(part, sizeof(part), "%s.part", file);
        ASSERT((f = fopen(file, "rb")) != NULL);
        cm_buf_init(&b);
        while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
            cm_buf_add(&b, chunk, got);
        fclose(f);
        ASSERT_EQ(b.len, d[i].bytes);
        exp_sha256_hex(b.data, b.len, hex);
        ASSERT_STREQ(hex, d[i].sha256);
        ASSERT(access(part, F_OK) != 0);
        cm_buf_clear(&b);
    }
    /* The csv download is the version's checksummed table */
    ASSERT_STREQ(d[0].format, "csv");
    ASSERT_STREQ(d[0].sha256, v.sha256);
    /* Archives removed from the cache are built again around the cached
    ** CSV (counts from the disclosure report): dl_ensure accepts them
    ** only with the published bytes */
    for (size_t i = 0; i < n; i++) {
        char path[1600];
        int  teed;

        if (strcmp(d[i].format, "zip") != 0 &&
            strcmp(d[i].format, "tar.gz") != 0)
            continue;
        ASSERT_EQ(dl_path(t_data, &v, &d[i], path, sizeof(path), &err), CM_OK);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(dl_ensure(st, t_data, &v, &d[i], NULL, NULL, path,
                            sizeof(path), &teed, &err),
                  CM_OK);
        ASSERT(access(path, F_OK) == 0);
    }
    store_version_clear(&v);
}

/* The other order: the aggregate is published first (it could not know),
** then the open dataset would reveal the private site: refused, nothing
** written; the aggregate of another kind does not stand in the way. */
static void
test_open_after_aggregate(void)
{
    char                 path[1200];
    struct store        *st = t_store("pub-order", path);
    struct pub_result    r;
    struct ds_manifest   m;
    struct cm_err        err;
    struct pub_opts      o = {"2026-11-30T10:00:00Z", "test", 0, NULL};
    struct store_version v;
    int                  found;
    const double a[] = {10, 11, 12}, b[] = {20, 21, 22}, c[] = {30, 31, 32},
                 priv[] = {7, 8, 9};

    t_site(st, "b-pub1", "education", "56098", "B", 1, a, 3);
    t_site(st, "b-pub2", "education", "56098", "B", 1, b, 3);
    t_site(st, "b-pub3", "education", "56098", "B", 1, c, 3);
    t_site(st, "b-priv", "education", "56098", "B", 0, priv, 3);
    t_publish(st, T_COMMUNE_SECTOR_MONTH, &r);
    ASSERT_EQ(r.primary + r.secondary, 0); /* 4 sites everywhere: all A */
    t_manifest(T_OPEN_SITE_YEAR, &m);
    ASSERT_EQ(pub_publish(st, &m, &o, &r, &err), CM_EUNPROCESSABLE);
    ASSERT_CONTAINS(err.msg, "commune-month");
    ASSERT_CONTAINS(err.msg, "too few non-public sites");
    ds_manifest_clear(&m);
    ASSERT_EQ(store_version_get(st, "site-year", 0, &v, &found, &err), CM_OK);
    ASSERT(!found);
    /* Once the private site's readings are gone, nothing is left to
    ** reveal: allowed */
    store_close(st);
    {
        sqlite3 *db;

        ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "DELETE FROM reading WHERE meter IN (SELECT "
                               "m.id FROM meter m JOIN site s ON s.id = m.site "
                               "WHERE s.site_id = 'b-priv')",
                               NULL, NULL, NULL),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    t_publish(st, T_OPEN_SITE_YEAR, &r);
    ASSERT_EQ(r.version, 1);
    store_close(st);
}

static void
test_idempotent_and_immutable(void)
{
    char              path[1200];
    struct store     *st = t_store("pub-again", path);
    struct pub_result r1, r2, r3;
    const double      v[] = {1, 2, 3};
    sqlite3          *db;

    for (int i = 0; i < 3; i++) {
        char id[16];

        snprintf(id, sizeof(id), "s%d", i);
        t_site(st, id, "education", "56121", "A", 1, v, 3);
    }
    t_publish(st, T_OPEN_SITE_YEAR, &r1);
    t_publish(st, T_OPEN_SITE_YEAR, &r2);
    ASSERT_EQ(r1.version, 1);
    ASSERT_EQ(r2.version, 1); /* Same inputs: nothing new */
    ASSERT(r2.unchanged);
    ASSERT_STREQ(r1.sha256, r2.sha256);
    /* New readings: a new version with another checksum */
    t_site(st, "s9", "education", "56121", "A", 1, v, 3);
    t_publish(st, T_OPEN_SITE_YEAR, &r3);
    ASSERT_EQ(r3.version, 2);
    ASSERT(!r3.unchanged);
    ASSERT(strcmp(r3.sha256, r1.sha256) != 0);
    t_cached_files(st, "site-year", 2);
    store_close(st);

    /* Published rows refuse to change */
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    ASSERT(sqlite3_exec(db, "UPDATE observation SET value = 0", NULL, NULL,
                        NULL) != SQLITE_OK);
    ASSERT(sqlite3_exec(db, "DELETE FROM distribution", NULL, NULL, NULL) !=
           SQLITE_OK);
    sqlite3_close(db);
}

static void
test_refusals(void)
{
    char               path[1200];
    struct store      *st = t_store("pub-refuse", path);
    struct ds_manifest m;
    struct pub_result  r;
    struct cm_err      err;

    t_manifest("{\"slug\": \"x\", \"title\": {\"fr\": \"X\"}, \"kinds\": "
               "[\"electricity\"], \"period\": \"month\", \"territory\": "
               "\"commune\", \"measures\": [\"sum\", \"max\"], \"privacy\": "
               "{\"policy\": \"aggregated\"}}",
               &m);
    ASSERT_EQ(pub_publish(st, &m, NULL, &r, &err), CM_EINVAL);
    ASSERT_STREQ(err.what, "measures");
    ds_manifest_clear(&m);
    store_close(st);
}

/* The number of the latest version of slug, after checking that every
** version's rows are all there. */
static int64_t
t_latest_whole(const char *path, const char *slug, struct t_rows *rows)
{
    struct store        *st;
    struct store_version lv;
    struct cm_err        err;
    int                  found;
    int64_t              n;

    ASSERT_EQ(store_open(path, &t_create, &st, NULL, &err), CM_OK);
    ASSERT_EQ(store_integrity_check(st, &err), CM_OK);
    ASSERT_EQ(store_version_get(st, slug, 0, &lv, &found, &err), CM_OK);
    ASSERT(found);
    n = lv.number;
    for (int64_t v = 1; v <= n; v++)
        t_rows(st, slug, v, rows); /* Asserts n_observations rows */
    store_version_clear(&lv);
    store_close(st);
    return n;
}

/* kill -9 at every moment of a publish: the previous version stays
** whole and the new one is either complete or absent. */
static void
test_kill_mid_publish(void)
{
    char              path[1200];
    struct store     *st = t_store("pub-kill", path);
    struct pub_result r;
    struct t_rows    *rows = malloc(sizeof(*rows));
    double            v[12];
    int               kills = 0, done = 0;

    for (int i = 0; i < 12; i++)
        v[i] = i + 1;
    for (int i = 0; i < 40; i++) {
        char id[16];

        snprintf(id, sizeof(id), "s%d", i);
        t_site(st, id, i % 2 ? "education" : "sport", i % 3 ? "56121" : "56098",
               "A", 1, v, 12);
    }
    t_publish(st, T_COMMUNE_SECTOR_MONTH, &r);
    ASSERT_EQ(r.version, 1);
    t_site(st, "s-new", "education", "56121", "A", 1, v, 12);
    store_close(st);
    for (int delay = 0; !done; delay += 1500) {
        pid_t pid = fork();
        int   status;

        ASSERT(pid >= 0);
        if (pid == 0) {
            struct store      *cst;
            struct cm_err      err;
            struct ds_manifest m;
            struct pub_result  cr;

            if (store_open(path, &t_create, &cst, NULL, &err) != CM_OK)
                _exit(3);
            t_manifest(T_COMMUNE_SECTOR_MONTH, &m);
            _exit(pub_publish(cst, &m, NULL, &cr, &err) == CM_OK ? 0 : 4);
        }
        usleep((useconds_t) delay);
        kill(pid, SIGKILL);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status)) {
            /* Killed before the commit: no trace of version 2; after it
            ** (refreshing statistics, closing): version 2 whole */
            int64_t latest = t_latest_whole(path, "commune-month", rows);

            ASSERT(latest == 1 || latest == 2);
            kills += latest == 1;
            done = latest == 2;
        } else {
            ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            ASSERT_EQ(t_latest_whole(path, "commune-month", rows), 2);
            done = 1;
        }
        ASSERT(delay < 10 * 1000 * 1000);
    }
    ASSERT(kills > 0);
    free(rows);
}

int
main(void)
{
    RUN(test_primary_and_secondary);
    RUN(test_differencing_through_open_data);
    RUN(test_open_after_aggregate);
    RUN(test_idempotent_and_immutable);
    RUN(test_refusals);
    RUN(test_kill_mid_publish);
    return 0;
}
