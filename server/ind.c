/*
** ind.c -- publishing a Lua indicator run (see ind.h).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "dl.h"
#include "ds_manifest.h"
#include "exp.h"
#include "ind.h"
#include "jw.h"
#include "mem.h"
#include "pub.h"
#include "store.h"
#include "store_scripts.h"
#include "text.h"
#include "units.h"

#define IND_SLUG_MAX 64

struct ind_grain {
    const char *name;
    const char *shape; /* 9: a digit; else the character itself */
    const char *text;  /* For messages */
};

static const struct ind_grain ind_grains[] = {
    {"year", "9999", "YYYY"},
    {"month", "9999-99", "YYYY-MM"},
    {"day", "9999-99-99", "YYYY-MM-DD"},
    {"hour", "9999-99-99T99", "YYYY-MM-DDTHH"},
};

struct ind_row {
    size_t      index; /* In the script's observations */
    const char *period, *territory, *sector;
    double      value;
};

struct ind {
    const char             *slug, *title_fr, *title_en, *desc_fr, *desc_en;
    const char             *unit, *method, *period, *territory;
    const char            **reads;
    size_t                  nreads;
    const struct ind_grain *grain;
    int                     level; /* enum ds_territory of 'territory' */
    struct ind_row         *rows;
    size_t                  nrows;
};

