/*
** test_datasets_api.c -- the catalog, the dataset page and the records
** over real HTTP, against versions published straight through the store
** API (a fixture of five datasets, one of them with two versions and one
** with extra columns, and a sixth never made public). Covers search with
** and without accents, facet counts, filters, sorts, whole walks by
** cursor (every row exactly once), period ranges, fields, 304s, cursors
** that survive a restart, and every refusal with its envelope.
*/
#include <stdarg.h>

#include "t_http.h"
#include "api.h"
#include "exp.h"
#include "mem.h"
#include "text.h"

static struct t_server ts;

#define THEME "http://publications.europa.eu/resource/authority/data-theme/"

/* ---- the fixture ------------------------------------------------------ */

struct t_ds {
    const char *slug, *manifest, *published_at, *columns;
    int         latest; /* 0: created but never made the latest */
};

static const struct t_ds t_elec_v1 = {
    "electricity-commune-month",
    "{\"slug\":\"electricity-commune-month\",\"title\":{\"fr\":"
    "\"Consommation d'électricité par commune et par mois\",\"en\":"
    "\"Electricity consumption by commune and month\"},\"description\":"
    "{\"fr\":\"Somme mensuelle par commune et catégorie de bâtiment.\"},"
    "\"license\":\"etalab-2.0\",\"themes\":[\"" THEME "ENER\"],"
    "\"keywords\":[\"électricité\",\"commune\"],\"kinds\":[\"electricity\"],"
    "\"period\":\"month\",\"territory\":\"commune\",\"by_sector\":true,"
    "\"measures\":[\"sum\"],\"privacy\":{\"policy\":\"aggregated\","
    "\"households\":true,\"min_sites\":3,\"max_share\":0.85}}",
    "2025-01-10T10:00:00Z", NULL, 1};

static const struct t_ds t_gas = {
    "gas-district-day",
    "{\"slug\":\"gas-district-day\",\"title\":{\"fr\":\"Consommation de gaz "
    "par quartier et par jour\",\"en\":\"Gas consumption by district and "
    "day\"},\"license\":\"odbl-1.0\",\"themes\":[\"" THEME "ENER\",\"" THEME
    "ENVI\"],\"keywords\":[\"gaz\",\"quartier\"],\"kinds\":[\"gas\"],"
    "\"period\":\"day\",\"territory\":\"district\",\"by_sector\":false,"
    "\"measures\":[\"sum\"],\"privacy\":{\"policy\":\"aggregated\","
    "\"households\":false,\"min_sites\":3,\"max_share\":0.85}}",
    "2025-03-01T10:00:00Z", NULL, 1};

static const struct t_ds t_pv = {
    "pv-site-hour",
    "{\"slug\":\"pv-site-hour\",\"title\":{\"fr\":\"Production "
    "photovoltaïque horaire des bâtiments publics\",\"en\":\"Hourly PV "
    "production\"},\"license\":\"etalab-2.0\",\"themes\":[\"" THEME "ENER\"],"
    "\"keywords\":[\"solaire\"],\"kinds\":[\"pv\"],\"period\":\"hour\","
    "\"territory\":\"site\",\"by_sector\":false,\"measures\":[\"sum\"],"
    "\"privacy\":{\"policy\":\"open\"}}",
    "2025-02-01T10:00:00Z",
    "[{\"name\":\"site_name\",\"type\":\"string\",\"title\":\"Site\"},"
    "{\"name\":\"floor_area_m2\",\"type\":\"number\"},"
    "{\"name\":\"public\",\"type\":\"boolean\"}]",
    1};

static const struct t_ds t_site_year = {
    "energy-site-year",
    "{\"slug\":\"energy-site-year\",\"title\":{\"fr\":\"Consommation "
    "annuelle d'énergie par bâtiment public\"},\"description\":{\"fr\":"
    "\"Électricité, gaz et chaleur consommés chaque année.\"},\"license\":"
    "\"cc-by-4.0\",\"themes\":[\"" THEME "ENER\"],\"kinds\":[\"electricity\","
    "\"gas\",\"heat\"],\"period\":\"year\",\"territory\":\"site\","
    "\"by_sector\":false,\"measures\":[\"sum\"],\"privacy\":{\"policy\":"
    "\"open\"}}",
    "2025-04-01T10:00:00Z", NULL, 1};

static const struct t_ds t_heat = {
    "heat-network-month",
    "{\"slug\":\"heat-network-month\",\"title\":{\"fr\":\"Livraisons du "
    "réseau de chaleur\",\"en\":\"Heat network deliveries\"},\"license\":"
    "\"etalab-2.0\",\"themes\":[\"" THEME "ENER\"],\"kinds\":[\"heat\"],"
    "\"period\":\"month\",\"territory\":\"epci\",\"by_sector\":false,"
    "\"measures\":[\"sum\"],\"privacy\":{\"policy\":\"aggregated\","
    "\"households\":true,\"min_sites\":10,\"max_share\":0.85}}",
    "2025-05-01T10:00:00Z", NULL, 1};

static const struct t_ds t_draft = {
    "draft-never-public",
    "{\"slug\":\"draft-never-public\",\"title\":{\"fr\":\"Brouillon "
    "électricité\"},\"license\":\"etalab-2.0\",\"themes\":[\"" THEME "ENER\"],"
    "\"kinds\":[\"electricity\"],\"period\":\"year\",\"territory\":\"epci\","
    "\"by_sector\":false,\"measures\":[\"sum\"],\"privacy\":{\"policy\":"
    "\"open\"}}",
    "2025-05-02T10:00:00Z", NULL, 0};

/* Rows of electricity v2: 12 months x 3 communes x 3 sectors. */
#define T_ELEC_ROWS 108
static const char *const t_communes[] = {"56121", "56098", "56162"};
static const char *const t_sectors[] = {"education", "sport", "_T"};

/* The status of row i of the electricity cube: some C, some D. */
static char
t_elec_status(int i)
{
    return i % 7 == 3 ? 'C' : i % 11 == 5 ? 'D' : 'A';
}

static double
t_elec_value(int i)
{
    return 1000.5 + (double) ((i * 37) % 101);
}

typedef void (*t_rows_fn)(struct store *st, int64_t id, int version);

static void
t_rows_elec(struct store *st, int64_t id, int version)
{
    struct cm_err err;
    int           months = version == 1 ? 6 : 12, row = 0;
    int           ncom = version == 1 ? 2 : 3, nsec = version == 1 ? 2 : 3;

    for (int m = 1; m <= months; m++)
        for (int c = 0; c < ncom; c++)
            for (int s = 0; s < nsec; s++) {
                char           period[16];
                struct exp_obs o = {0};

                snprintf(period, sizeof(period), "2024-%02d", m);
                o.period = period;
                o.territory_level = "commune";
                o.territory = t_communes[c];
                o.sector = t_sectors[s];
                o.kind = "electricity";
                o.status = t_elec_status(row);
                o.value_null = o.status != 'A';
                o.value = t_elec_value(row);
                o.unit = "kWh";
                o.n_sites = 3 + row % 5;
                ASSERT_EQ(store_obs_add(st, id, row, &o, NULL, &err), CM_OK);
                row++;
            }
}

static void
t_rows_gas(struct store *st, int64_t id, int version)
{
    struct cm_err err;
    int           row = 0;

    (void) version;
    for (int d = 1; d <= 10; d++)
        for (int q = 0; q < 2; q++) {
            char           period[16];
            struct exp_obs o = {0};

            snprintf(period, sizeof(period), "2024-01-%02d", d);
            o.period = period;
            o.territory_level = "district";
            o.territory = q ? "56121-nord" : "56121-centre";
            o.kind = "gas";
            o.value = 10 * d + q;
            o.unit = "kWh";
            o.n_sites = 4;
            o.status = 'A';
            ASSERT_EQ(store_obs_add(st, id, row++, &o, NULL, &err), CM_OK);
        }
}

