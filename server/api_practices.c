/*
** api_practices.c -- the registry over HTTP: search, one sheet with its
** live indicators, create and save (a new revision each time, refused on
** a stale base), revisions, diffs and restores, the moderation workflow,
** reuse, and the exports of the published registry (JSON, CSV, Atom).
**
** Who sees what: the public sees a sheet's published revision, and only
** while the sheet is not archived; whoever may edit a sheet (its editor,
** an editor of its territory, moderators and admins) sees its working
** revision. Anything else answers 404, as if it did not exist.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <yajl/yajl_tree.h>

#include "api.h"
#include "api_cursor.h"
#include "api_harvest.h"
#include "auth.h"
#include "http.h"
#include "jw.h"
#include "md.h"
#include "mem.h"
#include "practice.h"
#include "store_practices.h"
#include "text.h"

#define PR_REVISIONS_MAX 1000 /* Revisions listed */
#define PR_LIVE_ROWS 120      /* Values of a live indicator shown */
#define PR_FILTER_VALUES 20   /* Values of one facet filter */
#define PR_Q_MAX 500          /* Bytes of a search query */
#define PR_COMMENT_MAX 2000   /* Characters of a moderation comment */
#define PR_MESSAGE_MAX 500    /* Characters of a revision message */
#define PR_FEED_ENTRIES 50    /* Entries of the Atom feed */
#define PR_FACET_VALUES 50    /* Values listed per facet */

/* ---- who may do what ---------------------------------------------------- */

static int
pr_role(const struct req *rq, const char *role)
{
    return rq->account.id > 0 && strcmp(rq->account.role, role) == 0;
}

static int
pr_moderates(const struct req *rq)
{
    return pr_role(rq, "moderator") || pr_role(rq, "admin");
}

