/*
** pub.h -- the publisher: from the private readings to a new immutable
** version of one dataset. Aggregation in SQL (store_aggregate), then the
** cube in memory: the dataset's cells and the margins it publishes along
** its hierarchies, disclosure control (sdc.c) over the relations between
** them and the cells other published datasets already made public, and
** one transaction that writes the version, its observations and the
** checksums of its downloads. Nothing is written when the content is the
** same as the latest version's: publishing is idempotent.
*/
#ifndef CM_PUB_H
#define CM_PUB_H

#include <stddef.h>
#include <stdint.h>

#include "ds_manifest.h"
#include "err.h"

struct store;
struct jw;

/* The sector of a margin over every sector: SDMX's code for a total. */
#define PUB_SECTOR_TOTAL "_T"

struct pub_opts {
    const char *published_at; /* "YYYY-MM-DDThh:mm:ssZ"; NULL: now */
    const char *actor;        /* Audit: "cli", an account; NULL: "cli" */
    int64_t     cells_max;    /* publish.cells_max; <= 0: no limit */
    const char *data_dir;     /* Write the downloads into its cache (the
                              ** bytes are made anyway, for their sha256):
                              ** the first download is then a cached one.
                              ** NULL: checksums only. */
};

struct pub_result {
    char    slug[DS_SLUG_MAX + 1];
    int64_t version;   /* The new version, or the latest when unchanged */
    int     unchanged; /* Same manifest and data as the latest: skipped */
    int64_t rows;      /* Observations (cells, margins included) */
    int64_t published; /* Status A */
    int64_t primary;   /* Status C */
    int64_t secondary; /* Status D */
    int64_t relations; /* Equations checked (in the version and across) */
    int64_t across;    /* Of which with other datasets */
    char    sha256[65];
};

/*
** Publish dataset *m from the readings in st. Returns CM_OK with *r
** filled; CM_EINVAL naming the field when the definition cannot be
** published as it is (min/max of single sites in an aggregated dataset);
** CM_EUNPROCESSABLE when a cell the rules suppress is already public in
** another dataset (its message names it): nothing is written then.
*/
int pub_publish(struct store *st, const struct ds_manifest *m,
                const struct pub_opts *o, struct pub_result *r,
                struct cm_err *err);

/*
** Finish version 'id' (number 'number' of 'slug'), written in the
** caller's transaction with its rows: make it the latest, then compute
** the checksum of every download into distribution rows, writing the
** files into data_dir's cache (NULL: checksums only). The publisher and
** the Lua indicators (ind.c) both end a version with it.
*/
int pub_finish_version(struct store *st, int64_t id, const char *slug,
                       int64_t number, const char *data_dir,
                       struct cm_err *err);

/* The summary the CLI prints: slug, version, rows, suppressed, sha256. */
void pub_result_write_json(const struct pub_result *r, struct jw *w);

#endif /* CM_PUB_H */
