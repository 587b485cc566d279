/*
** api_harvest.c -- what harvesters and API tools read, all of it derived
** from the latest published version of each dataset:
**
**   GET /catalog.jsonld             the catalog as DCAT-AP 2 JSON-LD, the
**                                   format data.gouv.fr and the EU portal
**                                   harvest, paged with Hydra;
**   GET /api/3/action/package_*     the part of CKAN's Action API that
**                                   CKAN and uData harvesters call;
**   GET /api/v1/openapi.json        OpenAPI 3.0.3 of every route, built
**                                   from the routing table and the table
**                                   of route documentation at the end of
**                                   this file.
**
** Nothing here writes. Links are absolute, built on http.base_url or the
** request's Host; every reply goes out with a strong ETag, so a harvester
** polling daily gets 304 until something is published.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>
#include <yajl/yajl_tree.h>

#include "api.h"
#include "auth.h"
#include "ds_manifest.h"
#include "exp.h" /* exp_columns, exp_formats */
#include "http.h"
#include "imp.h" /* imp_formats: the values of ingest's ?format= */
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "text.h"

#define HV_BASE_MAX 300 /* "http://" + a Host (255), or http.base_url */
#define HV_URL_MAX 640  /* A link: the base + path + query */
#define HV_DIST_MAX 16  /* Files listed per version; five formats today */
#define HV_STAMP_MAX 32 /* "2026-11-30T10:00:00Z" and room to spare */

/* A Host header we may echo into links: host[:port] characters only, so
** a forged one cannot inject markup, a path or another scheme. */
#define HV_HOST_CHARS                                                          \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]"
#define HV_HOST_MAX 255

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- what every view shares ---------------------------------------- */

/* The scheme and authority links are built on, no trailing '/'. */
static void
hv_base(struct req *rq, char *out, size_t outsz)
{
    const char *cfgurl = rq->cfg->http_base_url;
    const char *host = mg_get_header(rq->conn, "Host");
    size_t      n = strlen(cfgurl);

    if (n > 0) {
        while (n > 0 && cfgurl[n - 1] == '/')
            n--;
        snprintf(out, outsz, "%.*s", (int) n, cfgurl);
    } else if (host != NULL && host[0] != '\0' && strlen(host) <= HV_HOST_MAX &&
               strspn(host, HV_HOST_CHARS) == strlen(host))
        snprintf(out, outsz, "http://%s", host);
    else
        snprintf(out, outsz, "http://%s:%d", rq->cfg->http_listen,
                 http_port(rq->srv));
}

/*
** Fill *out with the integer parameter 'name': 'def' when absent, else
** decimal digits within [min, max]. Above max, the error names 'setting'
** (the configured limit) when there is one, so the client learns which
** knob bounds it.
*/
static int
hv_query_int(const struct query *q, const char *name, int64_t min, int64_t max,
             const char *setting, int64_t def, int64_t *out, struct cm_err *err)
{
    const char *s = query_get(q, name);
    int64_t     v;

    *out = def;
    if (s == NULL)
        return CM_OK;
    if (s[0] == '\0' || strlen(s) > 12 ||
        strspn(s, "0123456789") != strlen(s)) {
        cm_fail(err, CM_EINVAL, "%s must be an integer from %lld to %lld", name,
                (long long) min, (long long) max);
        cm_err_what(err, "param", name);
        return err->code;
    }
    v = strtoll(s, NULL, 10);
    if (v < min) {
        cm_fail(err, CM_EINVAL, "%s must be at least %lld", name,
                (long long) min);
        cm_err_what(err, "param", name);
        return err->code;
    }
    if (v > max) {
        cm_fail(err, CM_EINVAL, "%s=%lld is over the maximum, %lld%s%s%s", name,
                (long long) v, (long long) max, setting ? " (" : "",
                setting ? setting : "", setting ? ")" : "");
        if (setting)
            cm_err_limit(err, setting, max);
        else
            cm_err_what(err, "param", name);
        return err->code;
    }
    *out = v;
    return CM_OK;
}

/* The GET route of the server's table at 'pattern', or NULL. */
static const struct route *
hv_get_route(struct req *rq, const char *pattern)
{
    int                 n;
    const struct route *t = http_routes(rq->srv, &n);

    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].pattern, pattern) && !strcmp(t[i].method, "GET"))
            return &t[i];
    return NULL;
}

/* Send w as 'ctype' with a strong ETag (304 when the client has it). */
static int
hv_reply(struct req *rq, struct jw *w, const char *ctype)
{
    const char   *buf;
    size_t        len;
    struct cm_err err;

    if (jw_result(w, &buf, &len, &err) != CM_OK) {
        cm_log(CM_LOG_ERROR, "%s: %s", rq->path, err.msg);
        cm_fail(&err, CM_EINTERNAL, "internal error");
        return http_reply_error(rq, &err);
    }
    return http_send_cached(rq, ctype, buf, len, NULL);
}

struct hv_ds {                    /* One dataset, as the views need it */
    struct store_version       v; /* Its latest version; owns manifest */
    struct ds_manifest         m; /* v.manifest, parsed; m.slug NULL if not */
    int                        detailed;             /* issued, dist loaded */
    char                       issued[HV_STAMP_MAX]; /* Version 1's date */
    struct store_distribution *dist;                 /* ndist files */
    size_t                     ndist;
    char *fold;   /* Folded searchable text, or NULL (package_search) */
    char *ftitle; /* Folded title, or NULL (package_search) */
};

struct hv_list { /* Every dataset's latest version, by slug */
    struct hv_ds *a;
    size_t        n, cap;
};

/* Copy v (the store's, valid for the call) into d, parse its manifest. */
static void
hv_ds_take(struct hv_ds *d, const struct store_version *v)
{
    struct cm_err err;

    memset(d, 0, sizeof(*d));
    d->v = *v;
    d->v.manifest = cm_strdup(v->manifest);
    d->v.columns = d->v.disclosure = d->v.provenance = NULL;
    /* A definition this binary cannot read (written by a newer one, or by
    ** a Lua script) is still listed, under its slug, rather than hidden. */
    if (d->v.manifest == NULL)
        cm_log(CM_LOG_WARN, "dataset %s: no manifest", v->slug);
    else if (ds_manifest_parse(d->v.manifest, strlen(d->v.manifest), v->slug,
                               &d->m, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "dataset %s: manifest not readable: %s", v->slug,
               err.msg);
}

static void
hv_ds_clear(struct hv_ds *d)
{
    store_version_clear(&d->v);
    ds_manifest_clear(&d->m);
    free(d->dist);
    free(d->fold);
    free(d->ftitle);
    memset(d, 0, sizeof(*d));
}

static int
hv_collect(void *ctx, const struct store_version *v, struct cm_err *err)
{
    struct hv_list *l = ctx;

    (void) err;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->a = cm_realloc(l->a, l->cap * sizeof(*l->a));
    }
    hv_ds_take(&l->a[l->n++], v);
    return CM_OK;
}

/* Fill *l with every dataset; on error *l is still safe to clear. */
static int
hv_load(struct req *rq, struct hv_list *l, struct cm_err *err)
{
    memset(l, 0, sizeof(*l));
    return store_datasets_each(rq->st, hv_collect, l, err);
}

static void
hv_list_clear(struct hv_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        hv_ds_clear(&l->a[i]);
    free(l->a);
    memset(l, 0, sizeof(*l));
}

/* Load what only the rendered datasets need: their files, and the date
** of version 1 (when the dataset was first issued). */
static int
hv_details(struct store *st, struct hv_ds *d, struct cm_err *err)
{
    struct store_version first;
    int                  found;

    if (d->detailed)
        return CM_OK;
    if (d->dist == NULL)
        d->dist = cm_calloc(HV_DIST_MAX, sizeof(*d->dist));
    if (store_distribution_list(st, d->v.id, d->dist, HV_DIST_MAX, &d->ndist,
                                err) != CM_OK ||
        store_version_get(st, d->v.slug, 1, &first, &found, err) != CM_OK)
        return err->code;
    snprintf(d->issued, sizeof(d->issued), "%s",
             found ? first.published_at : d->v.published_at);
    store_version_clear(&first);
    d->detailed = 1;
    return CM_OK;
}

static const char *
hv_title(const struct hv_ds *d)
{
    return d->m.title.fr   ? d->m.title.fr
           : d->m.title.en ? d->m.title.en
                           : d->v.slug;
}

/* The last segment of a URI: "…/data-theme/ENER" -> "ENER". */
static const char *
hv_uri_code(const char *uri)
{
    const char *p = strrchr(uri, '/');

    return p ? p + 1 : uri;
}

