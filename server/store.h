/*
** store.h -- the embedded SQLite store: opening, migrations, backup.
** One struct store is one connection, used by one thread at a time: the
** server opens one per CivetWeb worker thread (init_thread) and closes it
** when the thread exits. WAL mode lets those connections read while one
** of them writes. Every write is one transaction.
*/
#ifndef CM_STORE_H
#define CM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;

struct store_opts {
    int create;          /* Create the file if missing */
    int migrate;         /* Apply pending migrations; else refuse to open */
    int busy_timeout_ms; /* store.busy_timeout_ms */
    int readonly;        /* Open read-only, change nothing (checks) */
};

/* The schema version this binary expects (the last migration). */
int store_schema_latest(void);

/*
** Create the folder 'dir' (and its parents) if missing, and check that it
** is a folder we can write in.
*/
int store_prepare_dir(const char *dir, struct cm_err *err);

/*
** Open the store at 'path'. Refuses a store whose schema is newer than
** this binary, and (unless o->migrate) one that is older. *pn_applied, if
** not NULL, gets the number of migrations applied.
*/
int store_open(const char *path, const struct store_opts *o, struct store **out,
               int *pn_applied, struct cm_err *err);
void store_close(struct store *st); /* NULL-safe */

const char *store_path(const struct store *st);

/* Fill *out with the schema version recorded in the store. */
int store_schema_version(struct store *st, int *out, struct cm_err *err);

/* Fill *out with the bytes the store occupies on disk (file + WAL). */
int store_disk_size(struct store *st, int64_t *out, struct cm_err *err);

/* "ok", or the first problem PRAGMA integrity_check reports, in err. */
int store_integrity_check(struct store *st, struct cm_err *err);

/*
** Copy the store to 'dest' through SQLite's online backup API: a
** consistent snapshot taken while other connections keep writing. The
** copy is written beside dest and renamed into place, so dest is either
** absent or complete. Refuses to overwrite an existing file.
*/
int store_backup(struct store *st, const char *dest, struct cm_err *err);

struct store_audit {
    const char *actor;   /* Account name, "cli" or "system" */
    const char *action;  /* "store.migrate", "site.import" ... */
    const char *target;  /* What was written, or NULL */
    const char *address; /* Client address, or NULL */
    const char *details; /* JSON text, or NULL */
};

/* Append one line to the audit log. */
int store_audit_add(struct store *st, const struct store_audit *a,
                    struct cm_err *err);
int store_audit_count(struct store *st, int64_t *out, struct cm_err *err);

/* Refresh the planner's statistics (PRAGMA optimize), after a publish. */
int store_optimize(struct store *st, struct cm_err *err);

/* Read the store through a memory map of up to 'bytes' (0: no map, each
** page read with a system call). The map is the kernel's page cache,
** shared by every connection, not memory of the process. */
int store_mmap(struct store *st, int64_t bytes, struct cm_err *err);

/* Set the connection's page cache to 'kib' KiB (0: SQLite's default). */
int store_cache_kib(struct store *st, int kib, struct cm_err *err);

/* ---- transactions ---------------------------------------------------- */

/* BEGIN: a read of several statements sees one snapshot, and the
** connection starts one read transaction instead of one per statement
** (each costs a look at the WAL index). End it with store_rollback. */
int store_begin_read(struct store *st, struct cm_err *err);
/* BEGIN IMMEDIATE (waits store.busy_timeout_ms for other writers). */
int  store_begin(struct store *st, struct cm_err *err);
int  store_commit(struct store *st, struct cm_err *err);
void store_rollback(struct store *st); /* Harmless outside a transaction */

/* ---- the private layer: sites, meters, readings (store_private.c) ---- */

struct store_site {
    const char *site_id, *name, *category;
    double      floor_area_m2;                   /* <= 0: unknown */
    const char *commune_insee, *district, *epci; /* NULL: unknown */
    int         public_;    /* The site's own data may be published */
    const char *attributes; /* JSON object text, or NULL */
};

struct store_meter_def {
    const char *meter_id, *site_id, *kind, *source, *source_ref, *unit;
    int64_t     step;    /* Interval of its readings, s; -1: not declared */
    int         counter; /* Its values are a cumulative index */
};

struct store_meter {
    int64_t id;
    char    kind[32];
    char    site_id[128];
    int64_t step;        /* Declared interval, s; -1: none */
    char    unit[16];    /* Unit its source sends */
    int     counter;     /* Its values are a cumulative index */
    int     has_index;   /* The last index read is known: */
    int64_t index_at;    /* when (UTC s) */
    double  index_value; /* and its value, in the meter's unit */
};

/* Insert or update one site (by site_id). */
int store_site_upsert(struct store *st, const struct store_site *s,
                      struct cm_err *err);
/* Insert or update one meter (by meter_id); CM_ENOTFOUND if its site is
** unknown. */
int store_meter_upsert(struct store *st, const struct store_meter_def *m,
                       struct cm_err *err);

