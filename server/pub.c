/*
** pub.c -- the publisher (see pub.h).
**
** The cube. Every (site, kind, period) sum comes from SQL; each becomes
** part of one base cell (period, territory at the dataset's level,
** sector, kind) and, for an aggregated dataset, of the margins the
** version also publishes: the same cell at every coarser territory level
** up to the EPCI (commune = sum of districts, EPCI = sum of communes) and,
** when grouped by sector, over all sectors (sector "_T"). A site missing
** a territory code is left out of the levels that need it (counted in the
** report).
**
** Disclosure control (aggregated datasets). Each margin is an equation
** total = sum of parts handed to sdc_run with the cells. Other published
** datasets that share a kind with this one add equations too: their
** cells and ours meet at the coarser of the two grains (a year is twelve
** months, a commune its districts or its sites), and for each such
** coarse cell K:
**   - when both datasets draw on the same sites under K, K's value is
**     the sum of our base cells under K and the sum of theirs: if theirs
**     are all published, K is public (published elsewhere), so no single
**     one of ours may be hidden alone; if some of theirs are hidden, K is
**     hidden elsewhere and must stay so;
**   - when theirs draw on fewer sites (an open dataset of public
**     buildings beside an aggregate of every building), our sum minus
**     theirs is the sum of the other sites: if those are fewer than
**     min_sites or one dominates, K must stay hidden.
** Temperatures are means, not sums: no equation holds for them, so they
** get the primary rules only. What sdc_run does not cover (several
** equations combined) is said in sdc.c and in every disclosure report.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl.h"
#include "exp.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "pub.h"
#include "sdc.h"
#include "store.h"
#include "text.h"
#include "units.h"

#define PUB_LEVELS 4 /* DS_SITE .. DS_EPCI */

struct psite {
    int    have;
    int    public_;
    double area; /* <= 0: unknown */
    char  *name, *category;
    char  *code[PUB_LEVELS]; /* Territory code per level, NULL: unknown */
};

struct prow { /* One site's readings of one kind in one period */
    int64_t site;
    int     kind;
    char    period[24];
    double  sum, min, max;
    int64_t n;
    size_t  base; /* Its base cell */
};

struct pcell {
    char        period[24];
    int         level;
    const char *territory; /* Borrowed from a psite */
    const char *sector;    /* Borrowed, PUB_SECTOR_TOTAL or NULL */
    int         kind;
    int         base;  /* Not a margin */
    double      value; /* Sum (energy) or sum of site means (others) */
    double      max_site;
    int64_t     n_sites;
    int64_t     site; /* Open datasets: the site */
    double      rsum; /* Open: readings' sum, min, max, count */
    double      rmin, rmax;
    int64_t     nread;
};

struct pedge { /* parent = sum of its children of one type */
    size_t parent, child;
    int    type; /* 0: territories one level down, 1: sectors */
};

struct pub {
    struct store             *st;
    const struct ds_manifest *m;
    struct psite             *sites;
    size_t                    nsites; /* Indexed by site.id */
    struct prow              *rows;
    size_t                    nrows, caprows;
    struct pcell             *cells;
    size_t                    ncells, capcells;
    struct cm_map             cellmap;
    struct pedge             *edges;
    size_t                    nedges, capedges;
    int64_t                   no_territory; /* Rows left out of a level */
    int64_t public_elsewhere; /* Cells another dataset publishes whole */
    int64_t cells_max;        /* publish.cells_max, <= 0: none */
    int     keep_single;      /* pub_guard_open: keep one-part equations */
    /* sdc input: real cells then virtual ones */
    struct sdc_cell     *sc;
    size_t               nsc, capsc;
    struct sdc_relation *rels;
    int                 *rel_origin; /* -1 within, else other index */
    size_t               nrels, caprels;
    size_t             **parts_owned;
    char               **others; /* Slugs of the other datasets */
    size_t               nothers;
};

static void *
pub_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 256;
    if (*cap < need)
        *cap = need;
    return cm_realloc(p, *cap * size);
}

/* ---- sites ------------------------------------------------------------- */

static int
pub_site(void *ctx, int64_t id, const struct store_site *s, struct cm_err *err)
{
    struct pub   *p = ctx;
    struct psite *x;
    size_t        old = p->nsites;

    (void) err;
    if (id < 0)
        return CM_OK;
    if ((size_t) id >= p->nsites) {
        p->nsites = (size_t) id + 1;
        p->sites = cm_realloc(p->sites, p->nsites * sizeof(*p->sites));
        memset(p->sites + old, 0, (p->nsites - old) * sizeof(*p->sites));
    }
    x = &p->sites[id];
    x->have = 1;
    x->public_ = s->public_;
    x->area = s->floor_area_m2;
    x->name = cm_strdup(s->name);
    x->category = cm_strdup(s->category);
    x->code[DS_SITE] = cm_strdup(s->site_id);
    x->code[DS_COMMUNE] = cm_strdup(s->commune_insee);
    x->code[DS_EPCI] = cm_strdup(s->epci);
    if (s->district && *s->district && s->commune_insee) {
        /* District names repeat across communes ("Centre"): prefixed with
        ** the commune unless already an IRIS code (which starts with it). */
        size_t n = strlen(s->commune_insee);

        if (strncmp(s->district, s->commune_insee, n) == 0)
            x->code[DS_DISTRICT] = cm_strdup(s->district);
        else {
            struct cm_buf b;

            cm_buf_init(&b);
            cm_buf_printf(&b, "%s:%s", s->commune_insee, s->district);
            x->code[DS_DISTRICT] = b.data;
        }
    }
    return CM_OK;
}

static void
pub_sites_free(struct pub *p)
{
    for (size_t i = 0; i < p->nsites; i++) {
        free(p->sites[i].name);
        free(p->sites[i].category);
        for (int l = 0; l < PUB_LEVELS; l++)
            free(p->sites[i].code[l]);
    }
    free(p->sites);
}

/* ---- rows and cells ---------------------------------------------------- */

static int
pub_row(void *ctx, const struct store_agg *a, struct cm_err *err)
{
    struct pub  *p = ctx;
    struct prow *r;
    int          kind = units_kind_find(a->kind);

    (void) err;
    if (kind < 0 || a->site < 0 || (size_t) a->site >= p->nsites ||
        !p->sites[a->site].have || a->period == NULL)
        return CM_OK;
    p->rows = pub_grow(p->rows, &p->caprows, p->nrows + 1, sizeof(*p->rows));
    r = &p->rows[p->nrows++];
    r->site = a->site;
    r->kind = kind;
    snprintf(r->period, sizeof(r->period), "%s", a->period);
    r->sum = a->sum;
    r->min = a->min;
    r->max = a->max;
    r->n = a->n;
    return CM_OK;
}

