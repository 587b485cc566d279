/*
** api_ckan.c -- GET (and POST) /api/3/action/package_list, package_show and
** package_search: the part of CKAN's Action API that CKAN and uData
** harvesters and ckanapi call.
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
    if ((rc = http_read_body(rq, rq->cfg->http_body_max, "http.body_max", &raw,
                             err)) != CM_OK ||
        raw.len == 0) {
        cm_buf_clear(&raw);
        return rc;
    }
    cm_buf_add(&raw, "", 1);
    doc = cm_json_guard(raw.data, raw.len, CM_JSON_DEPTH_MAX)
              ? NULL
              : yajl_tree_parse(raw.data, ebuf, sizeof(ebuf));
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
