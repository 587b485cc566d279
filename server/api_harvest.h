/*
** api_harvest.h -- what the views for harvesters share (api_harvest.c):
** api_dcat.c (DCAT-AP JSON-LD), api_ckan.c (the CKAN Action API subset)
** and api_openapi.c (the OpenAPI description). Not for other modules.
*/
#ifndef CM_API_HARVEST_H
#define CM_API_HARVEST_H

#include <stddef.h>
#include <stdint.h>

#include "ds_manifest.h"
#include "store.h"

struct req;
struct jw;
struct query;
struct cm_err;

#define HV_BASE_MAX 300 /* "http://" + a Host (255), or http.base_url */
#define HV_URL_MAX 640  /* A link: the base + path + query */
#define HV_DIST_MAX 16  /* Files listed per version; five formats today */
#define HV_STAMP_MAX 32 /* "2026-11-30T10:00:00Z" and room to spare */

/* A Host header we may echo into links: host[:port] characters only, so
** a forged one cannot inject markup, a path or another scheme. */
#define HV_HOST_CHARS                                                          \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]"
#define HV_HOST_MAX 255

/* CKAN's package_search defaults, which the OpenAPI document states */
#define CKAN_ROWS_DEFAULT 10 /* package_search rows when absent, as CKAN */
#define CKAN_SORT_DEFAULT "score desc, metadata_modified desc" /* Idem */
#define CKAN_SORT_MAX 4 /* Sort keys in one request */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct hv_ds {                    /* One dataset, as the views need it */
    struct store_version       v; /* Its latest version; owns manifest */
    struct ds_manifest         m; /* v.manifest, parsed; m.slug NULL if not */
    int                        detailed;             /* issued, dist loaded */
    char                       issued[HV_STAMP_MAX]; /* Version 1's date */
    struct store_distribution *dist;                 /* ndist files */
    size_t                     ndist;
    char *fold;   /* Folded searchable text, or NULL (package_search) */
    char *ftitle; /* Folded title, or NULL (package_search) */
};

struct hv_list { /* Every dataset's latest version, by slug */
    struct hv_ds *a;
    size_t        n, cap;
};

/* The scheme and authority links are built on, no trailing '/'. */
void hv_base(struct req *rq, char *out, size_t outsz);

/*
** Fill *out with the integer parameter 'name': 'def' when absent, else
** decimal digits within [min, max]. Above max, the error names 'setting'
** (the configured limit) when there is one, so the client learns which
** knob bounds it.
*/
int hv_query_int(const struct query *q, const char *name, int64_t min,
                 int64_t max, const char *setting, int64_t def, int64_t *out,
                 struct cm_err *err);

/* The GET route of the server's table at 'pattern', or NULL. */
const struct route *hv_get_route(struct req *rq, const char *pattern);

/* Send w as 'ctype' with a strong ETag (304 when the client has it). */
int hv_reply(struct req *rq, struct jw *w, const char *ctype);

/* Copy v (the store's, valid for the call) into d, parse its manifest. */
void hv_ds_take(struct hv_ds *d, const struct store_version *v);
void hv_ds_clear(struct hv_ds *d);
int  hv_collect(void *ctx, const struct store_version *v, struct cm_err *err);

/* Fill *l with every dataset; on error *l is still safe to clear. */
int  hv_load(struct req *rq, struct hv_list *l, struct cm_err *err);
void hv_list_clear(struct hv_list *l);

/* Load what only the rendered datasets need: their files, and the date
** of version 1 (when the dataset was first issued). */
int         hv_details(struct store *st, struct hv_ds *d, struct cm_err *err);
const char *hv_title(const struct hv_ds *d);

/* The last segment of a URI: "…/data-theme/ENER" -> "ENER". */
const char *hv_uri_code(const char *uri);
int         hv_is_uri(const char *s);
int         hv_format(const char *format);

/* "text/csv; charset=utf-8" -> "text/csv", into out. */
void hv_mime(const char *media_type, char *out, size_t outsz);

/* The download links of a file: stable (always the latest version) and
** exact (this version, the bytes the sha256 describes). */
void hv_download_urls(const char *base, const struct hv_ds *d,
                      const struct store_distribution *x, char *stable,
                      char *exact, size_t sz);

/* Each download format's EU file-type code (NULL: none) and label. */
struct hv_format_name {
    const char *format, *eu, *label;
};
extern const struct hv_format_name hv_formats[]; /* Row hv_format() */

#endif /* CM_API_HARVEST_H */