/* A site's value in one period: energy adds up; a temperature is the
** mean of its readings. */
static double
pub_row_value(const struct prow *r)
{
    if (units_kind_is_energy(r->kind))
        return r->sum;
    return r->n > 0 ? r->sum / (double) r->n : 0;
}

static void
pub_cell_key(struct cm_buf *key, const char *period, int level,
             const char *territory, const char *sector, int kind)
{
    cm_buf_init(key);
    cm_buf_printf(key, "%s\x1f%d\x1f%s\x1f%s\x1f%d", period, level, territory,
                  sector ? sector : "\x01", kind);
}

/* The cell's index, if the version has it. */
static int
pub_cell_find(const struct pub *p, const char *period, int level,
              const char *territory, const char *sector, int kind, size_t *idx)
{
    struct cm_buf key;
    int           found;

    pub_cell_key(&key, period, level, territory, sector, kind);
    found = cm_map_get(&p->cellmap, key.data, key.len, idx);
    cm_buf_clear(&key);
    return found;
}

static size_t
pub_cell(struct pub *p, const char *period, int level, const char *territory,
         const char *sector, int kind)
{
    struct cm_buf key;
    size_t        idx;
    int           added;

    pub_cell_key(&key, period, level, territory, sector, kind);
    idx = cm_map_put(&p->cellmap, key.data, key.len, p->ncells, &added);
    cm_buf_clear(&key);
    if (added) {
        struct pcell *c;

        p->cells =
            pub_grow(p->cells, &p->capcells, p->ncells + 1, sizeof(*p->cells));
        c = &p->cells[p->ncells++];
        memset(c, 0, sizeof(*c));
        snprintf(c->period, sizeof(c->period), "%s", period);
        c->level = level;
        c->territory = territory;
        c->sector = sector;
        c->kind = kind;
        c->site = -1;
        c->rmin = INFINITY;
        c->rmax = -INFINITY;
    }
    return idx;
}

static void
pub_cell_add(struct pub *p, size_t idx, const struct prow *r)
{
    struct pcell *c = &p->cells[idx];
    double        v = pub_row_value(r);

    c->value += v;
    c->n_sites++;
    if (v > c->max_site || c->n_sites == 1)
        c->max_site = v;
    c->site = r->site;
    c->rsum += r->sum;
    c->nread += r->n;
    if (r->min < c->rmin)
        c->rmin = r->min;
    if (r->max > c->rmax)
        c->rmax = r->max;
}

static void
pub_edge(struct pub *p, size_t parent, size_t child, int type)
{
    p->edges =
        pub_grow(p->edges, &p->capedges, p->nedges + 1, sizeof(*p->edges));
    p->edges[p->nedges].parent = parent;
    p->edges[p->nedges].type = type;
    p->edges[p->nedges++].child = child;
}

/* Every cell row r counts in: its base cell and, for an aggregated
** dataset, its margins, with an edge from each margin to the cells it
** sums directly. */
static void
pub_place(struct pub *p, struct prow *r)
{
    const struct ds_manifest *m = p->m;
    const struct psite       *s = &p->sites[r->site];
    int         top = m->policy == DS_AGGREGATED ? DS_EPCI : (int) m->territory;
    const char *sectors[2];
    int         nsec = 0;
    size_t      prev[2] = {0, 0};
    int         have_prev = 0;

    if (m->by_sector) {
        sectors[nsec++] = s->category;
        if (m->policy == DS_AGGREGATED)
            sectors[nsec++] = PUB_SECTOR_TOTAL;
    } else
        sectors[nsec++] = NULL;
    if (s->code[m->territory] == NULL) {
        p->no_territory++;
        r->base = SIZE_MAX;
        return;
    }
    for (int l = (int) m->territory; l <= top; l++) {
        size_t cur[2];

        if (s->code[l] == NULL) { /* The chain stops: no parent known */
            p->no_territory++;
            break;
        }
        for (int k = 0; k < nsec; k++) {
            cur[k] = pub_cell(p, r->period, l, s->code[l], sectors[k], r->kind);
            pub_cell_add(p, cur[k], r);
            if (have_prev)
                pub_edge(p, cur[k], prev[k], 0);
        }
        if (nsec == 2)
            pub_edge(p, cur[1], cur[0], 1);
        if (l == (int) m->territory) {
            r->base = cur[0];
            p->cells[cur[0]].base = 1;
        }
        memcpy(prev, cur, sizeof(prev));
        have_prev = 1;
    }
}

/* ---- sdc input ---------------------------------------------------------- */

static size_t
pub_sdc_cell(struct pub *p, double value, int64_t n_sites, double max_site,
             enum sdc_elsewhere elsewhere)
{
    struct sdc_cell *c;

    p->sc = pub_grow(p->sc, &p->capsc, p->nsc + 1, sizeof(*p->sc));
    c = &p->sc[p->nsc];
    memset(c, 0, sizeof(*c));
    c->value = value;
    c->n_sites = n_sites;
    c->max_site = max_site;
    c->elsewhere = elsewhere;
    return p->nsc++;
}

/* A relation total = sum of parts[0..n) (taken over: sorted, unique). */
static void
pub_relation(struct pub *p, size_t total, size_t *parts, size_t n, int origin)
{
    size_t caprels = p->caprels;

    if (n == 0) {
        free(parts);
        return;
    }
    p->rels = pub_grow(p->rels, &p->caprels, p->nrels + 1, sizeof(*p->rels));
    caprels = p->caprels;
    p->rel_origin = cm_realloc(p->rel_origin, caprels * sizeof(int));
    p->parts_owned = cm_realloc(p->parts_owned, caprels * sizeof(size_t *));
    p->rels[p->nrels].total = total;
    p->rels[p->nrels].parts = parts;
    p->rels[p->nrels].n_parts = n;
    p->rel_origin[p->nrels] = origin;
    p->parts_owned[p->nrels] = parts;
    p->nrels++;
}

static int
pub_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *) a, y = *(const size_t *) b;

    return (x > y) - (x < y);
}

static int
pub_cmp_edge(const void *a, const void *b)
{
    const struct pedge *x = a, *y = b;

    if (x->parent != y->parent)
        return (x->parent > y->parent) - (x->parent < y->parent);
    if (x->type != y->type)
        return x->type - y->type;
    return (x->child > y->child) - (x->child < y->child);
}

