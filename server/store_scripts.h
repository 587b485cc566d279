/*
** store_scripts.h -- SQL of the datathon: teams' scripts, their runs
** (the queue the run daemon serves, runq.c) and the published indicators
** (datasets of origin "lua"), with the source of the script behind each.
** A script and its runs belong to one account; nothing here checks who
** asks: the API does (api_scripts.c).
*/
#ifndef CM_STORE_SCRIPTS_H
#define CM_STORE_SCRIPTS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

struct store_script {
    int64_t     id, account;
    const char *name, *source, *sha256, *created_at;
    int64_t     bytes;                   /* Of the source */
    int64_t     last_run;                /* 0: never run */
    const char *last_status, *last_code; /* Of that run, or NULL */
};

/* Insert a script; *id its id. */
int store_script_add(struct store *st, int64_t account, const char *name,
                     const char *source, const char *sha256, int64_t *id,
                     struct cm_err *err);

/* Script 'id' to fn (its source included); CM_ENOTFOUND if none. */
typedef int (*store_script_fn)(void *ctx, const struct store_script *s,
                               struct cm_err *err);
int store_script_get(struct store *st, int64_t id, store_script_fn fn,
                     void *ctx, struct cm_err *err);
/* The account's scripts, newest first, ids below 'before' (0: all),
** at most 'limit'; source NULL. */
int store_scripts_each(struct store *st, int64_t account, int64_t before,
                       int limit, store_script_fn fn, void *ctx,
                       struct cm_err *err);

/* What a new run must fit in (the lua.* settings). */
struct store_run_limits {
    int     queue_max, team_queue_max;
    int64_t team_daily_ms;
    char    day[11]; /* Today, UTC, "YYYY-MM-DD": where the quota restarts */
};

/*
** Queue a run of script 'script' for 'account', in one transaction with
** its audit line (a->target is set here: "run/ID") and the checks: CM_ETOOMANY
*naming lua.queue_max, lua.team_queue_max or
** lua.team_daily_seconds when the run does not fit.
*/
int store_run_enqueue(struct store *st, int64_t script, int64_t account,
                      const struct store_run_limits *lim,
                      const struct store_audit *a, int64_t *id,
                      struct cm_err *err);

struct store_run {
    int64_t     id, script, account;
    const char *status, *code, *message;
    int         line;
    const char *preview;                            /* JSON, or NULL */
    int64_t     instructions, memory_peak, wall_ms; /* -1: not yet */
    const char *queued_at, *started_at, *finished_at;
    const char *published_slug; /* NULL: not published */
    int64_t     published_version;
    int64_t     result_bytes; /* 0: no result */
};
typedef int (*store_run_fn)(void *ctx, const struct store_run *r,
                            struct cm_err *err);
int store_run_get(struct store *st, int64_t id, store_run_fn fn, void *ctx,
                  struct cm_err *err);

/* The oldest queued runs, at most 'limit', to fn. */
typedef int (*store_queued_fn)(void *ctx, int64_t run, int64_t account,
                               int64_t script, struct cm_err *err);
int store_runs_queued(struct store *st, int limit, store_queued_fn fn,
                      void *ctx, struct cm_err *err);
/* queued -> running; *claimed 0 if it was not queued any more. */
int store_run_claim(struct store *st, int64_t run, int *claimed,
                    struct cm_err *err);

struct store_run_end {
    const char *status; /* "succeeded" | "failed" */
    const char *code, *message;
    int         line;
    const char *result, *preview; /* JSON or NULL */
    int64_t     instructions, memory_peak, wall_ms;
};
int store_run_finish(struct store *st, int64_t run,
                     const struct store_run_end *e, struct cm_err *err);
/* How many runs wait and execute now (/metrics). */
int store_runs_count(struct store *st, int64_t *queued, int64_t *running,
                     struct cm_err *err);
/* Runs left 'running' by a daemon that stopped: back in the queue. */
int store_runs_requeue(struct store *st, int64_t *n, struct cm_err *err);

/* The last successful run of 'script': *run 0 if none, else its id and
** its result (malloc'd JSON, *result). */
int store_run_last_ok(struct store *st, int64_t script, int64_t *run,
                      char **result, struct cm_err *err);
int store_run_set_published(struct store *st, int64_t run, int64_t version_id,
                            struct cm_err *err);

/*
** Who owns dataset 'slug': *exists 0 if there is none; else its origin
** ("manifest" | "lua", into origin[16]) and *team (0: the platform).
*/
int store_dataset_owner(struct store *st, const char *slug, int *exists,
                        char origin[16], int64_t *team, struct cm_err *err);
int store_dataset_set_team(struct store *st, const char *slug, int64_t team,
                           struct cm_err *err);

/* Keep the source of a published script (same sha256: kept once). */
int store_script_source_add(struct store *st, const char *sha256,
                            const char *source, size_t len, struct cm_err *err);
/* *source malloc'd, NULL if no published script has that sha256. */
int store_script_source_get(struct store *st, const char *sha256, char **source,
                            struct cm_err *err);

/* One published indicator: its latest version. */
struct store_indicator {
    const char *slug;
    int64_t     version_id, version;
    const char *published_at, *manifest, *provenance;
    int64_t     n_observations;
    const char *team; /* NULL: the platform's own */
};
typedef int (*store_indicator_fn)(void *ctx, const struct store_indicator *i,
                                  struct cm_err *err);
/* Every indicator (slug NULL) or one, ordered by 'sort': "title", "team",
** "recent" or anything else for the gallery (the platform's first). */
int store_indicators_each(struct store *st, const char *slug, const char *sort,
                          store_indicator_fn fn, void *ctx, struct cm_err *err);

/* The rows of the latest period of version 'id', at most 'limit'. */
struct store_value {
    const char *period, *territory_level, *territory, *sector, *unit;
    double      value;
    int         value_null;
};
typedef int (*store_value_fn)(void *ctx, const struct store_value *v,
                              struct cm_err *err);
int store_indicator_latest(struct store *st, int64_t version_id, int limit,
                           store_value_fn fn, void *ctx, struct cm_err *err);

#endif /* CM_STORE_SCRIPTS_H */
