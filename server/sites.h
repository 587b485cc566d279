/*
** sites.h -- the site registry files: sites.csv and meters.csv, declared
** before readings arrive. Each file is imported whole or not at all:
** an unknown or missing column, or a bad row, refuses the file with the
** line and the reason.
**
** sites.csv: site_id,name,category,floor_area_m2,commune_insee,district,
**            epci,public   (public: true or false)
** meters.csv: meter_id,site_id,kind,source,source_ref[,unit][,step]
**            [,counter]    (unit: what the source sends, default the
**            kind's canonical unit; step: seconds or PT30M; counter:
**            true when the values are a cumulative index)
*/
#ifndef CM_SITES_H
#define CM_SITES_H

#include <stdint.h>

#include "err.h"
#include "imp.h"

struct store;

/* Fill *n_rows with the rows written. On error nothing is written and
** err names the file, line and reason. */
int sites_import(struct store *st, struct imp_src *src, int64_t *n_rows,
                 struct cm_err *err);
int meters_import(struct store *st, struct imp_src *src, int64_t *n_rows,
                  struct cm_err *err);

#endif /* CM_SITES_H */