/* The margins' equations, from the edges. */
static void
pub_margin_relations(struct pub *p)
{
    size_t i = 0;

    qsort(p->edges, p->nedges, sizeof(*p->edges), pub_cmp_edge);
    while (i < p->nedges) {
        size_t  j = i, n = 0;
        size_t *parts;

        while (j < p->nedges && p->edges[j].parent == p->edges[i].parent &&
               p->edges[j].type == p->edges[i].type)
            j++;
        parts = cm_malloc((j - i) * sizeof(*parts));
        for (size_t k = i; k < j; k++)
            if (n == 0 || parts[n - 1] != p->edges[k].child)
                parts[n++] = p->edges[k].child;
        if (units_kind_is_energy(p->cells[p->edges[i].parent].kind))
            pub_relation(p, p->edges[i].parent, parts, n, -1);
        else
            free(parts);
        i = j;
    }
}

/* ---- equations across datasets ----------------------------------------- */

static const int pub_period_len[] = {13, 10, 7, 4}; /* hour day month year */

struct kentry {
    int64_t site;
    double  value;
};

/* Our cells under K form several cuts, each summing to K: the base
** cells, and the margins we publish between our level and K's (the
** districts' totals over sectors, the communes' ...). Each cut is one
** equation; given only the base cells, sdc_run would miss that a margin
** tells the same sum. Cut (level - ours) * 2 + (0: sector cells or no
** sector, 1: totals over sectors). */
#define PUB_CUTS (PUB_LEVELS * 2)

struct kcut {
    size_t *parts;
    size_t  n, cap;
};

struct kinfo {
    int            present; /* The other dataset has cells under K */
    int            all_a;   /* ... all published */
    struct kentry *e;       /* Our sites' values under K */
    size_t         ne, cape;
    struct kcut    cut[PUB_CUTS];
};

struct across {
    struct pub               *p;
    const struct ds_manifest *o;       /* The other dataset */
    int                       g, t, s; /* Common grain, level, by sector */
    struct cm_map             kmap;
    struct kinfo             *k;
    size_t                    nk, capk;
    struct cm_map             up; /* "level\x1fcode" -> site id for code@t */
};

static int
pub_kind_in(const struct ds_manifest *m, int kind)
{
    return (m->kinds >> kind) & 1u;
}

/* The index of coarse cell K, created if new. */
static size_t
pub_k(struct across *a, const char *period, const char *territory,
      const char *sector, int kind)
{
    struct cm_buf key;
    size_t        idx;
    int           added;

    cm_buf_init(&key);
    cm_buf_printf(&key, "%.*s\x1f%s\x1f%s\x1f%d", pub_period_len[a->g], period,
                  territory, sector, kind);
    idx = cm_map_put(&a->kmap, key.data, key.len, a->nk, &added);
    cm_buf_clear(&key);
    if (added) {
        a->k = pub_grow(a->k, &a->capk, a->nk + 1, sizeof(*a->k));
        memset(&a->k[a->nk], 0, sizeof(a->k[0]));
        a->k[a->nk].all_a = 1;
        a->nk++;
    }
    return idx;
}

static int
pub_across_obs(void *ctx, const struct exp_obs *o, const char *extra,
               struct cm_err *err)
{
    struct across *a = ctx;
    int            kind = units_kind_find(o->kind);
    struct cm_buf  key;
    size_t         site, idx;
    int            found;

    (void) extra;
    (void) err;
    if (kind < 0 || !pub_kind_in(a->p->m, kind) || !units_kind_is_energy(kind))
        return CM_OK;
    if (strcmp(o->territory_level, ds_territory_name(a->o->territory)) != 0)
        return CM_OK; /* A margin of theirs: its parts say as much */
    if (a->o->by_sector && o->sector &&
        strcmp(o->sector, PUB_SECTOR_TOTAL) == 0)
        return CM_OK;
    cm_buf_init(&key);
    cm_buf_printf(&key, "%d\x1f%s", (int) a->o->territory, o->territory);
    found = cm_map_get(&a->up, key.data, key.len, &site);
    cm_buf_clear(&key);
    if (!found || a->p->sites[site].code[a->t] == NULL)
        return CM_OK;
    if (a->s && o->sector == NULL)
        return CM_OK;
    idx = pub_k(a, o->period, a->p->sites[site].code[a->t],
                a->s ? o->sector : PUB_SECTOR_TOTAL, kind);
    a->k[idx].present = 1;
    if (o->status != 'A')
        a->k[idx].all_a = 0;
    return CM_OK;
}

static int
pub_cmp_kentry(const void *x, const void *y)
{
    const struct kentry *a = x, *b = y;

    return (a->site > b->site) - (a->site < b->site);
}

/* Equations between our cells and those of version 'id' of dataset *o. */
static int
pub_across(struct pub *p, int origin, const struct ds_manifest *o, int64_t id,
           struct cm_err *err)
{
    const struct ds_manifest *m = p->m;
    struct across             a;
    int                       rc;

