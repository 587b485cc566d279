/*
** store_sandbox.h -- the Lua sandbox's own view of the store: one
** read-only SQLite connection, opened inside a sandbox worker, that can
** read the published tables (dataset, dataset_version, observation,
** distribution) and the public reference tables (reference_factor,
** download_day) and nothing else. An authorizer refuses any other table,
** any write or PRAGMA and any function off a short list, so the same
** connection safely runs the scripts' own SELECTs (cm.sql).
**
** Recipe: store_sbx_open(); store_sbx_progress() to bound long queries;
** store_sbx_*_open() a cursor, store_sbx_step() it, read its columns,
** store_sbx_cur_free(); store_sbx_close().
*/
#ifndef CM_STORE_SANDBOX_H
#define CM_STORE_SANDBOX_H

#include <stdint.h>

#include "err.h"

struct store_sbx;
struct store_sbx_cur;

/*
** Open 'path' read-only and read it once, so every file SQLite needs
** (the database, its -wal and -shm) is open before the worker loses the
** right to open files. CM_ENOTFOUND if there is no such store.
*/
int  store_sbx_open(const char *path, struct store_sbx **out,
                    struct cm_err *err);
void store_sbx_close(struct store_sbx *sb); /* NULL-safe */

/* Call fn(ctx) every 'every' SQLite VM steps; a non-zero answer
** interrupts the running statement (its step then fails). */
void store_sbx_progress(struct store_sbx *sb, int every, int (*fn)(void *),
                        void *ctx);

/* Every dataset's latest version: slug, title (fr), version, period,
** territory_level, kinds (JSON array of names), n_observations; by
** slug. */
int store_sbx_datasets_open(struct store_sbx *sb, struct store_sbx_cur **out,
                            struct cm_err *err);

/* dataset_version.id of version 'number' (0: the latest) of 'slug';
** *id is 0 when there is none. */
int store_sbx_version_id(struct store_sbx *sb, const char *slug, int64_t number,
                         int64_t *id, struct cm_err *err);

/* The observations of version 'id' in row order: period, territory,
** sector, kind, value, n_sites, status, territory_level, unit. */
int store_sbx_obs_open(struct store_sbx *sb, int64_t id,
                       struct store_sbx_cur **out, struct cm_err *err);

/* Column names cm.aggregate may group by or aggregate. */
#define STORE_SBX_GROUP_COLS                                                   \
    "period", "territory", "territory_level", "sector", "kind", "unit", "status"
#define STORE_SBX_VALUE_COLS "value", "n_sites"

/*
** The non-null values of column 'value' of version 'id' ordered by the
** nby 'by' columns (each one of STORE_SBX_GROUP_COLS, 'value' one of
** STORE_SBX_VALUE_COLS; CM_EINVAL names a bad one), then by value: each
** group's values sorted, for percentiles.
*/
int store_sbx_sorted_open(struct store_sbx *sb, int64_t id,
                          const char *const *by, int nby, const char *value,
                          struct store_sbx_cur **out, struct cm_err *err);

/*
** The reference factor 'key' in force in 'year' (has_year 0: its latest
** value): value, unit, source, year (NULL: every year), note; no row
** when there is none.
*/
int store_sbx_factor_open(struct store_sbx *sb, const char *key, int has_year,
                          int64_t year, struct store_sbx_cur **out,
                          struct cm_err *err);
/* How many rows 'key' has (0: an unknown key) and its first year (0 when
** it has none). */
int store_sbx_factor_years(struct store_sbx *sb, const char *key, int64_t *n,
                           int64_t *first, struct cm_err *err);
/* Every reference factor: key, year, value, unit, energy, source, note;
** by key then year. */
int store_sbx_factors_open(struct store_sbx *sb, struct store_sbx_cur **out,
                           struct cm_err *err);

/*
** The rows of version 'id' in primary-key order, one range read: the nby
** 'by' columns then 'value' (checked as for store_sbx_sorted_open), for an
** aggregate grouped in C (sbx_data.c). SQLite's own GROUP BY on the
** territory would walk an index and fetch each row at random.
*/
int store_sbx_scan_open(struct store_sbx *sb, int64_t id, const char *const *by,
                        int nby, const char *value, struct store_sbx_cur **out,
                        struct cm_err *err);

/*
** A script's own statement: one SELECT over the published tables.
** CM_EFORBIDDEN for anything else (a write, a PRAGMA, ATTACH, a private
** table, a function off the list, several statements), CM_EINVAL for an
** SQL error. Bind with store_sbx_bind_*, parameters from 1.
*/
int store_sbx_query_open(struct store_sbx *sb, const char *sql,
                         struct store_sbx_cur **out, struct cm_err *err);
int store_sbx_nparams(struct store_sbx_cur *c);
int store_sbx_bind_int(struct store_sbx_cur *c, int i, int64_t v);
int store_sbx_bind_real(struct store_sbx_cur *c, int i, double v);
int store_sbx_bind_text(struct store_sbx_cur *c, int i, const char *s,
                        size_t len);
int store_sbx_bind_null(struct store_sbx_cur *c, int i);

/* 1: a row is ready; 0: done; -1: failed (*err filled; CM_ELIMIT when
** the progress callback interrupted it). */
int store_sbx_step(struct store_sbx_cur *c, struct cm_err *err);

enum store_sbx_type {
    STORE_SBX_NULL,
    STORE_SBX_INT,
    STORE_SBX_REAL,
    STORE_SBX_TEXT
};

int                 store_sbx_ncols(struct store_sbx_cur *c);
const char         *store_sbx_col_name(struct store_sbx_cur *c, int i);
enum store_sbx_type store_sbx_col_type(struct store_sbx_cur *c, int i);
int64_t             store_sbx_col_int(struct store_sbx_cur *c, int i);
double              store_sbx_col_real(struct store_sbx_cur *c, int i);
/* Borrowed until the next step; *len its bytes. */
const char *store_sbx_col_text(struct store_sbx_cur *c, int i, size_t *len);

void store_sbx_cur_free(struct store_sbx_cur *c); /* NULL-safe */

#endif /* CM_STORE_SANDBOX_H */