/* 1 if 'code' is among the JSON array of territory codes 'json'. */
static int
pr_in_list(const char *json, const char *code)
{
    char     ebuf[64];
    yajl_val v = yajl_tree_parse(json, ebuf, sizeof(ebuf));
    int      in = 0;

    for (size_t i = 0; v && YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
        in |= YAJL_IS_STRING(v->u.array.values[i]) &&
              strcmp(v->u.array.values[i]->u.string, code) == 0;
    yajl_tree_free(v);
    return in;
}

/* The caller's territories (an editor's), "[]" when none. */
static void
pr_territories(struct req *rq, char *out, size_t size)
{
    struct cm_err err;

    snprintf(out, size, "[]");
    if (rq->account.id > 0)
        store_account_territories(rq->st, rq->account.id, out, size, &err);
}

/* The author of a sheet not yet made, for pr_may_write. */
#define PR_NEW (-1)

/*
** May the caller write a sheet of territory 'code' whose author is
** 'created_by' (0: the command line; PR_NEW: a sheet being made)?
** Moderators and admins may; an editor may write the sheets they made
** and, when their account lists territories, only new sheets of those
** (any new sheet when it lists none). 0, or the 403 sent.
*/
static int
pr_may_write(struct req *rq, const char *code, int64_t created_by)
{
    char          terr[2048];
    struct cm_err err;

    if (pr_moderates(rq))
        return 0;
    if (pr_role(rq, "editor")) {
        pr_territories(rq, terr, sizeof(terr));
        if (created_by == rq->account.id ||
            (strcmp(terr, "[]") == 0 ? created_by == PR_NEW
                                     : pr_in_list(terr, code)))
            return 0;
        cm_fail(&err, CM_EFORBIDDEN,
                "%s may not write a sheet of territory %s: %s",
                rq->account.name, code,
                strcmp(terr, "[]") == 0
                    ? "an editor writes the sheets they created"
                    : "it is not among the territories of this account");
        cm_err_what(&err, "field", "territory.code");
        return http_reply_error(rq, &err);
    }
    cm_fail(&err, CM_EFORBIDDEN, "the role '%s' may not write sheets",
            rq->account.id ? rq->account.role : "public");
    return http_reply_error(rq, &err);
}

/* 1 if the caller may edit sheet p (so sees its working revision). */
static int
pr_may_edit(struct req *rq, const struct store_practice *p)
{
    char terr[2048];

    if (pr_moderates(rq))
        return 1;
    if (!pr_role(rq, "editor"))
        return 0;
    if (p->created_by == rq->account.id)
        return 1;
    pr_territories(rq, terr, sizeof(terr));
    return strcmp(terr, "[]") != 0 && pr_in_list(terr, p->territory_code);
}

static int
pr_public(const struct store_practice *p)
{
    return p->published_revision > 0 && strcmp(p->state, "archived") != 0;
}

static int pr_not_found(struct req *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
pr_not_found(struct req *rq, const char *fmt, ...)
{
    struct cm_err err;
    char          msg[200];
    va_list       ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cm_fail(&err, CM_ENOTFOUND, "%s", msg);
    cm_err_what(&err, "path", "id");
    return http_reply_error(rq, &err);
}

/* Sheet {id} into *p if the caller may see it (*may_edit: and edit it);
** 0, or the status of the reply sent (404). */
static int
pr_load(struct req *rq, struct store_practice *p, int *may_edit)
{
    int64_t       id = http_id_arg(rq, 0);
    struct cm_err err;
    int           rc;

    *may_edit = 0;
    if (id <= 0)
        return pr_not_found(rq, "no sheet %lld", (long long) id);
    rc = store_practice_get(rq->st, id, p, &err);
    if (rc == CM_ENOTFOUND)
        return pr_not_found(rq, "no sheet %lld", (long long) id);
    if (rc != CM_OK)
        return http_reply_error(rq, &err);
    *may_edit = pr_may_edit(rq, p);
    if (!*may_edit && !pr_public(p))
        return pr_not_found(rq, "no sheet %lld", (long long) id);
    return 0;
}

/* ---- reading a revision ------------------------------------------------- */

struct pr_rev {
    int64_t id, practice, number;
    char   *document, *author, *message, *created_at, *published_at;
};

static int
pr_rev_take(void *ctx, const struct store_practice_revision *r,
            struct cm_err *err)
{
    struct pr_rev *o = ctx;

    (void) err;
    o->id = r->id;
    o->practice = r->practice;
    o->number = r->number;
    o->document = cm_strdup(r->document);
    o->author = cm_strdup(r->author);
    o->message = cm_strdup(r->message);
    o->created_at = cm_strdup(r->created_at);
    o->published_at = cm_strdup(r->published_at);
    return CM_OK;
}

static void
pr_rev_clear(struct pr_rev *r)
{
    free(r->document);
    free(r->author);
    free(r->message);
    free(r->created_at);
    free(r->published_at);
    memset(r, 0, sizeof(*r));
}

/* Revision 'id' of sheet p into *r, if the caller may see it (public:
** only revisions that were published). 0, or the 404 sent. */
static int
pr_rev_load(struct req *rq, const struct store_practice *p, int may_edit,
            int64_t id, struct pr_rev *r)
{
    struct cm_err err;
    int           rc;

    memset(r, 0, sizeof(*r));
    rc = id > 0 ? store_practice_revision_get(rq->st, id, pr_rev_take, r, &err)
                : CM_ENOTFOUND;
    if (rc != CM_OK && rc != CM_ENOTFOUND)
        return http_reply_error(rq, &err);
    if (rc == CM_ENOTFOUND || r->practice != p->id ||
        (!may_edit && r->published_at == NULL)) {
        pr_rev_clear(r);
        return pr_not_found(rq, "sheet %lld has no revision %lld",
                            (long long) p->id, (long long) id);
    }
    return 0;
}

static void
pr_rev_json(struct jw *w, const struct pr_rev *r)
{
    jw_obj_open(w);
    jw_kv_int(w, "id", r->id);
    jw_kv_int(w, "number", r->number);
    jw_kv_str(w, "author", r->author);
    jw_kv_str(w, "created_at", r->created_at);
    jw_kv_str(w, "message", r->message);
    jw_kv_bool(w, "published", r->published_at != NULL);
    jw_kv_str(w, "published_at", r->published_at);
    jw_obj_close(w);
}

/* ---- live indicators ----------------------------------------------------- */

struct pr_obs { /* One value of a live indicator (owned strings) */
    char  *period, *territory, *sector, *kind, *unit, *status;
    int    null;
    double value;
};

struct pr_live {
    struct jw    *w;
    int           n, head; /* Rows kept; the version's head written */
    int           nlatest; /* Rows of the latest period (the first ones) */
    struct pr_obs rows[PR_LIVE_ROWS]; /* Newest period first */
};

static int
pr_live_row(void *ctx, const struct store_practice_live *l, struct cm_err *err)
{
    struct pr_live *c = ctx;
    struct pr_obs  *o;

    (void) err;
    if (!c->head) {
        jw_kv_str(c->w, "title", l->title);
        jw_kv_int(c->w, "version", l->version);
        jw_kv_str(c->w, "published_at", l->published_at);
        c->head = 1;
    }
    if (l->period == NULL || c->n == PR_LIVE_ROWS)
        return CM_OK;
    o = &c->rows[c->n++];
    o->period = cm_strdup(l->period);
    o->territory = cm_strdup(l->territory);
    o->sector = cm_strdup(l->sector);
    o->kind = cm_strdup(l->kind);
    o->unit = cm_strdup(l->unit);
    o->status = cm_strdup(l->status);
    o->null = l->value.type == STORE_NULL;
    o->value = l->value.d;
    if (strcmp(o->period, c->rows[0].period) == 0)
        c->nlatest++;
    return CM_OK;
}

static void
pr_live_clear(struct pr_live *c)
{
    for (int i = 0; i < c->n; i++) {
        struct pr_obs *o = &c->rows[i];

        free(o->period);
        free(o->territory);
        free(o->sector);
        free(o->kind);
        free(o->unit);
        free(o->status);
    }
    c->n = 0;
}

static void
pr_obs_json(struct jw *w, const struct pr_obs *o)
{
    jw_obj_open(w);
    jw_kv_str(w, "period", o->period);
    jw_kv_str(w, "territory", o->territory);
    jw_kv_str(w, "sector", o->sector);
    jw_kv_str(w, "kind", o->kind);
    jw_key(w, "value");
    if (o->null)
        jw_null(w);
    else
        jw_double(w, o->value);
    jw_kv_str(w, "unit", o->unit);
    jw_kv_str(w, "status", o->status);
    jw_obj_close(w);
}

/* {"2026": 12} as [{"year": 2026, "value": 12}], and the value of 'year'
** into *target (*has set) when there is one. */
static void
pr_years(struct jw *w, yajl_val years, const char *year, double *target,
         int *has)
{
    *has = 0;
    jw_arr_open(w);
    for (size_t i = 0;
         years && YAJL_IS_OBJECT(years) && i < years->u.object.len; i++) {
        yajl_val v = years->u.object.values[i];

        jw_obj_open(w);
        jw_kv_int(w, "year", atoi(years->u.object.keys[i]));
        jw_key(w, "value");
        jw_tree(w, v);
        jw_obj_close(w);
        if (year && strcmp(years->u.object.keys[i], year) == 0 &&
            YAJL_IS_NUMBER(v)) {
            *target = YAJL_GET_DOUBLE(v);
            *has = 1;
        }
    }
    jw_arr_close(w);
}

static const char *
pr_str(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val    x = yajl_tree_get(v, path, yajl_t_string);

    return x ? x->u.string : NULL;
}

/* One live link: the latest version's values for its territories. */
static int
pr_live_one(struct req *rq, struct jw *w, yajl_val link, const char *level,
            const char *code, struct cm_err *err)
{
    const char     *tk[] = {"territories", NULL}, *gk[] = {"targets", NULL};
    yajl_val        terr = yajl_tree_get(link, tk, yajl_t_array);
    const char     *slug = pr_str(link, "slug");
    const char     *lvl = pr_str(link, "territory_level");
    const char     *effect = pr_str(link, "effect");
    struct pr_live *c = cm_calloc(1, sizeof(*c));
    struct jw      *tj = jw_new();
    char           *tjson, year[8] = "", url[128];
    double          target = 0;
    int             found = 0, has = 0, rc;

    c->w = w;
    jw_arr_open(tj);
    if (terr)
        for (size_t i = 0; i < terr->u.array.len; i++)
            jw_tree(tj, terr->u.array.values[i]);
    else
        jw_str(tj, code);
    jw_arr_close(tj);
    tjson = jw_strdup(tj);
    jw_free(tj);

    jw_obj_open(w);
    jw_kv_str(w, "slug", slug);
    jw_kv_str(w, "label", pr_str(link, "label"));
    snprintf(url, sizeof(url), "/api/v1/datasets/%s", slug);
    jw_kv_str(w, "url", url);
    jw_kv_str(w, "territory_level", lvl ? lvl : level);
    jw_key(w, "territories");
    jw_json_text(w, tjson);
    jw_kv_str(w, "effect", effect);
    rc = store_practice_live(rq->st, slug, lvl ? lvl : level, tjson,
                             PR_LIVE_ROWS, pr_live_row, c, &found, err);
    free(tjson);
    if (rc != CM_OK) {
        pr_live_clear(c);
        free(c);
        return rc;
    }
    if (!found)
        jw_kv_str(w, "note", "this dataset is no longer published");
    else if (c->n == 0)
        jw_kv_str(w, "note",
                  "no published value for these territories yet: the values "
                  "appear here when a version has them");
    else
        jw_kv_str(w, "unit", c->rows[0].unit);
    jw_key(w, "latest");
    jw_arr_open(w);
    for (int i = 0; i < c->nlatest; i++)
        pr_obs_json(w, &c->rows[i]);
    jw_arr_close(w);
    jw_key(w, "series"); /* Oldest first, as a chart draws it */
    jw_arr_open(w);
    for (int i = c->n - 1; i >= 0; i--)
        pr_obs_json(w, &c->rows[i]);
    jw_arr_close(w);
    if (c->n > 0)
        snprintf(year, sizeof(year), "%.4s", c->rows[0].period);
    jw_key(w, "targets");
    pr_years(w, yajl_tree_get(link, gk, yajl_t_object), year, &target, &has);
    jw_key(w, "target");
    /* Met or not only says something of one value */
    if (has && c->nlatest == 1 && !c->rows[0].null) {
        double v = c->rows[0].value;

        jw_obj_open(w);
        jw_kv_int(w, "year", atoi(year));
        jw_kv_double(w, "value", target);
        jw_kv_double(w, "latest", v);
        jw_key(w, "met");
        if (effect == NULL)
            jw_null(w);
        else
            jw_bool(w, strcmp(effect, "decrease") == 0 ? v <= target
                                                       : v >= target);
        jw_obj_close(w);
    } else
        jw_null(w);
    jw_obj_close(w);
    pr_live_clear(c);
    free(c);
    return CM_OK;
}

/* "live_indicators", "manual_indicators" and "datasets" of a document. */
static int
pr_links(struct req *rq, struct jw *w, yajl_val doc, struct cm_err *err)
{
    const char *ik[] = {"indicators", NULL}, *dk[] = {"datasets", NULL};
    const char *lk[] = {"territory", "level", NULL};
    const char *ck[] = {"territory", "code", NULL};
    yajl_val    inds = yajl_tree_get(doc, ik, yajl_t_array);
    yajl_val    dss = yajl_tree_get(doc, dk, yajl_t_array);
    yajl_val    lv = yajl_tree_get(doc, lk, yajl_t_string);
    yajl_val    cv = yajl_tree_get(doc, ck, yajl_t_string);
    const char *level = lv ? lv->u.string : "", *code = cv ? cv->u.string : "";

    jw_key(w, "live_indicators");
    jw_arr_open(w);
    for (size_t i = 0; inds && i < inds->u.array.len; i++)
        if (pr_str(inds->u.array.values[i], "slug") &&
            pr_live_one(rq, w, inds->u.array.values[i], level, code, err) !=
                CM_OK)
            return err->code;
    jw_arr_close(w);
    jw_key(w, "manual_indicators");
    jw_arr_open(w);
    /* As the document holds them: {"name", "unit", "values", "targets"} */
    for (size_t i = 0; inds && i < inds->u.array.len; i++)
        if (!pr_str(inds->u.array.values[i], "slug"))
            jw_tree(w, inds->u.array.values[i]);
    jw_arr_close(w);
    jw_key(w, "datasets");
    jw_arr_open(w);
    for (size_t i = 0; dss && i < dss->u.array.len; i++) {
        struct pr_live *c = cm_calloc(1, sizeof(*c));
        const char     *slug = YAJL_IS_STRING(dss->u.array.values[i])
                                   ? dss->u.array.values[i]->u.string
                                   : "";
        char            url[128];
        int             found = 0, rc;

        jw_obj_open(w);
        jw_kv_str(w, "slug", slug);
        snprintf(url, sizeof(url), "/api/v1/datasets/%s", slug);
        jw_kv_str(w, "url", url);
        /* title, version, published_at of its latest version */
        c->w = w;
        rc = store_practice_live(rq->st, slug, "", "[]", 1, pr_live_row, c,
                                 &found, err);
        pr_live_clear(c);
        free(c);
        if (rc != CM_OK)
            return rc;
        jw_kv_bool(w, "published", found);
        jw_obj_close(w);
    }
    jw_arr_close(w);
    return CM_OK;
}

/* ---- one sheet ----------------------------------------------------------- */

static void
pr_url(char *out, size_t size, int64_t id)
{
    snprintf(out, size, "/api/v1/practices/%lld", (long long) id);
}

/* The sheet as served: its metadata, the revision r, the document and
** what the document links to, live. */
static int
pr_sheet_json(struct req *rq, struct jw *w, const struct store_practice *p,
              const struct pr_rev *r, int may_edit, struct cm_err *err)
{
    char     ebuf[128], url[64];
    yajl_val doc = yajl_tree_parse(r->document, ebuf, sizeof(ebuf));
    int      rc;

    pr_url(url, sizeof(url), p->id);
    jw_obj_open(w);
    jw_kv_int(w, "id", p->id);
    jw_kv_str(w, "url", url);
    /* The public sees a published sheet, whatever is being drafted */
    jw_kv_str(w, "state", may_edit ? p->state : "published");
    jw_key(w, "revision");
    pr_rev_json(w, r);
    jw_kv_pos(w, "published_revision", p->published_revision);
    jw_kv_int(w, "current_revision", may_edit ? p->current_revision : r->id);
    jw_kv_str(w, "created_at", p->created_at);
    jw_kv_str(w, "updated_at", may_edit ? p->updated_at : r->created_at);
    jw_kv_str(w, "published_at", p->published_at[0] ? p->published_at : NULL);
    jw_key(w, "origin");
    if (p->origin > 0) {
        char ou[64];

        pr_url(ou, sizeof(ou), p->origin);
        jw_obj_open(w);
        jw_kv_int(w, "id", p->origin);
        jw_kv_int(w, "revision", p->origin_revision);
        jw_kv_str(w, "title", p->origin_title);
        jw_kv_str(w, "url", ou);
        jw_obj_close(w);
    } else
        jw_null(w);
    jw_kv_int(w, "reuses", p->reuses);
    /* What this caller may do with the sheet, so that a page offers only
    ** those actions (the routes still check, whatever a page offers). */
    jw_key(w, "may");
    jw_obj_open(w);
    jw_kv_bool(w, "edit", pr_may_edit(rq, p));
    jw_kv_bool(w, "moderate", pr_moderates(rq));
    jw_obj_close(w);
    {
        const char *tk[] = {"territory", NULL};

        jw_key(w, "territory");
        jw_tree(w, yajl_tree_get(doc, tk, yajl_t_object));
    }
    jw_key(w, "document");
    jw_tree(w, doc);
    if (query_get(&rq->q, "render") != NULL) {
        jw_key(w, "html");
        practice_html(r->document, w);
    }
    rc = pr_links(rq, w, doc, err);
    jw_obj_close(w);
    yajl_tree_free(doc);
    return rc;
}

static int
pr_check_render(struct req *rq)
{
    const char   *v = query_get(&rq->q, "render");
    struct cm_err err;

    if (v == NULL || strcmp(v, "html") == 0)
        return 0;
    cm_fail(&err, CM_EINVAL, "render: only 'html' is known");
    cm_err_what(&err, "param", "render");
    return http_reply_error(rq, &err);
}

/* Reply with sheet p at revision 'rev_id' (status 200 or 201). */
static int
pr_reply_sheet(struct req *rq, int status, const struct store_practice *p,
               int64_t rev_id, int may_edit)
{
    struct pr_rev r;
    struct cm_err err;
    struct jw    *w;
    char          etag[40], loc[64];
    const char   *hdrs[] = {"ETag", etag, "Location", loc, NULL};
    int           rc;

    if ((rc = pr_rev_load(rq, p, 1, rev_id, &r)) != 0)
        return rc;
    snprintf(etag, sizeof(etag), "\"%lld\"", (long long) r.id);
    pr_url(loc, sizeof(loc), p->id);
    if (status != 201)
        hdrs[2] = NULL;
    w = jw_new();
    /* One snapshot for the sheet and every value it shows */
    rc = store_begin_read(rq->st, &err);
    if (rc == CM_OK)
        rc = pr_sheet_json(rq, w, p, &r, may_edit, &err);
    store_rollback(rq->st);
    if (rc != CM_OK) {
        jw_free(w);
        pr_rev_clear(&r);
        return http_reply_error(rq, &err);
    }
    rc = http_reply_json_with(rq, status, w, hdrs);
    jw_free(w);
    pr_rev_clear(&r);
    return rc;
}

int
api_practice_show(struct req *rq)
{
    struct store_practice p;
    int                   may_edit, rc;

    const char   *which = query_get(&rq->q, "revision");
    struct cm_err err;

    if ((rc = pr_check_render(rq)) != 0 || (rc = pr_load(rq, &p, &may_edit)))
        return rc;
    if (which && strcmp(which, "current") && strcmp(which, "published")) {
        cm_fail(&err, CM_EINVAL,
                "revision: current (the working one, for whoever may edit "
                "the sheet; the default) or published");
        cm_err_what(&err, "param", "revision");
        return http_reply_error(rq, &err);
    }
    /* Whoever may edit sees the working revision, or the public one when
    ** asked; the public sees the published one, whatever it asks */
    if (may_edit && which && strcmp(which, "published") == 0) {
        if (!pr_public(&p))
            return pr_not_found(rq, "sheet %lld has no public revision",
                                (long long) p.id);
        may_edit = 0;
    }
    return pr_reply_sheet(rq, 200, &p,
                          may_edit ? p.current_revision : p.published_revision,
                          may_edit);
}

/* ---- writing --------------------------------------------------------------
 */

/* The body of a write: read (at most registry.body_max) and parsed. */
static int
pr_body(struct req *rq, yajl_val *out, int optional, struct cm_err *err)
{
    struct cm_buf body;
    const char   *ctype = mg_get_header(rq->conn, "Content-Type");
    char          ebuf[160];
    int           guard;

    *out = NULL;
    cm_buf_init(&body);
    if (http_read_body(rq, rq->cfg->registry_body_max, "registry.body_max",
                       &body, err) != CM_OK) {
        cm_buf_clear(&body);
        return err->code;
    }
    if (body.len == 0 && optional) {
        cm_buf_clear(&body);
        return CM_OK;
    }
    if (ctype == NULL || strncmp(ctype, "application/json", 16) != 0) {
        cm_buf_clear(&body);
        return cm_fail(err, CM_EMEDIA, "send the sheet as application/json");
    }
    guard = cm_json_guard(body.data, body.len, CM_JSON_DEPTH_MAX);
    if (guard == 1) {
        cm_buf_clear(&body);
        cm_fail(err, CM_EUNPROCESSABLE,
                "a sheet's text may not hold a NUL character (\\u0000)");
        cm_err_what(err, "field", "document");
        return err->code;
    }
    *out =
        guard ? NULL
              : yajl_tree_parse(body.data ? body.data : "", ebuf, sizeof(ebuf));
    cm_buf_clear(&body);
    if (*out == NULL || !YAJL_IS_OBJECT(*out)) {
        yajl_tree_free(*out);
        *out = NULL;
        if (guard)
            return cm_fail(err, CM_EMALFORMED,
                           "the JSON nests deeper than %d levels",
                           CM_JSON_DEPTH_MAX);
        ebuf[strcspn(ebuf, "\n")] = '\0';
        return cm_fail(err, CM_EMALFORMED, "the body must be a JSON object");
    }
    return CM_OK;
}

/* The wrapper's fields {"document", "message", "base_revision"}, or the
** body is the document itself. */
struct pr_write {
    yajl_val    body, doc;
    const char *message;
    int64_t     base; /* 0: none given */
};

static int
pr_write_parse(struct req *rq, yajl_val body, int with_document,
               struct pr_write *o, struct cm_err *err)
{
    const char *dk[] = {"document", NULL}, *mk[] = {"message", NULL};
    const char *bk[] = {"base_revision", NULL};
    const char *im = mg_get_header(rq->conn, "If-Match");
    yajl_val    d = yajl_tree_get(body, dk, yajl_t_any);

    memset(o, 0, sizeof(*o));
    o->body = body;
    o->doc = body;
    /* No sheet has these keys: a body with one of them is the wrapper */
    if (d != NULL || yajl_tree_get(body, mk, yajl_t_any) ||
        yajl_tree_get(body, bk, yajl_t_any)) {
        if (with_document && (d == NULL || !YAJL_IS_OBJECT(d))) {
            cm_fail(err, CM_EUNPROCESSABLE,
                    "document: the sheet, a JSON object, goes beside "
                    "\"message\" and \"base_revision\"");
            cm_err_what(err, "field", "document");
            return err->code;
        }
        yajl_val m = yajl_tree_get(body, mk, yajl_t_any);
        yajl_val b = yajl_tree_get(body, bk, yajl_t_any);

        for (size_t i = 0; i < body->u.object.len; i++) {
            const char *k = body->u.object.keys[i];

            if (strcmp(k, "document") && strcmp(k, "message") &&
                strcmp(k, "base_revision")) {
                cm_fail(err, CM_EUNPROCESSABLE,
                        "unknown field '%.60s' beside \"document\"", k);
                cm_err_what(err, "field", k);
                return err->code;
            }
        }
        if (m && !YAJL_IS_NULL(m) &&
            (!YAJL_IS_STRING(m) || strlen(m->u.string) > PR_MESSAGE_MAX ||
             strpbrk(m->u.string, "\r\n\t") != NULL)) {
            cm_fail(err, CM_EUNPROCESSABLE,
                    "message: one line of at most %d bytes", PR_MESSAGE_MAX);
            cm_err_what(err, "field", "message");
            return err->code;
        }
        if (b && !YAJL_IS_NULL(b) &&
            (!YAJL_IS_INTEGER(b) || b->u.number.i < 1)) {
            cm_fail(err, CM_EUNPROCESSABLE,
                    "base_revision: the id of the revision the edit "
                    "started from");
            cm_err_what(err, "field", "base_revision");
            return err->code;
        }
        o->doc = d;
        o->message = m && YAJL_IS_STRING(m) ? m->u.string : NULL;
        o->base = b && YAJL_IS_INTEGER(b) ? b->u.number.i : 0;
    }
    if (im != NULL) {
        /* If-Match: "12" (the ETag of GET), or 12 */
        const char *p = im + (im[0] == '"');
        int64_t     v = 0;

        while (*p >= '0' && *p <= '9' && v < (INT64_MAX / 10))
            v = v * 10 + (*p++ - '0');
        if (v < 1 || !(*p == '\0' || (*p == '"' && p[1] == '\0'))) {
            cm_fail(err, CM_EINVAL,
                    "If-Match: the ETag of the revision the edit started "
                    "from, e.g. \"12\"");
            cm_err_what(err, "header", "If-Match");
            return err->code;
        }
        if (o->base == 0)
            o->base = v;
    }
    return CM_OK;
}

/* Validate a document; the 422 naming every failing field on failure. */
static int
pr_doc_reply(struct req *rq, yajl_val doc, int64_t self,
             struct practice_doc *out)
{
    struct practice_errs   errs;
    struct cm_err          err;
    struct http_error_opts o = {NULL, practice_errs_details, NULL, &errs};

    if (practice_doc_check(rq->st, doc, self, out, &errs, &err) == CM_OK)
        return 0;
    return http_reply_error_opts(rq, &err, errs.n ? &o : NULL);
}

/* End the transaction that made sheet 'id' (rc: how it went so far) and
** answer 201 with the sheet at its first revision. */
static int
pr_created(struct req *rq, int rc, struct cm_err *err, int64_t id, int64_t rev)
{
    struct store_practice p;

    if (rc == CM_OK)
        rc = store_commit(rq->st, err);
    if (rc != CM_OK) {
        store_rollback(rq->st);
        return http_reply_error(rq, err);
    }
    if (store_practice_get(rq->st, id, &p, err) != CM_OK)
        return http_reply_error(rq, err);
    return pr_reply_sheet(rq, 201, &p, rev, 1);
}

int
api_practices_create(struct req *rq)
{
    struct cm_err                  err;
    struct pr_write                wr;
    struct practice_doc            doc;
    struct store_practice_revision rev;
    yajl_val                       body;
    int64_t                        id = 0;
    int                            rc;

    if (pr_body(rq, &body, 0, &err) != CM_OK)
        return http_reply_error(rq, &err);
    if (pr_write_parse(rq, body, 1, &wr, &err) != CM_OK) {
        yajl_tree_free(body);
        return http_reply_error(rq, &err);
    }
    if ((rc = pr_doc_reply(rq, wr.doc, 0, &doc)) != 0) {
        yajl_tree_free(body);
        return rc;
    }
    if ((rc = pr_may_write(rq, doc.m.territory_code, PR_NEW)) != 0) {
        practice_doc_clear(&doc);
        yajl_tree_free(body);
        return rc;
    }
    rc = store_begin(rq->st, &err);
    if (rc == CM_OK) {
        struct practice_author a = {rq->account.id, rq->account.name,
                                    rq->ri->remote_addr};

        rc = practice_create(rq->st, &doc, &a,
                             wr.message ? wr.message : "created", 0, 0, &id,
                             &rev, &err);
    }
    practice_doc_clear(&doc);
    yajl_tree_free(body);
    return pr_created(rq, rc, &err, id, rev.id);
}

/* The 409 of a stale save: the current revision, whole, in details. */
static void
pr_stale_details(struct jw *w, const void *arg)
{
    const struct pr_rev *cur = arg;

    jw_obj_open(w);
    jw_kv_int(w, "current_revision", cur->id);
    jw_kv_int(w, "current_number", cur->number);
    jw_kv_str(w, "author", cur->author);
    jw_kv_str(w, "created_at", cur->created_at);
    jw_key(w, "revision");
    jw_json_text(w, cur->document);
    jw_obj_close(w);
}

/*
** Save 'docv' as a new revision of sheet p (PUT, restore). Needs a base
** (428 without), refuses a stale one (409 with the current revision).
*/
static int
pr_save(struct req *rq, struct store_practice *p, yajl_val docv, int64_t base,
        const char *message, const char *action, struct jw *details)
{
    struct cm_err                  err;
    struct practice_doc            doc;
    struct store_practice_revision rev;
    const char                    *state = NULL;
    char                           at[32];
    int                            rc;

    /* Checked inside the write transaction: of two saves on the same
    ** base, the second sees the first's revision and gets its 409 */
    if (store_begin(rq->st, &err) != CM_OK ||
        store_practice_get(rq->st, p->id, p, &err) != CM_OK) {
        store_rollback(rq->st);
        return http_reply_error(rq, &err);
    }
    if (strcmp(p->state, "archived") == 0) {
        store_rollback(rq->st);
        cm_fail(&err, CM_ECONFLICT,
                "sheet %lld is archived: a moderator reopens it before it "
                "is edited",
                (long long) p->id);
        cm_err_what(&err, "field", "state");
        return http_reply_error(rq, &err);
    }
    if (base == 0) {
        store_rollback(rq->st);
        cm_fail(&err, CM_EPRECONDITION,
                "say which revision the edit started from: If-Match: "
                "\"%lld\" (the ETag of GET) or \"base_revision\": %lld",
                (long long) p->current_revision,
                (long long) p->current_revision);
        cm_err_what(&err, "header", "If-Match");
        return http_reply_error(rq, &err);
    }
    if (base != p->current_revision) {
        struct pr_rev          cur;
        struct http_error_opts o = {NULL, pr_stale_details, NULL, &cur};

        rc = pr_rev_load(rq, p, 1, p->current_revision, &cur);
        store_rollback(rq->st);
        if (rc != 0)
            return rc;
        cm_fail(&err, CM_ECONFLICT,
                "revision %lld is not the current one (%lld, by %s at %s): "
                "merge your edit into it and save again",
                (long long) base, (long long) cur.id, cur.author,
                cur.created_at);
        cm_err_what(&err, "field", "base_revision");
        rc = http_reply_error_opts(rq, &err, &o);
        pr_rev_clear(&cur);
        return rc;
    }
    if ((rc = pr_doc_reply(rq, docv, p->id, &doc)) != 0) {
        store_rollback(rq->st);
        return rc;
    }
    /* Moving the sheet to another territory needs the right to both */
    if (strcmp(doc.m.territory_code, p->territory_code) != 0 &&
        (rc = pr_may_write(rq, doc.m.territory_code, PR_NEW)) != 0) {
        store_rollback(rq->st);
        practice_doc_clear(&doc);
        return rc;
    }
    /* A published sheet's edit is a new draft (the public keeps the
    ** published revision); an editor's edit of a sheet in review takes it
    ** back to draft, a moderator's keeps it in review. */
    if (strcmp(p->state, "published") == 0 ||
        (strcmp(p->state, "in_review") == 0 && !pr_moderates(rq)))
        state = "draft";
    rc = store_practice_revision_add(
        rq->st, p->id, doc.json, doc.m.territory_level, doc.m.territory_code,
        rq->account.name, message, state, &rev, at, &err);
    if (rc == CM_OK)
        rc = practice_index_put(rq->st, p->id, 1, rev.id,
                                state ? state : p->state, at, p->created_by,
                                &doc, &err);
    if (rc == CM_OK && state && strcmp(p->state, state) != 0) {
        struct store_practice_event e = {
            at, rq->account.name, "edit", p->state, state, NULL, rev.id};

        rc = store_practice_event_add(rq->st, p->id, &e, &err);
    }
    if (rc == CM_OK)
        rc = practice_audit(rq->st, rq->account.name, rq->ri->remote_addr,
                            action, p->id, details, &err);
    if (rc == CM_OK)
        rc = store_commit(rq->st, &err);
    practice_doc_clear(&doc);
    if (rc != CM_OK) {
        store_rollback(rq->st);
        return http_reply_error(rq, &err);
    }
    if (store_practice_get(rq->st, p->id, p, &err) != CM_OK)
        return http_reply_error(rq, &err);
    return pr_reply_sheet(rq, 200, p, rev.id, 1);
}

/* Load sheet {id} for a write: 404 if unseen, 403 if the caller may not
** edit it. */
static int
pr_load_for_write(struct req *rq, struct store_practice *p)
{
    int64_t       id = http_id_arg(rq, 0);
    struct cm_err err;
    int           rc;

    /* A writer is told they may not (403) rather than that the sheet
    ** does not exist: the route is one only writers reach */
    rc = id > 0 ? store_practice_get(rq->st, id, p, &err) : CM_ENOTFOUND;
    if (rc == CM_ENOTFOUND)
        return pr_not_found(rq, "no sheet %lld", (long long) id);
    if (rc != CM_OK)
        return http_reply_error(rq, &err);
    if (!pr_may_edit(rq, p))
        return pr_may_write(rq, p->territory_code, p->created_by);
    return 0;
}

int
api_practice_update(struct req *rq)
{
    struct store_practice p;
    struct pr_write       wr;
    struct cm_err         err;
    yajl_val              body;
    int                   rc;

    if ((rc = pr_load_for_write(rq, &p)) != 0)
        return rc;
    if (pr_body(rq, &body, 0, &err) != CM_OK)
        return http_reply_error(rq, &err);
    if (pr_write_parse(rq, body, 1, &wr, &err) != CM_OK) {
        yajl_tree_free(body);
        return http_reply_error(rq, &err);
    }
    rc = pr_save(rq, &p, wr.doc, wr.base, wr.message, "practice.update", NULL);
    yajl_tree_free(body);
    return rc;
}

/* ---- revisions ------------------------------------------------------------
 */

struct pr_list {
    struct jw *w;
};

static int
pr_rev_row(void *ctx, const struct store_practice_revision *r,
           struct cm_err *err)
{
    struct pr_rev o = {r->id,
                       r->practice,
                       r->number,
                       NULL,
                       (char *) r->author,
                       (char *) r->message,
                       (char *) r->created_at,
                       (char *) r->published_at};

    (void) err;
    pr_rev_json(ctx, &o);
    return CM_OK;
}

int
api_practice_revisions(struct req *rq)
{
    struct store_practice p;
    struct cm_err         err;
    struct jw            *w;
    int                   may_edit, rc;

    if ((rc = pr_load(rq, &p, &may_edit)) != 0)
        return rc;
    w = jw_new();
    jw_obj_open(w);
    jw_kv_int(w, "practice", p.id);
    jw_key(w, "revisions");
    jw_arr_open(w);
    if (store_practice_revisions_each(rq->st, p.id, !may_edit, PR_REVISIONS_MAX,
                                      pr_rev_row, w, &err) != CM_OK) {
        jw_free(w);
        return http_reply_error(rq, &err);
    }
    jw_arr_close(w);
    jw_obj_close(w);
    rc = http_reply_json(rq, 200, w);
    jw_free(w);
    return rc;
}

int
api_practice_revision(struct req *rq)
{
    struct store_practice p;
    struct pr_rev         r;
    struct jw            *w;
    int                   may_edit, rc;

    if ((rc = pr_check_render(rq)) != 0 || (rc = pr_load(rq, &p, &may_edit)) ||
        (rc = pr_rev_load(rq, &p, may_edit, http_id_arg(rq, 1), &r)))
        return rc;
    w = jw_new();
    jw_obj_open(w);
    jw_kv_int(w, "practice", p.id);
    jw_key(w, "revision");
    pr_rev_json(w, &r);
    jw_key(w, "document");
    jw_json_text(w, r.document);
    if (query_get(&rq->q, "render") != NULL) {
        jw_key(w, "html");
        practice_html(r.document, w);
    }
    jw_obj_close(w);
    rc = http_reply_json(rq, 200, w);
    jw_free(w);
    pr_rev_clear(&r);
    return rc;
}

int
api_practice_diff(struct req *rq)
{
    struct store_practice p;
    struct pr_rev         a, b;
    struct cm_err         err;
    struct jw            *w;
    int                   may_edit, rc;

    if ((rc = pr_load(rq, &p, &may_edit)) != 0 ||
        (rc = pr_rev_load(rq, &p, may_edit, http_id_arg(rq, 1), &a)))
        return rc;
    if ((rc = pr_rev_load(rq, &p, may_edit, http_id_arg(rq, 2), &b)) != 0) {
        pr_rev_clear(&a);
        return rc;
    }
    w = jw_new();
    jw_obj_open(w);
    jw_kv_int(w, "practice", p.id);
    jw_key(w, "from");
    pr_rev_json(w, &a);
    jw_key(w, "to");
    pr_rev_json(w, &b);
    jw_key(w, "changes");
    rc = practice_diff(a.document, b.document, w, &err);
    jw_obj_close(w);
    rc = rc == CM_OK ? http_reply_json(rq, 200, w) : http_reply_error(rq, &err);
    jw_free(w);
    pr_rev_clear(&a);
    pr_rev_clear(&b);
    return rc;
}

int
api_practice_restore(struct req *rq)
{
    struct store_practice p;
    struct pr_rev         r;
    struct pr_write       wr;
    struct cm_err         err;
    yajl_val              body, doc;
    struct jw            *details;
    char                  msg[64], ebuf[128];
    int                   rc;

    if ((rc = pr_load_for_write(rq, &p)) != 0 ||
        (rc = pr_rev_load(rq, &p, 1, http_id_arg(rq, 1), &r)))
        return rc;
    if (pr_body(rq, &body, 1, &err) != CM_OK) {
        pr_rev_clear(&r);
        return http_reply_error(rq, &err);
    }
    /* The document is the old revision's: the body says only why */
    for (size_t i = 0; body && i < body->u.object.len; i++)
        if (strcmp(body->u.object.keys[i], "message") &&
            strcmp(body->u.object.keys[i], "base_revision")) {
            cm_fail(&err, CM_EUNPROCESSABLE,
                    "unknown field '%.60s': a restore takes \"message\" and "
                    "\"base_revision\"",
                    body->u.object.keys[i]);
            cm_err_what(&err, "field", body->u.object.keys[i]);
            yajl_tree_free(body);
            pr_rev_clear(&r);
            return http_reply_error(rq, &err);
        }
    rc = pr_write_parse(rq, body, 0, &wr, &err);
    if (rc != CM_OK) {
        yajl_tree_free(body);
        pr_rev_clear(&r);
        return http_reply_error(rq, &err);
    }
    snprintf(msg, sizeof(msg), "restore of revision %lld",
             (long long) r.number);
    details = jw_new();
    jw_obj_open(details);
    jw_kv_int(details, "restored", r.id);
    jw_obj_close(details);
    doc = yajl_tree_parse(r.document, ebuf, sizeof(ebuf));
    rc = pr_save(rq, &p, doc, wr.base, wr.message ? wr.message : msg,
                 "practice.restore", details);
    jw_free(details);
    yajl_tree_free(doc);
    yajl_tree_free(body);
    pr_rev_clear(&r);
    return rc;
}

/* ---- moderation --------------------------------------------------------- */

static int
pr_event_row(void *ctx, const struct store_practice_event *e,
             struct cm_err *err)
{
    struct jw *w = ctx;

    (void) err;
    jw_obj_open(w);
    jw_kv_str(w, "at", e->at);
    jw_kv_str(w, "actor", e->actor);
    jw_kv_str(w, "action", e->action);
    jw_kv_str(w, "from", e->from);
    jw_kv_str(w, "to", e->to);
    jw_kv_pos(w, "revision", e->revision);
    jw_kv_str(w, "comment", e->comment);
    jw_obj_close(w);
    return CM_OK;
}

int
api_practice_history(struct req *rq)
{
    struct store_practice p;
    struct cm_err         err;
    struct jw            *w;
    int                   rc;

    if ((rc = pr_load_for_write(rq, &p)) != 0)
        return rc;
    w = jw_new();
    jw_obj_open(w);
    jw_kv_int(w, "practice", p.id);
    jw_kv_str(w, "state", p.state);
    jw_key(w, "history");
    jw_arr_open(w);
    if (store_practice_events_each(rq->st, p.id, pr_event_row, w, &err) !=
        CM_OK) {
        jw_free(w);
        return http_reply_error(rq, &err);
    }
    jw_arr_close(w);
    jw_obj_close(w);
    rc = http_reply_json(rq, 200, w);
    jw_free(w);
    return rc;
}

/* The optional body of a transition: {"comment": "..."}. */
static int
pr_comment(struct req *rq, char **comment, struct cm_err *err)
{
    yajl_val body;

    *comment = NULL;
    if (pr_body(rq, &body, 1, err) != CM_OK)
        return err->code;
    for (size_t i = 0; body && i < body->u.object.len; i++) {
        const char *k = body->u.object.keys[i];
        yajl_val    v = body->u.object.values[i];

        if (strcmp(k, "comment") != 0) {
            cm_fail(err, CM_EUNPROCESSABLE,
                    "unknown field '%.60s': a transition takes a "
                    "\"comment\" only",
                    k);
            cm_err_what(err, "field", k);
            break;
        }
        if (YAJL_IS_NULL(v))
            continue;
        if (!YAJL_IS_STRING(v) || cm_utf8_chars(v->u.string) > PR_COMMENT_MAX) {
            cm_fail(err, CM_EUNPROCESSABLE,
                    "comment: text of at most %d characters", PR_COMMENT_MAX);
            cm_err_what(err, "field", "comment");
            break;
        }
        free(*comment);
        *comment = cm_strdup(v->u.string);
    }
    yajl_tree_free(body);
    if (err->code != CM_OK && err->code != 0) {
        free(*comment);
        *comment = NULL;
        return err->code;
    }
    return CM_OK;
}

int
api_practice_transition(struct req *rq)
{
    const char                       *last = strrchr(rq->path, '/') + 1;
    const struct practice_transition *t = practice_transition_find(last);
    struct store_practice             p;
    struct cm_err                     err = {0};
    char                             *comment = NULL, at[32];
    int                               rc;

    if (t == NULL) /* routes.c lists only known transitions */
        return pr_not_found(rq, "no transition %s", last);
    if ((rc = pr_load_for_write(rq, &p)) != 0)
        return rc;
    if (!(auth_role_bit(rq->account.role) & t->roles)) {
        cm_fail(&err, CM_EFORBIDDEN, "the role '%s' may not %s a sheet",
                rq->account.role, t->name);
        return http_reply_error(rq, &err);
    }
    if (pr_comment(rq, &comment, &err) != CM_OK)
        return http_reply_error(rq, &err);
    if (t->needs_comment &&
        (comment == NULL || comment[strspn(comment, " \t\r\n")] == '\0')) {
        cm_fail(&err, CM_EUNPROCESSABLE,
                "comment: say what to change before it is submitted again");
        cm_err_what(&err, "field", "comment");
        free(comment);
        return http_reply_error(rq, &err);
    }
    practice_now(at);
    rc = store_begin(rq->st, &err);
    /* The state is read again in the transaction: of two moves at once,
    ** the second sees the first's */
    if (rc == CM_OK)
        rc = store_practice_get(rq->st, p.id, &p, &err);
    if (rc == CM_OK &&
        (strcmp(t->from, "*") == 0
             ? strcmp(p.state, t->to) == 0 || p.published_revision <= 0
             : strcmp(p.state, t->from) != 0)) {
        store_rollback(rq->st);
        cm_fail(&err, CM_ECONFLICT,
                "sheet %lld is %s: '%s' moves a sheet that is %s",
                (long long) p.id, p.state, t->name,
                strcmp(t->from, "*") == 0 ? "published, and not archived"
                                          : t->from);
        cm_err_what(&err, "field", "state");
        free(comment);
        return http_reply_error(rq, &err);
    }
    if (rc == CM_OK)
        rc = practice_apply(rq->st, &p, t, rq->account.name,
                            rq->ri->remote_addr, comment, at, &err);
    if (rc == CM_OK)
        rc = store_commit(rq->st, &err);
    free(comment);
    if (rc != CM_OK) {
        store_rollback(rq->st);
        return http_reply_error(rq, &err);
    }
    if (store_practice_get(rq->st, p.id, &p, &err) != CM_OK)
        return http_reply_error(rq, &err);
    return pr_reply_sheet(rq, 200, &p, p.current_revision, 1);
}

/* ---- reuse -----------------------------------------------------------------
 */

int
api_practice_reuse(struct req *rq)
{
    struct store_practice          p;
    struct store_practice_revision rev;
    struct practice_doc            doc;
    struct pr_rev                  r;
    struct cm_err                  err;
    struct jw                     *w;
    yajl_val                       body, src, tree;
    const char                    *tk[] = {"territory", NULL};
    char                           ebuf[128], msg[96];
    char                          *json;
    int64_t                        id = 0;
    int                            may_edit, rc;

    if ((rc = pr_load(rq, &p, &may_edit)) != 0)
        return rc;
    if (!pr_public(&p))
        return pr_not_found(rq,
                            "sheet %lld is not published: only a published "
                            "sheet is reused",
                            (long long) p.id);
    if (pr_body(rq, &body, 0, &err) != CM_OK)
        return http_reply_error(rq, &err);
    for (size_t i = 0; i < body->u.object.len; i++)
        if (strcmp(body->u.object.keys[i], "territory") != 0) {
            cm_fail(&err, CM_EUNPROCESSABLE,
                    "unknown field '%.60s': reuse takes the new sheet's "
                    "\"territory\"",
                    body->u.object.keys[i]);
            cm_err_what(&err, "field", body->u.object.keys[i]);
            yajl_tree_free(body);
            return http_reply_error(rq, &err);
        }
    if ((rc = pr_rev_load(rq, &p, 0, p.published_revision, &r)) != 0) {
        yajl_tree_free(body);
        return rc;
    }
    /* The origin's published document with the new territory */
    src = yajl_tree_parse(r.document, ebuf, sizeof(ebuf));
    w = jw_new();
    jw_obj_open(w);
    for (size_t i = 0; src && i < src->u.object.len; i++)
        if (strcmp(src->u.object.keys[i], "territory") != 0) {
            jw_key(w, src->u.object.keys[i]);
            jw_tree(w, src->u.object.values[i]);
        }
    if (yajl_tree_get(body, tk, yajl_t_any)) {
        jw_key(w, "territory");
        jw_tree(w, yajl_tree_get(body, tk, yajl_t_any));
    }
    jw_obj_close(w);
    json = jw_strdup(w);
    jw_free(w);
    yajl_tree_free(src);
    yajl_tree_free(body);
    tree = yajl_tree_parse(json ? json : "", ebuf, sizeof(ebuf));
    free(json);
    if ((rc = pr_doc_reply(rq, tree, 0, &doc)) != 0 ||
        (rc = pr_may_write(rq, doc.m.territory_code, PR_NEW)) != 0) {
        if (doc.json)
            practice_doc_clear(&doc);
        yajl_tree_free(tree);
        pr_rev_clear(&r);
        return rc;
    }
    snprintf(msg, sizeof(msg), "reuse of sheet %lld, revision %lld",
             (long long) p.id, (long long) r.number);
    rc = store_begin(rq->st, &err);
    if (rc == CM_OK) {
        struct practice_author a = {rq->account.id, rq->account.name,
                                    rq->ri->remote_addr};

        rc =
            practice_create(rq->st, &doc, &a, msg, p.id, r.id, &id, &rev, &err);
    }
    practice_doc_clear(&doc);
    yajl_tree_free(tree);
    pr_rev_clear(&r);
    return pr_created(rq, rc, &err, id, rev.id);
}

/* ---- search
 * ------------------------------------------------------------------ */

struct pr_search {
    struct jw       *w;  /* The answer */
    struct jw       *fw; /* The facets, written as they come, then moved */
    int              n, limit, with_score;
    int64_t          last_id;
    struct store_val last_key;
    char            *last_text;
    char             facet[24];
    int              nvalues, next_facet;
};

static int
pr_hit(void *ctx, const struct store_practice_hit *h, struct cm_err *err)
{
    struct pr_search *s = ctx;
    char              ebuf[64], url[64];
    yajl_val          hit;

    (void) err;
    s->n++;
    if (s->n > s->limit)
        return CM_OK; /* The one past the page: there is a next */
    hit = yajl_tree_parse(h->hit, ebuf, sizeof(ebuf));
    pr_url(url, sizeof(url), h->id);
    jw_obj_open(s->w);
    jw_kv_int(s->w, "id", h->id);
    jw_kv_str(s->w, "url", url);
    jw_kv_str(s->w, "state", h->state);
    jw_kv_int(s->w, "revision", h->revision);
    jw_kv_str(s->w, "at", h->at);
    jw_kv_int(s->w, "reuses", h->reuses);
    if (s->with_score)
        jw_kv_double(s->w, "score", -h->score);
    for (size_t i = 0; hit && YAJL_IS_OBJECT(hit) && i < hit->u.object.len;
         i++) {
        jw_key(s->w, hit->u.object.keys[i]);
        jw_tree(s->w, hit->u.object.values[i]);
    }
    jw_obj_close(s->w);
    yajl_tree_free(hit);
    s->last_id = h->id;
    s->last_key = h->key;
    free(s->last_text);
    s->last_text = NULL;
    if (h->key.type == STORE_TEXT) {
        s->last_text = cm_strndup(h->key.s, h->key.n);
        s->last_key.s = s->last_text;
    }
    return CM_OK;
}

/* Facet names in the order the counts come (the SQL sorts by name). */
static const char *const pr_facet_order[] = {
    "impact",          "sector", "status", "territory",
    "territory_level", "theme",  NULL};

/* Write the facets before 'upto' (NULL: all left) that had no value. */
static void
pr_facets_empty(struct pr_search *s, const char *upto)
{
    while (pr_facet_order[s->next_facet] &&
           (upto == NULL || strcmp(pr_facet_order[s->next_facet], upto) != 0)) {
        jw_key(s->fw, pr_facet_order[s->next_facet++]);
        jw_arr_open(s->fw);
        jw_arr_close(s->fw);
    }
    if (pr_facet_order[s->next_facet])
        s->next_facet++;
}

static int
pr_count(void *ctx, const char *facet, const char *value, int64_t count,
         struct cm_err *err)
{
    struct pr_search *s = ctx;

    (void) err;
    if (strcmp(facet, s->facet) != 0) {
        if (s->facet[0])
            jw_arr_close(s->fw);
        pr_facets_empty(s, facet);
        snprintf(s->facet, sizeof(s->facet), "%s", facet);
        jw_key(s->fw, facet);
        jw_arr_open(s->fw);
        s->nvalues = 0;
    }
    if (s->nvalues++ >= PR_FACET_VALUES)
        return CM_OK;
    jw_obj_open(s->fw);
    jw_kv_str(s->fw, "value", value);
    jw_kv_int(s->fw, "count", count);
    jw_obj_close(s->fw);
    return CM_OK;
}

/* A comma-separated filter as a JSON array of its values into *out
** (owned; NULL when absent). 0, or the 400 sent. */
static int
pr_filter(struct req *rq, const char *name, char **out)
{
    const char   *v = query_get(&rq->q, name);
    struct cm_err err;

    *out = NULL;
    if (v == NULL || (*out = jw_csv_array(v, PR_FILTER_VALUES, 64, NULL)))
        return 0;
    cm_fail(&err, CM_EINVAL,
            "%s: up to %d comma-separated values of 1 to 64 bytes", name,
            PR_FILTER_VALUES);
    cm_err_what(&err, "param", name);
    return http_reply_error(rq, &err);
}

int
api_practices_search(struct req *rq)
{
    static const char *const sorts[] = {"relevance", "recent", "title",
                                        "reuses", NULL};
    static const char *const hash_names[] = {
        "q",      "theme",  "territory", "territory_level",
        "sector", "status", "impact",    "state",
        "sort",   NULL};
    struct store_practice_query q;
    struct pr_search            s;
    struct api_cursor           cur;
    struct cm_buf               fts;
    struct cm_err               err;
    const char                 *qv = query_get(&rq->q, "q");
    const char                 *sv = query_get(&rq->q, "sort");
    const char                 *state = query_get(&rq->q, "state");
    char                       *filters[SPF_N] = {0}, *states = NULL;
    char                        terr[2048];
    unsigned char               filter[8];
    int64_t                     limit, total = 0;
    int                         present = 0, rc = 0;

    memset(&q, 0, sizeof(q));
    memset(&s, 0, sizeof(s));
    cm_buf_init(&fts);
    if (qv && strlen(qv) > PR_Q_MAX) {
        cm_fail(&err, CM_EINVAL, "q: at most %d bytes", PR_Q_MAX);
        cm_err_what(&err, "param", "q");
        return http_reply_error(rq, &err);
    }
    if (hv_query_int(&rq->q, "limit", 1, rq->cfg->registry_page_max,
                     "registry.page_max", rq->cfg->registry_page_default,
                     &limit, &err) != CM_OK)
        return http_reply_error(rq, &err);
    q.sort = SPS_RELEVANCE;
    if (sv) {
        int k = 0;

        while (sorts[k] && strcmp(sorts[k], sv) != 0)
            k++;
        if (sorts[k] == NULL) {
            cm_fail(&err, CM_EINVAL,
                    "sort: one of relevance, recent, title, "
                    "reuses");
            cm_err_what(&err, "param", "sort");
            return http_reply_error(rq, &err);
        }
        q.sort = (enum store_practice_sort) k;
    }
    for (int i = 0; i < SPF_N && rc == 0; i++)
        rc = pr_filter(rq, store_practice_facets[i], &filters[i]);
    if (rc == 0)
        rc = pr_filter(rq, "state", &states);
    if (rc == 0 && state) {
        /* The working view: staff only, an editor's own sheets */
        if (rq->account.id == 0) {
            cm_fail(&err, CM_EUNAUTH,
                    "state: log in to search drafts and sheets in review");
            cm_err_what(&err, "param", "state");
            rc = http_reply_error(rq, &err);
        } else if (!pr_moderates(rq) && !pr_role(rq, "editor")) {
            cm_fail(&err, CM_EFORBIDDEN,
                    "state: the role '%s' does not see unpublished sheets",
                    rq->account.role);
            cm_err_what(&err, "param", "state");
            rc = http_reply_error(rq, &err);
        } else {
            q.view = 1;
            q.states = states;
            if (!pr_moderates(rq)) {
                pr_territories(rq, terr, sizeof(terr));
                q.editor = rq->account.id;
                q.editor_territories = terr;
            }
        }
    }
    if (rc == 0) {
        api_filter_hash(rq, "practices", hash_names, filter);
        rc = api_cursor_param(rq, 'p', filter, 0, 0, &cur, &present);
    }
    if (rc != 0)
        goto done;
    if (qv && practice_fts_query(qv, &fts) > 0)
        q.fts = fts.data;
    for (int i = 0; i < SPF_N; i++)
        q.filter[i] = filters[i];
    q.limit = (int) limit + 1;
    if (present) {
        q.has_after = 1;
        q.after_key = cur.key;
        q.after_id = cur.row;
    }
    s.w = jw_new();
    s.fw = jw_new();
    s.limit = (int) limit;
    s.with_score = q.fts != NULL;
    jw_obj_open(s.w);
    jw_key(s.w, "practices");
    jw_arr_open(s.w);
    /* Every facet, even with no value, so a client need not guess */
    jw_obj_open(s.fw);
    if (store_practice_search(rq->st, &q, pr_hit, pr_count, &s, &total, &err) !=
        CM_OK) {
        rc = http_reply_error(rq, &err);
        goto done;
    }
    if (s.facet[0])
        jw_arr_close(s.fw);
    pr_facets_empty(&s, NULL);
    jw_obj_close(s.fw);
    jw_arr_close(s.w);
    jw_kv_int(s.w, "total", total);
    jw_kv_str(s.w, "sort",
              q.sort == SPS_RELEVANCE && q.fts == NULL ? "recent"
                                                       : sorts[q.sort]);
    jw_key(s.w, "next");
    if (s.n > s.limit) {
        struct api_cursor nc;
        struct cm_buf     link;

        memset(&nc, 0, sizeof(nc));
        nc.kind = 'p';
        memcpy(nc.filter, filter, 8);
        nc.key = s.last_key;
        nc.row = s.last_id;
        cm_buf_init(&link);
        if (api_cursor_encode(rq, &nc, &link, &err) != CM_OK) {
            cm_buf_clear(&link);
            rc = http_reply_error(rq, &err);
            goto done;
        }
        jw_str(s.w, link.data);
        cm_buf_clear(&link);
    } else
        jw_null(s.w);
    jw_key(s.w, "facets");
    {
        const char *txt;
        size_t      len;

        if (jw_result(s.fw, &txt, &len, &err) != CM_OK) {
            rc = http_reply_error(rq, &err);
            goto done;
        }
        jw_json_text(s.w, txt);
    }
    jw_obj_close(s.w);
    rc = http_reply_json(rq, 200, s.w);
done:
    jw_free(s.w);
    jw_free(s.fw);
    free(s.last_text);
    for (int i = 0; i < SPF_N; i++)
        free(filters[i]);
    free(states);
    cm_buf_clear(&fts);
    return rc;
}

/* ---- exports
 * ------------------------------------------------------------------ */

static int
pr_export_row(void *ctx, const struct store_practice_pub *p, struct cm_err *err)
{
    struct jw *w = ctx;
    char       url[64];

    (void) err;
    pr_url(url, sizeof(url), p->id);
    jw_obj_open(w);
    jw_kv_int(w, "id", p->id);
    jw_kv_str(w, "url", url);
    jw_kv_int(w, "revision", p->revision);
    jw_kv_int(w, "revision_number", p->number);
    jw_kv_str(w, "published_at", p->published_at);
    jw_kv_int(w, "reuses", p->reuses);
    jw_kv_pos(w, "origin", p->origin);
    jw_key(w, "document");
    jw_json_text(w, p->document);
    jw_obj_close(w);
    return CM_OK;
}

int
api_registry_export_json(struct req *rq)
{
    struct cm_err err;
    struct jw    *w = jw_new();
    int           rc;

    jw_obj_open(w);
    jw_kv_str(w, "registry", "practices");
    jw_kv_str(w, "licence_note",
              "each sheet is published under the licence it names "
              "(\"licence\"; etalab-2.0 when it names none)");
    jw_key(w, "practices");
    jw_arr_open(w);
    if (store_practice_published_each(rq->st, pr_export_row, w, &err) !=
        CM_OK) {
        jw_free(w);
        return http_reply_error(rq, &err);
    }
    jw_arr_close(w);
    jw_obj_close(w);
    rc = http_reply_json_cached(rq, w);
    jw_free(w);
    return rc;
}

/* One CSV field (RFC 4180: quoted when it holds , " CR or LF). */
static void
pr_csv(struct cm_buf *b, const char *s, int last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        cm_buf_add(b, "\"", 1);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                cm_buf_add(b, "\"", 1);
            cm_buf_add(b, p, 1);
        }
        cm_buf_add(b, "\"", 1);
    } else if (s)
        cm_buf_puts(b, s);
    cm_buf_puts(b, last ? "\r\n" : ",");
}