    memset(&a, 0, sizeof(a));
    a.p = p;
    a.o = o;
    a.g = m->period > o->period ? (int) m->period : (int) o->period;
    a.t = m->territory > o->territory ? (int) m->territory : (int) o->territory;
    a.s = m->by_sector && o->by_sector;
    cm_map_init(&a.kmap);
    cm_map_init(&a.up);
    /* Any site with a code at their level tells that code's code at ours
    ** (codes nest: a district lies in one commune, a commune in one EPCI). */
    for (size_t i = 0; i < p->nsites; i++) {
        const char   *c = p->sites[i].code[o->territory];
        struct cm_buf key;
        int           added;

        if (!p->sites[i].have || c == NULL)
            continue;
        cm_buf_init(&key);
        cm_buf_printf(&key, "%d\x1f%s", (int) o->territory, c);
        cm_map_put(&a.up, key.data, key.len, i, &added);
        cm_buf_clear(&key);
    }
    for (size_t i = 0; i < p->nrows; i++) {
        const struct prow  *r = &p->rows[i];
        const struct psite *s = &p->sites[r->site];
        struct kinfo       *k;
        size_t              idx;

        if (r->base == SIZE_MAX || !units_kind_is_energy(r->kind) ||
            !pub_kind_in(o, r->kind) || s->code[a.t] == NULL)
            continue;
        idx = pub_k(&a, r->period, s->code[a.t],
                    a.s ? s->category : PUB_SECTOR_TOTAL, r->kind);
        k = &a.k[idx];
        k->e = pub_grow(k->e, &k->cape, k->ne + 1, sizeof(*k->e));
        k->e[k->ne].site = r->site;
        k->e[k->ne++].value = pub_row_value(r);
        for (int l = (int) m->territory; l <= a.t; l++) {
            for (int v = 0; v < 2; v++) {
                const char  *sector = m->by_sector ? s->category : NULL;
                struct kcut *c = &k->cut[(l - (int) m->territory) * 2 + v];
                size_t       cell;

                if (v == 1) { /* Totals over sectors: only under a K of all */
                    if (!m->by_sector || a.s)
                        continue;
                    sector = PUB_SECTOR_TOTAL;
                }
                if (s->code[l] == NULL ||
                    !pub_cell_find(p, r->period, l, s->code[l], sector, r->kind,
                                   &cell))
                    continue;
                c->parts =
                    pub_grow(c->parts, &c->cap, c->n + 1, sizeof(*c->parts));
                c->parts[c->n++] = cell;
            }
        }
    }
    rc = store_obs_each(p->st, id, pub_across_obs, &a, err);
    for (size_t i = 0; rc == CM_OK && i < a.nk; i++) {
        struct kinfo *k = &a.k[i];
        int64_t       n_ours = 0, n_theirs = 0, rem_n = 0;
        double        value = 0, max_site = 0, rem_sum = 0, rem_max = 0;
        size_t        n, kcell;
        int           hidden;

        if (!k->present || k->ne == 0)
            continue;
        qsort(k->e, k->ne, sizeof(*k->e), pub_cmp_kentry);
        for (size_t j = 0; j < k->ne;) {
            int64_t site = k->e[j].site;
            double  v = 0;

            while (j < k->ne && k->e[j].site == site)
                v += k->e[j++].value;
            n_ours++;
            value += v;
            if (n_ours == 1 || v > max_site)
                max_site = v;
            if (o->policy == DS_OPEN && !p->sites[site].public_) {
                rem_n++;
                rem_sum += v;
                if (rem_n == 1 || v > rem_max)
                    rem_max = v;
            } else
                n_theirs++;
        }
        if (n_theirs == n_ours)
            hidden = !k->all_a;
        else if (k->all_a && (rem_n < m->min_sites || !(rem_sum > 0) ||
                              rem_max / rem_sum > m->max_share))
            hidden = 1;
        else
            continue;
        kcell = pub_sdc_cell(p, value, n_ours, max_site,
                             hidden ? SDC_SUPPRESSED_ELSEWHERE
                                    : SDC_PUBLISHED_ELSEWHERE);
        for (int c = 0; c < PUB_CUTS; c++) {
            struct kcut *cut = &k->cut[c];

            if (cut->n == 0)
                continue;
            qsort(cut->parts, cut->n, sizeof(*cut->parts), pub_cmp_size);
            n = 0;
            for (size_t j = 0; j < cut->n; j++)
                if (n == 0 || cut->parts[n - 1] != cut->parts[j])
                    cut->parts[n++] = cut->parts[j];
            if (n == 1 && !hidden && !p->keep_single) {
                /* One of our cells is a sum the other dataset publishes
                ** whole (the open year of the only building of a commune
                ** with readings in a single month): already public, it
                ** can be neither protected nor disclosed by us. It keeps
                ** the status our rules give it; the report counts it. */
                p->public_elsewhere++;
                continue;
            }
            pub_relation(p, kcell, cut->parts, n, origin);
            cut->parts = NULL;
        }
    }
    for (size_t i = 0; i < a.nk; i++) {
        free(a.k[i].e);
        for (int c = 0; c < PUB_CUTS; c++)
            free(a.k[i].cut[c].parts);
    }
    free(a.k);
    cm_map_clear(&a.kmap);
    cm_map_clear(&a.up);
    return rc;
}

struct others {
    struct pub *p;
    struct {
        struct ds_manifest m;
        int64_t            id;
    } * v;
    size_t n, cap;
};

static int
pub_other(void *ctx, const struct store_version *v, struct cm_err *err)
{
    struct others     *o = ctx;
    struct ds_manifest m;
    struct cm_err      perr;

    (void) err;
    /* A Lua indicator is not drawn from readings: its rows (kind
    ** "indicator") are in no equation of ours, and its definition
    ** ("aggregated" above the site level, ind.c) protects nothing. */
    if (strcmp(v->slug, o->p->m->slug) == 0 || v->manifest == NULL ||
        strcmp(v->origin, "lua") == 0)
        return CM_OK;
    if (ds_manifest_parse(v->manifest, strlen(v->manifest), v->slug, &m,
                          &perr) != CM_OK)
        return CM_OK; /* Written by a newer binary: not ours to check */
    if ((m.kinds & o->p->m->kinds) == 0) {
        ds_manifest_clear(&m);
        return CM_OK;
    }
    o->v = pub_grow(o->v, &o->cap, o->n + 1, sizeof(*o->v));
    o->v[o->n].m = m;
    o->v[o->n++].id = v->id;
    return CM_OK;
}

/* ---- the version's text ----------------------------------------------- */

static int
pub_cmp_cells(const void *x, const void *y, void *ctx)
{
    const struct pcell *cells = ctx;
    const struct pcell *a = &cells[*(const size_t *) x];
    const struct pcell *b = &cells[*(const size_t *) y];
    int                 c;

    if ((c = strcmp(a->period, b->period)) != 0)
        return c;
    if (a->level != b->level)
        return a->level - b->level;
    if ((c = strcmp(a->territory, b->territory)) != 0)
        return c;
    if (a->sector != b->sector) {
        if (a->sector == NULL || b->sector == NULL)
            return a->sector == NULL ? -1 : 1;
        if ((c = strcmp(a->sector, b->sector)) != 0)
            return c;
    }
    return a->kind - b->kind;
}

static int
pub_measure(const struct ds_manifest *m, unsigned bit)
{
    return (m->measures & bit) != 0;
}

static int
pub_has_energy(const struct ds_manifest *m)
{
    for (int k = 0; k < UNITS_NKINDS; k++)
        if (pub_kind_in(m, k) && units_kind_is_energy(k))
            return 1;
    return 0;
}

/* Published values are kept to the Wh (kWh with 3 decimals) and the
** hundredth of a degree: the meters say no more, and sums of floating
** point readings would otherwise show their noise (111010.81999999986). */
static double
pub_round(double v, int kind)
{
    double scale = units_kind_is_energy(kind) ? 1000 : 100;

    return round(v * scale) / scale + 0.0; /* + 0.0: no "-0" */
}

