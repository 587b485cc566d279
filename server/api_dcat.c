/*
** api_dcat.c -- GET /catalog.jsonld: the catalog as DCAT-AP 2 JSON-LD, the
*format
** data.gouv.fr and the EU portal harvest, paged with Hydra.
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

#include "api_harvest.h"

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