/* 48 hours x 2 sites; the second site's floor area is unknown (null). */
#define T_PV_ROWS 96
static void
t_rows_pv(struct store *st, int64_t id, int version)
{
    struct cm_err err;
    int           row = 0;

    (void) version;
    for (int h = 0; h < 48; h++)
        for (int s = 0; s < 2; s++) {
            char           period[16];
            struct exp_obs o = {0};

            snprintf(period, sizeof(period), "2024-06-%02dT%02d", 1 + h / 24,
                     h % 24);
            o.period = period;
            o.territory_level = "site";
            o.territory =
                s ? "lanester-ecole-centre" : "lorient-hotel-de-ville";
            o.kind = "pv";
            o.value = (h % 24 >= 8 && h % 24 <= 18) ? 3.25 * (h % 7) : 0;
            o.unit = "kWh";
            o.n_sites = 1;
            o.status = 'A';
            ASSERT_EQ(store_obs_add(st, id, row++, &o,
                                    s ? "{\"site_name\":\"École du centre\","
                                        "\"floor_area_m2\":null,"
                                        "\"public\":false}"
                                      : "{\"site_name\":\"Hôtel de ville\","
                                        "\"floor_area_m2\":9200,"
                                        "\"public\":true}",
                                    &err),
                      CM_OK);
        }
}

static void
t_rows_site_year(struct store *st, int64_t id, int version)
{
    static const char *const kinds[] = {"electricity", "gas", "heat"};
    struct cm_err            err;
    int                      row = 0;

    (void) version;
    for (int y = 2022; y <= 2024; y++)
        for (int s = 0; s < 3; s++)
            for (int k = 0; k < 3; k++) {
                char           period[16], site[16];
                struct exp_obs o = {0};

                snprintf(period, sizeof(period), "%d", y);
                snprintf(site, sizeof(site), "site-%d", s);
                o.period = period;
                o.territory_level = "site";
                o.territory = site;
                o.kind = kinds[k];
                o.value = y - 2000 + s * 10 + k;
                o.unit = "kWh";
                o.n_sites = 1;
                o.status = 'A';
                ASSERT_EQ(store_obs_add(st, id, row++, &o, NULL, &err), CM_OK);
            }
}

static void
t_rows_heat(struct store *st, int64_t id, int version)
{
    struct cm_err err;

    (void) version;
    for (int m = 1; m <= 12; m++) {
        char           period[16];
        struct exp_obs o = {0};

        snprintf(period, sizeof(period), "2024-%02d", m);
        o.period = period;
        o.territory_level = "epci";
        o.territory = "200042174";
        o.kind = "heat";
        o.value = 500 + m;
        o.unit = "kWh";
        o.n_sites = 12;
        o.status = 'A';
        ASSERT_EQ(store_obs_add(st, id, m - 1, &o, NULL, &err), CM_OK);
    }
}

/* Publish one version of d whose rows fn writes. */
static void
t_publish(struct store *st, const struct t_ds *d, t_rows_fn fn, int version,
          int64_t nobs)
{
    struct cm_err             err;
    struct cm_buf             text;
    char                      sha[65];
    int64_t                   id, number;
    struct store_distribution dist = {"csv", "", "text/csv; charset=utf-8",
                                      1234, ""};
    struct store_version_new  v = {0};

    cm_buf_init(&text);
    cm_fold(d->manifest, strlen(d->manifest), &text);
    cm_buf_add(&text, "", 1);
    snprintf(sha, sizeof(sha), "%064d", version);
    memset(sha, 'a' + (int) strlen(d->slug) % 6, 10);
    v.slug = d->slug;
    v.origin = "manifest";
    v.manifest = d->manifest;
    v.search_text = text.data;
    v.published_at = d->published_at;
    v.n_observations = nobs;
    v.sha256 = sha;
    v.columns = d->columns;
    v.disclosure = "{\"rules\":{\"min_sites\":3,\"max_share\":0.85},"
                   "\"cells\":{\"published\":90,\"primary\":12,"
                   "\"secondary\":6}}";
    v.provenance = "{\"readings\":1000}";
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    ASSERT_EQ(number, version);
    fn(st, id, version);
    snprintf(dist.name, sizeof(dist.name), "%s-v%d.csv", d->slug, version);
    memset(dist.sha256, 'b', 64);
    ASSERT_EQ(store_distribution_add(st, id, &dist, &err), CM_OK);
    if (d->latest)
        ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    cm_buf_clear(&text);
}

static void
t_setup(void)
{
    struct store     *st;
    struct store_opts o = {1, 1, 5000, 0};
    struct cm_err     err;
    struct t_ds       elec_v2 = t_elec_v1;

    t_server_start(&ts, routes, nroutes, NULL);
    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    t_publish(st, &t_elec_v1, t_rows_elec, 1, 24);
    elec_v2.published_at = "2025-06-01T10:00:00Z";
    t_publish(st, &elec_v2, t_rows_elec, 2, T_ELEC_ROWS);
    t_publish(st, &t_gas, t_rows_gas, 1, 20);
    t_publish(st, &t_pv, t_rows_pv, 1, T_PV_ROWS);
    t_publish(st, &t_site_year, t_rows_site_year, 1, 27);
    t_publish(st, &t_heat, t_rows_heat, 1, 12);
    t_publish(st, &t_draft, t_rows_heat, 1, 12);
    store_close(st);
}

/* ---- helpers ---------------------------------------------------------- */