static int
hv_is_uri(const char *s)
{
    return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* How each format is named outside: the EU file-type authority code
** (DCAT-AP's dct:format), and the label CKAN clients expect. */
static const struct {
    const char *format, *eu, *label;
} hv_formats[] = {
    {"csv", "CSV", "CSV"},      {"json", "JSON", "JSON"},
    {"ndjson", NULL, "NDJSON"}, /* No EU code: a literal */
    {"zip", "ZIP", "ZIP"},      {"tar.gz", "TAR_GZ", "TAR.GZ"},
};

static int
hv_format(const char *format)
{
    for (size_t i = 0; i < NELEM(hv_formats); i++)
        if (strcmp(format, hv_formats[i].format) == 0)
            return (int) i;
    return -1;
}

/* "text/csv; charset=utf-8" -> "text/csv", into out. */
static void
hv_mime(const char *media_type, char *out, size_t outsz)
{
    size_t n = strcspn(media_type, "; ");

    snprintf(out, outsz, "%.*s", (int) n, media_type);
}

/* The download links of a file: stable (always the latest version) and
** exact (this version, the bytes the sha256 describes). */
static void
hv_download_urls(const char *base, const struct hv_ds *d,
                 const struct store_distribution *x, char *stable, char *exact,
                 size_t sz)
{
    /* Base (HV_BASE_MAX), slug and format fit HV_URL_MAX with room to
    ** spare; should they not, no link is better than a wrong one. */
    if (snprintf(stable, sz, "%s/api/v1/datasets/%s/download?format=%s", base,
                 d->v.slug, x->format) >= (int) sz ||
        snprintf(exact, sz, "%s&version=%lld", stable,
                 (long long) d->v.number) >= (int) sz)
        stable[0] = exact[0] = '\0';
}

/* ---- DCAT-AP 2 JSON-LD ------------------------------------------------ */

#define EU_AUTH "http://publications.europa.eu/resource/authority/"

static void
dcat_ref(struct jw *w, const char *key, const char *iri)
{
    jw_key(w, key);
    jw_obj_open(w);
    jw_kv_str(w, "@id", iri);
    jw_obj_close(w);
}

static void
dcat_typed(struct jw *w, const char *key, const char *value, const char *type)
{
    jw_key(w, key);
    jw_obj_open(w);
    jw_kv_str(w, "@value", value);
    jw_kv_str(w, "@type", type);
    jw_obj_close(w);
}

static void
dcat_lang(struct jw *w, const char *value, const char *lang)
{
    jw_obj_open(w);
    jw_kv_str(w, "@value", value);
    jw_kv_str(w, "@language", lang);
    jw_obj_close(w);
}

/* A bilingual text as language-tagged literals; 'fallback' (untagged)
** when it has neither language, nothing when fallback is NULL too. */
static void
dcat_text(struct jw *w, const char *key, const struct ds_text *t,
          const char *fallback)
{
    if (t->fr == NULL && t->en == NULL && fallback == NULL)
        return;
    jw_key(w, key);
    jw_arr_open(w);
    if (t->fr)
        dcat_lang(w, t->fr, "fr");
    if (t->en)
        dcat_lang(w, t->en, "en");
    if (t->fr == NULL && t->en == NULL)
        jw_str(w, fallback);
    jw_arr_close(w);
}

static void
dcat_agent(struct jw *w, const char *key, const char *name)
{
    jw_key(w, key);
    jw_obj_open(w);
    jw_kv_str(w, "@type", "foaf:Agent");
    jw_kv_str(w, "foaf:name", name);
    jw_obj_close(w);
}

static void
dcat_context(struct jw *w)
{
    static const char *const ns[] = {
        "dcat",  "http://www.w3.org/ns/dcat#",
        "dct",   "http://purl.org/dc/terms/",
        "foaf",  "http://xmlns.com/foaf/0.1/",
        "vcard", "http://www.w3.org/2006/vcard/ns#",
        "spdx",  "http://spdx.org/rdf/terms#",
        "hydra", "http://www.w3.org/ns/hydra/core#",
        "adms",  "http://www.w3.org/ns/adms#",
        "owl",   "http://www.w3.org/2002/07/owl#",
        "skos",  "http://www.w3.org/2004/02/skos/core#",
        "locn",  "http://www.w3.org/ns/locn#",
        "xsd",   "http://www.w3.org/2001/XMLSchema#",
        NULL};

    jw_key(w, "@context");
    jw_obj_open(w);
    for (const char *const *p = ns; *p; p += 2)
        jw_kv_str(w, p[0], p[1]);
    jw_obj_close(w);
}

static void
dcat_distribution(struct jw *w, const char *base, const struct hv_ds *d,
                  const struct store_distribution *x, const char *license)
{
    char stable[HV_URL_MAX], exact[HV_URL_MAX], mime[96], iri[160];
    char bytes[32];
    int  f = hv_format(x->format);

    hv_download_urls(base, d, x, stable, exact, sizeof(stable));
    hv_mime(x->media_type, mime, sizeof(mime));
    jw_obj_open(w);
    /* The stable link names the distribution across versions, so a
    ** harvester updates its resource instead of adding one per version;
    ** downloadURL and the checksum pin this version's bytes. */
    jw_kv_str(w, "@id", stable);
    jw_kv_str(w, "@type", "dcat:Distribution");
    jw_kv_str(w, "dct:title", x->name);
    dcat_ref(w, "dcat:accessURL", stable);
    dcat_ref(w, "dcat:downloadURL", exact);
    snprintf(iri, sizeof(iri),
             "https://www.iana.org/assignments/media-types/%s", mime);
    dcat_ref(w, "dcat:mediaType", iri);
    if (f >= 0 && hv_formats[f].eu) {
        snprintf(iri, sizeof(iri), EU_AUTH "file-type/%s", hv_formats[f].eu);
        dcat_ref(w, "dct:format", iri);
    } else
        jw_kv_str(w, "dct:format", f >= 0 ? hv_formats[f].label : x->format);
    snprintf(bytes, sizeof(bytes), "%lld", (long long) x->bytes);
    dcat_typed(w, "dcat:byteSize", bytes, "xsd:decimal");
    jw_key(w, "spdx:checksum");
    jw_obj_open(w);
    jw_kv_str(w, "@type", "spdx:Checksum");
    dcat_ref(w, "spdx:algorithm", "spdx:checksumAlgorithm_sha256");
    dcat_typed(w, "spdx:checksumValue", x->sha256, "xsd:hexBinary");
    jw_obj_close(w);
    if (license)
        dcat_ref(w, "dct:license", license);
    dcat_typed(w, "dct:issued", d->v.published_at, "xsd:dateTime");
    jw_obj_close(w);
}

static void
dcat_dataset(struct jw *w, const char *base, const struct hv_ds *d)
{
    const struct ds_manifest *m = &d->m;
    const char               *license =
        m->license ? ds_manifest_license_url(m->license) : NULL;
    char url[HV_URL_MAX], version[32];

    snprintf(url, sizeof(url), "%s/api/v1/datasets/%s", base, d->v.slug);
    jw_obj_open(w);
    /* The slug's URL, never the version's: data.gouv.fr keys its copy on
    ** dct:identifier, and a new version must update it, not duplicate it. */
    jw_kv_str(w, "@id", url);
    jw_kv_str(w, "@type", "dcat:Dataset");
    jw_kv_str(w, "dct:identifier", url);
    dcat_text(w, "dct:title", &m->title, d->v.slug);
    dcat_text(w, "dct:description", &m->description, NULL);
    jw_key(w, "dcat:theme");
    jw_arr_open(w);
    for (int i = 0; ds_manifest_theme_uri(i) != NULL; i++)
        if (m->themes & (1u << i)) {
            jw_obj_open(w);
            jw_kv_str(w, "@id", ds_manifest_theme_uri(i));
            jw_obj_close(w);
        }
    jw_arr_close(w);
    jw_key(w, "dcat:keyword");
    jw_arr_open(w);
    for (size_t i = 0; i < m->n_keywords; i++)
        jw_str(w, m->keywords[i]);
    jw_arr_close(w);
    if (license)
        dcat_ref(w, "dct:license", license);
    if (m->frequency)
        dcat_ref(w, "dct:accrualPeriodicity", m->frequency);
    if (m->spatial && hv_is_uri(m->spatial))
        dcat_ref(w, "dct:spatial", m->spatial);
    else if (m->spatial) {
        jw_key(w, "dct:spatial");
        jw_obj_open(w);
        jw_kv_str(w, "@type", "dct:Location");
        jw_kv_str(w, "skos:prefLabel", m->spatial);
        jw_obj_close(w);
    }
    if (m->temporal_start) {
        jw_key(w, "dct:temporal");
        jw_obj_open(w);
        jw_kv_str(w, "@type", "dct:PeriodOfTime");
        dcat_typed(w, "dcat:startDate", m->temporal_start, "xsd:date");
        if (m->temporal_end)
            dcat_typed(w, "dcat:endDate", m->temporal_end, "xsd:date");
        jw_obj_close(w);
    }
    dcat_typed(w, "dct:issued", d->issued, "xsd:dateTime");
    dcat_typed(w, "dct:modified", d->v.published_at, "xsd:dateTime");
    snprintf(version, sizeof(version), "%lld", (long long) d->v.number);
    jw_kv_str(w, "owl:versionInfo", version);
    if (m->publisher)
        dcat_agent(w, "dct:publisher", m->publisher);
    if (m->contact || m->publisher) {
        const char *c = m->contact ? m->contact : m->publisher;

        jw_key(w, "dcat:contactPoint");
        jw_obj_open(w);
        jw_kv_str(w, "@type", "vcard:Kind");
        if (strchr(c, '@') && !strchr(c, ' ')) {
            char mailto[320];

            snprintf(mailto, sizeof(mailto), "mailto:%s", c);
            jw_kv_str(w, "vcard:fn", m->publisher ? m->publisher : c);
            dcat_ref(w, "vcard:hasEmail", mailto);
        } else
            jw_kv_str(w, "vcard:fn", c);
        jw_obj_close(w);
    }
    jw_key(w, "dcat:distribution");
    jw_arr_open(w);
    for (size_t i = 0; i < d->ndist; i++)
        dcat_distribution(w, base, d, &d->dist[i], license);
    jw_arr_close(w);
    jw_obj_close(w);
}

/* The catalog page link: page, and page_size when the client chose it. */
static void
dcat_page_url(struct req *rq, const char *base, int64_t page, char *out,
              size_t outsz)
{
    const char *size = query_get(&rq->q, "page_size");

    snprintf(out, outsz, "%s/catalog.jsonld?page=%lld%s%s", base,
             (long long) page, size ? "&page_size=" : "", size ? size : "");
}

/*
** GET /catalog.jsonld?page=N&page_size=M -- one page of the catalog: a
** dcat:Catalog holding the page's datasets, and the hydra:
** PartialCollectionView (first, previous, next, last, totalItems) that
** data.gouv.fr's DCAT harvester follows from page to page.
*/
int
api_catalog_jsonld(struct req *rq)
{
    struct hv_list l;
    struct cm_err  err;
    int64_t        page, size, last, from, to;
    char           base[HV_BASE_MAX], url[HV_URL_MAX];
    const char    *publisher = NULL, *modified = "";
    struct jw     *w;
    int            status;

    if (hv_query_int(&rq->q, "page", 1, INT32_MAX, NULL, 1, &page, &err) ||
        hv_query_int(&rq->q, "page_size", 1, rq->cfg->api_page_max,
                     "api.page_max", rq->cfg->api_page_default, &size, &err))
        return http_reply_error(rq, &err);
    if (hv_load(rq, &l, &err) != CM_OK) {
        hv_list_clear(&l);
        return http_reply_error(rq, &err);
    }
    last = l.n ? ((int64_t) l.n + size - 1) / size : 1;
    if (page > last) {
        hv_list_clear(&l);
        cm_fail(&err, CM_ENOTFOUND, "page %lld is past the last page, %lld",
                (long long) page, (long long) last);
        cm_err_what(&err, "param", "page");
        return http_reply_error(rq, &err);
    }
    from = (page - 1) * size;
    to = from + size < (int64_t) l.n ? from + size : (int64_t) l.n;
    for (int64_t i = from; i < to; i++)
        if (hv_details(rq->st, &l.a[i], &err) != CM_OK) {
            hv_list_clear(&l);
            return http_reply_error(rq, &err);
        }
    /* The catalog's publisher is the datasets' when they all share one;
    ** its date is that of the last publication. Both over every dataset,
    ** not the page, so each page describes the same catalog. */
    for (size_t i = 0; i < l.n; i++) {
        const char *p = l.a[i].m.publisher;

        if (i == 0 || (publisher && p && strcmp(publisher, p) == 0))
            publisher = p;
        else
            publisher = NULL;
        if (strcmp(l.a[i].v.published_at, modified) > 0)
            modified = l.a[i].v.published_at;
    }

    hv_base(rq, base, sizeof(base));
    w = jw_new();
    jw_obj_open(w);
    dcat_context(w);
    jw_key(w, "@graph");
    jw_arr_open(w);

    jw_obj_open(w);
    snprintf(url, sizeof(url), "%s/catalog.jsonld", base);
    jw_kv_str(w, "@id", url);
    jw_kv_str(w, "@type", "dcat:Catalog");
    jw_key(w, "dct:title");
    jw_arr_open(w);
    dcat_lang(w, "Consometer : données ouvertes de l'énergie du territoire",
              "fr");
    dcat_lang(w, "Consometer: open energy data of the territory", "en");
    jw_arr_close(w);
    jw_key(w, "dct:description");
    jw_arr_open(w);
    dcat_lang(w,
              "Consommations et productions d'énergie agrégées et "
              "anonymisées, publiées en versions immuables.",
              "fr");
    dcat_lang(w,
              "Aggregated, anonymised energy consumption and production, "
              "published as immutable versions.",
              "en");
    jw_arr_close(w);
    dcat_agent(w, "dct:publisher", publisher ? publisher : "Consometer");
    snprintf(url, sizeof(url), "%s/", base);
    dcat_ref(w, "foaf:homepage", url);
    jw_key(w, "dct:language");
    jw_arr_open(w);
    jw_obj_open(w);
    jw_kv_str(w, "@id", EU_AUTH "language/FRA");
    jw_obj_close(w);
    jw_obj_open(w);
    jw_kv_str(w, "@id", EU_AUTH "language/ENG");
    jw_obj_close(w);
    jw_arr_close(w);
    dcat_ref(w, "dcat:themeTaxonomy", EU_AUTH "data-theme");
    if (modified[0])
        dcat_typed(w, "dct:modified", modified, "xsd:dateTime");
    jw_key(w, "dcat:dataset");
    jw_arr_open(w);
    for (int64_t i = from; i < to; i++)
        dcat_dataset(w, base, &l.a[i]);
    jw_arr_close(w);
    jw_obj_close(w);

    jw_obj_open(w);
    dcat_page_url(rq, base, page, url, sizeof(url));
    jw_kv_str(w, "@id", url);
    jw_kv_str(w, "@type", "hydra:PartialCollectionView");
    dcat_page_url(rq, base, 1, url, sizeof(url));
    dcat_ref(w, "hydra:first", url);
    if (page > 1) {
        dcat_page_url(rq, base, page - 1, url, sizeof(url));
        dcat_ref(w, "hydra:previous", url);
    }
    if (page < last) {
        dcat_page_url(rq, base, page + 1, url, sizeof(url));
        dcat_ref(w, "hydra:next", url);
    }
    dcat_page_url(rq, base, last, url, sizeof(url));
    dcat_ref(w, "hydra:last", url);
    jw_kv_int(w, "hydra:totalItems", (int64_t) l.n);
    jw_kv_int(w, "hydra:itemsPerPage", size);
    jw_obj_close(w);

    jw_arr_close(w);
    jw_obj_close(w);
    status = hv_reply(rq, w, "application/ld+json");
    jw_free(w);
    hv_list_clear(&l);
    return status;
}

/* ---- CKAN Action API subset ------------------------------------------ */
/*
** CKAN's replies are {"help": URL, "success": true, "result": ...}. Its
** errors are {"help", "success": false, "error": {"__type", "message"}},
** and ours are {"error": {"code", "message", "details"}}: the two merge
** without conflict ("error.message" is common to both), so a CKAN route
** answers with the union and our status code. Each client finds what it
** reads: ckanapi raises NotFound from error.__type, uData's and
** ckanext-harvest's harvesters look at the status and "success", and our
** own clients find the envelope they know. The envelope is still
** written by http.c alone (http_reply_error_opts adds CKAN's keys), so
** a 5xx keeps its masked message.
*/

#define CKAN_ROWS_DEFAULT 10 /* package_search rows when absent, as CKAN */
#define CKAN_SORT_DEFAULT "score desc, metadata_modified desc" /* Idem */
#define CKAN_SORT_MAX 4 /* Sort keys in one request */

static void
ckan_help(const char *base, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/api/v1/openapi.json", base);
}

/* Opens the reply; the caller writes the result, then ckan_close(). */
static struct jw *
ckan_open(struct req *rq)
{
    struct jw *w = jw_new();
    char       base[HV_BASE_MAX], help[HV_URL_MAX];

    hv_base(rq, base, sizeof(base));
    ckan_help(base, help, sizeof(help));
    jw_obj_open(w);
    jw_kv_str(w, "help", help);
    jw_kv_bool(w, "success", 1);
    jw_key(w, "result");
    return w;
}

static int
ckan_close(struct req *rq, struct jw *w)
{
    int status;

    jw_obj_close(w);
    /* A POST is never answered 304 (If-None-Match means 412 there), and
    ** no cache stores its reply: no ETag. */
    if (strcmp(rq->ri->request_method, "POST") == 0)
        status = http_reply_json(rq, 200, w);
    else
        status = hv_reply(rq, w, "application/json; charset=utf-8");
    jw_free(w);
    return status;
}

/* The error envelope, with CKAN's keys beside ours (see above). */
struct ckan_err {
    const char *help, *type;
};

/* CKAN's keys around the envelope: "help" and "success" first, and the
** exception's "__type" inside "error". */
static void
ckan_err_around(struct jw *w, const void *arg, int inner)
{
    const struct ckan_err *c = arg;

    if (inner)
        jw_kv_str(w, "__type", c->type);
    else {
        jw_kv_str(w, "help", c->help);
        jw_kv_bool(w, "success", 0);
    }
}

static int
ckan_reply_error(struct req *rq, const struct cm_err *err)
{
    int                    status = cm_code_status(err->code);
    char                   base[HV_BASE_MAX], help[HV_URL_MAX];
    struct ckan_err        c;
    struct http_error_opts o = {NULL, NULL, ckan_err_around, &c};

    c.type = status == 404   ? "Not Found Error"
             : status == 403 ? "Authorization Error"
             : status >= 500 ? "Internal Error"
                             : "Validation Error";
    hv_base(rq, base, sizeof(base));
    ckan_help(base, help, sizeof(help));
    c.help = help;
    return http_reply_error_opts(rq, err, &o);
}

/* CKAN's dates are UTC without a zone: "2026-11-30T10:00:00". */
static void
ckan_kv_date(struct jw *w, const char *key, const char *stamp)
{
    jw_key(w, key);
    jw_strn(w, stamp, strcspn(stamp, "Z"));
}

static void
ckan_extra(struct jw *w, const char *key, const char *value)
{
    if (value == NULL)
        return;
    jw_obj_open(w);
    jw_kv_str(w, "key", key);
    jw_kv_str(w, "value", value);
    jw_obj_close(w);
}

/* A CKAN name from free text: "Lorient Agglomération" ->
** "lorient-agglomeration" (folded, runs of other characters as '-'). */
static void
ckan_name(const char *s, char *out, size_t outsz)
{
    struct cm_buf f;
    size_t        n = 0;

    cm_buf_init(&f);
    cm_fold(s, strlen(s), &f);
    for (size_t i = 0; i < f.len && n + 1 < outsz; i++) {
        char c = f.data[i];
        int  ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (ok)
            out[n++] = c;
        else if (n > 0 && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    cm_buf_clear(&f);
}

static void
ckan_resource(struct jw *w, const char *base, const struct hv_ds *d,
              const struct store_distribution *x, size_t position)
{
    char stable[HV_URL_MAX], exact[HV_URL_MAX], mime[96], id[96];
    char hash[8 + EXP_SHA256_HEX + 1];
    int  f = hv_format(x->format);

    hv_download_urls(base, d, x, stable, exact, sizeof(stable));
    hv_mime(x->media_type, mime, sizeof(mime));
    /* Stable across versions, like the DCAT distribution's @id. */
    snprintf(id, sizeof(id), "%s-%s", d->v.slug, x->format);
    snprintf(hash, sizeof(hash), "sha256:%s", x->sha256);
    jw_obj_open(w);
    jw_kv_str(w, "id", id);
    jw_kv_str(w, "package_id", d->v.slug);
    jw_kv_str(w, "name", x->name);
    jw_kv_str(w, "description", "");
    jw_kv_str(w, "format", f >= 0 ? hv_formats[f].label : x->format);
    jw_kv_str(w, "mimetype", mime);
    jw_kv_str(w, "url", exact);
    jw_kv_int(w, "size", x->bytes);
    jw_kv_str(w, "hash", hash);
    ckan_kv_date(w, "created", d->v.published_at);
    ckan_kv_date(w, "last_modified", d->v.published_at);
    jw_kv_int(w, "position", (int64_t) position);
    jw_kv_str(w, "resource_type", NULL);
    jw_kv_str(w, "state", "active");
    jw_kv_bool(w, "datastore_active", 0);
    jw_obj_close(w);
}

/* One dataset as CKAN's package dict, with every key CKAN's default
** schema has (uData's CKAN harvester requires them all). */
static void
ckan_package(struct jw *w, const char *base, const struct hv_ds *d)
{
    const struct ds_manifest *m = &d->m;
    char        url[HV_URL_MAX], version[32], org[DS_SLUG_MAX + 1];
    const char *contact = m->contact;
    int email = contact && strchr(contact, '@') && !strchr(contact, ' ');
    int nthemes = 0;

    snprintf(url, sizeof(url), "%s/api/v1/datasets/%s", base, d->v.slug);
    snprintf(version, sizeof(version), "%lld", (long long) d->v.number);
    jw_obj_open(w);
    jw_kv_str(w, "id", d->v.slug);
    jw_kv_str(w, "name", d->v.slug);
    jw_kv_str(w, "title", hv_title(d));
    jw_kv_str(w, "notes",
              m->description.fr ? m->description.fr : m->description.en);
    jw_kv_str(w, "url", url);
    jw_kv_str(w, "type", "dataset");
    jw_kv_str(w, "state", "active");
    jw_kv_bool(w, "private", 0);
    jw_kv_bool(w, "isopen", 1);
    jw_kv_str(w, "license_id", m->license);
    jw_kv_str(w, "license_title", ds_manifest_license_title(m->license));
    jw_kv_str(w, "license_url", ds_manifest_license_url(m->license));
    ckan_kv_date(w, "metadata_created", d->issued);
    ckan_kv_date(w, "metadata_modified", d->v.published_at);
    jw_kv_str(w, "version", version);
    jw_kv_str(w, "author", m->publisher);
    jw_kv_str(w, "author_email", NULL);
    jw_kv_str(w, "maintainer", email ? m->publisher : contact);
    jw_kv_str(w, "maintainer_email", email ? contact : NULL);
    jw_kv_str(w, "revision_id", NULL);

    jw_key(w, "tags");
    jw_arr_open(w);
    for (size_t i = 0; i < m->n_keywords; i++) {
        jw_obj_open(w);
        jw_kv_str(w, "id", m->keywords[i]);
        jw_kv_str(w, "name", m->keywords[i]);
        jw_kv_str(w, "display_name", m->keywords[i]);
        jw_kv_str(w, "state", "active");
        jw_kv_str(w, "vocabulary_id", NULL);
        jw_obj_close(w);
    }
    jw_arr_close(w);
    jw_kv_int(w, "num_tags", (int64_t) m->n_keywords);

    /* Themes as groups, named by their EU data-theme code ("ener"). */
    jw_key(w, "groups");
    jw_arr_open(w);
    for (int i = 0; ds_manifest_theme_uri(i) != NULL; i++) {
        const char *code = hv_uri_code(ds_manifest_theme_uri(i));
        char        lower[32];
        size_t      k;

        if (!(m->themes & (1u << i)))
            continue;
        for (k = 0; code[k] && k + 1 < sizeof(lower); k++)
            lower[k] =
                (char) (code[k] >= 'A' && code[k] <= 'Z' ? code[k] - 'A' + 'a'
                                                         : code[k]);
        lower[k] = '\0';
        jw_obj_open(w);
        jw_kv_str(w, "id", lower);
        jw_kv_str(w, "name", lower);
        jw_kv_str(w, "title", code);
        jw_kv_str(w, "display_name", code);
        jw_kv_str(w, "description", ds_manifest_theme_uri(i));
        jw_kv_str(w, "image_display_url", "");
        jw_obj_close(w);
        nthemes++;
    }
    jw_arr_close(w);

    /* DCAT fields under the extras' names ckanext-dcat gives them, so a
    ** CKAN that harvests us and re-exposes DCAT keeps them. */
    jw_key(w, "extras");
    jw_arr_open(w);
    ckan_extra(w, "identifier", url);
    ckan_extra(w, "uri", url);
    if (nthemes > 0) {
        struct jw *t = jw_new();
        char      *json;

        jw_arr_open(t);
        for (int i = 0; ds_manifest_theme_uri(i) != NULL; i++)
            if (m->themes & (1u << i))
                jw_str(t, ds_manifest_theme_uri(i));
        jw_arr_close(t);
        json = jw_strdup(t);
        ckan_extra(w, "theme", json);
        free(json);
        jw_free(t);
    }
    ckan_extra(w, "frequency", m->frequency);
    if (m->spatial)
        ckan_extra(w, hv_is_uri(m->spatial) ? "spatial_uri" : "spatial_text",
                   m->spatial);
    ckan_extra(w, "temporal_start", m->temporal_start);
    ckan_extra(w, "temporal_end", m->temporal_end);
    ckan_extra(w, "publisher_name", m->publisher);
    if (m->slug) {
        ckan_extra(w, "period", ds_period_name(m->period));
        ckan_extra(w, "territory_level", ds_territory_name(m->territory));
        ckan_extra(w, "privacy_policy", ds_policy_name(m->policy));
    }
    ckan_extra(w, "data_sha256", d->v.sha256[0] ? d->v.sha256 : NULL);
    jw_arr_close(w);

    jw_key(w, "resources");
    jw_arr_open(w);
    for (size_t i = 0; i < d->ndist; i++)
        ckan_resource(w, base, d, &d->dist[i], i);
    jw_arr_close(w);
    jw_kv_int(w, "num_resources", (int64_t) d->ndist);

    jw_key(w, "organization");
    if (m->publisher) {
        ckan_name(m->publisher, org, sizeof(org));
        jw_obj_open(w);
        jw_kv_str(w, "id", org);
        jw_kv_str(w, "name", org);
        jw_kv_str(w, "title", m->publisher);
        jw_kv_str(w, "description", "");
        jw_kv_str(w, "type", "organization");
        jw_kv_bool(w, "is_organization", 1);
        jw_kv_str(w, "state", "active");
        jw_kv_str(w, "approval_status", "approved");
        jw_kv_str(w, "image_url", "");
        ckan_kv_date(w, "created", d->issued);
        jw_obj_close(w);
        jw_kv_str(w, "owner_org", org);
    } else {
        jw_null(w);
        jw_kv_str(w, "owner_org", NULL);
    }
    jw_obj_close(w);
}

/* The body of a POST, up to http.body_max, into *out. */
static int
ckan_read_body(struct req *rq, struct cm_buf *out, struct cm_err *err)
{
    char chunk[4096];
    int  got;

    while ((got = mg_read(rq->conn, chunk, sizeof(chunk))) > 0) {
        if ((int64_t) (out->len + (size_t) got) > rq->cfg->http_body_max) {
            cm_fail(err, CM_ELIMIT,
                    "request body exceeds http.body_max "
                    "(%lld bytes)",
                    (long long) rq->cfg->http_body_max);
            cm_err_limit(err, "http.body_max", rq->cfg->http_body_max);
            return err->code;
        }
        cm_buf_add(out, chunk, (size_t) got);
    }
    if (got < 0) {
        http_close_after(rq);
        return cm_fail(err, CM_EMALFORMED, "the request body was cut short");
    }
    return CM_OK;
}

/*
** An action's parameters into *out: the query string's on a GET (the
** dispatcher has checked them against routes.c), the JSON object's keys
** on a POST, which is how ckanapi, the common CKAN client, sends them.
** POST keys are checked against the same list, the GET route's, and
** their scalar values read as text, so both paths share one parser.
** *body holds what a POST brought; the caller clears it.
*/
static int
ckan_args(struct req *rq, struct query *body, const struct query **out,
          struct cm_err *err)
{
    const char         *ctype = mg_get_header(rq->conn, "Content-Type");
    size_t              off[2 * CM_MAX_QUERY_ARGS];
    struct cm_buf       raw, text;
    yajl_val            doc;
    const struct route *get = hv_get_route(rq, rq->route->pattern);
    char                ebuf[128];
    int                 n = 0, rc = CM_OK;

    memset(body, 0, sizeof(*body));
    *out = &rq->q;
    if (strcmp(rq->ri->request_method, "POST") != 0)
        return CM_OK;
    *out = body;
    if (ctype && strncmp(ctype, "application/json", 16) != 0) {
        http_close_after(rq); /* The body stays unread */
        return cm_fail(err, CM_EMEDIA,
                       "send the parameters as a JSON object, "
                       "Content-Type: application/json");
    }
    cm_buf_init(&raw);
    cm_buf_init(&text);
    if ((rc = ckan_read_body(rq, &raw, err)) != CM_OK || raw.len == 0) {
        cm_buf_clear(&raw);
        return rc;
    }
    cm_buf_add(&raw, "", 1);
    doc = yajl_tree_parse(raw.data, ebuf, sizeof(ebuf));
    cm_buf_clear(&raw);
    if (doc == NULL || !YAJL_IS_OBJECT(doc)) {
        yajl_tree_free(doc);
        return cm_fail(err, CM_EMALFORMED,
                       "the body is not a JSON object of parameters");
    }
    for (size_t i = 0; rc == CM_OK && i < YAJL_GET_OBJECT(doc)->len; i++) {
        const char *k = YAJL_GET_OBJECT(doc)->keys[i];
        yajl_val    v = YAJL_GET_OBJECT(doc)->values[i];
        const char *sv = YAJL_IS_STRING(v)   ? YAJL_GET_STRING(v)
                         : YAJL_IS_NUMBER(v) ? YAJL_GET_NUMBER(v)
                         : YAJL_IS_TRUE(v)   ? "true"
                         : YAJL_IS_FALSE(v)  ? "false"
                                             : NULL;

        if (YAJL_IS_NULL(v)) /* CKAN reads null as absent */
            continue;
        if (n == CM_MAX_QUERY_ARGS) {
            rc = cm_fail(err, CM_EINVAL,
                         "more than " CM_STR(CM_MAX_QUERY_ARGS) " parameters");
            break;
        }
        if (sv == NULL) {
            rc = cm_fail(err, CM_EINVAL, "%s must be a string or a number", k);
            cm_err_what(err, "param", k);
            break;
        }
        off[2 * n] = text.len;
        cm_buf_add(&text, k, strlen(k) + 1);
        off[2 * n + 1] = text.len;
        cm_buf_add(&text, sv, strlen(sv) + 1);
        n++;
    }
    yajl_tree_free(doc);
    body->buf = text.data; /* Owned by body now */
    body->n = n;
    for (int i = 0; i < n; i++) {
        body->key[i] = body->buf + off[2 * i];
        body->val[i] = body->buf + off[2 * i + 1];
    }
    if (rc == CM_OK) /* The keys routes.c allows on the action's GET */
        rc = query_check_keys(body, get ? get->params : NULL, err);
    return rc;
}

/* Read the action's parameters, run it, and free what the body held. */
static int
ckan_run(struct req *rq, int (*fn)(struct req *rq, const struct query *q))
{
    struct query        body;
    const struct query *q;
    struct cm_err       err;
    int                 status;

    if (ckan_args(rq, &body, &q, &err) != CM_OK)
        status = ckan_reply_error(rq, &err);
    else
        status = fn(rq, q);
    query_clear(&body);
    return status;
}

/*
** package_list[?limit=N&offset=M] -- every dataset's name, sorted, as
** CKAN: all of them unless limit is given.
*/
static int
ckan_package_list(struct req *rq, const struct query *q)
{
    struct hv_list l;
    struct cm_err  err;
    int64_t        limit, offset;
    struct jw     *w;

    if (hv_query_int(q, "limit", 1, rq->cfg->api_page_max, "api.page_max",
                     INT64_MAX, &limit, &err) ||
        hv_query_int(q, "offset", 0, INT32_MAX, NULL, 0, &offset, &err))
        return ckan_reply_error(rq, &err);
    if (hv_load(rq, &l, &err) != CM_OK) {
        hv_list_clear(&l);
        return ckan_reply_error(rq, &err);
    }
    w = ckan_open(rq);
    jw_arr_open(w);
    for (size_t i = (size_t) offset; i < l.n && limit > 0; i++, limit--)
        jw_str(w, l.a[i].v.slug);
    jw_arr_close(w);
    hv_list_clear(&l);
    return ckan_close(rq, w);
}

int
api_ckan_package_list(struct req *rq)
{
    return ckan_run(rq, ckan_package_list);
}

/* package_show?id=SLUG -- one dataset, its latest version's files as
** resources. */
static int
ckan_package_show(struct req *rq, const struct query *q)
{
    const char          *id = query_get(q, "id");
    struct store_version v;
    struct hv_ds         d;
    struct cm_err        err;
    struct jw           *w;
    char                 base[HV_BASE_MAX];
    int                  found;

    if (id == NULL || id[0] == '\0') {
        cm_fail(&err, CM_EINVAL, "id: missing value (a dataset name)");
        cm_err_what(&err, "param", "id");
        return ckan_reply_error(rq, &err);
    }
    if (store_version_get(rq->st, id, 0, &v, &found, &err) != CM_OK)
        return ckan_reply_error(rq, &err);
    if (!found) {
        cm_fail(&err, CM_ENOTFOUND,
                "no dataset '%.64s'; package_list names them", id);
        cm_err_what(&err, "param", "id");
        return ckan_reply_error(rq, &err);
    }
    hv_ds_take(&d, &v);
    store_version_clear(&v);
    if (hv_details(rq->st, &d, &err) != CM_OK) {
        hv_ds_clear(&d);
        return ckan_reply_error(rq, &err);
    }
    hv_base(rq, base, sizeof(base));
    w = ckan_open(rq);
    ckan_package(w, base, &d);
    hv_ds_clear(&d);
    return ckan_close(rq, w);
}

int
api_ckan_package_show(struct req *rq)
{
    return ckan_run(rq, ckan_package_show);
}

enum ckan_key {
    CKAN_NAME,
    CKAN_TITLE,
    CKAN_MODIFIED,
    CKAN_CREATED,
    CKAN_SCORE
};

struct ckan_sort {
    int           n;
    enum ckan_key key[CKAN_SORT_MAX];
    int           desc[CKAN_SORT_MAX];
};

/* "field [asc|desc], ..." over the fields we can sort by. */
static int
ckan_parse_sort(const char *s, struct ckan_sort *out, struct cm_err *err)
{
    static const struct {
        const char   *name;
        enum ckan_key key;
    } fields[] = {
        {"name", CKAN_NAME},
        {"id", CKAN_NAME},
        {"title", CKAN_TITLE},
        {"title_string", CKAN_TITLE},
        {"metadata_modified", CKAN_MODIFIED},
        {"metadata_created", CKAN_CREATED},
        {"score", CKAN_SCORE},
    };

    memset(out, 0, sizeof(*out));
    while (*s) {
        size_t n, k;
        size_t i;

        s += strspn(s, " ,");
        if (*s == '\0')
            break;
        n = strcspn(s, " ,");
        for (i = 0; i < NELEM(fields); i++)
            if (strlen(fields[i].name) == n && !strncmp(s, fields[i].name, n))
                break;
        if (i == NELEM(fields) || out->n == CKAN_SORT_MAX)
            goto bad;
        out->key[out->n] = fields[i].key;
        s += n + strspn(s + n, " ");
        k = strcspn(s, " ,");
        if (k == 4 && !strncmp(s, "desc", 4))
            out->desc[out->n] = 1;
        else if (k != 0 && !(k == 3 && !strncmp(s, "asc", 3)))
            goto bad;
        s += k;
        out->n++;
    }
    return CM_OK;
bad:
    cm_fail(err, CM_EINVAL,
            "sort: up to %d of 'FIELD asc|desc' separated by commas, FIELD "
            "one of name, id, title, title_string, metadata_modified, "
            "metadata_created, score",
            CKAN_SORT_MAX);
    cm_err_what(err, "param", "sort");
    return err->code;
}

/* A bound of a metadata_modified range: '*' (none) or an ISO 8601 date
** or UTC time, into out[] ("" for '*'). */
static int
ckan_bound(const char *s, size_t n, char *out, size_t outsz)
{
    if (n == 1 && s[0] == '*') {
        out[0] = '\0';
        return 0;
    }
    if (n < 4 || n >= outsz || strspn(s, "0123456789-T:.Z") < n)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/*
** fq: CKAN harvesters ask for what changed since their last run with
** "metadata_modified:[2024-05-01T00:00:00.000Z TO *]", which is the one
** Solr filter we answer. Anything else is refused by name, not ignored:
** a client must never take a superset for a filtered answer (and
** ckanext-harvest falls back to a full harvest when refused).
*/
static int
ckan_parse_fq(const char *fq, char *lo, char *hi, size_t sz, struct cm_err *err)
{
    static const char head[] = "metadata_modified:[";
    const char       *p = fq + strspn(fq, " +");
    const char       *to, *end;

    lo[0] = hi[0] = '\0';
    if (*p == '\0')
        return CM_OK;
    if (strncmp(p, head, sizeof(head) - 1) != 0)
        goto bad;
    p += sizeof(head) - 1;
    to = strstr(p, " TO ");
    end = to ? strchr(to, ']') : NULL;
    if (end == NULL || end[1 + strspn(end + 1, " ")] != '\0' ||
        ckan_bound(p, (size_t) (to - p), lo, sz) != 0 ||
        ckan_bound(to + 4, (size_t) (end - to - 4), hi, sz) != 0)
        goto bad;
    return CM_OK;
bad:
    cm_fail(err, CM_EINVAL,
            "fq: only metadata_modified:[FROM TO UNTIL] is understood "
            "(ISO 8601 dates or UTC times, or *)");
    cm_err_what(err, "param", "fq");
    return err->code;
}

/* Compare a stored time ("2026-11-30T10:00:00Z") with a bound, to the
** bound's precision: "2026-11-30" equals every time of that day. */
static int
ckan_time_cmp(const char *stamp, const char *bound)
{
    size_t n = strcspn(bound, ".Z");

    return strncmp(stamp, bound, n > 19 ? 19 : n);
}

/* Fold d's searchable text (names, titles, descriptions, keywords). */
static void
ckan_fold(struct hv_ds *d)
{
    const struct ds_manifest *m = &d->m;
    const char               *parts[] = {d->v.slug, m->title.fr, m->title.en,
                                         m->description.fr, m->description.en};
    struct cm_buf             b;

    cm_buf_init(&b);
    for (size_t i = 0; i < NELEM(parts); i++)
        if (parts[i]) {
            cm_fold(parts[i], strlen(parts[i]), &b);
            cm_buf_add(&b, "\n", 1);
        }
    for (size_t i = 0; i < m->n_keywords; i++) {
        cm_fold(m->keywords[i], strlen(m->keywords[i]), &b);
        cm_buf_add(&b, "\n", 1);
    }
    cm_buf_add(&b, "", 1);
    d->fold = b.data;
    cm_buf_init(&b);
    cm_fold(hv_title(d), strlen(hv_title(d)), &b);
    cm_buf_add(&b, "", 1);
    d->ftitle = b.data;
}

/* 1 if every word of the folded query q (space-separated) is in d. */
static int
ckan_match(const struct hv_ds *d, const char *q)
{
    char word[256];

    while (*q) {
        size_t n;

        q += strspn(q, " \t\r\n");
        n = strcspn(q, " \t\r\n");
        if (n == 0)
            break;
        snprintf(word, sizeof(word), "%.*s", (int) n, q);
        if (strstr(d->fold, word) == NULL)
            return 0;
        q += n;
    }
    return 1;
}

static int
ckan_cmp(const void *a, const void *b, void *arg)
{
    const struct hv_ds     *x = *(const struct hv_ds *const *) a;
    const struct hv_ds     *y = *(const struct hv_ds *const *) b;
    const struct ckan_sort *s = arg;

    for (int i = 0; i < s->n; i++) {
        int c = 0;

        switch (s->key[i]) {
        case CKAN_NAME:
            c = strcmp(x->v.slug, y->v.slug);
            break;
        case CKAN_TITLE:
            c = strcmp(x->ftitle, y->ftitle);
            break;
        case CKAN_MODIFIED:
            c = strcmp(x->v.published_at, y->v.published_at);
            break;
        case CKAN_CREATED:
            c = strcmp(x->issued, y->issued);
            break;
        case CKAN_SCORE: /* Every result matches every word: no ranking */
            break;
        }
        if (c != 0)
            return s->desc[i] ? -c : c;
    }
    return strcmp(x->v.slug, y->v.slug); /* Stable pages */
}

/*
** package_search?q=&rows=&start=&sort=&fq= -- CKAN's search: every
** folded word of q in a dataset's names, titles, descriptions or
** keywords ("*:*" or nothing: all), offset paging with rows (at most
** api.page_max, as CKAN's ckan.search.rows_max) and start.
*/
static int
ckan_package_search(struct req *rq, const struct query *args)
{
    const char      *q = query_get(args, "q");
    const char      *sort = query_get(args, "sort");
    const char      *fq = query_get(args, "fq");
    struct hv_list   l;
    struct hv_ds   **hit = NULL;
    struct ckan_sort keys;
    struct cm_err    err;
    struct cm_buf    words;
    int64_t          rows, start;
    size_t           nhit = 0;
    char             lo[HV_STAMP_MAX], hi[HV_STAMP_MAX], base[HV_BASE_MAX];
    int              by_created = 0, rc = CM_OK;
    struct jw       *w;

    if (sort == NULL || sort[0] == '\0')
        sort = CKAN_SORT_DEFAULT;
    if (hv_query_int(args, "rows", 0, rq->cfg->api_page_max, "api.page_max",
                     CKAN_ROWS_DEFAULT < rq->cfg->api_page_max
                         ? CKAN_ROWS_DEFAULT
                         : rq->cfg->api_page_max,
                     &rows, &err) ||
        hv_query_int(args, "start", 0, INT32_MAX, NULL, 0, &start, &err) ||
        ckan_parse_sort(sort, &keys, &err) ||
        ckan_parse_fq(fq ? fq : "", lo, hi, sizeof(lo), &err))
        return ckan_reply_error(rq, &err);
    for (int i = 0; i < keys.n; i++)
        by_created |= keys.key[i] == CKAN_CREATED;
    cm_buf_init(&words);
    if (q && strcmp(q, "*:*") != 0)
        cm_fold(q, strlen(q), &words);
    cm_buf_add(&words, "", 1);

    if (hv_load(rq, &l, &err) != CM_OK)
        rc = err.code;
    if (l.n > 0)
        hit = cm_calloc(l.n, sizeof(*hit));
    for (size_t i = 0; rc == CM_OK && i < l.n; i++) {
        struct hv_ds *d = &l.a[i];

        if ((lo[0] && ckan_time_cmp(d->v.published_at, lo) < 0) ||
            (hi[0] && ckan_time_cmp(d->v.published_at, hi) > 0))
            continue;
        ckan_fold(d);
        if (!ckan_match(d, words.data))
            continue;
        if (by_created)
            rc = hv_details(rq->st, d, &err);
        hit[nhit++] = d;
    }
    if (rc == CM_OK && nhit > 1)
        qsort_r(hit, nhit, sizeof(*hit), ckan_cmp, &keys);
    for (size_t i = (size_t) start;
         rc == CM_OK && i < nhit && i < (size_t) start + (size_t) rows; i++)
        rc = hv_details(rq->st, hit[i], &err);
    cm_buf_clear(&words);
    if (rc != CM_OK) {
        free(hit);
        hv_list_clear(&l);
        return ckan_reply_error(rq, &err);
    }

    hv_base(rq, base, sizeof(base));
    w = ckan_open(rq);
    jw_obj_open(w);
    jw_kv_int(w, "count", (int64_t) nhit);
    jw_kv_str(w, "sort", sort);
    jw_key(w, "results");
    jw_arr_open(w);
    for (size_t i = (size_t) start;
         i < nhit && i < (size_t) start + (size_t) rows; i++)
        ckan_package(w, base, hit[i]);
    jw_arr_close(w);
    jw_key(w, "facets");
    jw_obj_open(w);
    jw_obj_close(w);
    jw_key(w, "search_facets");
    jw_obj_open(w);
    jw_obj_close(w);
    jw_obj_close(w);
    free(hit);
    hv_list_clear(&l);
    return ckan_close(rq, w);
}

int
api_ckan_package_search(struct req *rq)
{
    return ckan_run(rq, ckan_package_search);
}

/* ---- OpenAPI 3.0.3 ---------------------------------------------------- */
/*
** The document is generated from the routing table the server runs
** (http_routes), so it can neither list a route that does not exist nor
** miss one. What the table cannot say -- what a route does, what each
** parameter means, what it answers -- comes from oa_routes[] (keyed by
** method + pattern) and oa_params[] (keyed by name, optionally by
** pattern) below. A route or parameter with no entry is still emitted,
** with the route's one-line summary only: no "description", and
** "x-undocumented": true. tests/http/test_harvest.c walks routes[] and
** fails on any such operation or parameter, so a route added to
** routes.c fails the tests until it is documented here.
*/

#define OA_CACHED 0x01    /* Published data: strong ETag, 304 */
#define OA_CKAN 0x02      /* CKAN's shape; its errors carry CKAN's keys too */
#define OA_RANGE 0x04     /* Range and If-Range: 206, 416 */
#define OA_BODY_ARGS 0x08 /* Its body is a JSON object of the GET's params */

struct oa_route {        /* What one route does */
    const char *method;  /* As in routes.c */
    const char *pattern; /* As in routes.c */
    const char *tag;     /* Group in the document */
    const char *description;
    const char *media;  /* Media types of the 200 body, '|'-separated */
    const char *schema; /* components/schemas name of the 200 body, or NULL */
    const char *errors; /* Statuses it may answer besides 200: "400,404" */
    unsigned    flags;  /* OA_* */
    const char *body;   /* What the request body is, if it reads one */
};

enum oa_max { OA_NOMAX, OA_PAGE_MAX };            /* The bound of an integer */
enum oa_enum { OA_STATIC, OA_IMPORT, OA_EXPORT }; /* Where values come from */

struct oa_param {         /* One query or path parameter */
    const char  *pattern; /* The route it documents; NULL: any route */
    const char  *name;
    const char  *type;     /* "string" or "integer" */
    int          required; /* Path parameters always are */
    const char  *enums;    /* OA_STATIC: "csv|json", or NULL */
    enum oa_enum enum_from;
    int64_t      min; /* Integers: smallest value; -1: none */
    enum oa_max  max;
    const char  *def; /* Default as text; "@page": api.page_default */
    const char  *description;
};

#define DS "/api/v1/datasets"

static const struct oa_route oa_routes[] = {
    {"GET", "/health", "system",
     "Liveness and readiness: 200 with the store's schema version, the "
     "build version and the uptime while the store answers; 503 (the "
     "error envelope) when it does not.",
     "application/json", NULL, "503", 0, NULL},
    {"GET", "/metrics", "system",
     "Prometheus text exposition format 0.0.4: requests by route and "
     "status, latency histogram, open connections, store size.",
     "text/plain", NULL, NULL, 0, NULL},
    {"GET", "/api/v1", "system",
     "The routes this server answers (method, path, summary), read from "
     "its routing table.",
     "application/json", NULL, NULL, 0, NULL},
    {"POST", "/api/v1/ingest", "ingest",
     "A data provider pushes one file of readings. The body is streamed "
     "through the importer, never held whole, up to ingest.body_max. The "
     "answer is the import summary `consometer import` prints; a file "
     "refused whole is a 422 with that summary in error.details.",
     "application/json", NULL, "400,413,415,422", 0,
     "The file of readings, in the format named by ?format= or detected "
     "from its first bytes."},
    {"GET", DS, "datasets",
     "The catalog of published datasets: full-text search (accents and "
     "case folded), facets with counts, sorting and cursor pagination "
     "(the `next` link carries the cursor).",
     "application/json", NULL, "400", OA_CACHED, NULL},
    {"GET", DS "/{slug}", "datasets",
     "One dataset: its metadata, its versions, the disclosure report of "
     "the latest, and its downloadable files (format, URL, bytes, "
     "sha256).",
     "application/json", NULL, "400,404", OA_CACHED, NULL},
    {"GET", DS "/{slug}/records", "datasets",
     "Observations of the latest or a given version, each an "
     "Observation (components/schemas): filters on every dimension "
     "(several values comma-separated), period ranges, column choice, "
     "sorting and cursor pagination that walks the whole dataset.",
     "application/json", "RecordsPage", "400,404", OA_CACHED, NULL},
    {"GET", DS "/{slug}/download", "datasets",
     "A version's data as a file: CSV (RFC 4180), JSON, NDJSON, or a zip "
     "or tar.gz archive holding the CSV, datapackage.json, README, "
     "disclosure report and SHA256SUMS. Archives are deterministic and "
     "cached; ETag is the file's sha256, and Range/If-Range resume a "
     "broken download.",
     "text/csv|application/json|application/x-ndjson|application/zip|"
     "application/gzip",
     "Observation[]", "400,404", OA_CACHED | OA_RANGE, NULL},
    {"GET", "/catalog.jsonld", "harvest",
     "The catalog as DCAT-AP 2 JSON-LD, for data.gouv.fr and other DCAT "
     "harvesters: a dcat:Catalog whose datasets have a stable "
     "dct:identifier (the dataset's URL, never a version's), bilingual "
     "titles and descriptions, themes, licence, frequency, coverage, and "
     "distributions with their byte size and spdx:checksum (sha256). A "
     "hydra:PartialCollectionView links the pages.",
     "application/ld+json", "JsonLdCatalog", "400,404", OA_CACHED, NULL},
    {"GET", "/api/3/action/package_list", "ckan",
     "CKAN's package_list: the names (slugs) of every dataset, sorted. "
     "CKAN's envelope: {help, success, result}.",
     "application/json", "CkanResponse", "400", OA_CACHED | OA_CKAN, NULL},
    {"GET", "/api/3/action/package_show", "ckan",
     "CKAN's package_show: one dataset as a package dict, its latest "
     "version's files as resources (url of that version, size, hash "
     "\"sha256:...\"). An unknown id is a 404 whose body is the error "
     "envelope with CKAN's keys too (success false, error.__type "
     "\"Not Found Error\").",
     "application/json", "CkanResponse", "400,404", OA_CACHED | OA_CKAN, NULL},
    {"GET", "/api/3/action/package_search", "ckan",
     "CKAN's package_search: datasets with every word of q in their "
     "names, titles, descriptions or keywords, offset paging with rows "
     "and start; result {count, sort, results, facets, search_facets}.",
     "application/json", "CkanResponse", "400", OA_CACHED | OA_CKAN, NULL},
    {"POST", "/api/3/action/package_list", "ckan",
     "package_list as ckanapi sends it (its default, unless get_only): "
     "the GET's parameters as a JSON object in the body. Same result, "
     "no ETag.",
     "application/json", "CkanResponse", "400,413,415", OA_CKAN | OA_BODY_ARGS,
     "The parameters of GET package_list, as a JSON object."},
    {"POST", "/api/3/action/package_show", "ckan",
     "package_show as ckanapi sends it: {\"id\": \"<slug>\"} in the "
     "body. Same result as the GET, no ETag.",
     "application/json", "CkanResponse", "400,404,413,415",
     OA_CKAN | OA_BODY_ARGS,
     "The parameters of GET package_show, as a JSON object."},
    {"POST", "/api/3/action/package_search", "ckan",
     "package_search as ckanapi sends it: the GET's parameters as a JSON "
     "object (numbers may be JSON numbers). Same result, no ETag.",
     "application/json", "CkanResponse", "400,413,415", OA_CKAN | OA_BODY_ARGS,
     "The parameters of GET package_search, as a JSON object."},
    {"GET", "/api/v1/openapi.json", "system",
     "This document: OpenAPI 3.0.3 generated from the routing table the "
     "server runs, so it lists exactly the routes that exist.",
     "application/json", NULL, NULL, OA_CACHED, NULL},
};

static const struct oa_param oa_params[] = {
    /* Path parameters */
    {NULL, "slug", "string", 1, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "The dataset's name: lowercase letters, digits and '-', as listed "
     "by the catalog."},
    /* The catalog as DCAT */
    {"/catalog.jsonld", "page", "integer", 0, NULL, OA_STATIC, 1, OA_NOMAX, "1",
     "Page number, from 1; hydra:next and hydra:last link the others."},
    {"/catalog.jsonld", "page_size", "integer", 0, NULL, OA_STATIC, 1,
     OA_PAGE_MAX, "@page", "Datasets per page, at most api.page_max."},
    /* CKAN */
    {"/api/3/action/package_list", "limit", "integer", 0, NULL, OA_STATIC, 1,
     OA_PAGE_MAX, NULL,
     "Names to return, at most api.page_max; all when "
     "absent."},
    {"/api/3/action/package_list", "offset", "integer", 0, NULL, OA_STATIC, 0,
     OA_NOMAX, "0", "Names to skip."},
    {"/api/3/action/package_show", "id", "string", 1, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "The dataset's name (slug); a package's id and name are the same."},
    {"/api/3/action/package_search", "q", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "Words to find, accents and case folded (\"electricite\" finds "
     "\"Électricité\"); every word must match. Empty or *:* matches all."},
    {"/api/3/action/package_search", "rows", "integer", 0, NULL, OA_STATIC, 0,
     OA_PAGE_MAX, "10", "Results to return, at most api.page_max."},
    {"/api/3/action/package_search", "start", "integer", 0, NULL, OA_STATIC, 0,
     OA_NOMAX, "0", "Results to skip."},
    {"/api/3/action/package_search", "sort", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, CKAN_SORT_DEFAULT,
     "Up to 4 of 'FIELD asc|desc', comma-separated; FIELD is name, id, "
     "title, title_string, metadata_modified, metadata_created or score "
     "(every result scores the same)."},
    {"/api/3/action/package_search", "fq", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "Only metadata_modified:[FROM TO UNTIL] (ISO 8601 dates or UTC times, or "
     "*), as CKAN harvesters send it; any other filter is a 400."},
    /* Ingest */
    {"/api/v1/ingest", "format", "string", 0, NULL, OA_IMPORT, -1, OA_NOMAX,
     NULL,
     "The file's format; detected from its first bytes when absent. 415 "
     "for a format not listed."},
    {"/api/v1/ingest", "strict", "string", 0, "true|false", OA_STATIC, -1,
     OA_NOMAX, "false", "true: any bad row refuses the whole file (422)."},
    {"/api/v1/ingest", "name", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "The upload's file name (1 to 128 characters, no '/'), for the "
     "summary and the audit log; emoncms reads its feed id there."},
    /* Datasets, records, downloads */
    {DS "/{slug}/download", "format", "string", 0, NULL, OA_EXPORT, -1,
     OA_NOMAX, "csv", "The file's format; 400 with the list for any other."},
    {NULL, "version", "integer", 0, NULL, OA_STATIC, 1, OA_NOMAX, NULL,
     "A version number; the latest when absent. 404 if it does not "
     "exist."},
    {NULL, "q", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Words to find in titles, descriptions and keywords, accents and "
     "case folded."},
    {NULL, "limit", "integer", 0, NULL, OA_STATIC, 1, OA_PAGE_MAX, "@page",
     "Items per page, at most api.page_max (400 above it)."},
    {NULL, "cursor", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "The opaque cursor of the previous page's next link; a forged or "
     "stale one is a 400."},
    {DS, "sort", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "slug, title, published, or relevance (with q), '-' before it for "
     "descending; default relevance with q, else slug."},
    {NULL, "sort", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "A column to sort by, '-' before it for descending; default: the "
     "version's row order."},
    {NULL, "period", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these periods, comma-separated, in the period column's form "
     "(2024, 2024-03, 2024-03-15...)."},
    {NULL, "fields", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Columns to return, comma-separated (default: all)."},
    {NULL, "period_from", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "First period included, in the period column's form (2024, "
     "2024-03, 2024-03-15...)."},
    {NULL, "period_to", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Last period included, in the period column's form."},
    {NULL, "territory", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these territory codes (INSEE, SIREN or site id), "
     "comma-separated."},
    {NULL, "territory_level", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these territory levels (site, district, commune, epci), "
     "comma-separated."},
    {NULL, "sector", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these sectors (building categories), comma-separated."},
    {NULL, "kind", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these kinds (electricity, gas, pv...), comma-separated."},
    {NULL, "status", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these observation statuses (A, C, D), comma-separated."},
    {NULL, "theme", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only datasets of these EU data themes (ENER...), comma-separated."},
    {NULL, "license", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only datasets under these licences (etalab-2.0...), "
     "comma-separated."},
};

#undef DS

/* The published columns (exp_columns), as the Observation schema. */
static const struct {
    const char *name, *type, *enums, *description;
    int         nullable;
} oa_columns[] = {
    {"period", "string", NULL,
     "Period start in Europe/Paris: YYYY, YYYY-MM, YYYY-MM-DD or an hour", 0},
    {"territory_level", "string",
     "site|district|commune|epci|department|"
     "region",
     "Kind of territory", 0},
    {"territory", "string", NULL, "Territory code (INSEE, SIREN or site id)",
     0},
    {"sector", "string", NULL,
     "Building category; null when the dataset is not grouped by sector", 1},
    {"kind", "string", NULL, "Energy or measure: electricity, gas, pv...", 0},
    {"value", "number", NULL, "Value in unit; null when suppressed", 1},
    {"unit", "string", NULL, "Canonical unit: kWh, m3, degC...", 0},
    {"n_sites", "integer", NULL, "Number of contributing sites", 1},
    {"status", "string", "A|C|D",
     "SDMX observation status: A published, C suppressed (primary rule), "
     "D suppressed (secondary, so that C cannot be recomputed)",
     0},
};
_Static_assert(NELEM(oa_columns) == EXP_NCOLS,
               "every published column is described");

static const struct oa_route *
oa_route_doc(const struct route *r)
{
    for (size_t i = 0; i < NELEM(oa_routes); i++)
        if (!strcmp(oa_routes[i].method, r->method) &&
            !strcmp(oa_routes[i].pattern, r->pattern))
            return &oa_routes[i];
    return NULL;
}

/* The entry for 'name' on 'pattern': the route's own, else the shared. */
static const struct oa_param *
oa_param_doc(const char *pattern, const char *name, size_t len)
{
    const struct oa_param *shared = NULL;

    for (size_t i = 0; i < NELEM(oa_params); i++) {
        const struct oa_param *p = &oa_params[i];

        if (strlen(p->name) != len || strncmp(p->name, name, len) != 0)
            continue;
        if (p->pattern && !strcmp(p->pattern, pattern))
            return p;
        if (p->pattern == NULL && shared == NULL)
            shared = p;
    }
    return shared;
}

/* Values separated by '|', as a JSON array. */
static void
oa_enum(struct jw *w, const char *values)
{
    jw_key(w, "enum");
    jw_arr_open(w);
    while (*values) {
        size_t n = strcspn(values, "|");

        jw_strn(w, values, n);
        values += n + (values[n] == '|');
    }
    jw_arr_close(w);
}

/* "$ref": "#/components/schemas/<name>", inside an open object. */
static void
oa_schema_ref_value(struct jw *w, const char *name)
{
    char ref[96];

    snprintf(ref, sizeof(ref), "#/components/schemas/%s", name);
    jw_kv_str(w, "$ref", ref);
}

static void
oa_schema_ref(struct jw *w, const char *name)
{
    jw_key(w, "schema");
    jw_obj_open(w);
    oa_schema_ref_value(w, name);
    jw_obj_close(w);
}

static void
oa_parameter(struct jw *w, struct req *rq, const struct route *r,
             const char *name, size_t len, int in_path)
{
    const struct oa_param *p = oa_param_doc(r->pattern, name, len);

    jw_obj_open(w);
    jw_key(w, "name");
    jw_strn(w, name, len);
    jw_kv_str(w, "in", in_path ? "path" : "query");
    jw_kv_bool(w, "required", in_path || (p && p->required));
    if (p == NULL) {
        jw_kv_bool(w, "x-undocumented", 1);
        jw_key(w, "schema");
        jw_obj_open(w);
        jw_kv_str(w, "type", "string");
        jw_obj_close(w);
        jw_obj_close(w);
        return;
    }
    jw_kv_str(w, "description", p->description);
    jw_key(w, "schema");
    jw_obj_open(w);
    jw_kv_str(w, "type", p->type);
    if (p->enum_from == OA_IMPORT) {
        jw_key(w, "enum");
        jw_arr_open(w);
        for (int i = 0; i < imp_nformats; i++)
            jw_str(w, imp_formats[i].name);
        jw_arr_close(w);
    } else if (p->enum_from == OA_EXPORT) {
        jw_key(w, "enum");
        jw_arr_open(w);
        for (int i = 0; i < EXP_NFORMATS; i++)
            jw_str(w, exp_formats[i]);
        jw_arr_close(w);
    } else if (p->enums)
        oa_enum(w, p->enums);
    if (in_path && !strcmp(p->name, "slug"))
        jw_kv_str(w, "pattern", "^[a-z0-9][a-z0-9-]{0,63}$");
    if (p->min >= 0)
        jw_kv_int(w, "minimum", p->min);
    if (p->max == OA_PAGE_MAX)
        jw_kv_int(w, "maximum", rq->cfg->api_page_max);
    if (p->def && !strcmp(p->def, "@page"))
        jw_kv_int(w, "default", rq->cfg->api_page_default);
    else if (p->def && !strcmp(p->type, "integer"))
        jw_kv_int(w, "default", strtoll(p->def, NULL, 10));
    else if (p->def)
        jw_kv_str(w, "default", p->def);
    jw_obj_close(w);
    jw_obj_close(w);
}

/* What each error status means, for the responses' descriptions. */
static const char *
oa_status_text(int status)
{
    switch (status) {
    case 400:
        return "A parameter is missing, malformed or over its limit "
               "(error.details names it)";
    case 401:
        return "No token, or an unknown, revoked or expired one";
    case 403:
        return "The token's role may not use this route";
    case 404:
        return "No such dataset, version or page";
    case 405:
        return "Method not allowed (the Allow header lists those "
               "that are)";
    case 413:
        return "The body is over its limit (error.details names the "
               "setting)";
    case 415:
        return "Unsupported format";
    case 416:
        return "Range not satisfiable";
    case 422:
        return "Understood but refused whole";
    case 503:
        return "The store is not available";
    default:
        return "Error";
    }
}

/* One JSON document (not NDJSON, which is a series of them). */
static int
oa_is_json(const char *media)
{
    return !strcmp(media, "application/json") || strstr(media, "+json");
}

/* The schema of a 200 body of media type 'type': the route's schema
** for JSON ("Name[]": an array of Name), text, or bytes. */
static void
oa_body_schema(struct jw *w, const char *type, const char *schema)
{
    if (schema && oa_is_json(type)) {
        size_t n = strcspn(schema, "[");
        char   name[64];

        snprintf(name, sizeof(name), "%.*s", (int) n, schema);
        if (schema[n] == '\0') {
            oa_schema_ref(w, name);
            return;
        }
        jw_key(w, "schema");
        jw_obj_open(w);
        jw_kv_str(w, "type", "array");
        jw_key(w, "items");
        jw_obj_open(w);
        oa_schema_ref_value(w, name);
        jw_obj_close(w);
        jw_obj_close(w);
        return;
    }
    jw_key(w, "schema");
    jw_obj_open(w);
    if (oa_is_json(type))
        jw_kv_str(w, "type", "object");
    else {
        jw_kv_str(w, "type", "string");
        /* Archives are bytes; CSV and NDJSON are UTF-8 text */
        if (!strncmp(type, "application/", 12) && !strstr(type, "json"))
            jw_kv_str(w, "format", "binary");
    }
    jw_obj_close(w);
}

static void
oa_error_response(struct jw *w, int status, int ckan)
{
    char code[8];

    snprintf(code, sizeof(code), "%d", status);
    jw_key(w, code);
    jw_obj_open(w);
    jw_kv_str(w, "description", oa_status_text(status));
    jw_key(w, "content");
    jw_obj_open(w);
    jw_key(w, "application/json");
    jw_obj_open(w);
    oa_schema_ref(w, ckan ? "CkanError" : "Error");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_responses(struct jw *w, const struct route *r, const struct oa_route *d)
{
    const char *media = d && d->media ? d->media : "application/json";
    unsigned    flags = d ? d->flags : 0;

    jw_key(w, "responses");
    jw_obj_open(w);
    jw_key(w, "200");
    jw_obj_open(w);
    jw_kv_str(w, "description", r->summary ? r->summary : "OK");
    if (flags & OA_CACHED) {
        jw_key(w, "headers");
        jw_obj_open(w);
        jw_key(w, "ETag");
        jw_obj_open(w);
        jw_kv_str(w, "$ref", "#/components/headers/ETag");
        jw_obj_close(w);
        jw_obj_close(w);
    }
    jw_key(w, "content");
    jw_obj_open(w);
    while (*media) {
        size_t n = strcspn(media, "|");
        char   type[64];

        snprintf(type, sizeof(type), "%.*s", (int) n, media);
        jw_key(w, type);
        jw_obj_open(w);
        oa_body_schema(w, type, d ? d->schema : NULL);
        jw_obj_close(w);
        media += n + (media[n] == '|');
    }
    jw_obj_close(w);
    jw_obj_close(w);
    if (flags & OA_RANGE) {
        jw_key(w, "206");
        jw_obj_open(w);
        jw_kv_str(w, "description",
                  "Partial content: the bytes a Range asked for");
        jw_obj_close(w);
        oa_error_response(w, 416, 0);
    }
    if (flags & OA_CACHED) {
        jw_key(w, "304");
        jw_obj_open(w);
        jw_kv_str(w, "description",
                  "Not modified: If-None-Match named the current ETag");
        jw_obj_close(w);
    }
    if (r->roles) {
        oa_error_response(w, 401, 0);
        oa_error_response(w, 403, 0);
    }
    for (const char *e = d && d->errors ? d->errors : ""; *e;) {
        int status = atoi(e);

        oa_error_response(w, status, (flags & OA_CKAN) && status < 500);
        e += strcspn(e, ",");
        e += *e == ',';
    }
    jw_key(w, "default");
    jw_obj_open(w);
    jw_kv_str(w, "$ref", "#/components/responses/Error");
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_request_body(struct jw *w, struct req *rq, const struct route *r,
                const struct oa_route *d)
{
    const struct route *get =
        d && (d->flags & OA_BODY_ARGS) ? hv_get_route(rq, r->pattern) : NULL;

    jw_key(w, "requestBody");
    jw_obj_open(w);
    jw_kv_bool(w, "required", get == NULL);
    if (d && d->body)
        jw_kv_str(w, "description", d->body);
    jw_key(w, "content");
    jw_obj_open(w);
    jw_key(w, get ? "application/json" : "application/octet-stream");
    jw_obj_open(w);
    jw_key(w, "schema");
    jw_obj_open(w);
    if (get == NULL) {
        jw_kv_str(w, "type", "string");
        jw_kv_str(w, "format", "binary");
    } else {
        /* The GET route's query parameters, as the object's keys */
        jw_kv_str(w, "type", "object");
        jw_kv_bool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_open(w);
        for (const char *p = get->params ? get->params : ""; *p;) {
            size_t                 n = strcspn(p, ",");
            const struct oa_param *doc = oa_param_doc(get->pattern, p, n);
            char                   name[64];

            snprintf(name, sizeof(name), "%.*s", (int) n, p);
            p += n + (p[n] == ',');
            if (n == 0)
                continue;
            jw_key(w, name);
            jw_obj_open(w);
            if (doc) {
                jw_kv_str(w, "type", doc->type);
                jw_kv_str(w, "description", doc->description);
            }
            jw_obj_close(w);
        }
        jw_obj_close(w);
    }
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

/* "GET" + "/api/v1/datasets/{slug}" -> "get_api_v1_datasets_slug". */
static void
oa_operation_id(const struct route *r, char *out, size_t outsz)
{
    size_t n = 0;

    for (const char *p = r->method; *p && n + 1 < outsz; p++)
        out[n++] = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    for (const char *p = r->pattern; *p && n + 1 < outsz; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char) (*p - 'A' + 'a') : *p;

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
        else if (out[n - 1] != '_')
            out[n++] = '_';
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
}

static void
oa_operation(struct jw *w, struct req *rq, const struct route *r)
{
    static const char *const roles[] = {"admin", "moderator", "editor", "team",
                                        "provider"};
    const struct oa_route   *d = oa_route_doc(r);
    char                     id[160], method[16];
    size_t                   k;

    for (k = 0; r->method[k] && k + 1 < sizeof(method); k++)
        method[k] = (char) (r->method[k] >= 'A' && r->method[k] <= 'Z'
                                ? r->method[k] - 'A' + 'a'
                                : r->method[k]);
    method[k] = '\0';
    oa_operation_id(r, id, sizeof(id));
    jw_key(w, method);
    jw_obj_open(w);
    jw_kv_str(w, "operationId", id);
    jw_kv_str(w, "summary", r->summary);
    jw_key(w, "tags");
    jw_arr_open(w);
    jw_str(w, d ? d->tag : "undocumented");
    jw_arr_close(w);
    if (d)
        jw_kv_str(w, "description", d->description);
    else
        jw_kv_bool(w, "x-undocumented", 1);

    jw_key(w, "parameters");
    jw_arr_open(w);
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p, '{')) {
        size_t n = strcspn(p + 1, "}");

        oa_parameter(w, rq, r, p + 1, n, 1);
        p += n + 1;
    }
    for (const char *p = r->params ? r->params : ""; *p;) {
        size_t n = strcspn(p, ",");

        if (n > 0)
            oa_parameter(w, rq, r, p, n, 0);
        p += n + (p[n] == ',');
    }
    jw_arr_close(w);

    if (r->flags & (ROUTE_BODY | ROUTE_UPLOAD))
        oa_request_body(w, rq, r, d);
    if (r->roles) {
        jw_key(w, "security");
        jw_arr_open(w);
        jw_obj_open(w);
        jw_key(w, "bearer");
        jw_arr_open(w);
        jw_arr_close(w);
        jw_obj_close(w);
        jw_arr_close(w);
        jw_key(w, "x-roles");
        jw_arr_open(w);
        for (size_t i = 0; i < NELEM(roles); i++)
            if (auth_role_bit(roles[i]) & r->roles)
                jw_str(w, roles[i]);
        jw_arr_close(w);
    }
    oa_responses(w, r, d);
    jw_obj_close(w);
}

/* The envelope every error shares; its codes are err.h's table. */
static void
oa_schema_error(struct jw *w)
{
    jw_key(w, "Error");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "The one error envelope, on every route and every status");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "error");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "error");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "code");
    jw_str(w, "message");
    jw_str(w, "details");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "code");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_key(w, "enum");
    jw_arr_open(w);
    for (int c = 1; c < CM_NCODES; c++) /* Not "ok": never an error */
        jw_str(w, cm_code_name((enum cm_code) c));
    jw_arr_close(w);
    jw_obj_close(w);
    jw_key(w, "message");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_kv_str(w, "description", "For a person; may change");
    jw_obj_close(w);
    jw_key(w, "details");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_bool(w, "nullable", 1);
    jw_kv_str(w, "description",
              "For a program: what is at fault (param, field, setting or "
              "path) and the limit that was hit; null when nothing more "
              "is known");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_schema_ckan(struct jw *w)
{
    jw_key(w, "CkanResponse");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description", "CKAN's Action API reply");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "help");
    jw_str(w, "success");
    jw_str(w, "result");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "help");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_obj_close(w);
    jw_key(w, "success");
    jw_obj_open(w);
    jw_kv_str(w, "type", "boolean");
    jw_obj_close(w);
    jw_key(w, "result");
    jw_obj_open(w);
    jw_kv_str(w, "description",
              "package_list: names; package_show: a package; "
              "package_search: {count, sort, results, facets, "
              "search_facets}");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "CkanError");
    jw_obj_open(w);
    jw_kv_str(w, "description",
              "The error envelope with CKAN's keys beside it: success "
              "false, help, and error.__type (\"Not Found Error\", "
              "\"Validation Error\")");
    jw_key(w, "allOf");
    jw_arr_open(w);
    jw_obj_open(w);
    jw_kv_str(w, "$ref", "#/components/schemas/Error");
    jw_obj_close(w);
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "help");
    jw_str(w, "success");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "help");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_obj_close(w);
    jw_key(w, "success");
    jw_obj_open(w);
    jw_kv_str(w, "type", "boolean");
    jw_key(w, "enum");
    jw_arr_open(w);
    jw_bool(w, 0);
    jw_arr_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_arr_close(w);
    jw_obj_close(w);
}

static void
oa_schema_observation(struct jw *w)
{
    jw_key(w, "Observation");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "One cell of a published dataset, with the columns every "
              "format shares; a dataset may add columns after these");
    jw_key(w, "required");
    jw_arr_open(w);
    for (int i = 0; i < EXP_NCOLS; i++)
        jw_str(w, exp_columns[i]);
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    for (int i = 0; i < EXP_NCOLS; i++) {
        size_t k = 0;

        while (k < NELEM(oa_columns) &&
               strcmp(oa_columns[k].name, exp_columns[i]) != 0)
            k++;
        jw_key(w, exp_columns[i]);
        jw_obj_open(w);
        if (k == NELEM(oa_columns)) { /* A column renamed in exp_sink.c */
            jw_kv_bool(w, "x-undocumented", 1);
            jw_obj_close(w);
            continue;
        }
        jw_kv_str(w, "type", oa_columns[k].type);
        jw_kv_str(w, "description", oa_columns[k].description);
        if (oa_columns[k].nullable)
            jw_kv_bool(w, "nullable", 1);
        if (oa_columns[k].enums)
            oa_enum(w, oa_columns[k].enums);
        if (!strcmp(oa_columns[k].name, "n_sites"))
            jw_kv_int(w, "minimum", 0);
        jw_obj_close(w);
    }
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_prop(struct jw *w, const char *name, const char *type, int nullable)
{
    jw_key(w, name);
    jw_obj_open(w);
    jw_kv_str(w, "type", type);
    if (nullable)
        jw_kv_bool(w, "nullable", 1);
    jw_obj_close(w);
}

/* The page api_datasets.c answers on /records. */
static void
oa_schema_records(struct jw *w)
{
    jw_key(w, "RecordsPage");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "One page of observations; follow next until it is null");
    jw_key(w, "properties");
    jw_obj_open(w);
    oa_prop(w, "dataset", "string", 0);
    oa_prop(w, "version", "integer", 0);
    oa_prop(w, "latest", "integer", 0);
    jw_key(w, "columns");
    jw_obj_open(w);
    jw_kv_str(w, "type", "array");
    jw_kv_str(w, "description", "The version's columns: name and type");
    jw_key(w, "items");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_key(w, "records");
    jw_obj_open(w);
    jw_kv_str(w, "type", "array");
    jw_key(w, "items");
    jw_obj_open(w);
    oa_schema_ref_value(w, "Observation");
    jw_obj_close(w);
    jw_obj_close(w);
    oa_prop(w, "count", "integer", 0);
    oa_prop(w, "limit", "integer", 0);
    oa_prop(w, "next", "string", 1);
    oa_prop(w, "links", "object", 0);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_components(struct jw *w)
{
    jw_key(w, "components");
    jw_obj_open(w);

    jw_key(w, "schemas");
    jw_obj_open(w);
    oa_schema_error(w);
    oa_schema_ckan(w);
    oa_schema_observation(w);
    oa_schema_records(w);
    jw_key(w, "JsonLdCatalog");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "JSON-LD: @context (dcat, dct, foaf, vcard, spdx, hydra, "
              "adms, owl...) and an @graph of the dcat:Catalog and the "
              "hydra:PartialCollectionView of the page");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "@context");
    jw_str(w, "@graph");
    jw_arr_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "responses");
    jw_obj_open(w);
    jw_key(w, "Error");
    jw_obj_open(w);
    jw_kv_str(w, "description", "Any other error, in the one envelope");
    jw_key(w, "content");
    jw_obj_open(w);
    jw_key(w, "application/json");
    jw_obj_open(w);
    oa_schema_ref(w, "Error");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "headers");
    jw_obj_open(w);
    jw_key(w, "ETag");
    jw_obj_open(w);
    jw_kv_str(w, "description",
              "Strong validator of the body; send it back in If-None-Match "
              "for a 304");
    jw_key(w, "schema");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "securitySchemes");
    jw_obj_open(w);
    jw_key(w, "bearer");
    jw_obj_open(w);
    jw_kv_str(w, "type", "http");
    jw_kv_str(w, "scheme", "bearer");
    jw_kv_str(w, "description",
              "An API token (\"cm_\" and 43 characters), shown once when "
              "its account is made; the route's x-roles say which roles "
              "may use it");
    jw_obj_close(w);
    jw_obj_close(w);

    jw_obj_close(w);
}

