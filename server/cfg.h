/*
** cfg.h -- every runtime setting, in one table (cfg.c), with its type,
** range, default and help. Layers, later winning: built-in defaults <
** configuration file (--config FILE or CONSOMETER_CONFIG) < environment
** (CONSOMETER_HTTP_PORT for http.port) < command-line flags
** (--http.port=N, or the short aliases --listen, --port, --data-dir ...).
** A bad value is reported with the setting, the allowed values and where
** the value came from; the CLI exits with status 2.
*/
#ifndef CM_CFG_H
#define CM_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "cm_limits.h"

struct jw;

enum cfg_origin { CFG_DEFAULT, CFG_FILE, CFG_ENV, CFG_FLAG };

struct cfg {
    char    http_listen[64];        /* IPv4 address to listen on */
    int     http_port;              /* 0: any free port */
    int     http_threads;           /* CivetWeb worker threads */
    int64_t http_body_max;          /* Request body limit, bytes */
    int64_t http_header_max;        /* Request line + headers limit, bytes */
    int     http_timeout_ms;        /* Request timeout */
    int     http_keep_alive_ms;     /* Idle keep-alive connection timeout */
    int     http_shutdown_grace_ms; /* In-flight requests get this long */
    int     http_static_max_age; /* Cache-Control max-age of portal files, s */
    char    http_base_url[256];  /* "https://host[/prefix]"; "": from Host */
    int     api_page_default;    /* Items per page of a list, not asked */
    int     api_page_max;        /* Most items per page of a list */
    int     api_records_default; /* Observations per records page */
    int     api_records_max;     /* Most observations per records page */
    int64_t api_records_cache;   /* Bytes of recent pages kept; 0: none */
    char    data_dir[CM_PATH_MAX];     /* Holds consometer.db and its WAL */
    char    store_db[CM_PATH_MAX];     /* The store file; "": data_dir's */
    int64_t ingest_body_max;           /* POST /api/v1/ingest body limit */
    int     publish_cells_max;         /* Cells of one published version */
    int     store_busy_timeout_ms;     /* Wait for a locked store this long */
    int64_t store_mmap_size;           /* Bytes read through a memory map */
    char    portal_dir[CM_PATH_MAX];   /* Static files of the portal */
    char    demo_dir[CM_PATH_MAX];     /* The demo federation (datasets/demo) */
    char    datasets_dir[CM_PATH_MAX]; /* Dataset definitions (datasets) */
    int     lua_memory_mb;             /* Lua memory per run, MiB */
    int     lua_instructions;          /* Lua VM instructions per run */
    int     lua_timeout_ms;            /* Wall clock per Lua run */
    int     lua_output_rows;           /* Entries of any result table */
    int64_t lua_output_bytes;          /* A run's result as JSON, bytes */
    int64_t lua_script_bytes;          /* A team's script source, bytes */
    int     lua_workers;               /* Runs at once, server-wide */
    int     lua_queue_max;             /* Runs waiting, server-wide */
    int     lua_team_concurrency;      /* Runs at once of one team */
    int     lua_team_queue_max;        /* Runs waiting of one team */
    int     lua_team_daily_seconds;    /* Run time of one team per UTC day */
    int     lua_preview_rows;          /* Rows of a run's result preview */
    int     auth_session_hours;        /* A portal session's life */
    int     auth_login_failures;       /* Failed logins before a pause */
    int     auth_login_window_s;       /* Window those are counted in */
    int64_t registry_body_max;         /* A practice sheet's body, bytes */
    int     registry_page_default;     /* Sheets per search page */
    int     registry_page_max;         /* Most sheets per search page */
    int     log_level;                 /* enum cm_log_level */
    char    config_file[CM_PATH_MAX];  /* The file read, "" if none */
    enum cfg_origin origin[64];        /* Where each setting came from */
};

/* Fill *c with the built-in defaults. */
void cfg_init(struct cfg *c);

/*
** Set one setting from text; 'from' says where the text came from, for
** the message ("CONSOMETER_HTTP_PORT", "site.conf:3", "--port").
*/
int cfg_set(struct cfg *c, const char *name, const char *value,
            enum cfg_origin origin, const char *from, struct cm_err *err);

/*
** Apply the configuration file, then the environment 'envp', then the
** command-line flags it knows in argv[0..argc). Flags it does not know
** and positional arguments are moved, in order, to the front of argv
** and their count stored in *pn_rest. Ends with cfg_check().
*/
int cfg_load(struct cfg *c, int argc, char **argv, char **envp, int *pn_rest,
             struct cm_err *err);

/* Cross-setting rules (api.page_default <= api.page_max, ...). */
int cfg_check(const struct cfg *c, struct cm_err *err);

/* {"http.port": 8080, ...}: the effective configuration. */
void cfg_write_json(const struct cfg *c, struct jw *w, int with_origin);

/* One help line per setting, for --help. */
void cfg_print_help(FILE *out);

/* Path of the store file inside data_dir, into out[outsz]. */
int cfg_store_path(const struct cfg *c, char *out, size_t outsz,
                   struct cm_err *err);

#endif /* CM_CFG_H */