/* Find a meter by meter_id (source "csv") or by (source, source_ref).
** *found is 0 when there is none. */
int store_meter_find(struct store *st, const char *source, const char *ref,
                     struct store_meter *out, int *found, struct cm_err *err);

/* Remember (at, value) as the meter's last index, unless a later one is
** already known. */
int store_meter_index_set(struct store *st, int64_t meter, int64_t at,
                          double value, struct cm_err *err);

enum store_put {
    STORE_PUT_INSERTED,
    STORE_PUT_UPDATED,
    STORE_PUT_UNCHANGED,
    STORE_PUT_CONFLICT /* Written earlier by the same import, other value */
};

/* Write one reading of import 'import_id'; *outcome says what happened
** and *previous the value that was there (UPDATED, CONFLICT). */
int store_reading_put(struct store *st, int64_t meter, int64_t start,
                      int64_t step, double value, int64_t import_id,
                      enum store_put *outcome, double *previous,
                      struct cm_err *err);

int store_import_begin(struct store *st, const char *source, const char *format,
                       const char *file, const char *actor, int64_t *id,
                       struct cm_err *err);
int store_import_finish(struct store *st, int64_t id, int64_t n_read,
                        int64_t n_inserted, int64_t n_updated,
                        int64_t n_rejected, const char *status,
                        const char *report, struct cm_err *err);

/* ---- what the publisher reads of the private layer ------------------ */

/* Every site, by id, to fn (strings borrowed for the call). */
typedef int (*store_site_fn)(void *ctx, int64_t id, const struct store_site *s,
                             struct cm_err *err);
int store_sites_each(struct store *st, store_site_fn fn, void *ctx,
                     struct cm_err *err);

struct store_agg {    /* One site's readings of one kind in one period */
    int64_t     site; /* site.id */
    const char *kind;
    const char *period; /* paris_period(start, grain) */
    double      sum, min, max;
    int64_t     n; /* Readings */
};
typedef int (*store_agg_fn)(void *ctx, const struct store_agg *a,
                            struct cm_err *err);
/* The readings of the kinds in 'kinds_json' (a JSON array of names),
** grouped by site, kind and Europe/Paris period of 'grain' (enum
** ts_grain), from public sites only when public_only. Each meter's
** readings are summed first, then a site's meters of one kind. In no
** particular order. */
int store_aggregate(struct store *st, int grain, const char *kinds_json,
                    int public_only, store_agg_fn fn, void *ctx,
                    struct cm_err *err);

/* ---- accounts (store_accounts.c) ------------------------------------ */

struct store_account {
    int64_t id;
    char    name[65];
    char    role[16];
};

/* CM_ECONFLICT if the name is taken. */
int store_account_add(struct store *st, const char *name, const char *role,
                      int64_t *id, struct cm_err *err);
/* hash: SHA-256 of the token; expires_at: ISO 8601 UTC or NULL. */
int store_token_add(struct store *st, int64_t account,
                    const unsigned char hash[32], const char *prefix,
                    const char *label, const char *expires_at,
                    struct cm_err *err);
/* The live (not revoked, not expired, account enabled) token with this
** hash; *found 0 if none. */
int store_token_find(struct store *st, const unsigned char hash[32],
                     struct store_account *out, int *found, struct cm_err *err);

/* An account by name, with its password hash (empty: none); *found 0 if
** there is no such account. */
struct store_login {
    struct store_account account;
    char                 password_hash[256];
    int                  disabled;
};
int store_account_by_name(struct store *st, const char *name,
                          struct store_login *out, int *found,
                          struct cm_err *err);

/* Every account, by name: fn(ctx, name, role, disabled, has_password,
** created_at, live_tokens). */
typedef int (*store_account_fn)(void *ctx, const char *name, const char *role,
                                int disabled, int has_password,
                                const char *created_at, int64_t live_tokens,
                                struct cm_err *err);
int store_accounts_each(struct store *st, store_account_fn fn, void *ctx,
                        struct cm_err *err);
/* Disable an account and end its sessions (its tokens stop working with
** it: store_token_find checks the account). */
int store_account_disable(struct store *st, int64_t id, struct cm_err *err);
int store_account_password_set(struct store *st, int64_t id, const char *hash,
                               struct cm_err *err);

/* Sessions: the cookie's SHA-256, its CSRF token and expiry (UTC text). */
int store_session_add(struct store *st, const unsigned char hash[32],
                      int64_t account, const char *csrf, const char *expires_at,
                      const char *address, struct cm_err *err);
/* The live session with this hash (account enabled, not expired); its
** CSRF token into csrf[64]; *found 0 if none. */
int store_session_find(struct store *st, const unsigned char hash[32],
                       struct store_account *out, char csrf[64], int *found,
                       struct cm_err *err);