/* 1 if the list "a,b,c" (or a pattern's "{a}") names 'name'. */
static int
oa_names(const char *list, const char *name, int braces)
{
    size_t n = strlen(name);

    for (const char *p = list ? list : ""; *p; p++)
        if (braces
                ? (p[0] == '{' && !strncmp(p + 1, name, n) && p[n + 1] == '}')
                : ((p == list || p[-1] == ',') && !strncmp(p, name, n) &&
                   (p[n] == ',' || p[n] == '\0')))
            return 1;
    return 0;
}

/* Entries of oa_routes[] and route-bound oa_params[] that document
** nothing the server runs (a route renamed or removed): listed, so the
** test catches documentation that outlived its route. */
static void
oa_stale(struct jw *w, const struct route *t, int n)
{
    int any = 0;

    for (size_t i = 0; i < NELEM(oa_routes) + NELEM(oa_params); i++) {
        const struct oa_route *d = i < NELEM(oa_routes) ? &oa_routes[i] : NULL;
        const struct oa_param *p = d ? NULL : &oa_params[i - NELEM(oa_routes)];
        int                    live = p && p->pattern == NULL;
        char                   what[160];

        for (int k = 0; k < n && !live; k++)
            live = d ? !strcmp(t[k].method, d->method) &&
                           !strcmp(t[k].pattern, d->pattern)
                     : !strcmp(t[k].pattern, p->pattern) &&
                           (oa_names(t[k].params, p->name, 0) ||
                            oa_names(t[k].pattern, p->name, 1));
        if (live)
            continue;
        if (!any++) {
            jw_key(w, "x-stale-docs");
            jw_arr_open(w);
        }
        snprintf(what, sizeof(what), "%s %s", d ? d->method : p->name,
                 d ? d->pattern : p->pattern);
        jw_str(w, what);
    }
    if (any)
        jw_arr_close(w);
}