/* obj[key], or NULL when absent (or obj is not an object). */
static yajl_val
ind_get(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* A string field: *out its text, NULL when absent or null and !required. */
static int
ind_str(yajl_val obj, const char *key, const char *where, int required,
        const char **out, struct cm_err *err)
{
    yajl_val v = ind_get(obj, key);

    *out = NULL;
    if (v == NULL || YAJL_IS_NULL(v)) {
        if (required)
            return cm_fail(err, CM_EINVAL, "%s.%s: required", where, key);
        return CM_OK;
    }
    if (!YAJL_IS_STRING(v))
        return cm_fail(err, CM_EINVAL, "%s.%s: expected a string", where, key);
    if (required && *v->u.string == '\0')
        return cm_fail(err, CM_EINVAL, "%s.%s: empty", where, key);
    *out = v->u.string;
    return CM_OK;
}

/* {fr, en}: fr required when 'required'. */
static int
ind_texts(yajl_val ind, const char *key, int required, const char **fr,
          const char **en, struct cm_err *err)
{
    yajl_val v = ind_get(ind, key);
    char     where[48];
    int      rc;

    *fr = *en = NULL;
    if (v == NULL || YAJL_IS_NULL(v)) {
        if (required)
            return cm_fail(err, CM_EINVAL, "indicator.%s.fr: required", key);
        return CM_OK;
    }
    if (!YAJL_IS_OBJECT(v))
        return cm_fail(err, CM_EINVAL, "indicator.%s: expected {fr, en}", key);
    snprintf(where, sizeof(where), "indicator.%s", key);
    rc = ind_str(v, "fr", where, required, fr, err);
    if (rc == CM_OK)
        rc = ind_str(v, "en", where, 0, en, err);
    return rc;
}

static int
ind_period_ok(const struct ind_grain *g, const char *p)
{
    size_t n = strlen(g->shape);

    if (strlen(p) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (g->shape[i] == '9') {
            if (p[i] < '0' || p[i] > '9')
                return 0;
        } else if (p[i] != g->shape[i])
            return 0;
    }
    return 1;
}

static int
ind_cmp_str(const char *a, const char *b) /* NULL first */
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int
ind_cmp_rows(const void *x, const void *y)
{
    const struct ind_row *a = x, *b = y;
    int                   c = strcmp(a->period, b->period);

    if (c == 0)
        c = strcmp(a->territory, b->territory);
    if (c == 0)
        c = ind_cmp_str(a->sector, b->sector);
    if (c == 0)
        c = (a->index > b->index) - (a->index < b->index);
    return c;
}

static int
ind_row(struct ind *d, yajl_val o, size_t i, struct cm_err *err)
{
    struct ind_row *r = &d->rows[d->nrows];
    char            where[48];
    yajl_val        v;
    int             rc;

    snprintf(where, sizeof(where), "observations[%zu]", i + 1);
    if (!YAJL_IS_OBJECT(o))
        return cm_fail(err, CM_EINVAL, "%s: expected an object", where);
    for (size_t k = 0; k < o->u.object.len; k++) {
        const char *key = o->u.object.keys[k];

        if (strcmp(key, "period") && strcmp(key, "territory") &&
            strcmp(key, "sector") && strcmp(key, "value"))
            return cm_fail(err, CM_EINVAL, "%s.%s: unknown dimension", where,
                           key);
    }
    r->index = i + 1;
    rc = ind_str(o, "period", where, 1, &r->period, err);
    if (rc == CM_OK && !ind_period_ok(d->grain, r->period))
        rc = cm_fail(err, CM_EINVAL,
                     "%s.period: '%.32s' is not a %s period (%s)", where,
                     r->period, d->grain->name, d->grain->text);
    if (rc == CM_OK)
        rc = ind_str(o, "territory", where, 1, &r->territory, err);
    if (rc == CM_OK)
        rc = ind_str(o, "sector", where, 0, &r->sector, err);
    if (rc == CM_OK && r->sector && *r->sector == '\0')
        rc = cm_fail(err, CM_EINVAL, "%s.sector: empty", where);
    if (rc != CM_OK)
        return rc;
    v = ind_get(o, "value");
    if (v == NULL || YAJL_IS_NULL(v))
        return cm_fail(err, CM_EINVAL, "%s.value: required", where);
    if (!YAJL_IS_NUMBER(v) || !YAJL_IS_DOUBLE(v) ||
        !isfinite(YAJL_GET_DOUBLE(v)))
        return cm_fail(err, CM_EINVAL, "%s.value: not a finite number", where);
    r->value = YAJL_GET_DOUBLE(v);
    d->nrows++;
    return CM_OK;
}

static int
ind_parse(yajl_val root, struct ind *d, struct cm_err *err)
{
    yajl_val ind = ind_get(root, "indicator"), obs, reads, v;
    int      rc;

    if (!YAJL_IS_OBJECT(root))
        return cm_fail(err, CM_EINVAL,
                       "the result is not {indicator = ..., "
                       "observations = ...}");
    if (!YAJL_IS_OBJECT(ind))
        return cm_fail(err, CM_EINVAL, "indicator: expected a table");
    rc = ind_str(ind, "slug", "indicator", 1, &d->slug, err);
    if (rc == CM_OK) {
        size_t n = strlen(d->slug);

        if (n > IND_SLUG_MAX ||
            strspn(d->slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
            rc = cm_fail(err, CM_EINVAL,
                         "indicator.slug: only a-z, 0-9 and '-', at most %d",
                         IND_SLUG_MAX);
    }
    if (rc == CM_OK)
        rc = ind_texts(ind, "title", 1, &d->title_fr, &d->title_en, err);
    if (rc == CM_OK)
        rc = ind_texts(ind, "description", 0, &d->desc_fr, &d->desc_en, err);
    if (rc == CM_OK)
        rc = ind_str(ind, "unit", "indicator", 1, &d->unit, err);
    if (rc == CM_OK)
        rc = ind_str(ind, "method", "indicator", 1, &d->method, err);
    if (rc == CM_OK)
        rc = ind_str(ind, "period", "indicator", 1, &d->period, err);
    if (rc == CM_OK) {
        for (size_t i = 0; i < sizeof(ind_grains) / sizeof(ind_grains[0]); i++)
            if (strcmp(d->period, ind_grains[i].name) == 0)
                d->grain = &ind_grains[i];
        if (d->grain == NULL)
            rc = cm_fail(err, CM_EINVAL,
                         "indicator.period: one of year, month, day, hour");
    }
    if (rc == CM_OK)
        rc = ind_str(ind, "territory", "indicator", 1, &d->territory, err);
    if (rc == CM_OK) {
        d->level = -1;
        for (int l = DS_SITE; l <= DS_EPCI; l++)
            if (strcmp(d->territory, ds_territory_name(l)) == 0)
                d->level = l;
        if (d->level < 0)
            rc = cm_fail(err, CM_EINVAL,
                         "indicator.territory: one of site, district, "
                         "commune, epci, not \"%.32s\"",
                         d->territory);
    }
    if (rc != CM_OK)
        return rc;
    reads = ind_get(ind, "reads");
    if (reads != NULL && !YAJL_IS_NULL(reads)) {
        if (!YAJL_IS_ARRAY(reads))
            return cm_fail(err, CM_EINVAL,
                           "indicator.reads: expected a list of slugs");
        d->reads = cm_malloc((reads->u.array.len + 1) * sizeof(*d->reads));
        for (size_t i = 0; i < reads->u.array.len; i++) {
            v = reads->u.array.values[i];
            if (!YAJL_IS_STRING(v))
                return cm_fail(err, CM_EINVAL,
                               "indicator.reads[%zu]: expected a slug", i + 1);
            d->reads[d->nreads++] = v->u.string;
        }
    }
    obs = ind_get(root, "observations");
    if (obs == NULL || !YAJL_IS_ARRAY(obs) || obs->u.array.len == 0)
        return cm_fail(err, CM_EINVAL,
                       "observations: expected a non-empty list of rows");
    d->rows = cm_malloc(obs->u.array.len * sizeof(*d->rows));
    for (size_t i = 0; rc == CM_OK && i < obs->u.array.len; i++)
        rc = ind_row(d, obs->u.array.values[i], i, err);
    if (rc != CM_OK)
        return rc;
    qsort(d->rows, d->nrows, sizeof(*d->rows), ind_cmp_rows);
    for (size_t i = 1; i < d->nrows; i++) {
        const struct ind_row *a = &d->rows[i - 1], *b = &d->rows[i];

        if (strcmp(a->period, b->period) == 0 &&
            strcmp(a->territory, b->territory) == 0 &&
            ind_cmp_str(a->sector, b->sector) == 0)
            return cm_fail(err, CM_EINVAL,
                           "observations[%zu]: same period, territory and "
                           "sector as observations[%zu]",
                           b->index, a->index);
    }
    return CM_OK;
}

/* ---- the version ---------------------------------------------------- */

/*
** The version's manifest: a dataset definition (ds_manifest.h) every
** reader of versions understands (the exporters' README and datapackage,
** the catalog): slug, title, description, period, territory, the kinds
** of the datasets read, a privacy policy. Built, parsed back (so it is
** valid now, not when a download is first asked for) and written again
** canonically. unit and method go to the provenance.
**
** The policy. A script reads published versions only, so whatever it
** computes from them is as public as they are: nothing is withheld. Per
** site that is "open"; at another level a definition must say
** "aggregated" (ds_manifest.c keeps "open" for per-site data), so it
** says one with thresholds that withhold nothing (1 site, 100 %), which
** the README then states. The publisher never treats an indicator as
** one of its aggregates (pub.c skips versions of origin "lua").
*/
static int
ind_manifest(const struct ind *d, unsigned kinds, char **out,
             struct cm_err *err)
{
    struct jw         *w = jw_new();
    struct ds_manifest m;
    const char        *text;
    size_t             len;
    int                rc;

    *out = NULL;
    jw_obj_open(w);
    jw_kv_str(w, "slug", d->slug);
    jw_key(w, "title");
    jw_obj_open(w);
    jw_kv_str(w, "fr", d->title_fr);
    if (d->title_en)
        jw_kv_str(w, "en", d->title_en);
    jw_obj_close(w);
    if (d->desc_fr || d->desc_en) {
        jw_key(w, "description");
        jw_obj_open(w);
        if (d->desc_fr)
            jw_kv_str(w, "fr", d->desc_fr);
        if (d->desc_en)
            jw_kv_str(w, "en", d->desc_en);
        jw_obj_close(w);
    }
    jw_key(w, "kinds");
    jw_arr_open(w);
    for (int k = 0; k < UNITS_NKINDS; k++)
        if (kinds & (1u << k))
            jw_str(w, units_kind_name((enum units_kind) k));
    jw_arr_close(w);
    jw_kv_str(w, "period", d->period);
    jw_kv_str(w, "territory", d->territory);
    jw_key(w, "privacy");
    jw_obj_open(w);
    if (d->level == DS_SITE)
        jw_kv_str(w, "policy", "open");
    else {
        jw_kv_str(w, "policy", "aggregated");
        jw_kv_bool(w, "households", 0);
        jw_kv_int(w, "min_sites", 1);
        jw_kv_double(w, "max_share", 1);
    }
    jw_obj_close(w);
    jw_obj_close(w);
    rc = jw_result(w, &text, &len, err);
    if (rc == CM_OK) {
        struct cm_err perr;

        if (ds_manifest_parse(text, len, "indicator", &m, &perr) != CM_OK)
            rc = cm_fail(err, CM_EINVAL, "indicator: %s", perr.msg);
    }
    jw_free(w);
    if (rc != CM_OK)
        return rc;
    w = jw_new();
    ds_manifest_write_json(&m, w);
    ds_manifest_clear(&m);
    *out = jw_strdup(w);
    jw_free(w);
    return CM_OK;
}

static char *
ind_search_text(const struct ind *d)
{
    struct cm_buf raw, out;

    cm_buf_init(&raw);
    cm_buf_init(&out);
    cm_buf_printf(&raw, "%s %s %s %s %s indicator", d->slug, d->title_fr,
                  d->title_en ? d->title_en : "", d->desc_fr ? d->desc_fr : "",
                  d->desc_en ? d->desc_en : "");
    cm_fold(raw.data, raw.len, &out);
    cm_buf_add(&out, "", 1);
    cm_buf_clear(&raw);
    return out.data;
}

/* {"script_sha256", "reads": [{"slug", "version"}]}: each dataset read
** at its latest version, which must exist. */
static int
ind_provenance(struct store *st, const struct ind *d, const char *source,
               size_t len, unsigned *kinds, char **out, struct cm_err *err)
{
    struct jw *w = jw_new();
    char       hex[EXP_SHA256_HEX + 1];
    int        rc = CM_OK;

    *kinds = 0;
    exp_sha256_hex(source, len, hex);
    jw_obj_open(w);
    jw_kv_str(w, "method", d->method);
    jw_kv_str(w, "unit", d->unit);
    jw_kv_str(w, "script_sha256", hex);
    jw_key(w, "reads");
    jw_arr_open(w);
    for (size_t i = 0; rc == CM_OK && i < d->nreads; i++) {
        struct store_version v;
        int                  found = 0;

        memset(&v, 0, sizeof(v));
        rc = store_version_get(st, d->reads[i], 0, &v, &found, err);
        if (rc == CM_OK && !found)
            rc = cm_fail(err, CM_EINVAL,
                         "indicator.reads[%zu]: no published dataset '%.64s'",
                         i + 1, d->reads[i]);
        if (rc == CM_OK && v.manifest != NULL) {
            struct ds_manifest m;
            struct cm_err      perr;

            if (ds_manifest_parse(v.manifest, strlen(v.manifest), v.slug, &m,
                                  &perr) == CM_OK) {
                *kinds |= m.kinds;
                ds_manifest_clear(&m);
            }
        }
        if (rc == CM_OK) {
            jw_obj_open(w);
            jw_kv_str(w, "slug", d->reads[i]);
            jw_kv_int(w, "version", v.number);
            jw_obj_close(w);
        }
        store_version_clear(&v);
    }
    jw_arr_close(w);
    jw_obj_close(w);
    if (rc == CM_OK && *kinds == 0)
        rc = cm_fail(err, CM_EINVAL,
                     "indicator.reads: name at least one published dataset "
                     "of energy readings (its kinds are the indicator's)");
    *out = rc == CM_OK ? jw_strdup(w) : NULL;
    jw_free(w);
    return rc;
}

static void
ind_obs(const struct ind *d, const struct ind_row *r, struct exp_obs *o)
{
    memset(o, 0, sizeof(*o));
    o->period = r->period;
    o->territory_level = d->territory;
    o->territory = r->territory;
    o->sector = r->sector;
    o->kind = "indicator";
    o->value = r->value;
    o->unit = d->unit;
    o->n_sites = 0;
    o->status = 'A';
}

static int
ind_discard(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    (void) ctx;
    (void) p;
    (void) n;
    (void) err;
    return CM_OK;
}

/* The sha256 of the canonical CSV (the version's csv download). */
static int
ind_digest(const struct ind *d, char hex[65], struct cm_err *err)
{
    struct exp_sink   sink;
    struct exp_writer w;
    int               rc;

    exp_sink_init(&sink, ind_discard, NULL);
    rc = exp_table_begin(&w, "csv", 0, NULL, &sink, err);
    if (rc == CM_OK) {
        for (size_t i = 0; i < d->nrows; i++) {
            struct exp_obs o;

            ind_obs(d, &d->rows[i], &o);
            exp_table_row(&w, &o, NULL);
        }
        rc = exp_table_end(&w, err);
    }
    if (rc == CM_OK)
        exp_sink_digest(&sink, hex);
    return rc;
}

static int
ind_write(struct store *st, const struct ind *d, const char *manifest,
          const char *provenance, const char *data_dir, struct ind_result *r,
          struct cm_err *err)
{
    char                     now[32];
    struct store_version_new nv;
    int64_t                  id;
    int                      rc;
    char                    *search = ind_search_text(d);
    time_t                   t = time(NULL);
    struct tm                tm;

    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    memset(&nv, 0, sizeof(nv));
    nv.slug = d->slug;
    nv.origin = "lua";
    nv.manifest = manifest;
    nv.search_text = search;
    nv.published_at = now;
    nv.n_observations = (int64_t) d->nrows;
    nv.sha256 = r->sha256;
    nv.provenance = provenance;
    rc = store_version_create(st, &nv, &id, &r->version, err);
    free(search);
    for (size_t i = 0; rc == CM_OK && i < d->nrows; i++) {
        struct exp_obs o;

        ind_obs(d, &d->rows[i], &o);
        rc = store_obs_add(st, id, (int64_t) i, &o, NULL, err);
    }
    if (rc == CM_OK)
        rc = pub_finish_version(st, id, d->slug, r->version, data_dir, err);
    return rc;
}

static void
ind_audit(struct store *st, const struct ind_who *who,
          const struct ind_result *r)
{
    struct jw         *w = jw_new();
    char              *details;
    struct store_audit a;
    struct cm_err      err;

    ind_result_write_json(r, w);
    details = jw_strdup(w);
    jw_free(w);
    memset(&a, 0, sizeof(a));
    a.actor = who->actor;
    a.address = who->address;
    a.action = "indicator.publish";
    a.target = r->slug;
    a.details = details;
    store_audit_add(st, &a, &err);
    free(details);
}

/* The latest version's provenance has this method. */
static int
ind_same_method(const char *provenance, const char *method)
{
    yajl_val root, v;
    int      same;

    if (provenance == NULL)
        return 0;
    root = yajl_tree_parse(provenance, NULL, 0);
    v = ind_get(root, "method");
    same = v != NULL && YAJL_IS_STRING(v) && strcmp(v->u.string, method) == 0;
    yajl_tree_free(root);
    return same;
}

/* The slug is free for 'who': new, or already theirs. */
static int
ind_check_owner(struct store *st, const struct ind_who *who, const char *slug,
                struct cm_err *err)
{
    char    origin[16];
    int64_t team;
    int     exists, rc;

    rc = store_dataset_owner(st, slug, &exists, origin, &team, err);
    if (rc != CM_OK || !exists || strcmp(origin, "lua") != 0 ||
        team == who->team)
        return rc;
    return cm_fail(err, CM_ECONFLICT,
                   "indicator.slug: '%s' is published by %s: choose another "
                   "slug",
                   slug, team ? "another team" : "the platform");
}

/* What a new version keeps beside itself: its owner, its script's
** source, the run it came from. */
static int
ind_record(struct store *st, const struct ind_who *who, const char *source,
           size_t len, const struct ind_result *r, struct cm_err *err)
{
    struct store_version v;
    int                  found = 0, rc;

    rc = store_dataset_set_team(st, r->slug, who->team, err);
    if (rc == CM_OK)
        rc = store_script_source_add(st, r->script_sha256, source, len, err);
    if (rc == CM_OK && who->run > 0) {
        memset(&v, 0, sizeof(v));
        rc = store_version_get(st, r->slug, r->version, &v, &found, err);
        if (rc == CM_OK && found)
            rc = store_run_set_published(st, who->run, v.id, err);
        store_version_clear(&v);
    }
    return rc;
}

int
ind_publish(struct store *st, const char *source, size_t len,
            const char *result_json, const char *data_dir, struct ind_result *r,
            struct cm_err *err)
{
    const struct ind_who cli = {0, "cli", NULL, 0};

    return ind_publish_as(st, &cli, source, len, result_json, data_dir, r, err);
}

int
ind_publish_as(struct store *st, const struct ind_who *who, const char *source,
               size_t len, const char *result_json, const char *data_dir,
               struct ind_result *r, struct cm_err *err)
{
    struct ind           d;
    struct store_version latest;
    char                 ebuf[128];
    char                *manifest = NULL, *provenance = NULL;
    yajl_val             root;
    unsigned             kinds = 0;
    int                  rc, found = 0;

    memset(r, 0, sizeof(*r));
    exp_sha256_hex(source, len, r->script_sha256);
    memset(&d, 0, sizeof(d));
    memset(&latest, 0, sizeof(latest));
    ebuf[0] = '\0';
    root = yajl_tree_parse(result_json ? result_json : "", ebuf, sizeof(ebuf));
    if (root == NULL) {
        ebuf[strcspn(ebuf, "\n")] = '\0';
        return cm_fail(err, CM_EINVAL, "the result is not JSON: %s", ebuf);
    }
    rc = ind_parse(root, &d, err);
    if (rc != CM_OK)
        goto out;
    snprintf(r->slug, sizeof(r->slug), "%s", d.slug);
    r->rows = (int64_t) d.nrows;
    rc = ind_digest(&d, r->sha256, err);
    if (rc != CM_OK)
        goto out;
    rc = store_begin(st, err);
    if (rc == CM_OK)
        rc = ind_provenance(st, &d, source, len, &kinds, &provenance, err);
    if (rc == CM_OK)
        rc = ind_manifest(&d, kinds, &manifest, err);
    if (rc == CM_OK)
        rc = store_version_get(st, d.slug, 0, &latest, &found, err);
    if (rc == CM_OK)
        rc = ind_check_owner(st, who, d.slug, err);
    if (rc == CM_OK && found && strcmp(latest.origin, "lua") != 0)
        rc = cm_fail(err, CM_ECONFLICT,
                     "indicator.slug: '%s' is a dataset published from "
                     "readings, not an indicator",
                     d.slug);
    if (rc != CM_OK)
        goto out;
    if (found && strcmp(latest.sha256, r->sha256) == 0 &&
        latest.manifest != NULL && strcmp(latest.manifest, manifest) == 0 &&
        ind_same_method(latest.provenance, d.method)) {
        r->unchanged = 1;
        r->version = latest.number;
        store_rollback(st);
        goto out;
    }
    rc = ind_write(st, &d, manifest, provenance, data_dir, r, err);
    if (rc == CM_OK)
        rc = ind_record(st, who, source, len, r, err);
    if (rc == CM_OK) {
        ind_audit(st, who, r);
        rc = store_commit(st, err);
    }
out:
    if (rc != CM_OK)
        store_rollback(st);
    store_version_clear(&latest);
    free(manifest);
    free(provenance);
    free(d.reads);
    free(d.rows);
    yajl_tree_free(root);
    return rc;
}

void
ind_result_write_json(const struct ind_result *r, struct jw *w)
{
    jw_obj_open(w);
    jw_kv_str(w, "slug", r->slug);
    jw_kv_int(w, "version", r->version);
    jw_kv_bool(w, "unchanged", r->unchanged);
    jw_kv_int(w, "rows", r->rows);
    jw_kv_str(w, "sha256", r->sha256);
    jw_obj_close(w);
}
