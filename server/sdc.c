/*
** sdc.c -- statistical disclosure control for one dataset version.
** Marks cells C (primary rules) then D (secondary) until no suppressed
** value can be recomputed from a single published equation. Pure: no SQL,
** no I/O; pub.c feeds it cells.
**
** Primary rules (energy-domain.md 1.1-1.2): a cell with fewer than
** min_sites contributing sites (10 for households, D.111-53; 3 for others,
** statistical secrecy), or whose largest site makes more than max_share of
** its value (85 %), is C. Exactly min_sites, or a share of exactly
** max_share, is published. A share only means something for a positive
** value: a zero total of non-negative contributions tells every site's
** value (zero), and a negative total mixes signs so no share bounds what
** one site contributed; such a cell is C for dominance.
**
** Secondary rule: a relation total = sum of parts is one linear equation
** the platform publishes (commune = sum of districts, all sectors = sum of
** sectors, year = sum of months, and equations spanning datasets: a
** commune total published elsewhere, given as a forced-published cell). If
** exactly one member (counting the total) is suppressed, it is the total
** minus the others: recomputed. So until stable, for every such relation
** we suppress one more member, the one that hides least (smallest value,
** then fewest sites, then lowest index), never a cell published elsewhere;
** with none left we fail, naming the relation, and nothing is published.
**
** What this protects against: recomputing a suppressed value from any one
** published equation, and from chains of them (substitution only ever
** starts from an equation with one unknown, and none is left). What it
** does not: combining several equations at once (in a two-way table,
** adding row equations and subtracting column equations can isolate a
** suppressed cell that sits on no cycle of suppressed cells), nor narrow
** intervals (with non-negative values, a suppressed cell lies between 0
** and its total minus the published parts). In random 5 x 6 tables with
** margins, about 3 % of the suppressed cells stay exactly recoverable by
** such combinations (test_sdc.c counts them). A full audit is a linear
** programming problem per suppressed cell (tau-Argus, sdcTable's
** protectTable); this module does not solve it.
**
** Determinism: relations are processed in a canonical order (by total,
** then parts), not the caller's, and ties are broken by index, so the same
** table gives the same statuses however the caller lists its relations.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sdc.h"

/* One relation with its parts sorted, and where the caller had it. */
struct rel {
    size_t  total;
    size_t *parts; /* Sorted, owned */
    size_t  n_parts;
    size_t  index; /* In the caller's array, for error messages */
};

struct sdc_rules
sdc_rules_household(void)
{
    struct sdc_rules r = {SDC_HOUSEHOLD_MIN_SITES, 1.0};

    /* D.111-53 sets only a count for residential aggregates */
    return r;
}

struct sdc_rules
sdc_rules_business(void)
{
    struct sdc_rules r = {SDC_BUSINESS_MIN_SITES, SDC_BUSINESS_MAX_SHARE};

    return r;
}

const char *
sdc_reason_name(enum sdc_reason r)
{
    static const char *const names[SDC_NREASONS] = {
        "open",      "published_elsewhere",  "few_sites",
        "dominance", "suppressed_elsewhere", "secondary"};

    return (unsigned) r < SDC_NREASONS ? names[r] : "unknown";
}

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *) a, y = *(const size_t *) b;

    return (x > y) - (x < y);
}

/* The canonical order: total, then number of parts, then the parts. */
static int
cmp_rel(const void *a, const void *b)
{
    const struct rel *x = a, *y = b;
    size_t            i;

    if (x->total != y->total)
        return x->total < y->total ? -1 : 1;
    if (x->n_parts != y->n_parts)
        return x->n_parts < y->n_parts ? -1 : 1;
    for (i = 0; i < x->n_parts; i++)
        if (x->parts[i] != y->parts[i])
            return x->parts[i] < y->parts[i] ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int
is_hidden(const struct sdc_cell *c)
{
    return c->status != 'A';
}

static void
rels_free(struct rel *r, size_t n)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < n; i++)
        free(r[i].parts);
    free(r);
}

/* Copy and check the caller's relations into *out, canonically sorted. */
static int
rels_load(const struct sdc_relation *rels, size_t n_rels, size_t n_cells,
          struct rel **out, struct cm_err *err)
{
    struct rel *r = cm_calloc(n_rels ? n_rels : 1, sizeof(*r));
    size_t      i, j;

    *out = r;
    for (i = 0; i < n_rels; i++) {
        const struct sdc_relation *s = &rels[i];

        r[i].index = i;
        if (s->n_parts == 0 || s->parts == NULL || s->total >= n_cells)
            return cm_fail(err, CM_EINVAL,
                           "relation %zu: no parts, or total out of range", i);
        r[i].parts = cm_malloc(s->n_parts * sizeof(size_t));
        memcpy(r[i].parts, s->parts, s->n_parts * sizeof(size_t));
        r[i].n_parts = s->n_parts;
        r[i].total = s->total;
        qsort(r[i].parts, s->n_parts, sizeof(size_t), cmp_size);
        for (j = 0; j < s->n_parts; j++) {
            /* A repeated part or the total among its parts would be a
            ** coefficient other than 1: not the equation we reason on. */
            if (r[i].parts[j] >= n_cells || r[i].parts[j] == s->total ||
                (j > 0 && r[i].parts[j] == r[i].parts[j - 1]))
                return cm_fail(err, CM_EINVAL,
                               "relation %zu: part %zu is out of range, "
                               "repeated, or its own total",
                               i, r[i].parts[j]);
        }
    }
    qsort(r, n_rels, sizeof(*r), cmp_rel);
    return CM_OK;
}