/* GET target (printf-style), expecting 'status'; the body parsed. */
static yajl_val t_get(int status, struct t_resp *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static yajl_val
t_get(int status, struct t_resp *r, const char *fmt, ...)
{
    char    target[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(target, sizeof(target), fmt, ap);
    va_end(ap);
    t_req(ts.port, "GET", target, NULL, r);
    if (r->status != status) {
        fprintf(stderr, "GET %s: status %d, want %d\n%s\n", target, r->status,
                status, r->body);
        exit(1);
    }
    return t_json(r);
}

/* The refusal of target: status, code, and the details naming 'param'. */
static void
t_refused(const char *target, int status, const char *code, const char *param)
{
    struct t_resp r;
    yajl_val      doc;

    t_req(ts.port, "GET", target, NULL, &r);
    if (r.status != status)
        fprintf(stderr, "GET %s\n", target);
    t_assert_envelope(&r, status, code);
    if (param) {
        doc = t_json(&r);
        ASSERT_STREQ(t_json_str(doc, "error", "details", "param"), param);
        yajl_tree_free(doc);
    }
    t_resp_free(&r);
}

static yajl_val
t_at(yajl_val v, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};

    return yajl_tree_get(v, path, yajl_t_any);
}

static long long
t_int(yajl_val v, const char *a, const char *b)
{
    yajl_val x = t_at(v, a, b);

    ASSERT(x != NULL && YAJL_IS_INTEGER(x));
    return YAJL_GET_INTEGER(x);
}

static const char *
t_str(yajl_val v, const char *a, const char *b)
{
    yajl_val x = t_at(v, a, b);

    return x && YAJL_IS_STRING(x) ? YAJL_GET_STRING(x) : NULL;
}

static size_t
t_len(yajl_val arr)
{
    ASSERT(arr != NULL && YAJL_IS_ARRAY(arr));
    return arr->u.array.len;
}

static yajl_val
t_item(yajl_val arr, size_t i)
{
    ASSERT(i < t_len(arr));
    return arr->u.array.values[i];
}

/* The slugs of a catalog page, joined by spaces, into out. */
static const char *
t_slugs(yajl_val doc, char *out, size_t outsz)
{
    yajl_val ds = t_at(doc, "datasets", NULL);

    out[0] = '\0';
    for (size_t i = 0; i < t_len(ds); i++)
        snprintf(out + strlen(out), outsz - strlen(out), "%s%s", i ? " " : "",
                 t_str(t_item(ds, i), "slug", NULL));
    return out;
}

/* The count of 'value' in facet 'name' of a catalog page (0 if absent). */
static long long
t_facet(yajl_val doc, const char *name, const char *value)
{
    yajl_val f = t_at(doc, "facets", name);

    for (size_t i = 0; i < t_len(f); i++)
        if (strcmp(t_str(t_item(f, i), "value", NULL), value) == 0)
            return t_int(t_item(f, i), "count", NULL);
    return 0;
}

/* GET target and return the slugs of the page. */
static const char *
t_catalog(const char *target, char *out, size_t outsz)
{
    struct t_resp r;
    yajl_val      doc = t_get(200, &r, "%s", target);

    t_slugs(doc, out, outsz);
    yajl_tree_free(doc);
    t_resp_free(&r);
    return out;
}

/* ---- the catalog ------------------------------------------------------ */

static void
test_catalog(void)
{
    struct t_resp r;
    yajl_val      doc, item;
    char          s[512], v[128];

    doc = t_get(200, &r, "/api/v1/datasets");
    ASSERT_STREQ(t_slugs(doc, s, sizeof(s)),
                 "electricity-commune-month energy-site-year gas-district-day "
                 "heat-network-month pv-site-hour");
    ASSERT_EQ(t_int(doc, "total", NULL), 5);
    ASSERT_EQ(t_int(doc, "count", NULL), 5);
    ASSERT_STREQ(t_str(doc, "sort", NULL), "slug");
    ASSERT(YAJL_IS_NULL(t_at(doc, "next", NULL)));
    item = t_item(t_at(doc, "datasets", NULL), 0);
    ASSERT_STREQ(t_str(item, "title", "fr"),
                 "Consommation d'électricité par commune et par mois");
    ASSERT_STREQ(t_str(item, "description", "fr"),
                 "Somme mensuelle par commune et catégorie de bâtiment.");
    ASSERT_STREQ(t_str(item, "license", NULL), "etalab-2.0");
    ASSERT_STREQ(YAJL_GET_STRING(t_item(t_at(item, "themes", NULL), 0)),
                 THEME "ENER");
    ASSERT_STREQ(YAJL_GET_STRING(t_item(t_at(item, "kinds", NULL), 0)),
                 "electricity");
    ASSERT_STREQ(t_str(item, "period", NULL), "month");
    ASSERT_STREQ(t_str(item, "territory_level", NULL), "commune");
    ASSERT_EQ(t_int(item, "version", NULL), 2);
    ASSERT_STREQ(t_str(item, "published_at", NULL), "2025-06-01T10:00:00Z");
    ASSERT_EQ(t_int(item, "n_observations", NULL), T_ELEC_ROWS);
    ASSERT_STREQ(t_str(item, "links", "self"),
                 "/api/v1/datasets/electricity-commune-month");
    ASSERT_STREQ(t_str(item, "links", "records"),
                 "/api/v1/datasets/electricity-commune-month/records"
                 "?version=2");
    /* Facets over the whole catalog */
    ASSERT_EQ(t_facet(doc, "theme", THEME "ENER"), 5);
    ASSERT_EQ(t_facet(doc, "theme", THEME "ENVI"), 1);
    ASSERT_EQ(t_facet(doc, "kind", "electricity"), 2);
    ASSERT_EQ(t_facet(doc, "kind", "gas"), 2);
    ASSERT_EQ(t_facet(doc, "kind", "heat"), 2);
    ASSERT_EQ(t_facet(doc, "kind", "pv"), 1);
    ASSERT_EQ(t_facet(doc, "territory_level", "site"), 2);
    ASSERT_EQ(t_facet(doc, "territory_level", "epci"), 1);
    ASSERT_EQ(t_facet(doc, "license", "etalab-2.0"), 3);
    ASSERT_EQ(t_facet(doc, "license", "odbl-1.0"), 1);
    ASSERT_EQ(t_facet(doc, "license", "cc-by-4.0"), 1);
    /* Most frequent first */
    ASSERT_STREQ(
        t_str(t_item(t_at(doc, "facets", "license"), 0), "value", NULL),
        "etalab-2.0");
    ASSERT(t_header(&r, "Access-Control-Allow-Origin", v, sizeof(v)));
    ASSERT_STREQ(v, "*");
    yajl_tree_free(doc);
    t_resp_free(&r);
}

static void
test_search(void)
{
    struct t_resp r;
    yajl_val      doc;
    char          s[512];

    /* Accents and case folded on both sides; relevance first (a title
    ** match beats a description match). */
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=electricite", s, sizeof(s)),
                 "electricity-commune-month energy-site-year");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?q=%C3%A9lectricit%C3%A9", s, sizeof(s)),
        "electricity-commune-month energy-site-year");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?q=%C3%89LECTRICIT%C3%89", s, sizeof(s)),
        "electricity-commune-month energy-site-year");
    /* A prefix, and every word must match */
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=electr", s, sizeof(s)),
                 "electricity-commune-month energy-site-year");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?q=r%C3%A9seau+chaleur", s, sizeof(s)),
        "heat-network-month");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=reseau%20chaleur", s, sizeof(s)),
                 "heat-network-month");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=photovoltaique", s, sizeof(s)),
                 "pv-site-hour");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=zzzz", s, sizeof(s)), "");
    /* The draft has "électricité" in its title but no public version */
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=brouillon", s, sizeof(s)), "");
    /* Facets count what q matches */
    doc = t_get(200, &r, "/api/v1/datasets?q=chaleur");
    ASSERT_STREQ(t_slugs(doc, s, sizeof(s)),
                 "heat-network-month energy-site-year");
    ASSERT_EQ(t_int(doc, "total", NULL), 2);
    ASSERT_STREQ(t_str(doc, "sort", NULL), "relevance");
    ASSERT_EQ(t_facet(doc, "kind", "heat"), 2);
    ASSERT_EQ(t_facet(doc, "kind", "gas"), 1);
    ASSERT_EQ(t_facet(doc, "kind", "pv"), 0);
    ASSERT_EQ(t_facet(doc, "license", "cc-by-4.0"), 1);
    ASSERT_EQ(t_facet(doc, "license", "odbl-1.0"), 0);
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* ...and not what the filters keep */
    doc = t_get(200, &r, "/api/v1/datasets?q=chaleur&kind=gas");
    ASSERT_STREQ(t_slugs(doc, s, sizeof(s)), "energy-site-year");
    ASSERT_EQ(t_facet(doc, "kind", "heat"), 2);
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* A query with nothing but punctuation searches nothing */
    ASSERT_STREQ(t_catalog("/api/v1/datasets?q=%27%2C", s, sizeof(s)),
                 "electricity-commune-month energy-site-year gas-district-day "
                 "heat-network-month pv-site-hour");
}

