/*
** api_harvest.c -- what the views for harvesters and API tools share
** (api_harvest.h): links on http.base_url or the request's Host, the
** catalog of every dataset's latest version, its files, paging
** parameters, and the cached reply. The views themselves:
**
**   GET /catalog.jsonld             api_dcat.c: the catalog as DCAT-AP 2
**                                   JSON-LD, the format data.gouv.fr and
**                                   the EU portal harvest, Hydra paging;
**   GET /api/3/action/package_*     api_ckan.c: the part of CKAN's Action
**                                   API that CKAN and uData harvesters call;
**   GET /api/v1/openapi.json        api_openapi.c: OpenAPI 3.0.3 of every
**                                   route, from the routing table and a
**                                   table of route documentation.
**
** Nothing here writes. Every reply goes out with a strong ETag, so a
** harvester polling daily gets 304 until something is published.
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

/* ---- what every view shares ---------------------------------------- */

/* The scheme and authority links are built on, no trailing '/'. */
void
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
int
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
const struct route *
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
int
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

/* Copy v (the store's, valid for the call) into d, parse its manifest. */
void
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

void
hv_ds_clear(struct hv_ds *d)
{
    store_version_clear(&d->v);
    ds_manifest_clear(&d->m);
    free(d->dist);
    free(d->fold);
    free(d->ftitle);
    memset(d, 0, sizeof(*d));
}

int
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
int
hv_load(struct req *rq, struct hv_list *l, struct cm_err *err)
{
    memset(l, 0, sizeof(*l));
    return store_datasets_each(rq->st, hv_collect, l, err);
}

void
hv_list_clear(struct hv_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        hv_ds_clear(&l->a[i]);
    free(l->a);
    memset(l, 0, sizeof(*l));
}

/* Load what only the rendered datasets need: their files, and the date
** of version 1 (when the dataset was first issued). */
int
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

const char *
hv_title(const struct hv_ds *d)
{
    return d->m.title.fr   ? d->m.title.fr
           : d->m.title.en ? d->m.title.en
                           : d->v.slug;
}

/* The last segment of a URI: "…/data-theme/ENER" -> "ENER". */
const char *
hv_uri_code(const char *uri)
{
    const char *p = strrchr(uri, '/');

    return p ? p + 1 : uri;
}

int
hv_is_uri(const char *s)
{
    return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* How each format is named outside: the EU file-type authority code
** (DCAT-AP's dct:format), and the label CKAN clients expect. */
const struct hv_format_name hv_formats[] = {
    {"csv", "CSV", "CSV"},      {"json", "JSON", "JSON"},
    {"ndjson", NULL, "NDJSON"}, /* No EU code: a literal */
    {"zip", "ZIP", "ZIP"},      {"tar.gz", "TAR_GZ", "TAR.GZ"},
    {"csv-fr", "CSV", "CSV"}, /* The same table, French dialect */
};

int
hv_format(const char *format)
{
    for (size_t i = 0; i < NELEM(hv_formats); i++)
        if (strcmp(format, hv_formats[i].format) == 0)
            return (int) i;
    return -1;
}

/* "text/csv; charset=utf-8" -> "text/csv", into out. */
void
hv_mime(const char *media_type, char *out, size_t outsz)
{
    size_t n = strcspn(media_type, "; ");

    snprintf(out, outsz, "%.*s", (int) n, media_type);
}

/* The download links of a file: stable (always the latest version) and
** exact (this version, the bytes the sha256 describes). */
void
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