static int
pr_csv_row(void *ctx, const struct store_practice_pub *p, struct cm_err *err)
{
    static const char *const cols[] = {"title",           "summary",
                                       "territory.level", "territory.code",
                                       "territory.name",  "themes",
                                       "sector",          "status",
                                       "priority",        "impacts.energy",
                                       "impacts.ghg",     "impacts.air_quality",
                                       "start",           "end",
                                       "licence",         NULL};
    struct cm_buf           *b = ctx;
    char                     ebuf[64], num[32];
    yajl_val doc = yajl_tree_parse(p->document, ebuf, sizeof(ebuf));

    (void) err;
    snprintf(num, sizeof(num), "%lld", (long long) p->id);
    pr_csv(b, num, 0);
    for (int i = 0; cols[i]; i++) {
        char        key[32], *dot;
        const char *path[3] = {key, NULL, NULL};
        yajl_val    v;

        snprintf(key, sizeof(key), "%s", cols[i]);
        if ((dot = strchr(key, '.')) != NULL) {
            *dot = '\0';
            path[1] = dot + 1;
        }
        v = yajl_tree_get(doc, path, yajl_t_any);
        if (v && YAJL_IS_STRING(v))
            pr_csv(b, v->u.string, 0);
        else if (v && YAJL_IS_INTEGER(v)) {
            snprintf(num, sizeof(num), "%lld", (long long) v->u.number.i);
            pr_csv(b, num, 0);
        } else if (v && YAJL_IS_ARRAY(v)) {
            struct cm_buf j;

            cm_buf_init(&j);
            for (size_t k = 0; k < v->u.array.len; k++)
                if (YAJL_IS_STRING(v->u.array.values[k])) {
                    if (j.len)
                        cm_buf_add(&j, ";", 1);
                    cm_buf_puts(&j, v->u.array.values[k]->u.string);
                }
            pr_csv(b, j.data ? j.data : "", 0);
            cm_buf_clear(&j);
        } else
            pr_csv(b, "", 0);
    }
    pr_csv(b, p->published_at, 0);
    snprintf(num, sizeof(num), "/api/v1/practices/%lld", (long long) p->id);
    pr_csv(b, num, 1);
    yajl_tree_free(doc);
    return CM_OK;
}