/* The extra columns, as stored in dataset_version.columns; NULL: none. */
static char *
pub_columns(const struct ds_manifest *m)
{
    struct jw *w = jw_new();
    char      *out;
    int        n = 0;

    jw_arr_open(w);
#define PUB_COL(name, type, fr, en)                                            \
    do {                                                                       \
        jw_obj_open(w);                                                        \
        jw_kv_str(w, "name", name);                                            \
        jw_kv_str(w, "type", type);                                            \
        jw_kv_str(w, "title", fr);                                             \
        jw_kv_str(w, "title_en", en);                                          \
        jw_obj_close(w);                                                       \
        n++;                                                                   \
    } while (0)
    if (m->policy == DS_OPEN) {
        PUB_COL("site_name", "string", "Nom du site", "Site name");
        PUB_COL("floor_area_m2", "number", "Surface de plancher (m²)",
                "Floor area (m²)");
        if (pub_has_energy(m))
            PUB_COL("intensity_kwh_m2", "number",
                    "Intensité énergétique (kWh/m² sur la période)",
                    "Energy intensity (kWh/m² over the period)");
    }
    if (pub_measure(m, DS_MEAN))
        PUB_COL(
            "mean", "number",
            m->policy == DS_OPEN ? "Moyenne des relevés" : "Moyenne par site",
            m->policy == DS_OPEN ? "Mean of the readings" : "Mean per site");
    if (pub_measure(m, DS_MIN))
        PUB_COL("min", "number", "Plus petit relevé", "Smallest reading");
    if (pub_measure(m, DS_MAX))
        PUB_COL("max", "number", "Plus grand relevé", "Largest reading");
#undef PUB_COL
    jw_arr_close(w);
    out = n ? jw_strdup(w) : NULL;
    jw_free(w);
    return out;
}

/* The row's extra columns as a JSON object; NULL when there are none. */
static char *
pub_extra(const struct pub *p, const struct pcell *c, char status)
{
    const struct ds_manifest *m = p->m;
    struct jw                *w;
    char                     *out;
    int                       open = m->policy == DS_OPEN;

    if (!open && !pub_measure(m, DS_MEAN))
        return NULL;
    w = jw_new();
    jw_obj_open(w);
    if (open) {
        const struct psite *s = &p->sites[c->site];

        jw_kv_str(w, "site_name", s->name);
        jw_key(w, "floor_area_m2");
        if (s->area > 0)
            jw_double(w, s->area);
        else
            jw_null(w);
        if (pub_has_energy(m)) {
            jw_key(w, "intensity_kwh_m2");
            if (s->area > 0 && units_kind_is_energy(c->kind))
                jw_double(w, pub_round(c->value / s->area, c->kind));
            else
                jw_null(w);
        }
    }
    if (pub_measure(m, DS_MEAN)) {
        jw_key(w, "mean");
        if (status != 'A' || (open ? c->nread : c->n_sites) == 0)
            jw_null(w);
        else
            jw_double(w, pub_round(open ? c->rsum / (double) c->nread
                                        : c->value / (double) c->n_sites,
                                   c->kind));
    }
    if (open && pub_measure(m, DS_MIN))
        jw_kv_double(w, "min", pub_round(c->rmin, c->kind));
    if (open && pub_measure(m, DS_MAX))
        jw_kv_double(w, "max", pub_round(c->rmax, c->kind));
    jw_obj_close(w);
    out = jw_strdup(w);
    jw_free(w);
    return out;
}

static void
pub_obs(const struct pcell *c, const struct sdc_cell *s, struct exp_obs *o)
{
    memset(o, 0, sizeof(*o));
    o->period = c->period;
    o->territory_level = ds_territory_name((enum ds_territory) c->level);
    o->territory = c->territory;
    o->sector = c->sector;
    o->kind = units_kind_name((enum units_kind) c->kind);
    o->status = s->status;
    o->value_null = s->status != 'A';
    o->value = pub_round(c->value, c->kind);
    o->unit = units_kind_unit((enum units_kind) c->kind);
    o->n_sites = c->n_sites;
}

static char *
pub_search_text(const struct ds_manifest *m)
{
    struct cm_buf raw, out;

    cm_buf_init(&raw);
    cm_buf_init(&out);
    cm_buf_printf(&raw, "%s %s %s %s %s %s", m->slug, m->title.fr,
                  m->title.en ? m->title.en : "",
                  m->description.fr ? m->description.fr : "",
                  m->description.en ? m->description.en : "",
                  m->publisher ? m->publisher : "");
    for (size_t i = 0; i < m->n_keywords; i++)
        cm_buf_printf(&raw, " %s", m->keywords[i]);
    for (int k = 0; k < UNITS_NKINDS; k++)
        if (pub_kind_in(m, k))
            cm_buf_printf(&raw, " %s", units_kind_name((enum units_kind) k));
    cm_fold(raw.data, raw.len, &out);
    cm_buf_add(&out, "", 1);
    cm_buf_clear(&raw);
    return out.data;
}

/* "published" and "suppressed", in the summary and in the report. */
static void
pub_counts_json(const struct pub_result *r, struct jw *w)
{
    jw_kv_int(w, "published", r->published);
    jw_key(w, "suppressed");
    jw_obj_open(w);
    jw_kv_int(w, "primary", r->primary);
    jw_kv_int(w, "secondary", r->secondary);
    jw_obj_close(w);
}

