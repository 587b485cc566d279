/*
** store_downloads.h -- the download counts of migration 0009
** (download_day): requests and bytes GET .../download served, per UTC
** day, dataset and format. dl.c counts in memory and hands its counts
** here in batches, so the download path never waits on SQLite.
*/
#ifndef CM_STORE_DOWNLOADS_H
#define CM_STORE_DOWNLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;

struct store_download_count {
    char    day[11];     /* UTC, "2026-11-30" */
    char    dataset[65]; /* Slug */
    char    format[16];  /* csv, json, ndjson, zip, tar.gz */
    int64_t requests;    /* Bodies sent (200, 206) */
    int64_t bytes;       /* Body bytes sent */
};

/*
** Add the n counts c[] to their rows of download_day (a missing row
** starts at 0), in one transaction of its own: all of them or none.
*/
int store_downloads_add(struct store *st, const struct store_download_count *c,
                        size_t n, struct cm_err *err);

#endif /* CM_STORE_DOWNLOADS_H */