/* GET /api/v1/openapi.json -- see the comment above oa_routes[]. */
int
api_openapi(struct req *rq)
{
    static const char *const tags[] = {
        "datasets", "Published datasets, their records and files",
        "harvest",  "The catalog for DCAT harvesters (data.gouv.fr)",
        "ckan",     "The CKAN Action API subset CKAN and uData harvest",
        "ingest",   "Data providers push readings",
        "system",   "The server itself",
        NULL};
    int                 n, status;
    const struct route *t = http_routes(rq->srv, &n);
    char                base[HV_BASE_MAX];
    struct jw          *w = jw_new();

    hv_base(rq, base, sizeof(base));
    jw_obj_open(w);
    jw_kv_str(w, "openapi", "3.0.3");
    jw_key(w, "info");
    jw_obj_open(w);
    jw_kv_str(w, "title", "Consometer API");
    jw_kv_str(w, "version", CM_VERSION);
    jw_kv_str(w, "description",
              "Open energy data of a territory: anonymised, immutable "
              "dataset versions. Every GET route also answers HEAD. "
              "Public routes send Access-Control-Allow-Origin: *. Every "
              "error, on every route, is the envelope "
              "{\"error\":{\"code\",\"message\",\"details\"}} "
              "(components/schemas/Error). Replies of published data "
              "carry a strong ETag and answer If-None-Match with 304.");
    jw_obj_close(w);
    jw_key(w, "servers");
    jw_arr_open(w);
    jw_obj_open(w);
    jw_kv_str(w, "url", base);
    jw_obj_close(w);
    jw_arr_close(w);
    jw_key(w, "tags");
    jw_arr_open(w);
    for (const char *const *p = tags; *p; p += 2) {
        jw_obj_open(w);
        jw_kv_str(w, "name", p[0]);
        jw_kv_str(w, "description", p[1]);
        jw_obj_close(w);
    }
    jw_arr_close(w);

    /* One path object per pattern, holding each of its methods. */
    jw_key(w, "paths");
    jw_obj_open(w);
    for (int i = 0; i < n; i++) {
        int seen = 0;

        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(t[j].pattern, t[i].pattern);
        if (seen)
            continue;
        jw_key(w, t[i].pattern);
        jw_obj_open(w);
        for (int j = i; j < n; j++)
            if (!strcmp(t[j].pattern, t[i].pattern))
                oa_operation(w, rq, &t[j]);
        jw_obj_close(w);
    }
    jw_obj_close(w);
    oa_components(w);
    oa_stale(w, t, n);
    jw_obj_close(w);
    status = hv_reply(rq, w, "application/json; charset=utf-8");
    jw_free(w);
    return status;
}