static char *
pub_disclosure(const struct pub *p, const struct sdc_report *rep,
               const struct pub_result *r)
{
    const struct ds_manifest *m = p->m;
    struct jw                *w = jw_new();
    char                     *out;
    int64_t                   by[SDC_NREASONS] = {0};

    for (size_t i = 0; i < p->ncells; i++)
        by[p->sc[i].reason]++;
    jw_obj_open(w);
    jw_kv_str(w, "policy", ds_policy_name(m->policy));
    if (m->policy == DS_OPEN) {
        jw_kv_str(w, "rule",
                  "Per-site data of public buildings only (sites flagged "
                  "public); nothing is suppressed.");
        jw_kv_str(w, "rule_fr",
                  "Données par site des seuls bâtiments publics (sites "
                  "marqués publics) ; rien n'est masqué.");
    } else {
        jw_key(w, "rules");
        jw_obj_open(w);
        jw_kv_int(w, "min_sites", m->min_sites);
        jw_kv_double(w, "max_share", m->max_share);
        jw_kv_bool(w, "households", m->households);
        jw_kv_str(w, "primary",
                  "A cell with fewer than min_sites contributing sites, or "
                  "whose largest site makes more than max_share of its "
                  "value, is suppressed (status C).");
        jw_kv_str(w, "secondary", rep ? rep->secondary : "");
        jw_kv_str(w, "margins",
                  "Published margins: every coarser territory level up to "
                  "the EPCI and, by sector, the total over sectors (sector "
                  "_T).");
        jw_kv_str(w, "across",
                  "Equations with the other published datasets that share "
                  "a kind are taken into account at the coarser of the two "
                  "grains.");
        jw_kv_str(w, "limits",
                  "Each equation is checked alone and in chains; a "
                  "combination of several equations at once is not "
                  "audited (a linear-programming audit would be needed).");
        jw_obj_close(w);
    }
    jw_kv_int(w, "cells", r->rows);
    pub_counts_json(r, w);
    jw_key(w, "by_reason");
    jw_obj_open(w);
    for (int i = 0; i < SDC_NREASONS; i++)
        jw_kv_int(w, sdc_reason_name((enum sdc_reason) i), by[i]);
    jw_obj_close(w);
    jw_key(w, "relations");
    jw_obj_open(w);
    jw_kv_int(w, "within", r->relations - r->across);
    jw_kv_int(w, "across", r->across);
    jw_obj_close(w);
    jw_key(w, "datasets_considered");
    jw_arr_open(w);
    for (size_t i = 0; i < p->nothers; i++)
        jw_str(w, p->others[i]);
    jw_arr_close(w);
    jw_kv_int(w, "cells_public_elsewhere", p->public_elsewhere);
    jw_kv_int(w, "rows_without_territory", p->no_territory);
    jw_obj_close(w);
    out = jw_strdup(w);
    jw_free(w);
    return out;
}

/* ---- publish ------------------------------------------------------------ */

static void
pub_free(struct pub *p)
{
    pub_sites_free(p);
    free(p->rows);
    free(p->cells);
    cm_map_clear(&p->cellmap);
    free(p->edges);
    free(p->sc);
    for (size_t i = 0; i < p->nrels; i++)
        free(p->parts_owned[i]);
    free(p->parts_owned);
    free(p->rels);
    free(p->rel_origin);
    for (size_t i = 0; i < p->nothers; i++)
        free(p->others[i]);
    free(p->others);
}

static int
pub_check(const struct ds_manifest *m, struct cm_err *err)
{
    if (m->policy == DS_AGGREGATED &&
        (pub_measure(m, DS_MIN) || pub_measure(m, DS_MAX))) {
        cm_fail(err, CM_EINVAL,
                "measures: min and max are single sites' values, allowed "
                "only with privacy policy \"open\"");
        err->what_kind = "field";
        snprintf(err->what, sizeof(err->what), "measures");
        return err->code;
    }
    return CM_OK;
}

/* The cube from the readings: p->cells, one free sdc cell each. */
static int
pub_load(struct pub *p, struct cm_err *err)
{
    const struct ds_manifest *m = p->m;
    struct cm_buf             kinds;
    int                       rc;

    cm_buf_init(&kinds);
    cm_buf_puts(&kinds, "[");
    for (int k = 0; k < UNITS_NKINDS; k++)
        if (pub_kind_in(m, k))
            cm_buf_printf(&kinds, "%s\"%s\"", kinds.len > 1 ? "," : "",
                          units_kind_name((enum units_kind) k));
    cm_buf_puts(&kinds, "]");
    rc = store_sites_each(p->st, pub_site, p, err);
    if (rc == CM_OK)
        rc = store_aggregate(p->st, (int) m->period, kinds.data,
                             m->policy == DS_OPEN, pub_row, p, err);
    cm_buf_clear(&kinds);
    if (rc != CM_OK)
        return rc;
    for (size_t i = 0; i < p->nrows; i++) {
        pub_place(p, &p->rows[i]);
        if (p->cells_max > 0 && (int64_t) p->ncells > p->cells_max) {
            cm_fail(err, CM_ELIMIT,
                    "%s: more than %lld cells (publish.cells_max): a coarser "
                    "period or territory, or fewer kinds, would make a "
                    "smaller version",
                    m->slug, (long long) p->cells_max);
            err->has_limit = 1;
            err->limit = p->cells_max;
            return err->code;
        }
    }
    for (size_t i = 0; i < p->ncells; i++) {
        const struct pcell *c = &p->cells[i];

        if (units_kind_is_energy(c->kind))
            pub_sdc_cell(p, c->value, c->n_sites, c->max_site, SDC_FREE);
        else /* A mean has no dominant share: site counts only */
            pub_sdc_cell(p, 1, c->n_sites, 0, SDC_FREE);
    }
    return CM_OK;
}

/* Build the cube and run disclosure control: p->cells, p->sc filled. */
static int
pub_build(struct pub *p, struct sdc_report *rep, struct cm_err *err)
{
    const struct ds_manifest *m = p->m;
    struct others             o;
    struct sdc_rules          rules;
    int                       rc;

    if ((rc = pub_load(p, err)) != CM_OK)
        return rc;
    if (m->policy == DS_OPEN) {
        for (size_t i = 0; i < p->ncells; i++) {
            p->sc[i].status = 'A';
            p->sc[i].reason = SDC_OPEN;
        }
        return CM_OK;
    }
    pub_margin_relations(p);
    memset(&o, 0, sizeof(o));
    o.p = p;
    rc = store_datasets_each(p->st, pub_other, &o, err);
    for (size_t i = 0; i < o.n; i++) {
        if (rc == CM_OK)
            rc = pub_across(p, (int) p->nothers, &o.v[i].m, o.v[i].id, err);
        p->others = cm_realloc(p->others, (p->nothers + 1) * sizeof(char *));
        p->others[p->nothers++] = cm_strdup(o.v[i].m.slug);
        ds_manifest_clear(&o.v[i].m);
    }
    free(o.v);
    if (rc != CM_OK)
        return rc;
    rules.min_sites = m->min_sites;
    rules.max_share = m->max_share;
    rc = sdc_run(p->sc, p->nsc, p->rels, p->nrels, &rules, rep, err);
    if (rc == CM_EUNPROCESSABLE && rep->bad_relation < p->nrels) {
        int                 origin = p->rel_origin[rep->bad_relation];
        const struct pcell *c = &p->cells[p->rels[rep->bad_relation].parts[0]];

        cm_fail(err, CM_EUNPROCESSABLE,
                "%s: a cell the rules suppress (%s %s %s) is already "
                "public through dataset '%s'; publishing would disclose it",
                m->slug, c->period, c->territory,
                units_kind_name((enum units_kind) c->kind),
                origin >= 0 ? p->others[origin] : m->slug);
    }
    return rc;
}

/* ---- an open dataset beside the aggregated ones -------------------- */

struct guard {
    struct pub   *a;
    struct cm_map status; /* Cell key of a's published version -> status */
};