int store_session_delete(struct store *st, const unsigned char hash[32],
                         struct cm_err *err);

/* Failed logins: record one; count those since 'since' (UTC text) for
** the name and for the address. */
int store_login_failure_add(struct store *st, const char *name,
                            const char *address, struct cm_err *err);
int store_login_failures(struct store *st, const char *name,
                         const char *address, const char *since,
                         int64_t *by_name, int64_t *by_address,
                         struct cm_err *err);

/* ---- the public layer: published versions (store_public.c) ----------- */
/*
** A version is written in the caller's transaction (store_begin ...
** store_commit), so a publish is all or nothing: store_version_create,
** then store_obs_add per cell (row 0, 1, ... in the version's canonical
** order), then store_distribution_add per file, then
** store_dataset_set_latest. Published rows are immutable (triggers).
*/
struct exp_obs;

struct store_version_new {
    const char *slug;
    const char *origin;       /* "manifest" or "lua" */
    const char *manifest;     /* Canonical JSON of the definition */
    const char *search_text;  /* Folded text the catalog searches */
    const char *published_at; /* "2026-11-30T10:00:00Z" */
    int64_t     n_observations;
    const char *sha256;     /* Of the canonical CSV (exp_csv, no flags) */
    const char *columns;    /* JSON array of extra columns, or NULL */
    const char *disclosure; /* JSON disclosure report, or NULL */
    const char *provenance; /* JSON, or NULL */
};

/* Insert the dataset if new (else refresh its manifest and search text)
** and a version numbered one past its last; *id is dataset_version.id,
** *number the version number. */
int store_version_create(struct store *st, const struct store_version_new *v,
                         int64_t *id, int64_t *number, struct cm_err *err);

/* One cell of version 'id'; 'extra' is a JSON object of the version's
** extra columns, or NULL. */
int store_obs_add(struct store *st, int64_t id, int64_t row,
                  const struct exp_obs *o, const char *extra,
                  struct cm_err *err);

struct store_distribution {
    char    format[16];     /* csv, json, ndjson, zip, tar.gz */
    char    name[160];      /* File name offered: "<slug>-v3.csv" */
    char    media_type[64]; /* "text/csv; charset=utf-8" */
    int64_t bytes;
    char    sha256[65];
};

int store_distribution_add(struct store *st, int64_t id,
                           const struct store_distribution *d,
                           struct cm_err                   *err);
/* The distributions of version 'id', by format name, up to 'max'. */
int store_distribution_list(struct store *st, int64_t id,
                            struct store_distribution *out, size_t max,
                            size_t *n, struct cm_err *err);

/* Make version 'id' the latest of its dataset. */
int store_dataset_set_latest(struct store *st, int64_t id, struct cm_err *err);

struct store_version { /* One published version, read back */
    int64_t id;        /* dataset_version.id */
    int64_t dataset;   /* dataset.id */
    int64_t number;    /* 1, 2 ... */
    int64_t latest;    /* The dataset's latest version number */
    int64_t n_observations;
    char    slug[65];
    char    origin[16];
    char    published_at[32];
    char    sha256[65];
    char   *manifest;   /* Owned JSON text */
    char   *columns;    /* Owned JSON text, or NULL */
    char   *disclosure; /* Owned JSON text, or NULL */
    char   *provenance; /* Owned JSON text, or NULL */
};

/* Version 'number' of dataset 'slug' (0: its latest). *found is 0 when
** the dataset or the version does not exist. */
int  store_version_get(struct store *st, const char *slug, int64_t number,
                       struct store_version *out, int *found,
                       struct cm_err *err);
void store_version_clear(struct store_version *v); /* NULL-safe */

/* Rows of version 'id', and how many are A, C and D. */
int store_version_counts(struct store *st, int64_t id, int64_t *rows,
                         int64_t *a, int64_t *c, int64_t *d,
                         struct cm_err *err);

/* The versions of dataset 'dataset', newest first, to fn (metadata only:
** manifest and the other JSON texts are NULL). fn returns CM_OK to go on. */
typedef int (*store_version_fn)(void *ctx, const struct store_version *v,
                                struct cm_err *err);
int store_versions_each(struct store *st, int64_t dataset, store_version_fn fn,
                        void *ctx, struct cm_err *err);

/* Every dataset's latest version (with its JSON texts), by slug. */
int store_datasets_each(struct store *st, store_version_fn fn, void *ctx,
                        struct cm_err *err);

/* The observations of version 'id', in row order, to fn; 'extra' is the
** row's JSON object of extra columns or NULL. Strings are borrowed for
** the call. fn returns CM_OK to go on. */
typedef int (*store_obs_fn)(void *ctx, const struct exp_obs *o,
                            const char *extra, struct cm_err *err);
int store_obs_each(struct store *st, int64_t id, store_obs_fn fn, void *ctx,
                   struct cm_err *err);

#endif /* CM_STORE_H */