static void
test_filters(void)
{
    char s[512];

    ASSERT_STREQ(t_catalog("/api/v1/datasets?kind=gas", s, sizeof(s)),
                 "energy-site-year gas-district-day");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?kind=gas,pv", s, sizeof(s)),
                 "energy-site-year gas-district-day pv-site-hour");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?theme=ENVI", s, sizeof(s)),
                 "gas-district-day");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?theme=" THEME "ENVI", s, sizeof(s)),
        "gas-district-day");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?territory_level=site", s, sizeof(s)),
        "energy-site-year pv-site-hour");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?license=etalab-2.0", s, sizeof(s)),
                 "electricity-commune-month heat-network-month pv-site-hour");
    /* AND across facets */
    ASSERT_STREQ(t_catalog("/api/v1/datasets?license=etalab-2.0&kind=heat,"
                           "electricity",
                           s, sizeof(s)),
                 "electricity-commune-month heat-network-month");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?license=odbl-1.0&kind=pv", s, sizeof(s)),
        "");
    t_refused("/api/v1/datasets?kind=nuclear", 400, "invalid_param", "kind");
    t_refused("/api/v1/datasets?territory_level=town", 400, "invalid_param",
              "territory_level");
    t_refused("/api/v1/datasets?theme=FOOD", 400, "invalid_param", "theme");
    t_refused("/api/v1/datasets?license=wtfpl", 400, "invalid_param",
              "license");
    t_refused("/api/v1/datasets?kind=gas,,pv", 400, "invalid_param", "kind");
    t_refused("/api/v1/datasets?tag=x", 400, "invalid_param", "tag");
    {
        struct t_resp r;
        yajl_val      doc = t_get(400, &r, "/api/v1/datasets?kind=nuclear");

        ASSERT(t_len(t_at(t_at(doc, "error", "details"), "allowed", NULL)) >=
               6);
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
}

static void
test_sort(void)
{
    char s[512];

    ASSERT_STREQ(t_catalog("/api/v1/datasets?sort=-slug", s, sizeof(s)),
                 "pv-site-hour heat-network-month gas-district-day "
                 "energy-site-year electricity-commune-month");
    /* Titles folded: "Consommation annuelle", "Consommation d'électricité",
    ** "Consommation de gaz", "Livraisons", "Production" */
    ASSERT_STREQ(t_catalog("/api/v1/datasets?sort=title", s, sizeof(s)),
                 "energy-site-year electricity-commune-month gas-district-day "
                 "heat-network-month pv-site-hour");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?sort=published", s, sizeof(s)),
                 "pv-site-hour gas-district-day energy-site-year "
                 "heat-network-month electricity-commune-month");
    ASSERT_STREQ(t_catalog("/api/v1/datasets?sort=-published", s, sizeof(s)),
                 "electricity-commune-month heat-network-month "
                 "energy-site-year gas-district-day pv-site-hour");
    ASSERT_STREQ(
        t_catalog("/api/v1/datasets?q=consommation&sort=slug", s, sizeof(s)),
        "electricity-commune-month energy-site-year "
        "gas-district-day");
    t_refused("/api/v1/datasets?sort=relevance", 400, "invalid_param", "sort");
    t_refused("/api/v1/datasets?sort=size", 400, "invalid_param", "sort");
}