static int
pub_guard_obs(void *ctx, const struct exp_obs *o, const char *extra,
              struct cm_err *err)
{
    struct guard *g = ctx;
    struct cm_buf key;
    int           added, level = -1, kind = units_kind_find(o->kind);

    (void) extra;
    (void) err;
    for (int l = 0; l < PUB_LEVELS; l++)
        if (strcmp(o->territory_level, ds_territory_name(l)) == 0)
            level = l;
    if (kind < 0 || level < 0)
        return CM_OK;
    pub_cell_key(&key, o->period, level, o->territory, o->sector, kind);
    cm_map_put(&g->status, key.data, key.len,
               (size_t) (unsigned char) o->status, &added);
    cm_buf_clear(&key);
    return CM_OK;
}

/*
** The open dataset p has just been written as version o_id (same
** transaction). Its values are public the moment it commits, and the
** aggregated datasets published before it cannot change (versions are
** immutable): refuse if, with its equations, a cell one of them hides
** could be recomputed. publish --all publishes open datasets first, so
** the aggregated ones account for them instead.
*/
static int
pub_guard_open(struct pub *p, int64_t o_id, struct cm_err *err)
{
    struct others o;
    int           rc;

    memset(&o, 0, sizeof(o));
    o.p = p;
    rc = store_datasets_each(p->st, pub_other, &o, err);
    for (size_t i = 0; rc == CM_OK && i < o.n; i++) {
        struct pub   a;
        struct guard g;

        if (o.v[i].m.policy != DS_AGGREGATED)
            continue;
        memset(&a, 0, sizeof(a));
        a.st = p->st;
        a.m = &o.v[i].m;
        a.keep_single = 1;
        cm_map_init(&a.cellmap);
        g.a = &a;
        cm_map_init(&g.status);
        rc = pub_load(&a, err);
        if (rc == CM_OK) {
            pub_margin_relations(&a);
            rc = pub_across(&a, 0, p->m, o_id, err);
        }
        if (rc == CM_OK)
            rc = store_obs_each(p->st, o.v[i].id, pub_guard_obs, &g, err);
        /* What is public now: a's published cells, and the sums the open
        ** dataset publishes whole; a cell a does not publish is hidden. */
        for (size_t c = 0; rc == CM_OK && c < a.nsc; c++) {
            size_t        st = 'C';
            struct cm_buf key;

            if (c < a.ncells) {
                const struct pcell *x = &a.cells[c];

                pub_cell_key(&key, x->period, x->level, x->territory, x->sector,
                             x->kind);
                cm_map_get(&g.status, key.data, key.len, &st);
                cm_buf_clear(&key);
            } else
                st = a.sc[c].elsewhere == SDC_PUBLISHED_ELSEWHERE ? 'A' : 'C';
            a.sc[c].status = (char) st;
        }
        for (size_t r = 0; rc == CM_OK && r < a.nrels; r++) {
            const struct sdc_relation *rel = &a.rels[r];
            size_t hidden = a.sc[rel->total].status != 'A', which = rel->total;

            for (size_t k = 0; k < rel->n_parts; k++)
                if (a.sc[rel->parts[k]].status != 'A') {
                    hidden++;
                    which = rel->parts[k];
                }
            if (hidden == 1) {
                /* A real cell of a's, or (a virtual one) the sum of the
                ** sites a aggregates besides this dataset's, too few to
                ** be shown: named by a cell of the equation. */
                const struct pcell *x =
                    &a.cells[which < a.ncells ? which : rel->parts[0]];

                rc = cm_fail(
                    err, CM_EUNPROCESSABLE,
                    "%s: its values would let anyone recompute %s "
                    "of '%s' (%s %s %s), and published versions "
                    "cannot change; publish '%s' before such "
                    "datasets (publish --all does), or leave these "
                    "sites out of it",
                    p->m->slug,
                    which < a.ncells ? "a suppressed cell"
                                     : "the sum of too few non-public sites",
                    a.m->slug, x->period, x->territory,
                    units_kind_name((enum units_kind) x->kind), p->m->slug);
            }
        }
        cm_map_clear(&g.status);
        pub_free(&a);
    }
    for (size_t i = 0; i < o.n; i++)
        ds_manifest_clear(&o.v[i].m);
    free(o.v);
    return rc;
}

/* A sink that only counts and hashes. */
static int
pub_discard(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    (void) ctx;
    (void) p;
    (void) n;
    (void) err;
    return CM_OK;
}