/* The primary status of one cell. */
static void
primary(struct sdc_cell *c, const struct sdc_rules *rules)
{
    c->status = 'A';
    c->reason = SDC_OPEN;
    if (c->elsewhere == SDC_PUBLISHED_ELSEWHERE) {
        c->reason = SDC_FORCED_OPEN; /* Public already: hiding is moot */
        return;
    }
    if (c->n_sites < rules->min_sites)
        c->reason = SDC_FEW_SITES;
    else if (!(c->value > 0) || c->max_site / c->value > rules->max_share)
        c->reason = SDC_DOMINANCE;
    else if (c->elsewhere == SDC_SUPPRESSED_ELSEWHERE)
        c->reason = SDC_ELSEWHERE;
    if (c->reason == SDC_FEW_SITES || c->reason == SDC_DOMINANCE)
        c->status = 'C';
    else if (c->reason == SDC_ELSEWHERE)
        c->status = 'D';
}

/* Does a hide less than b? Smallest value, fewest sites, lowest index. */
static int
hides_less(const struct sdc_cell *cells, size_t a, size_t b)
{
    if (cells[a].value != cells[b].value)
        return cells[a].value < cells[b].value;
    if (cells[a].n_sites != cells[b].n_sites)
        return cells[a].n_sites < cells[b].n_sites;
    return a < b;
}

/*
** If relation r has exactly one suppressed member, suppress the member
** that hides least. Returns 1 if a cell changed, 0 if not, -1 when no
** member may be suppressed.
*/
static int
fix_relation(struct sdc_cell *cells, const struct rel *r)
{
    size_t hidden = is_hidden(&cells[r->total]), best = SIZE_MAX, i, m;

    for (i = 0; i < r->n_parts && hidden < 2; i++)
        hidden += is_hidden(&cells[r->parts[i]]);
    if (hidden != 1)
        return 0;
    for (i = 0; i <= r->n_parts; i++) {
        m = i < r->n_parts ? r->parts[i] : r->total;
        if (is_hidden(&cells[m]) ||
            cells[m].elsewhere == SDC_PUBLISHED_ELSEWHERE)
            continue;
        if (best == SIZE_MAX || hides_less(cells, m, best))
            best = m;
    }
    if (best == SIZE_MAX)
        return -1;
    cells[best].status = 'D';
    cells[best].reason = SDC_SECONDARY;
    return 1;
}

int
sdc_run(struct sdc_cell *cells, size_t n_cells, const struct sdc_relation *rels,
        size_t n_rels, const struct sdc_rules *rules, struct sdc_report *report,
        struct cm_err *err)
{
    struct sdc_report rep;
    struct rel       *r = NULL;
    size_t            i;
    int               changed, rc;

    memset(&rep, 0, sizeof(rep));
    rep.rules = *rules;
    rep.secondary = "no published relation (total = sum of parts) has "
                    "exactly one suppressed member; the smallest value is "
                    "suppressed first";
    rep.n_cells = n_cells;
    rep.n_relations = n_rels;
    rep.bad_relation = SIZE_MAX;
    if (report != NULL)
        *report = rep;
    if (rules->min_sites < 1 || !(rules->max_share > 0) || rules->max_share > 1)
        return cm_fail(err, CM_EINVAL,
                       "min_sites must be >= 1 and max_share in (0, 1]");
    for (i = 0; i < n_cells; i++) {
        if (!isfinite(cells[i].value) || !isfinite(cells[i].max_site) ||
            cells[i].n_sites < 0)
            return cm_fail(err, CM_EINVAL,
                           "cell %zu: value or max_site is not finite, or "
                           "n_sites is negative",
                           i);
        primary(&cells[i], rules);
    }
    if ((rc = rels_load(rels, n_rels, n_cells, &r, err)) != CM_OK)
        goto done;

    /* Passes over the canonical order until one changes nothing: each
    ** change only adds a suppression, so this ends within n_cells passes. */
    do {
        changed = 0;
        rep.passes++;
        for (i = 0; i < n_rels; i++) {
            int f = fix_relation(cells, &r[i]);

            if (f < 0) {
                rep.bad_relation = r[i].index;
                rc = cm_fail(err, CM_EUNPROCESSABLE,
                             "relation %zu (total: cell %zu): a suppressed "
                             "member could be recomputed and every other "
                             "member is already published elsewhere",
                             r[i].index, r[i].total);
                goto done;
            }
            changed |= f;
        }
    } while (changed);

    for (i = 0; i < n_cells; i++) {
        rep.by_reason[cells[i].reason]++;
        rep.published += cells[i].status == 'A';
    }
    rc = CM_OK;
done:
    rels_free(r, n_rels);
    if (report != NULL)
        *report = rep;
    return rc;
}