/* Follow 'next' from target; the slugs seen, in order. */
static void
t_walk_catalog(const char *target, char *out, size_t outsz, int *pages)
{
    char url[4096];

    snprintf(url, sizeof(url), "%s", target);
    out[0] = '\0';
    *pages = 0;
    for (;;) {
        struct t_resp r;
        yajl_val      doc = t_get(200, &r, "%s", url), next;
        char          s[512];

        (*pages)++;
        t_slugs(doc, s, sizeof(s));
        ASSERT(t_int(doc, "count", NULL) <= 2);
        snprintf(out + strlen(out), outsz - strlen(out), "%s%s",
                 out[0] && s[0] ? " " : "", s);
        next = t_at(doc, "next", NULL);
        if (YAJL_IS_NULL(next)) {
            yajl_tree_free(doc);
            t_resp_free(&r);
            break;
        }
        snprintf(url, sizeof(url), "%s", YAJL_GET_STRING(next));
        ASSERT(strncmp(url, "/api/v1/datasets?", 17) == 0);
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
}

static void
test_catalog_walk(void)
{
    char s[512];
    int  pages;

    t_walk_catalog("/api/v1/datasets?limit=2", s, sizeof(s), &pages);
    ASSERT_STREQ(s, "electricity-commune-month energy-site-year "
                    "gas-district-day heat-network-month pv-site-hour");
    ASSERT_EQ(pages, 3);
    t_walk_catalog("/api/v1/datasets?limit=2&sort=-published", s, sizeof(s),
                   &pages);
    ASSERT_STREQ(s, "electricity-commune-month heat-network-month "
                    "energy-site-year gas-district-day pv-site-hour");
    t_walk_catalog("/api/v1/datasets?limit=2&sort=title", s, sizeof(s), &pages);
    ASSERT_STREQ(s, "energy-site-year electricity-commune-month "
                    "gas-district-day heat-network-month pv-site-hour");
    t_walk_catalog("/api/v1/datasets?limit=1&q=consommation", s, sizeof(s),
                   &pages);
    ASSERT_EQ(pages, 3);
    t_walk_catalog("/api/v1/datasets?limit=2&kind=gas,pv,heat", s, sizeof(s),
                   &pages);
    ASSERT_STREQ(s, "energy-site-year gas-district-day heat-network-month "
                    "pv-site-hour");
    t_refused("/api/v1/datasets?limit=0", 400, "invalid_param", "limit");
    t_refused("/api/v1/datasets?limit=1001", 400, "invalid_param", "limit");
    t_refused("/api/v1/datasets?limit=ten", 400, "invalid_param", "limit");
}

/* The next link of target (which must have one), into out. */
static void
t_next(const char *target, char *out, size_t outsz)
{
    struct t_resp r;
    yajl_val      doc = t_get(200, &r, "%s", target);
    yajl_val      next = t_at(doc, "next", NULL);

    ASSERT(next != NULL && YAJL_IS_STRING(next));
    snprintf(out, outsz, "%s", YAJL_GET_STRING(next));
    yajl_tree_free(doc);
    t_resp_free(&r);
}

/* target with its cursor's i-th character changed. */
static void
t_tamper(const char *next, size_t i, char *out, size_t outsz)
{
    const char *c = strstr(next, "cursor=");
    char       *p;

    ASSERT(c != NULL);
    snprintf(out, outsz, "%s", next);
    p = out + (c - next) + 7 + i;
    ASSERT(*p != '\0');
    *p = *p == 'A' ? 'B' : 'A';
}

static void
test_cursor_refusals(void)
{
    char next[4096], bad[4096], *c;
    char records[4096];

    t_next("/api/v1/datasets?limit=2&kind=gas,pv,heat", next, sizeof(next));
    /* Every byte is signed */
    for (size_t i = 0; i < 20; i += 3) {
        t_tamper(next, i, bad, sizeof(bad));
        t_refused(bad, 400, "invalid_param", "cursor");
    }
    /* Cut short, or not base64 at all */
    snprintf(bad, sizeof(bad), "%s", next);
    bad[strlen(bad) - 5] = '\0';
    t_refused(bad, 400, "invalid_param", "cursor");
    t_refused("/api/v1/datasets?cursor=%21%21", 400, "invalid_param", "cursor");
    t_refused("/api/v1/datasets?cursor=", 400, "invalid_param", "cursor");
    /* Valid, but for other filters */
    c = strstr(next, "cursor=");
    snprintf(bad, sizeof(bad), "/api/v1/datasets?limit=2&kind=gas&%s", c);
    t_refused(bad, 400, "invalid_param", "cursor");
    snprintf(bad, sizeof(bad), "/api/v1/datasets?limit=2&%s", c);
    t_refused(bad, 400, "invalid_param", "cursor");
    /* A catalog cursor is no records cursor */
    snprintf(bad, sizeof(bad), "/api/v1/datasets/gas-district-day/records?%s",
             c);
    t_refused(bad, 400, "invalid_param", "cursor");
    /* A records cursor of one version is refused by another */
    t_next("/api/v1/datasets/electricity-commune-month/records?version=1"
           "&limit=5",
           records, sizeof(records));
    c = strstr(records, "cursor=");
    snprintf(bad, sizeof(bad),
             "/api/v1/datasets/electricity-commune-month/records?version=2"
             "&limit=5&%s",
             c);
    t_refused(bad, 400, "invalid_param", "cursor");
    /* ...and by the latest when the latest is another version */
    snprintf(bad, sizeof(bad),
             "/api/v1/datasets/electricity-commune-month/records?limit=5&%s",
             c);
    t_refused(bad, 400, "invalid_param", "cursor");
    /* ...and with other filters */
    snprintf(bad, sizeof(bad),
             "/api/v1/datasets/electricity-commune-month/records?version=1"
             "&limit=5&status=A&%s",
             c);
    t_refused(bad, 400, "invalid_param", "cursor");
    /* ...but not with another limit or other fields */
    snprintf(bad, sizeof(bad),
             "/api/v1/datasets/electricity-commune-month/records?version=1"
             "&limit=7&fields=period&%s",
             c);
    {
        struct t_resp r;
        yajl_val      doc = t_get(200, &r, "%s", bad);

        ASSERT_EQ(t_int(doc, "count", NULL), 7);
        ASSERT_STREQ(
            t_str(t_item(t_at(doc, "records", NULL), 0), "period", NULL),
            "2024-02");
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
}

/* ---- one dataset ------------------------------------------------------ */

static void
test_dataset(void)
{
    struct t_resp r;
    yajl_val      doc, x;

    doc = t_get(200, &r, "/api/v1/datasets/electricity-commune-month");
    ASSERT_STREQ(t_str(doc, "slug", NULL), "electricity-commune-month");
    ASSERT_EQ(t_int(doc, "version", NULL), 2);
    ASSERT_EQ(t_int(doc, "latest", NULL), 2);
    ASSERT_EQ(t_int(doc, "n_observations", NULL), T_ELEC_ROWS);
    ASSERT_STREQ(t_str(doc, "published_at", NULL), "2025-06-01T10:00:00Z");
    ASSERT_STREQ(t_str(t_at(doc, "metadata", "title"), "fr", NULL),
                 "Consommation d'électricité par commune et par mois");
    ASSERT_EQ(t_int(t_at(doc, "metadata", "privacy"), "min_sites", NULL), 3);
    ASSERT_EQ(t_int(t_at(doc, "disclosure", "cells"), "primary", NULL), 12);
    x = t_at(doc, "versions", NULL);
    ASSERT_EQ(t_len(x), 2);
    ASSERT_EQ(t_int(t_item(x, 0), "version", NULL), 2); /* Newest first */
    ASSERT_EQ(t_int(t_item(x, 1), "version", NULL), 1);
    ASSERT_EQ(t_int(t_item(x, 1), "n_observations", NULL), 24);
    ASSERT_EQ(strlen(t_str(t_item(x, 1), "sha256", NULL)), 64);
    x = t_at(doc, "resources", NULL);
    ASSERT_EQ(t_len(x), 1);
    ASSERT_STREQ(t_str(t_item(x, 0), "format", NULL), "csv");
    ASSERT_STREQ(t_str(t_item(x, 0), "url", NULL),
                 "/api/v1/datasets/electricity-commune-month/download"
                 "?format=csv&version=2");
    ASSERT_EQ(t_int(t_item(x, 0), "bytes", NULL), 1234);
    ASSERT_STREQ(t_str(t_item(x, 0), "media_type", NULL),
                 "text/csv; charset=utf-8");
    x = t_at(doc, "columns", NULL);
    ASSERT_EQ(t_len(x), 9);
    ASSERT_STREQ(t_str(t_item(x, 5), "name", NULL), "value");
    ASSERT_STREQ(t_str(t_item(x, 5), "type", NULL), "number");
    ASSERT_STREQ(t_str(doc, "links", "records"),
                 "/api/v1/datasets/electricity-commune-month/records"
                 "?version=2");
    ASSERT_STREQ(t_str(doc, "links", "catalog"), "/api/v1/datasets");
    yajl_tree_free(doc);
    t_resp_free(&r);

    doc =
        t_get(200, &r, "/api/v1/datasets/electricity-commune-month?version=1");
    ASSERT_EQ(t_int(doc, "version", NULL), 1);
    ASSERT_EQ(t_int(doc, "latest", NULL), 2);
    ASSERT_EQ(t_int(doc, "n_observations", NULL), 24);
    ASSERT_STREQ(t_str(t_item(t_at(doc, "resources", NULL), 0), "url", NULL),
                 "/api/v1/datasets/electricity-commune-month/download"
                 "?format=csv&version=1");
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* The extra columns, after the published ones */
    doc = t_get(200, &r, "/api/v1/datasets/pv-site-hour");
    x = t_at(doc, "columns", NULL);
    ASSERT_EQ(t_len(x), 12);
    ASSERT_STREQ(t_str(t_item(x, 9), "name", NULL), "site_name");
    ASSERT_STREQ(t_str(t_item(x, 9), "title", NULL), "Site");
    ASSERT_STREQ(t_str(t_item(x, 10), "type", NULL), "number");
    ASSERT_STREQ(t_str(t_item(x, 11), "type", NULL), "boolean");
    yajl_tree_free(doc);
    t_resp_free(&r);

    t_refused("/api/v1/datasets/no-such-dataset", 404, "not_found", NULL);
    t_refused("/api/v1/datasets/draft-never-public", 404, "not_found", NULL);
    t_refused("/api/v1/datasets/Not_A_Slug", 404, "not_found", NULL);
    t_refused("/api/v1/datasets/electricity-commune-month?version=3", 404,
              "not_found", NULL);
    t_req(ts.port, "GET",
          "/api/v1/datasets/electricity-commune-month?version=3", NULL, &r);
    ASSERT_CONTAINS(r.body, "no version 3 (its latest is 2)");
    t_resp_free(&r);
    t_refused("/api/v1/datasets/electricity-commune-month?version=0", 400,
              "invalid_param", "version");
    t_refused("/api/v1/datasets/electricity-commune-month?version=x", 400,
              "invalid_param", "version");
    t_refused("/api/v1/datasets/electricity-commune-month?limit=3", 400,
              "invalid_param", "limit");
    t_refused("/api/v1/datasets/no-such-dataset/records", 404, "not_found",
              NULL);
    t_refused("/api/v1/datasets/gas-district-day/records?version=2", 404,
              "not_found", NULL);
}

/* ---- records ---------------------------------------------------------- */

/* The records of a page, or of a walk by 'next' links: each row as
** "period|territory|sector|status", joined by spaces. */
struct t_walk {
    char  *seen; /* Malloc'd */
    size_t len;
    int    pages, rows;
};

static void
t_records(const char *target, int walk, int limit, struct t_walk *out)
{
    char          url[4096];
    struct cm_buf b;

    cm_buf_init(&b);
    cm_buf_add(&b, "", 1);
    b.len = 0;
    snprintf(url, sizeof(url), "%s", target);
    memset(out, 0, sizeof(*out));
    for (;;) {
        struct t_resp r;
        yajl_val      doc = t_get(200, &r, "%s", url), recs, next;

        out->pages++;
        recs = t_at(doc, "records", NULL);
        ASSERT(limit <= 0 || (int) t_len(recs) <= limit);
        ASSERT_EQ(t_int(doc, "count", NULL), (long long) t_len(recs));
        for (size_t i = 0; i < t_len(recs); i++) {
            yajl_val    rec = t_item(recs, i);
            const char *keys[] = {"period", "territory", "sector", "status"};

            cm_buf_puts(&b, b.len ? " " : "");
            for (int k = 0; k < 4; k++) {
                yajl_val v = t_at(rec, keys[k], NULL);

                cm_buf_printf(&b, "%s%s", k ? "|" : "",
                              v == NULL           ? "?"
                              : YAJL_IS_STRING(v) ? YAJL_GET_STRING(v)
                                                  : "-");
            }
            out->rows++;
        }
        next = t_at(doc, "next", NULL);
        if (!walk || YAJL_IS_NULL(next)) {
            yajl_tree_free(doc);
            t_resp_free(&r);
            break;
        }
        ASSERT_EQ((long long) t_len(recs), limit);
        snprintf(url, sizeof(url), "%s", YAJL_GET_STRING(next));
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
    out->seen = b.data ? b.data : cm_strdup("");
    out->len = b.len;
}

/* Each of the n rows of a walk is different, so no row came twice. */
static void
t_all_distinct(const struct t_walk *w, int n)
{
    char  *copy = cm_strdup(w->seen), *save = NULL;
    char **rows = cm_calloc((size_t) n + 1, sizeof(*rows));
    int    k = 0;

    for (char *t = strtok_r(copy, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        ASSERT(k < n);
        rows[k++] = t;
    }
    ASSERT_EQ(k, n);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            ASSERT(strcmp(rows[i], rows[j]) != 0);
    free(rows);
    free(copy);
}

static void
test_records_page(void)
{
    struct t_resp r;
    yajl_val      doc, rec, cols;
    char          v[128];

    doc = t_get(200, &r, "/api/v1/datasets/electricity-commune-month/records");
    ASSERT_STREQ(t_str(doc, "dataset", NULL), "electricity-commune-month");
    ASSERT_EQ(t_int(doc, "version", NULL), 2);
    ASSERT_EQ(t_int(doc, "count", NULL), 100); /* api.records_default */
    ASSERT_EQ(t_int(doc, "limit", NULL), 100);
    cols = t_at(doc, "columns", NULL);
    ASSERT_EQ(t_len(cols), 9);
    ASSERT_STREQ(t_str(t_item(cols, 0), "name", NULL), "period");
    rec = t_item(t_at(doc, "records", NULL), 0);
    ASSERT_STREQ(t_str(rec, "period", NULL), "2024-01");
    ASSERT_STREQ(t_str(rec, "territory_level", NULL), "commune");
    ASSERT_STREQ(t_str(rec, "territory", NULL), "56121");
    ASSERT_STREQ(t_str(rec, "sector", NULL), "education");
    ASSERT_STREQ(t_str(rec, "kind", NULL), "electricity");
    ASSERT(YAJL_IS_DOUBLE(t_at(rec, "value", NULL)));
    ASSERT(YAJL_GET_DOUBLE(t_at(rec, "value", NULL)) == t_elec_value(0));
    ASSERT_STREQ(t_str(rec, "unit", NULL), "kWh");
    ASSERT_EQ(t_int(rec, "n_sites", NULL), 3);
    ASSERT_STREQ(t_str(rec, "status", NULL), "A");
    /* A suppressed cell: its value is null */
    rec = t_item(t_at(doc, "records", NULL), 3);
    ASSERT_STREQ(t_str(rec, "status", NULL), "C");
    ASSERT(YAJL_IS_NULL(t_at(rec, "value", NULL)));
    ASSERT_CONTAINS(t_str(doc, "next", NULL),
                    "/api/v1/datasets/electricity-commune-month/records"
                    "?version=2&cursor=");
    ASSERT(t_header(&r, "ETag", v, sizeof(v)));
    ASSERT(v[0] == '"' && strlen(v) == 34);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* The gas dataset has no sector: null */
    doc = t_get(200, &r, "/api/v1/datasets/gas-district-day/records?limit=1");
    rec = t_item(t_at(doc, "records", NULL), 0);
    ASSERT(YAJL_IS_NULL(t_at(rec, "sector", NULL)));
    ASSERT_EQ(t_int(doc, "count", NULL), 1);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* Extra columns, typed as declared */
    doc = t_get(200, &r, "/api/v1/datasets/pv-site-hour/records?limit=2");
    ASSERT_EQ(t_len(t_at(doc, "columns", NULL)), 12);
    rec = t_item(t_at(doc, "records", NULL), 0);
    ASSERT_STREQ(t_str(rec, "site_name", NULL), "Hôtel de ville");
    ASSERT_EQ(t_int(rec, "floor_area_m2", NULL), 9200);
    ASSERT(YAJL_IS_TRUE(t_at(rec, "public", NULL)));
    rec = t_item(t_at(doc, "records", NULL), 1);
    ASSERT(YAJL_IS_NULL(t_at(rec, "floor_area_m2", NULL)));
    ASSERT(YAJL_IS_FALSE(t_at(rec, "public", NULL)));
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* An older version */
    doc = t_get(200, &r,
                "/api/v1/datasets/electricity-commune-month/records"
                "?version=1&limit=1000");
    ASSERT_EQ(t_int(doc, "version", NULL), 1);
    ASSERT_EQ(t_int(doc, "count", NULL), 24);
    ASSERT(YAJL_IS_NULL(t_at(doc, "next", NULL)));
    yajl_tree_free(doc);
    t_resp_free(&r);
}

static void
test_records_walk(void)
{
    struct t_walk w, all;

    /* Row order, pages of 7: 108 rows, each once, in order */
    t_records("/api/v1/datasets/electricity-commune-month/records?limit=1000",
              0, 0, &all);
    ASSERT_EQ(all.rows, T_ELEC_ROWS);
    t_all_distinct(&all, T_ELEC_ROWS);
    t_records("/api/v1/datasets/electricity-commune-month/records?limit=7", 1,
              7, &w);
    ASSERT_EQ(w.rows, T_ELEC_ROWS);
    ASSERT_EQ(w.pages, (T_ELEC_ROWS + 6) / 7);
    ASSERT_STREQ(w.seen, all.seen);
    free(w.seen);
    /* Exactly a multiple of the limit: the last page is full, then none */
    t_records("/api/v1/datasets/electricity-commune-month/records?limit=12", 1,
              12, &w);
    ASSERT_EQ(w.rows, T_ELEC_ROWS);
    ASSERT_STREQ(w.seen, all.seen);
    free(w.seen);
    free(all.seen);

    /* A sort on a column with nulls (value of suppressed cells), both
    ** ways: every row once, in order */
    for (int desc = 0; desc < 2; desc++) {
        struct t_resp r;
        yajl_val      doc;
        double        prev = desc ? 1e300 : -1;
        int           nulls = 0, n = 0;
        char          url[256], u2[4096];

        snprintf(url, sizeof(url),
                 "/api/v1/datasets/electricity-commune-month/records"
                 "?sort=%svalue&limit=10&fields=value,period,territory,"
                 "sector,status",
                 desc ? "-" : "");
        t_records(url, 1, 10, &w);
        ASSERT_EQ(w.rows, T_ELEC_ROWS);
        t_all_distinct(&w, T_ELEC_ROWS);
        /* The walk is the one big page, cut in ten */
        snprintf(u2, sizeof(u2), "%s", url);
        memcpy(strstr(u2, "limit=10&"), "limit=99&", 9);
        t_records(u2, 0, 0, &all);
        ASSERT_EQ(all.rows, 99);
        ASSERT(strncmp(w.seen, all.seen, all.len) == 0);
        free(all.seen);
        free(w.seen);
        /* Check the order on the full list */
        snprintf(u2, sizeof(u2), "%s", url);
        strcpy(strstr(u2, "limit=10"), "limit=1000&fields=value");
        doc = t_get(200, &r, "%s", u2);
        for (size_t i = 0; i < t_len(t_at(doc, "records", NULL)); i++) {
            yajl_val v =
                t_at(t_item(t_at(doc, "records", NULL), i), "value", NULL);

            n++;
            if (YAJL_IS_NULL(v)) {
                /* Nulls first ascending, last descending */
                ASSERT(desc ? 1 : nulls == (int) i);
                nulls++;
                continue;
            }
            ASSERT(!desc || nulls == 0);
            ASSERT(desc ? YAJL_GET_DOUBLE(v) <= prev
                        : YAJL_GET_DOUBLE(v) >= prev);
            prev = YAJL_GET_DOUBLE(v);
        }
        ASSERT_EQ(n, T_ELEC_ROWS);
        ASSERT(nulls > 0);
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
    /* A text column sorted descending, and an extra column with nulls */
    t_records("/api/v1/datasets/electricity-commune-month/records"
              "?sort=-territory&limit=5",
              1, 5, &w);
    ASSERT_EQ(w.rows, T_ELEC_ROWS);
    t_all_distinct(&w, T_ELEC_ROWS);
    /* Descending is the reverse of ascending, ties included */
    ASSERT(strncmp(w.seen, "2024-12|56162|_T|", 17) == 0);
    free(w.seen);
    t_records("/api/v1/datasets/pv-site-hour/records?sort=-floor_area_m2"
              "&limit=9",
              1, 9, &w);
    ASSERT_EQ(w.rows, T_PV_ROWS);
    t_all_distinct(&w, T_PV_ROWS);
    free(w.seen);
    t_records("/api/v1/datasets/pv-site-hour/records?sort=floor_area_m2"
              "&limit=10",
              1, 10, &w);
    ASSERT_EQ(w.rows, T_PV_ROWS);
    t_all_distinct(&w, T_PV_ROWS);
    ASSERT(strncmp(w.seen, "2024-06-01T00|lanester-ecole-centre|", 36) == 0);
    free(w.seen);
    t_records("/api/v1/datasets/pv-site-hour/records?sort=site_name"
              "&limit=10&territory=lorient-hotel-de-ville",
              1, 10, &w);
    ASSERT_EQ(w.rows, 48);
    free(w.seen);
}

static void
test_records_filters(void)
{
    struct t_walk w;
    const char   *base = "/api/v1/datasets/electricity-commune-month/records"
                         "?limit=1000";
    char          url[512];

#define T_COUNT(query, n)                                                      \
    do {                                                                       \
        snprintf(url, sizeof(url), "%s&%s", base, query);                      \
        t_records(url, 0, 0, &w);                                              \
        if (w.rows != (n))                                                     \
            fprintf(stderr, "%s: %d rows\n", url, w.rows);                     \
        ASSERT_EQ(w.rows, n);                                                  \
        free(w.seen);                                                          \
    } while (0)

    T_COUNT("period=2024-03", 9);
    T_COUNT("period=2024-03,2024-04", 18);
    T_COUNT("territory=56121", 36);
    T_COUNT("territory=56121,56098", 72);
    T_COUNT("sector=_T", 36);
    T_COUNT("territory_level=commune", T_ELEC_ROWS);
    T_COUNT("territory_level=site", 0);
    T_COUNT("kind=electricity", T_ELEC_ROWS);
    T_COUNT("kind=gas", 0);
    T_COUNT("period_from=2024-11", 18);
    T_COUNT("period_to=2024-02", 18);
    T_COUNT("period_from=2024-03&period_to=2024-05", 27);
    T_COUNT("period_from=2024-03&period_to=2024-03", 9);
    T_COUNT("period_from=2024-03&period_to=2024-05&territory=56162&sector="
            "education,sport",
            6);
    {
        int a = 0, c = 0, d = 0;

        for (int i = 0; i < T_ELEC_ROWS; i++) {
            char s = t_elec_status(i);

            a += s == 'A', c += s == 'C', d += s == 'D';
        }
        T_COUNT("status=A", a);
        T_COUNT("status=C,D", c + d);
    }
    /* Filters walk too */
    t_records("/api/v1/datasets/electricity-commune-month/records?limit=4"
              "&territory=56098&period_from=2024-06",
              1, 4, &w);
    ASSERT_EQ(w.rows, 21);
    t_all_distinct(&w, 21);
    free(w.seen);
    /* Other grains */
    t_records("/api/v1/datasets/gas-district-day/records?period_from="
              "2024-01-03&period_to=2024-01-04",
              0, 0, &w);
    ASSERT_EQ(w.rows, 4);
    free(w.seen);
    t_records("/api/v1/datasets/pv-site-hour/records?period=2024-06-02T12", 0,
              0, &w);
    ASSERT_EQ(w.rows, 2);
    free(w.seen);
    t_records("/api/v1/datasets/energy-site-year/records?period_from=2023", 0,
              0, &w);
    ASSERT_EQ(w.rows, 18);
    free(w.seen);
#undef T_COUNT

    /* Fields: a subset, in the order asked, extra columns included */
    {
        struct t_resp r;
        yajl_val      doc, rec;

        doc = t_get(200, &r,
                    "/api/v1/datasets/pv-site-hour/records?limit=1"
                    "&fields=site_name,value,period");
        rec = t_item(t_at(doc, "records", NULL), 0);
        ASSERT_EQ(rec->u.object.len, 3);
        ASSERT_STREQ(rec->u.object.keys[0], "site_name");
        ASSERT_STREQ(rec->u.object.keys[1], "value");
        ASSERT_STREQ(rec->u.object.keys[2], "period");
        ASSERT_EQ(t_len(t_at(doc, "columns", NULL)), 3);
        ASSERT_STREQ(t_str(t_item(t_at(doc, "columns", NULL), 0), "name", NULL),
                     "site_name");
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
}

static void
test_records_refusals(void)
{
    const char   *e = "/api/v1/datasets/electricity-commune-month/records";
    char          url[512];
    struct t_resp r;
    yajl_val      doc;

#define T_BAD(query, param)                                                    \
    do {                                                                       \
        snprintf(url, sizeof(url), "%s?%s", e, query);                         \
        t_refused(url, 400, "invalid_param", param);                           \
    } while (0)

    T_BAD("period=2024", "period");
    T_BAD("period=2024-13", "period");
    T_BAD("period=2024-1", "period");
    T_BAD("period=2024-03-01", "period");
    T_BAD("period_from=2024-03-01", "period_from");
    T_BAD("period_to=24-03", "period_to");
    T_BAD("period_from=2024-05&period_to=2024-03", "period_to");
    T_BAD("territory_level=town", "territory_level");
    T_BAD("status=X", "status");
    T_BAD("status=A,,C", "status");
    T_BAD("fields=period,nope", "fields");
    T_BAD("fields=period,period", "fields");
    T_BAD("fields=", "fields");
    T_BAD("sort=nope", "sort");
    T_BAD("sort=-", "sort");
    T_BAD("limit=0", "limit");
    T_BAD("limit=-5", "limit");
    T_BAD("limit=10001", "limit");
    T_BAD("order=period", "order");
    T_BAD("version=two", "version");
#undef T_BAD
    snprintf(url, sizeof(url), "%s?period=2024-03-01", e);
    doc = t_get(400, &r, "%s", url);
    ASSERT_STREQ(t_str(t_at(doc, "error", "details"), "format", NULL),
                 "YYYY-MM");
    yajl_tree_free(doc);
    t_resp_free(&r);
    t_refused("/api/v1/datasets/pv-site-hour/records?period=2024-06-01", 400,
              "invalid_param", "period");
    t_refused("/api/v1/datasets/gas-district-day/records?period=2024-02-30",
              400, "invalid_param", "period");
    /* The maximum is a setting, named with its value */
    snprintf(url, sizeof(url), "%s?limit=10001", e);
    doc = t_get(400, &r, "%s", url);
    ASSERT_STREQ(t_str(t_at(doc, "error", "details"), "setting", NULL),
                 "api.records_max");
    ASSERT_EQ(t_int(t_at(doc, "error", "details"), "limit", NULL), 10000);
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* The allowed columns are listed, extra ones included */
    doc = t_get(400, &r, "/api/v1/datasets/pv-site-hour/records?sort=nope");
    {
        yajl_val a = t_at(t_at(doc, "error", "details"), "allowed", NULL);

        ASSERT_EQ(t_len(a), 12);
        ASSERT_STREQ(YAJL_GET_STRING(t_item(a, 11)), "public");
    }
    yajl_tree_free(doc);
    t_resp_free(&r);
    doc = t_get(400, &r, "%s?territory_level=town", e);
    ASSERT_EQ(t_len(t_at(t_at(doc, "error", "details"), "allowed", NULL)), 6);
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* 10 000 is allowed */
    doc = t_get(200, &r, "%s?limit=10000", e);
    ASSERT_EQ(t_int(doc, "count", NULL), T_ELEC_ROWS);
    yajl_tree_free(doc);
    t_resp_free(&r);
}

/* GET target with If-None-Match: the tag of a first GET gives a 304. */
static void
t_revalidate(const char *target)
{
    struct t_resp r, r2;
    char          etag[128], hdr[256], cc[128];

    t_req(ts.port, "GET", target, NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(t_header(&r, "ETag", etag, sizeof(etag)));
    ASSERT(t_header(&r, "Cache-Control", cc, sizeof(cc)));
    ASSERT_CONTAINS(cc, "public");
    snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
    t_req(ts.port, "GET", target, hdr, &r2);
    ASSERT_EQ(r2.status, 304);
    ASSERT_EQ(r2.body_len, 0);
    t_resp_free(&r2);
    /* Same bytes again without it */
    t_req(ts.port, "GET", target, NULL, &r2);
    ASSERT_EQ(r2.status, 200);
    ASSERT_EQ(r2.body_len, r.body_len);
    ASSERT(memcmp(r2.body, r.body, r.body_len) == 0);
    t_resp_free(&r2);
    /* Another tag: the whole body */
    t_req(ts.port, "GET", target, "If-None-Match: \"nope\"\r\n", &r2);
    ASSERT_EQ(r2.status, 200);
    t_resp_free(&r2);
    t_resp_free(&r);
}

static void
test_etags(void)
{
    struct t_resp a, b;
    char          ea[128], eb[128];

    t_revalidate("/api/v1/datasets");
    t_revalidate("/api/v1/datasets?q=electricite&kind=gas");
    t_revalidate("/api/v1/datasets/electricity-commune-month");
    t_revalidate("/api/v1/datasets/pv-site-hour?version=1");
    t_revalidate("/api/v1/datasets/electricity-commune-month/records");
    t_revalidate("/api/v1/datasets/electricity-commune-month/records"
                 "?version=1&limit=5&sort=-value");
    /* Two versions, two tags */
    t_req(ts.port, "GET",
          "/api/v1/datasets/electricity-commune-month/records?version=1", NULL,
          &a);
    t_req(ts.port, "GET",
          "/api/v1/datasets/electricity-commune-month/records?version=2", NULL,
          &b);
    ASSERT(t_header(&a, "ETag", ea, sizeof(ea)));
    ASSERT(t_header(&b, "ETag", eb, sizeof(eb)));
    ASSERT(strcmp(ea, eb) != 0);
    t_resp_free(&a);
    t_resp_free(&b);
    /* A refusal is never a 304 */
    t_req(ts.port, "GET",
          "/api/v1/datasets/electricity-commune-month/records?limit=0",
          "If-None-Match: *\r\n", &a);
    t_assert_envelope(&a, 400, "invalid_param");
    t_resp_free(&a);
    /* HEAD: the headers alone */
    t_req(ts.port, "HEAD", "/api/v1/datasets/gas-district-day/records", NULL,
          &a);
    ASSERT_EQ(a.status, 200);
    ASSERT_EQ(a.body_len, 0);
    t_resp_free(&a);
}

/* A cursor made before a restart still reads after it: the key is kept
** beside the store. And a page rendered afresh (api.records_cache off)
** has the bytes and the tag of the one kept in memory before. */
static void
test_restart(void)
{
    const char   *page = "/api/v1/datasets/pv-site-hour/records?limit=5"
                         "&sort=-floor_area_m2&fields=period,site_name";
    char          next[4096], etag[128], etag2[128];
    struct cm_err err;
    struct t_resp r, kept;
    yajl_val      doc;
    char          key[1200];
    struct stat   sb;

    t_next("/api/v1/datasets/gas-district-day/records?limit=3", next,
           sizeof(next));
    t_req(ts.port, "GET", page, NULL, &r);
    t_req(ts.port, "GET", page, NULL, &kept); /* From the cache */
    ASSERT_EQ(kept.status, 200);
    ASSERT_EQ(kept.body_len, r.body_len);
    ASSERT(memcmp(kept.body, r.body, r.body_len) == 0);
    ASSERT(t_header(&kept, "ETag", etag, sizeof(etag)));
    t_resp_free(&r);
    http_stop(ts.srv);
    ts.cfg.api_records_cache = 0;
    snprintf(key, sizeof(key), "%s/cursor.key", ts.cfg.data_dir);
    ASSERT_EQ(stat(key, &sb), 0);
    ASSERT_EQ(sb.st_size, 32);
    ASSERT_EQ(sb.st_mode & 077, 0);
    ASSERT_EQ(http_start(&ts.cfg, ts.store, routes, nroutes, &ts.srv, &err),
              CM_OK);
    ts.port = http_port(ts.srv);
    doc = t_get(200, &r, "%s", next);
    ASSERT_EQ(t_int(doc, "count", NULL), 3);
    ASSERT_STREQ(t_str(t_item(t_at(doc, "records", NULL), 0), "period", NULL),
                 "2024-01-02");
    yajl_tree_free(doc);
    t_resp_free(&r);
    t_req(ts.port, "GET", page, NULL, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(t_header(&r, "ETag", etag2, sizeof(etag2)));
    ASSERT_STREQ(etag2, etag);
    ASSERT_EQ(r.body_len, kept.body_len);
    ASSERT(memcmp(r.body, kept.body, r.body_len) == 0);
    t_resp_free(&r);
    t_resp_free(&kept);
}

int
main(void)
{
    t_setup();
    RUN(test_catalog);
    RUN(test_search);
    RUN(test_filters);
    RUN(test_sort);
    RUN(test_catalog_walk);
    RUN(test_cursor_refusals);
    RUN(test_dataset);
    RUN(test_records_page);
    RUN(test_records_walk);
    RUN(test_records_filters);
    RUN(test_records_refusals);
    RUN(test_etags);
    RUN(test_restart);
    http_stop(ts.srv);
    return 0;
}