static void
pub_now(char out[32])
{
    time_t    t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The sha256 of the canonical CSV of the cells in 'order' (the bytes
** of the version's csv download). */
static int
pub_digest(struct pub *p, const size_t *order, const char *columns,
           char hex[65], struct cm_err *err)
{
    struct exp_sink    sink;
    struct exp_writer  w;
    struct exp_columns cols;
    int                rc;

    exp_sink_init(&sink, pub_discard, NULL);
    rc = exp_columns_parse(columns, &cols, err);
    if (rc == CM_OK)
        rc = exp_table_begin(&w, "csv", 0, &cols, &sink, err);
    if (rc == CM_OK) {
        for (size_t i = 0; i < p->ncells; i++) {
            struct exp_obs o;

            pub_obs(&p->cells[order[i]], &p->sc[order[i]], &o);
            char *extra =
                pub_extra(p, &p->cells[order[i]], p->sc[order[i]].status);

            exp_table_row(&w, &o, extra);
            free(extra);
        }
        rc = exp_table_end(&w, err);
    }
    if (rc == CM_OK)
        exp_sink_digest(&sink, hex);
    exp_columns_clear(&cols);
    return rc;
}

int
pub_finish_version(struct store *st, int64_t id, const char *slug,
                   int64_t number, const char *data_dir, struct cm_err *err)
{
    char                      dir[DL_PATH_MAX];
    struct store_version      v;
    struct store_distribution d[8];
    size_t                    nd = 0;
    int                       found, rc;

    /* First: store_version_get finds versions through it */
    if ((rc = store_dataset_set_latest(st, id, err)) != CM_OK)
        return rc;
    rc = store_version_get(st, slug, number, &v, &found, err);
    if (rc == CM_OK && !found)
        rc = cm_fail(err, CM_EINTERNAL, "version %lld of %s not found",
                     (long long) number, slug);
    if (rc != CM_OK)
        return rc;
    if (data_dir != NULL) {
        rc = dl_dir(data_dir, &v, dir, sizeof(dir), err);
        if (rc == CM_OK)
            rc = store_prepare_dir(dir, err);
    }
    if (rc == CM_OK)
        rc = exp_version_describe(st, &v, data_dir ? dir : NULL, d,
                                  sizeof(d) / sizeof(d[0]), &nd, err);
    store_version_clear(&v);
    for (size_t i = 0; rc == CM_OK && i < nd; i++)
        rc = store_distribution_add(st, id, &d[i], err);
    return rc;
}

static int
pub_write(struct pub *p, const size_t *order, const char *manifest,
          const char *columns, const char *disclosure, const char *published_at,
          const char *data_dir, struct pub_result *r, struct cm_err *err)
{
    struct store_version_new nv;
    int64_t                  id;
    int                      rc;
    char                    *search = pub_search_text(p->m);

    memset(&nv, 0, sizeof(nv));
    nv.slug = p->m->slug;
    nv.origin = "manifest";
    nv.manifest = manifest;
    nv.search_text = search;
    nv.published_at = published_at;
    nv.n_observations = (int64_t) p->ncells;
    nv.sha256 = r->sha256;
    nv.columns = columns;
    nv.disclosure = disclosure;
    rc = store_version_create(p->st, &nv, &id, &r->version, err);
    free(search);
    for (size_t i = 0; rc == CM_OK && i < p->ncells; i++) {
        struct exp_obs o;

        pub_obs(&p->cells[order[i]], &p->sc[order[i]], &o);
        char *extra = pub_extra(p, &p->cells[order[i]], p->sc[order[i]].status);

        rc = store_obs_add(p->st, id, (int64_t) i, &o, extra, err);
        free(extra);
    }
    if (rc == CM_OK && p->m->policy == DS_OPEN)
        rc = pub_guard_open(p, id, err);
    if (rc == CM_OK)
        rc = pub_finish_version(p->st, id, p->m->slug, r->version, data_dir,
                                err);
    return rc;
}

static void
pub_audit(struct store *st, const char *actor, const struct pub_result *r)
{
    struct jw         *w = jw_new();
    char              *details;
    struct store_audit a;
    struct cm_err      err;

    pub_result_write_json(r, w);
    details = jw_strdup(w);
    jw_free(w);
    memset(&a, 0, sizeof(a));
    a.actor = actor ? actor : "cli";
    a.action = "dataset.publish";
    a.target = r->slug;
    a.details = details;
    store_audit_add(st, &a, &err);
    free(details);
}

int
pub_publish(struct store *st, const struct ds_manifest *m,
            const struct pub_opts *o, struct pub_result *r, struct cm_err *err)
{
    struct pub           p;
    struct sdc_report    rep;
    struct store_version latest;
    struct jw           *w;
    size_t              *order = NULL;
    char                *manifest = NULL, *columns = NULL, *disclosure = NULL;
    char                 now[32];
    int                  rc, found = 0;

    memset(r, 0, sizeof(*r));
    memset(&latest, 0, sizeof(latest));
    snprintf(r->slug, sizeof(r->slug), "%s", m->slug);
    if ((rc = pub_check(m, err)) != CM_OK)
        return rc;
    memset(&p, 0, sizeof(p));
    memset(&rep, 0, sizeof(rep));
    p.st = st;
    p.m = m;
    p.cells_max = o ? o->cells_max : 0;
    cm_map_init(&p.cellmap);
    /* One transaction from the first read to the last write: the cube,
    ** the other datasets it is checked against and the version agree. */
    rc = store_begin(st, err);
    if (rc == CM_OK)
        rc = pub_build(&p, &rep, err);
    if (rc != CM_OK)
        goto out;
    order = cm_malloc((p.ncells + 1) * sizeof(*order));
    for (size_t i = 0; i < p.ncells; i++)
        order[i] = i;
    qsort_r(order, p.ncells, sizeof(*order), pub_cmp_cells, p.cells);
    r->rows = (int64_t) p.ncells;
    for (size_t i = 0; i < p.ncells; i++) {
        char s = p.sc[i].status;

        r->published += s == 'A';
        r->primary += s == 'C';
        r->secondary += s == 'D';
    }
    r->relations = (int64_t) p.nrels;
    for (size_t i = 0; i < p.nrels; i++)
        r->across += p.rel_origin[i] >= 0;
    /* The extra columns are made per row as they are written (twice: the
    ** digest, then the rows), not kept: a million rows of JSON text
    ** would be most of the publisher's memory. Nor is the cells' map
    ** needed any more. */
    cm_map_clear(&p.cellmap);
    w = jw_new();
    ds_manifest_write_json(m, w);
    manifest = jw_strdup(w);
    jw_free(w);
    columns = pub_columns(m);
    disclosure =
        pub_disclosure(&p, m->policy == DS_AGGREGATED ? &rep : NULL, r);
    rc = pub_digest(&p, order, columns, r->sha256, err);
    if (rc == CM_OK)
        rc = store_version_get(st, m->slug, 0, &latest, &found, err);
    if (rc != CM_OK)
        goto out;
    if (found && strcmp(latest.sha256, r->sha256) == 0 &&
        strcmp(latest.manifest, manifest) == 0) {
        r->unchanged = 1;
        r->version = latest.number;
        store_rollback(st);
        goto out;
    }
    if (o && o->published_at)
        snprintf(now, sizeof(now), "%s", o->published_at);
    else
        pub_now(now);
    rc = pub_write(&p, order, manifest, columns, disclosure, now,
                   o ? o->data_dir : NULL, r, err);
    if (rc == CM_OK) {
        pub_audit(st, o ? o->actor : NULL, r);
        rc = store_commit(st, err);
    }
    if (rc == CM_OK) {
        struct cm_err oerr; /* Statistics only speed reads up: not fatal */

        if (store_optimize(st, &oerr) != CM_OK)
            cm_log(CM_LOG_WARN, "%s: %s", m->slug, oerr.msg);
    }
out:
    if (rc != CM_OK)
        store_rollback(st);
    store_version_clear(&latest);
    free(order);
    free(manifest);
    free(columns);
    free(disclosure);
    pub_free(&p);
    return rc;
}

void
pub_result_write_json(const struct pub_result *r, struct jw *w)
{
    jw_obj_open(w);
    jw_kv_str(w, "slug", r->slug);
    jw_kv_int(w, "version", r->version);
    jw_kv_bool(w, "unchanged", r->unchanged);
    jw_kv_int(w, "rows", r->rows);
    pub_counts_json(r, w);
    jw_kv_int(w, "relations", r->relations);
    jw_kv_int(w, "relations_across", r->across);
    jw_kv_str(w, "sha256", r->sha256);
    jw_obj_close(w);
}