int
api_registry_export_csv(struct req *rq)
{
    struct cm_buf b;
    struct cm_err err;
    int           rc;

    cm_buf_init(&b);
    cm_buf_puts(&b, "id,title,summary,territory_level,territory_code,"
                    "territory_name,themes,sector,status,priority,"
                    "impact_energy,impact_ghg,impact_air_quality,start,end,"
                    "licence,published_at,url\r\n");
    if (store_practice_published_each(rq->st, pr_csv_row, &b, &err) != CM_OK) {
        cm_buf_clear(&b);
        return http_reply_error(rq, &err);
    }
    rc = http_send_cached(rq, "text/csv; charset=utf-8; header=present", b.data,
                          b.len, NULL);
    cm_buf_clear(&b);
    return rc;
}

struct pr_feed {
    struct cm_buf *b;
    const char    *base;
    int            n;
};

static void
pr_xml(struct cm_buf *b, const char *tag, const char *text)
{
    cm_buf_printf(b, "<%s>", tag);
    md_escape(text ? text : "", strlen(text ? text : ""), b);
    cm_buf_printf(b, "</%s>\n", tag);
}

/* An Atom date: the store's "2026-11-30T10:00:00.123Z" as RFC 3339. */
static void
pr_feed_date(const char *at, char out[32])
{
    snprintf(out, 32, "%.19sZ", at ? at : "1970-01-01T00:00:00");
}

