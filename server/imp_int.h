/*
** imp_int.h -- what the importers (imp_<format>.c) share: their entry
** points, listed in imp_formats.c, and small helpers for headers.
*/
#ifndef CM_IMP_INT_H
#define CM_IMP_INT_H

#include <stddef.h>

#include "csv.h"
#include "imp.h"
#include "cm_limits.h"

#define IMP_LINE_MAX CM_IMP_LINE_MAX

/* 1 if the first line of p[0..n) contains 'needle'. */
int imp_first_line_has(const char *p, size_t n, const char *needle);

/*
** Map a header record onto cols[] (NULL-terminated names; the first
** 'nrequired' must be present): col[i] gets the field index of cols[i],
** or -1. An unknown, repeated or missing column is CM_EMALFORMED naming
** it. *ncols gets the header's field count.
*/
int imp_header(const char *file, const struct csv_rec *hdr,
               const char *const *cols, int nrequired, int *col, int *ncols,
               struct cm_err *err);

#define IMP_DECLARE(fmt)                                                       \
    int imp_##fmt##_detect(const char *peek, size_t n);                        \
    int imp_##fmt##_parse(struct imp_src *src, struct imp_sink *k,             \
                          const struct imp_opts *o, struct cm_err *err);

IMP_DECLARE(csv)
IMP_DECLARE(enedis)
IMP_DECLARE(mapped)
IMP_DECLARE(adict)
IMP_DECLARE(zabbix)
IMP_DECLARE(dataconnect)
IMP_DECLARE(fronius)
IMP_DECLARE(emoncms)
IMP_DECLARE(senml)

#endif /* CM_IMP_INT_H */
