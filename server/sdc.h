/*
** sdc.h -- statistical disclosure control for one table of cells.
** The publisher (pub.c) hands sdc_run() the cells of a dataset version and
** the additive relations the platform publishes between them (total =
** sum of parts); sdc_run() sets each cell's status: A published, C primary
** confidential, D secondary. Pure: no SQL, no I/O, no global state. See
** sdc.c for what the secondary rule protects against, and what it does not.
*/
#ifndef CM_SDC_H
#define CM_SDC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h" /* struct cm_err, CM_OK, CM_E* */

/* Defaults from the French rules (energy-domain.md section 1, 5 #1 #3). */
#define SDC_HOUSEHOLD_MIN_SITES 10  /* D.111-53: residential, > 9 PDL */
#define SDC_BUSINESS_MIN_SITES 3    /* Statistical secrecy: >= 3 units */
#define SDC_BUSINESS_MAX_SHARE 0.85 /* ... and no unit above 85 % */

struct sdc_rules {
    int64_t min_sites; /* >= 1: fewer contributing sites -> C */
    double  max_share; /* (0, 1]: largest site / value above it -> C;
                          1 turns the dominance rule off for value > 0 */
};

/* Whether another published dataset already decided a cell (input). */
enum sdc_elsewhere {
    SDC_FREE = 0,            /* Decided here */
    SDC_PUBLISHED_ELSEWHERE, /* Already public: A, never suppressed */
    SDC_SUPPRESSED_ELSEWHERE /* Already hidden elsewhere: stays hidden */
};

/* Why a cell ended where it did (output). */
enum sdc_reason {
    SDC_OPEN = 0,    /* A: passed the primary rules, needed by none */
    SDC_FORCED_OPEN, /* A: published elsewhere (primary rules skipped) */
    SDC_FEW_SITES,   /* C: n_sites < min_sites */
    SDC_DOMINANCE,   /* C: max_site / value > max_share, or value <= 0 */
    SDC_ELSEWHERE,   /* D: suppressed elsewhere, passes primary rules */
    SDC_SECONDARY,   /* D: so no other hidden cell follows from a sum */
    SDC_NREASONS
};

struct sdc_cell {
    double             value;     /* Sum of the contributing sites' values */
    int64_t            n_sites;   /* Contributing sites, >= 0 */
    double             max_site;  /* Largest single site's contribution */
    enum sdc_elsewhere elsewhere; /* IN: see above */
    char               status;    /* OUT: 'A', 'C' or 'D' */
    enum sdc_reason    reason;    /* OUT */
};

/* cells[total] = sum of cells[parts[i]]; parts are distinct, not total. */
struct sdc_relation {
    size_t        total;
    const size_t *parts;   /* Borrowed for the call */
    size_t        n_parts; /* >= 1 */
};

struct sdc_report {
    struct sdc_rules rules;     /* The primary rules applied */
    const char      *secondary; /* The secondary rule, one sentence */
    size_t           n_cells, n_relations;
    size_t           published;               /* A, forced ones included */
    size_t           by_reason[SDC_NREASONS]; /* Cells per reason */
    size_t           passes;       /* Secondary passes until stable */
    size_t           bad_relation; /* CM_EUNPROCESSABLE: its index, else
                                      SIZE_MAX */
};

/* The defaults: households (10 sites) or others (3 sites, 85 %). */
struct sdc_rules sdc_rules_household(void);
struct sdc_rules sdc_rules_business(void);

/*
** Set status and reason of every cell: primary rules, then secondary
** suppression until no relation has exactly one suppressed member. Fill
** *report (may be NULL). Deterministic: same cells and same set of
** relations, in any order, give the same statuses. Returns CM_OK;
** CM_EINVAL for bad rules, a value or max_site not finite, a negative
** n_sites or a malformed relation; CM_EUNPROCESSABLE, naming the relation
** (report->bad_relation), when a suppressed cell could be recomputed from
** a relation whose other members are all published elsewhere: the caller
** must not publish. On error the statuses are meaningless.
*/
int sdc_run(struct sdc_cell *cells, size_t n_cells,
            const struct sdc_relation *rels, size_t n_rels,
            const struct sdc_rules *rules, struct sdc_report *report,
            struct cm_err *err);

const char *sdc_reason_name(enum sdc_reason r); /* "few_sites" */

#endif /* CM_SDC_H */
