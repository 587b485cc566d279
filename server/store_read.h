/*
** store_read.h -- the queries behind the read API (api_datasets.c): the
** catalog's rows, the lean metadata of one version, and one page of a
** version's observations with filters, a sort and a keyset position.
**
** The records query is assembled from fixed fragments: column names come
** from the whitelist in store_read.c, every value is bound. Its text
** depends on the request's shape (which filters, how many values, which
** sort), so it cannot be one of store_sql.h's statements; instead each
** distinct text is prepared on first use and kept on the connection
** (STORE_READ_CACHE of them, least recently used out), so the common
** request -- no filter, row order -- never prepares anything.
*/
#ifndef CM_STORE_READ_H
#define CM_STORE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "err.h" /* struct cm_err, CM_OK, CM_E* */

struct store;

/* The published columns, in exp_columns order (exp.h). */
enum store_obs_col {
    STORE_OBS_PERIOD,
    STORE_OBS_TERRITORY_LEVEL,
    STORE_OBS_TERRITORY,
    STORE_OBS_SECTOR,
    STORE_OBS_KIND,
    STORE_OBS_VALUE,
    STORE_OBS_UNIT,
    STORE_OBS_N_SITES,
    STORE_OBS_STATUS,
    STORE_OBS_NCOLS
};

enum store_type { STORE_NULL, STORE_INT, STORE_REAL, STORE_TEXT };

struct store_val { /* One SQL value; text borrowed (see each use) */
    enum store_type type;
    int64_t         i; /* STORE_INT */
    double          d; /* STORE_REAL */
    const char     *s; /* STORE_TEXT: UTF-8, s[n] == '\0' */
    size_t          n;
};

/* ---- the catalog ------------------------------------------------------ */

struct store_read_entry { /* A dataset and its latest version; borrowed */
    const char *slug;
    const char *search_text; /* Folded text to search; "" when none */
    int64_t     number;      /* The latest version's number */
    const char *published_at;
    int64_t     n_observations;
    const char *manifest; /* JSON text of the latest version's manifest */
};

/* Every dataset that has a latest version, by slug, to fn; the strings
** are borrowed for the call. fn returns CM_OK to go on. */
typedef int (*store_read_entry_fn)(void *ctx, const struct store_read_entry *e,
                                   struct cm_err *err);
int store_read_catalog(struct store *st, store_read_entry_fn fn, void *ctx,
                       struct cm_err *err);

/* ---- one version ------------------------------------------------------ */

struct store_read_version { /* What the records route needs, no more */
    int64_t id;             /* dataset_version.id */
    int64_t number;         /* Its version number */
    int64_t latest;         /* The dataset's latest version number */
    int64_t n_observations;
    char    slug[65];
    char    sha256[65]; /* Of the version's canonical CSV; "" if none */
    char    grain[8];   /* The manifest's period: "month"...; "" if none */
    char   *columns;    /* Owned JSON text of the extra columns, or NULL */
};

/* Version 'number' of dataset 'slug' (0: the latest). *found is 0 when
** the dataset or that version does not exist. */
int  store_read_version(struct store *st, const char *slug, int64_t number,
                        struct store_read_version *out, int *found,
                        struct cm_err *err);
void store_read_version_clear(struct store_read_version *v); /* NULL-safe */

/* ---- records ---------------------------------------------------------- */

struct store_read_in { /* col IN (values...) */
    enum store_obs_col col;
    const char *const *values; /* Borrowed for the call; n >= 1 */
    size_t             n;
};

#define STORE_SORT_ROW (-1)   /* Publication order */
#define STORE_SORT_EXTRA (-2) /* The extra column at sort_path */

struct store_records_query {             /* Everything borrowed for the call */
    int64_t                     version; /* dataset_version.id */
    const struct store_read_in *in;      /* ANDed filters */
    size_t                      n_in;
    const char        *period_from, *period_to; /* Inclusive; NULL: open */
    const char *const *extra;     /* JSON paths ("$.\"x\"") of the extra */
    size_t             n_extra;   /* columns to return, after the base ones */
    int                sort;      /* STORE_SORT_*, or an enum store_obs_col */
    const char        *sort_path; /* JSON path of STORE_SORT_EXTRA */
    int                desc;      /* Descending: the reverse of ascending */
    int              after_set; /* Start after the row at (after, after_row): */
    struct store_val after;     /* its sort key (sort != STORE_SORT_ROW) */
    int64_t          after_row; /* and its row number */
    int64_t          limit;     /* Rows wanted, >= 1 */
};

struct store_record {            /* One row, valid for the callback only */
    int64_t                 row; /* Its place in publication order */
    const struct store_val *col; /* STORE_OBS_NCOLS, then n_extra */
    const struct store_val *key; /* Its sort key (sort != ROW), or NULL */
};

typedef int (*store_record_fn)(void *ctx, const struct store_record *r,
                               struct cm_err *err);

/*
** The observations q selects, in its order, up to q->limit, to fn: row
** order by default; sorted by a column, ties in row order, or for a
** descending sort the exact reverse (ties in reverse row order). NULL
** sort keys come first ascending and last descending, as SQLite orders
** them. fn returns CM_OK to go on, and must not call store_read_*.
*/
int store_records_each(struct store *st, const struct store_records_query *q,
                       store_record_fn fn, void *ctx, struct cm_err *err);

#endif /* CM_STORE_READ_H */