static int
pr_feed_row(void *ctx, const struct store_practice_feed *f, struct cm_err *err)
{
    struct pr_feed *c = ctx;
    char            ebuf[64], date[32], link[HV_URL_MAX];
    yajl_val        doc = yajl_tree_parse(f->document, ebuf, sizeof(ebuf));
    const char     *title = doc ? pr_str(doc, "title") : NULL;
    const char     *summary = doc ? pr_str(doc, "summary") : NULL;

    (void) err;
    pr_feed_date(f->at, date);
    snprintf(link, sizeof(link), "%s/api/v1/practices/%lld", c->base,
             (long long) f->practice);
    cm_buf_puts(c->b, "<entry>\n");
    cm_buf_printf(c->b, "<id>%s/api/v1/practices/%lld/revisions/%lld</id>\n",
                  c->base, (long long) f->practice, (long long) f->revision);
    pr_xml(c->b, "title", title);
    pr_xml(c->b, "updated", date);
    pr_xml(c->b, "published", date);
    cm_buf_puts(c->b, "<link rel=\"alternate\" type=\"application/json\" "
                      "href=\"");
    md_escape(link, strlen(link), c->b);
    cm_buf_puts(c->b, "\"/>\n<author>");
    pr_xml(c->b, "name", f->actor);
    cm_buf_puts(c->b, "</author>\n");
    pr_xml(c->b, "summary", summary);
    cm_buf_puts(c->b, "</entry>\n");
    yajl_tree_free(doc);
    if (c->n++ == 0) {
        /* The feed's <updated> is its newest entry's: written first */
    }
    return CM_OK;
}

