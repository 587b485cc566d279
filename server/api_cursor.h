/*
** api_cursor.h -- the opaque cursors of every paged list (api_datasets.c
** makes them): base64url of the position after the last item sent,
** signed with the store's cursor key, valid only for the list, version
** and parameters it was made for. Kinds: 'c' the catalog (position: a
** slug), 'r' a version's records and 'p' the registry's sheets
** (position: a row or sheet id).
*/
#ifndef CM_API_CURSOR_H
#define CM_API_CURSOR_H

#include <stdint.h>

#include "ds_manifest.h" /* DS_SLUG_MAX */
#include "store_read.h"  /* struct store_val */

struct req;
struct cm_buf;

/* Longest text sort key a cursor carries (its URL grows with it). */
#define API_CURSOR_KEY_MAX 1024

struct api_cursor {
    char             kind;      /* 'c' catalog, 'r' records */
    int64_t          version;   /* Records: dataset_version.id */
    unsigned char    filter[8]; /* Hash of what selects and orders */
    struct store_val key;       /* Sort key of the last item sent */
    int64_t          row;       /* Records: its row */
    char             slug[DS_SLUG_MAX + 1];        /* Catalog: its slug */
    char             text[API_CURSOR_KEY_MAX + 1]; /* Holds key.s */
};

/* Append the cursor of c to out; CM_EINVAL if its key is too long. */
int api_cursor_encode(struct req *rq, const struct api_cursor *c,
                      struct cm_buf *out, struct cm_err *err);

/* Decode and check ?cursor into *c, for a list of 'kind' whose filter
** hash is 'filter' (and, for records, version 'version', whose number is
** 'number'). Returns 0 with *present set (0 when there is no cursor), or
** the status of the reply it sent: 400, or 500 when the key cannot be
** read. */
int api_cursor_param(struct req *rq, char kind, const unsigned char filter[8],
                     int64_t version, int64_t number, struct api_cursor *c,
                     int *present);

/* Hash the parameters named in 'names' (NULL-terminated), as given, with
** 'tag', into out[8]: a cursor is valid only under the same ones. */
void api_filter_hash(struct req *rq, const char *tag, const char *const *names,
                     unsigned char out[8]);

#endif /* CM_API_CURSOR_H */