static int
pr_feed_newest(void *ctx, const struct store_practice_feed *f,
               struct cm_err *err)
{
    (void) err;
    pr_feed_date(f->at, ctx);
    return CM_OK;
}

int
api_registry_feed(struct req *rq)
{
    struct cm_buf  b;
    struct cm_err  err;
    char           base[HV_BASE_MAX], updated[32] = "1970-01-01T00:00:00Z";
    struct pr_feed c;
    int            rc;

    hv_base(rq, base, sizeof(base));
    c.b = &b;
    c.base = base;
    c.n = 0;
    cm_buf_init(&b);
    if (store_practice_feed_each(rq->st, 1, pr_feed_newest, updated, &err) !=
        CM_OK)
        return http_reply_error(rq, &err);
    cm_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    cm_buf_printf(&b, "<id>%s/api/v1/registry/feed.atom</id>\n", base);
    cm_buf_puts(&b, "<title>Consometer : fiches de bonnes pratiques "
                    "publiées</title>\n");
    pr_xml(&b, "updated", updated);
    cm_buf_printf(&b,
                  "<link rel=\"self\" type=\"application/atom+xml\" "
                  "href=\"%s/api/v1/registry/feed.atom\"/>\n",
                  base);
    cm_buf_puts(&b, "<author><name>Consometer</name></author>\n");
    if (store_practice_feed_each(rq->st, PR_FEED_ENTRIES, pr_feed_row, &c,
                                 &err) != CM_OK) {
        cm_buf_clear(&b);
        return http_reply_error(rq, &err);
    }
    cm_buf_puts(&b, "</feed>\n");
    rc = http_send_cached(rq, "application/atom+xml; charset=utf-8", b.data,
                          b.len, NULL);
    cm_buf_clear(&b);
    return rc;
}
