/*
** main.c -- the consometer command line: one table of subcommands, each
** with its --help. Exit status: 0 success, 1 the work failed, 2 the
** command or the configuration was wrong (the message says which).
*/
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libgen.h>

#include <sodium.h>

#include "auth.h"
#include "cfg.h"
#include "demo.h"
#include "imp.h"
#include "ind.h"
#include "sites.h"
#include "http.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "practice.h"
#include "pub.h"
#include "runq.h"
#include "sbx.h"
#include "store.h"

extern char **environ;

struct cli_cmd {
    const char *name;
    int (*run)(struct cfg *c, int argc, char **argv);
    const char *args;    /* Positional arguments, for the usage line */
    const char *summary; /* One line */
    const char *help;    /* Paragraph for --help, or NULL */
};

static int cli_serve(struct cfg *c, int argc, char **argv);
static int cli_migrate(struct cfg *c, int argc, char **argv);
static int cli_config(struct cfg *c, int argc, char **argv);
static int cli_backup(struct cfg *c, int argc, char **argv);
static int cli_import(struct cfg *c, int argc, char **argv);
static int cli_sites(struct cfg *c, int argc, char **argv);
static int cli_meters(struct cfg *c, int argc, char **argv);
static int cli_user(struct cfg *c, int argc, char **argv);
static int cli_practice(struct cfg *c, int argc, char **argv);
static int cli_demo(struct cfg *c, int argc, char **argv);
static int cli_publish(struct cfg *c, int argc, char **argv);
static int cli_lua(struct cfg *c, int argc, char **argv);

static const struct cli_cmd cli_cmds[] = {
    {"serve", cli_serve, "", "serve the API and the portal over HTTP",
     "Creates the store if needed, applies pending migrations, and serves\n"
     "until SIGINT or SIGTERM; in-flight requests then get\n"
     "http.shutdown_grace_ms to finish, and the exit status is 0.\n"},
    {"migrate", cli_migrate, "",
     "create the store or bring its schema up to date",
     "Applies, each in its own transaction, the migrations the store lacks.\n"
     "A store newer than this binary is refused.\n"},
    {"config", cli_config, "[--origin]",
     "print the effective configuration as JSON",
     "With --origin, each setting also says where its value came from\n"
     "(default, file, env, flag) and what it is for.\n"},
    {"import", cli_import, "[--format F] [--strict] [--mapping FILE] FILE...",
     "import readings from files into the private store",
     "Each file ('-': standard input) is imported in one transaction.\n"
     "Prints one JSON summary\n"
     "(per file and in total: rows_read, rows_imported, rows_updated,\n"
     "rows_unchanged, rows_rejected, the first 100 errors). Bad rows are\n"
     "rejected and reported, good rows imported, exit 0; with --strict a\n"
     "bad row rejects its whole file, exit 1. A file unusable as a whole\n"
     "(unknown format, no header, not UTF-8, truncated JSON): exit 2.\n"
     "Formats (--format, else detected from the content):\n"},
    {"sites", cli_sites, "import FILE",
     "declare or update sites from a CSV file",
     "Header: site_id,name,category,floor_area_m2,commune_insee,district,\n"
     "epci,public (public: true or false). The whole file or nothing.\n"},
    {"meters", cli_meters, "import FILE",
     "declare or update meters from a CSV file",
     "Header: meter_id,site_id,kind,source,source_ref[,unit][,step]\n"
     "[,counter]. kind: electricity, pv, gas, heat, solar_thermal,\n"
     "temperature; source: csv, enedis, grdf, zabbix, fronius, emoncms,\n"
     "senml. The whole file or nothing.\n"},
    {"demo", cli_demo, "",
     "load the demo federation (a year of readings) into the store",
     "Loads demo.dir (the checkout's datasets/demo): the sites and meters\n"
     "of a fictional Lorient Agglomération, a generated year 2024 of\n"
     "hourly electricity, PV, solar thermal and outdoor temperature and\n"
     "daily gas and heat (deterministic: the same bytes every run), and the\n"
     "real Enedis load curve of a public building (enedis/, EUPL-1.2).\n"
     "Each file is its own transaction; running it again changes nothing\n"
     "(rows_unchanged). A real-data folder whose importer this build lacks\n"
     "is skipped with a warning. Prints one JSON summary; exit 0, 1 when a\n"
     "file could not be loaded, 2 when demo.dir is wrong.\n"},
    {"publish", cli_publish, "SLUG|PATH/TO/dataset.json|--all",
     "publish a new version of datasets from the readings",
     "A slug names datasets.dir/<slug>/dataset.json; a path (with a '/')\n"
     "publishes a definition kept elsewhere; --all publishes every\n"
     "definition under datasets.dir, open ones first (so the aggregated\n"
     "ones account for what they make public). Each dataset is one\n"
     "transaction: aggregation, disclosure control, the version and the\n"
     "checksums of its downloads. Unchanged inputs publish nothing\n"
     "(\"unchanged\": true). Prints a JSON summary per dataset (slug,\n"
     "version, rows, suppressed counts, sha256); exit 2 for a definition\n"
     "refused (the message names the file and field), 1 when a dataset\n"
     "could not be published.\n"},
    {"user", cli_user,
     "add --role ROLE [--password-stdin] [--territories CODES] NAME | "
     "list | disable NAME | "
     "token [--label L] [--expires-days N] NAME | password NAME",
     "manage accounts: create, list, disable, new token, password",
     "add: roles admin, moderator, editor, team, provider. Prints\n"
     "{\"user\": NAME, \"role\": ROLE, \"token\": T}; only a hash of T\n"
     "is kept, so save it now. --password-stdin also sets a password for\n"
     "the portal, read from the first line of stdin (argon2id).\n"
     "--territories 56121,200042174: an editor then writes only sheets of\n"
     "those territories (INSEE or SIREN codes) and the sheets they made.\n"
     "list: every account (role, disabled, password set, live tokens).\n"
     "disable: its tokens and sessions stop working at once.\n"
     "token: a new token for an account, printed once.\n"
     "password: a new password from the first line of stdin.\n"},
    {"practice", cli_practice, "load [--publish] FILE...",
     "load practice sheets into the registry",
     "Each FILE holds one sheet (a JSON object) or an array of them, as\n"
     "POST /api/v1/practices takes them. All files in one transaction: a\n"
     "sheet refused refuses them all (exit 2, the message names the file,\n"
     "the sheet's index and the field). With --publish each sheet is\n"
     "submitted and published at once, by 'cli'. Prints {\"practices\":\n"
     "{\"loaded\", \"skipped\", \"ids\"}}.\n"},
    {"lua", cli_lua,
     "run|publish [--db PATH] [--memory-mb N] [--instructions N] "
     "[--timeout-ms N] FILE",
     "run a Lua script in the sandbox, or publish the indicator it computes",
     "Runs FILE (Lua 5.4 text) in a disposable worker with the lua.*\n"
     "limits (the flags override lua.memory_mb, lua.instructions and\n"
     "lua.timeout_ms). Prints one JSON object: {\"result\": R, \"stats\":\n"
     "{\"instructions\", \"memory_peak_bytes\", \"wall_ms\"}}, exit 0; or\n"
     "{\"error\": {\"code\", \"message\", \"line\"}}, exit 1, the code one\n"
     "of memory_limit, instruction_limit, time_limit, output_limit,\n"
     "forbidden, syntax_error, runtime_error, invalid_output. An unreadable\n"
     "FILE: exit 2. The script reads the published data of the store\n"
     "(--db PATH, else the configured store when it exists) through the\n"
     "global table cm, on a read-only connection of the worker's own.\n"
     "publish runs FILE the same way against the store (which must exist),\n"
     "then publishes its result, {indicator = {...}, observations = {...}}\n"
     "(see scripts-lua/README.md), as a new version of the indicator's\n"
     "dataset, with the script's sha256 and the versions it read as\n"
     "provenance. Prints {\"slug\", \"version\", \"unchanged\", \"rows\",\n"
     "\"sha256\"}, exit 0; a failed run: its error object, exit 1; an\n"
     "invalid result: {\"error\": {\"code\": \"invalid_output\", ...}}, the\n"
     "message naming the row and field, exit 2.\n"},
    {"backup", cli_backup, "DEST",
     "copy the store to DEST, consistently, while it is in use",
     "Uses SQLite's online backup API: the copy is the store as it was\n"
     "when the backup began, even while the server keeps writing. DEST\n"
     "must not exist; the copy is checked with PRAGMA integrity_check.\n"},
};

#define CLI_NCMDS ((int) (sizeof(cli_cmds) / sizeof(cli_cmds[0])))

static void
cli_usage(FILE *out)
{
    fprintf(out, "usage: consometer <command> [options]\n\n"
                 "Open energy data for territories: federate readings, "
                 "publish open datasets,\nrun datathons.\n\ncommands:\n");
    for (int i = 0; i < CLI_NCMDS; i++)
        fprintf(out, "  %-10s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
    fprintf(out, "\n'consometer <command> --help' tells more; "
                 "'consometer --version' prints the version.\n");
}

static void
cli_cmd_help(const struct cli_cmd *cmd)
{
    printf("usage: consometer %s [settings] %s\n\n%s.\n\n", cmd->name,
           cmd->args, cmd->summary);
    if (cmd->help)
        printf("%s", cmd->help);
    if (cmd->run == cli_import)
        for (int i = 0; i < imp_nformats; i++)
            printf("  %-12s %s\n", imp_formats[i].name, imp_formats[i].summary);
    printf("\n");
    printf("  --config FILE              read settings from FILE "
           "('name = value' lines)\n");
    cfg_print_help(stdout);
}

static int
cli_fail(const struct cm_err *err)
{
    fprintf(stderr, "consometer: %s\n", err->msg);
    return err->code == CM_EINVAL ? 2 : 1;
}

struct cli_opt {
    const char  *name;  /* "--format" */
    const char **value; /* Takes a value ("--format F" or "--format=F") */
    int         *flag;  /* Or is a flag, set to 1 */
};

/*
** Sort argv into the options of 'opts' and up to 'maxpos' positional
** arguments (into pos[]). Returns the number of positionals, or -1 after
** printing what is wrong (the caller exits 2).
*/
static int
cli_args(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
         char **pos, int maxpos)
{
    int npos = 0;

    for (int i = 0; i < argc; i++) {
        const struct cli_opt *o = NULL;
        const char           *eq = NULL;

        if (strncmp(argv[i], "--", 2) == 0) {
            size_t len;

            eq = strchr(argv[i], '=');
            len = eq ? (size_t) (eq - argv[i]) : strlen(argv[i]);
            for (o = opts; o && o->name; o++)
                if (strlen(o->name) == len && !strncmp(o->name, argv[i], len))
                    break;
            if (o == NULL || o->name == NULL) {
                fprintf(stderr,
                        "consometer %s: unknown option '%s'; see "
                        "'consometer %s --help'\n",
                        cmd, argv[i], cmd);
                return -1;
            }
            if (o->flag) {
                *o->flag = 1;
                continue;
            }
            if (eq)
                *o->value = eq + 1;
            else if (i + 1 < argc)
                *o->value = argv[++i];
            else {
                fprintf(stderr, "consometer %s: %s needs a value\n", cmd,
                        o->name);
                return -1;
            }
            continue;
        }
        if (npos == maxpos) {
            fprintf(stderr,
                    "consometer %s: unexpected argument '%s'; see "
                    "'consometer %s --help'\n",
                    cmd, argv[i], cmd);
            return -1;
        }
        pos[npos++] = argv[i];
    }
    return npos;
}

/* Refuse arguments a subcommand does not take; returns 0 when none. */
static int
cli_no_more(const char *cmd, int argc, char **argv, int first)
{
    return cli_args(cmd, argc - first, argv + first, NULL, NULL, 0) < 0 ? 2 : 0;
}

/* Open (creating and migrating) the store of the configuration. */
static int
cli_open_store(const struct cfg *c, int create, int migrate, struct store **st,
               int *pn_applied, struct cm_err *err)
{
    char              path[CM_PATH_MAX + 32];
    struct store_opts o = {create, migrate, c->store_busy_timeout_ms, 0};

    if (cfg_store_path(c, path, sizeof(path), err))
        return err->code;
    if (create) {
        char dir[CM_PATH_MAX + 32];

        snprintf(dir, sizeof(dir), "%s", path);
        if (store_prepare_dir(c->store_db[0] ? dirname(dir) : c->data_dir, err))
            return err->code;
    }
    return store_open(path, &o, st, pn_applied, err);
}

/* Append an audit line whose details are the document w (freed here;
** NULL: no details). A
** failure to audit is logged, not fatal: the work itself is done. */
static void
cli_audit(struct store *st, const char *action, const char *target,
          struct jw *w)
{
    struct cm_err      err;
    struct store_audit a = {"cli", action, target, NULL, NULL};
    char              *details = w ? jw_strdup(w) : NULL;

    jw_free(w);
    a.details = details;
    if (store_audit_add(st, &a, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "%s", err.msg);
    free(details);
}

static void
cli_audit_migration(struct store *st, int napplied)
{
    struct jw *w;

    if (napplied == 0)
        return;
    w = jw_new();
    jw_obj_open(w);
    jw_kv_int(w, "applied", napplied);
    jw_kv_int(w, "schema_version", store_schema_latest());
    jw_obj_close(w);
    cli_audit(st, "store.migrate", store_path(st), w);
}

static int
cli_serve(struct cfg *c, int argc, char **argv)
{
    struct http_server *srv;
    struct store       *st;
    struct runq        *q;
    struct cm_err       err;
    sigset_t            set;
    char                path[CM_PATH_MAX];
    int                 napplied, sig = 0;

    if (cli_no_more("serve", argc, argv, 0))
        return 2;
    if (cli_open_store(c, 1, 1, &st, &napplied, &err))
        return cli_fail(&err);
    if (napplied)
        cm_log(CM_LOG_INFO, "store %s: applied %d migrations", store_path(st),
               napplied);
    cli_audit_migration(st, napplied);

    /* Block the stop signals before CivetWeb starts its threads, so that
    ** they inherit the mask and only sigwait() below sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    snprintf(path, sizeof(path), "%s", store_path(st));
    store_close(st);
    /* The run daemon forks workers: it must be forked while this
    ** process has one thread, before CivetWeb starts its own. */
    if (runq_start(c, path, &q, &err))
        return cli_fail(&err);
    if (http_start(c, path, routes, nroutes, &srv, &err)) {
        runq_stop(q);
        return cli_fail(&err);
    }
    cm_log(CM_LOG_INFO, "consometer %s serving http://%s:%d/ (store %s)",
           CM_VERSION, c->http_listen, http_port(srv), c->data_dir);
    if (sigwait(&set, &sig) != 0)
        sig = SIGTERM;
    cm_log(CM_LOG_INFO, "%s: finishing in-flight requests, then stopping",
           strsignal(sig));
    http_stop(srv);
    runq_stop(q);
    cm_log(CM_LOG_INFO, "stopped");
    return 0;
}

static int
cli_migrate(struct cfg *c, int argc, char **argv)
{
    struct store *st;
    struct cm_err err;
    int           napplied;

    if (cli_no_more("migrate", argc, argv, 0))
        return 2;
    if (cli_open_store(c, 1, 1, &st, &napplied, &err))
        return cli_fail(&err);
    cli_audit_migration(st, napplied);
    printf("store %s: schema version %d (%d migration%s applied)\n",
           store_path(st), store_schema_latest(), napplied,
           napplied == 1 ? "" : "s");
    store_close(st);
    return 0;
}

static int
cli_config(struct cfg *c, int argc, char **argv)
{
    struct jw           *w = jw_new();
    struct cm_err        err;
    const char          *buf;
    size_t               len;
    int                  origin = 0;
    const struct cli_opt opts[] = {{"--origin", NULL, &origin},
                                   {NULL, NULL, NULL}};

    if (cli_args("config", argc, argv, opts, NULL, 0) < 0) {
        jw_free(w);
        return 2;
    }
    cfg_write_json(c, w, origin);
    if (jw_result(w, &buf, &len, &err) != CM_OK) {
        jw_free(w);
        return cli_fail(&err);
    }
    printf("%.*s\n", (int) len, buf);
    jw_free(w);
    return 0;
}

/* Largest script the CLI reads; the HTTP API has its own, smaller cap. */
#define CLI_LUA_SRC_MAX (16 << 20)

static int cli_print_json(struct jw *w);

/* {"error": {"code", "message", "line"}} into w (line 0: null). */
static void
cli_lua_error(struct jw *w, const char *code, const char *message, int line)
{
    jw_obj_open(w);
    jw_key(w, "error");
    jw_obj_open(w);
    jw_kv_str(w, "code", code);
    jw_kv_str(w, "message", message);
    jw_key(w, "line");
    if (line > 0)
        jw_int(w, line);
    else
        jw_null(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

/*
** Run the indicator script src against the configured store, then
** publish its result (ind.h); its summary, or its error object, into w.
** 0, 1 (the run failed, or the store refused), 2 (invalid output).
*/
static int
cli_ind_publish(struct cfg *c, const char *src, size_t len,
                struct sbx_limits *lim, struct jw *w)
{
    struct store     *st;
    struct cm_err     err;
    struct sbx_result res;
    struct ind_result r;
    char              path[CM_PATH_MAX + 32];
    int               rc;

    if (cfg_store_path(c, path, sizeof(path), &err) != CM_OK) {
        cli_lua_error(w, cm_code_name(err.code), err.msg, 0);
        return 1;
    }
    if (access(path, R_OK) != 0) {
        cli_lua_error(w, cm_code_name(CM_ENOTFOUND), "no store to publish in",
                      0);
        return 1;
    }
    /* The worker opens its own read-only connection; ours is opened after
    ** the run (one held open here fails the worker's: "locking
    ** protocol"). */
    lim->store_path = path;
    if (sbx_run(src, len, lim, &res) != SBX_OK) {
        cli_lua_error(w, sbx_code_name(res.code), res.message, res.line);
        sbx_result_clear(&res);
        return 1;
    }
    if (cli_open_store(c, 0, 0, &st, NULL, &err) != CM_OK) {
        sbx_result_clear(&res);
        cli_lua_error(w, cm_code_name(err.code), err.msg, 0);
        return 1;
    }
    rc = ind_publish(st, src, len, res.json, c->data_dir, &r, &err);
    sbx_result_clear(&res);
    store_close(st);
    if (rc == CM_EINVAL) { /* The script's output: the sandbox's code */
        cli_lua_error(w, sbx_code_name(SBX_INVALID_OUTPUT), err.msg, 0);
        return 2;
    }
    if (rc != CM_OK) {
        cli_lua_error(w, cm_code_name(err.code), err.msg, 0);
        return 1;
    }
    ind_result_write_json(&r, w);
    return 0;
}

/* consometer lua publish: run src against the store, publish the result. */
static int
cli_lua_publish(struct cfg *c, const char *db, const struct cm_buf *src,
                struct sbx_limits *lim)
{
    struct cm_err err;
    struct jw    *w;
    int           rc;

    if (db != NULL && cfg_set(c, "store.db", db, CFG_FLAG, "--db", &err))
        return cli_fail(&err);
    w = jw_new();
    rc = cli_ind_publish(c, src->data ? src->data : "", src->len, lim, w);
    if (cli_print_json(w) != 0 && rc == 0)
        rc = 1;
    jw_free(w);
    return rc;
}

static int
cli_lua(struct cfg *c, int argc, char **argv)
{
    const char          *mem = NULL, *instr = NULL, *timeout = NULL, *db = NULL;
    const struct cli_opt opts[] = {{"--db", &db, NULL},
                                   {"--memory-mb", &mem, NULL},
                                   {"--instructions", &instr, NULL},
                                   {"--timeout-ms", &timeout, NULL},
                                   {NULL, NULL, NULL}};
    char                *pos[2], chunk[65536], *out, store[1024];
    struct cm_err        err;
    struct cm_buf        src;
    struct sbx_limits    lim;
    struct sbx_result    res;
    FILE                *f;
    size_t               n;
    int                  rc;

    if (cli_args("lua", argc, argv, opts, pos, 2) != 2 ||
        (strcmp(pos[0], "run") != 0 && strcmp(pos[0], "publish") != 0)) {
        fprintf(stderr, "usage: consometer lua run|publish [--db PATH] "
                        "[--memory-mb N] [--instructions N] [--timeout-ms N] "
                        "FILE\n");
        return 2;
    }
    /* Through cfg_set, so the flags get the settings' ranges and errors. */
    if ((mem &&
         cfg_set(c, "lua.memory_mb", mem, CFG_FLAG, "--memory-mb", &err)) ||
        (instr && cfg_set(c, "lua.instructions", instr, CFG_FLAG,
                          "--instructions", &err)) ||
        (timeout &&
         cfg_set(c, "lua.timeout_ms", timeout, CFG_FLAG, "--timeout-ms", &err)))
        return cli_fail(&err);
    f = fopen(pos[1], "rb");
    if (f == NULL) {
        fprintf(stderr, "consometer lua run: cannot read %s: %s\n", pos[1],
                strerror(errno));
        return 2;
    }
    cm_buf_init(&src);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
           src.len <= CLI_LUA_SRC_MAX)
        cm_buf_add(&src, chunk, n);
    rc = ferror(f);
    fclose(f);
    if (rc || src.len > CLI_LUA_SRC_MAX) {
        fprintf(stderr, "consometer lua run: cannot read %s: %s\n", pos[1],
                rc ? "read error" : "larger than 16 MiB");
        cm_buf_clear(&src);
        return 2;
    }
    sbx_limits_from_cfg(c, &lim);
    /* Without --db, the configured store if there is one: a script that
    ** reads no data must still run where no store was ever created. */
    if (db != NULL)
        lim.store_path = db;
    else if (cfg_store_path(c, store, sizeof(store), &err) == CM_OK &&
             access(store, R_OK) == 0)
        lim.store_path = store;
    if (strcmp(pos[0], "publish") == 0) {
        rc = cli_lua_publish(c, db, &src, &lim);
        cm_buf_clear(&src);
        return rc;
    }
    sbx_run(src.data ? src.data : "", src.len, &lim, &res);
    cm_buf_clear(&src);
    out = sbx_result_json(&res);
    rc = res.code == SBX_OK ? 0 : 1;
    if (out == NULL) {
        fprintf(stderr, "consometer lua run: the result could not be "
                        "written as JSON\n");
        rc = 1;
    } else
        printf("%s\n", out);
    free(out);
    sbx_result_clear(&res);
    return rc;
}

static int
cli_backup(struct cfg *c, int argc, char **argv)
{
    struct store     *st, *copy;
    struct cm_err     err;
    struct stat       sb;
    struct store_opts o = {.busy_timeout_ms = c->store_busy_timeout_ms,
                           .readonly = 1};
    char             *dest[1];
    int               n = cli_args("backup", argc, argv, NULL, dest, 1);

    if (n < 0)
        return 2;
    if (n == 0) {
        fprintf(stderr, "consometer backup: missing DEST; see 'consometer "
                        "backup --help'\n");
        return 2;
    }
    argv = dest;
    if (cli_open_store(c, 0, 0, &st, NULL, &err))
        return cli_fail(&err);
    if (store_backup(st, argv[0], &err)) {
        store_close(st);
        return cli_fail(&err);
    }
    if (store_open(argv[0], &o, &copy, NULL, &err) ||
        store_integrity_check(copy, &err)) {
        store_close(copy);
        store_close(st);
        fprintf(stderr,
                "consometer: backup %s was written but does not "
                "pass its check:\n",
                argv[0]);
        return cli_fail(&err);
    }
    store_close(copy);
    cli_audit(st, "store.backup", argv[0], NULL);
    store_close(st);
    if (stat(argv[0], &sb) != 0)
        sb.st_size = 0;
    printf("backup %s: %lld bytes, integrity ok\n", argv[0],
           (long long) sb.st_size);
    return 0;
}

/* Print a JSON document built by 'w' on standard output. */
static int
cli_print_json(struct jw *w)
{
    const char   *buf;
    size_t        len;
    struct cm_err err;

    if (jw_result(w, &buf, &len, &err) != CM_OK)
        return cli_fail(&err);
    printf("%.*s\n", (int) len, buf);
    return 0;
}

/* Exit status of a refused import: 1 for --strict and store failures,
** 2 for a file unusable as a whole. */
static int
cli_import_status(int code)
{
    switch (code) {
    case CM_OK:
        return 0;
    case CM_EMALFORMED:
    case CM_ELIMIT:
    case CM_EMEDIA:
    case CM_EIO:
        return 2;
    default:
        return 1;
    }
}

static int
cli_import(struct cfg *c, int argc, char **argv)
{
    const char          *format = NULL, *mapping = NULL;
    int                  strict = 0, n, worst = 0;
    const struct cli_opt opts[] = {{"--format", &format, NULL},
                                   {"--mapping", &mapping, NULL},
                                   {"--strict", NULL, &strict},
                                   {NULL, NULL, NULL}};
    char               **files = calloc((size_t) argc + 1, sizeof(char *));
    struct imp_result   *res;
    struct store        *st;
    struct cm_err        err;
    struct imp_opts      o = {0, NULL, "cli", NULL};
    struct jw           *w;

    if ((n = cli_args("import", argc, argv, opts, files, argc)) <= 0) {
        if (n == 0)
            fprintf(stderr, "consometer import: no FILE; see 'consometer "
                            "import --help'\n");
        free(files);
        return 2;
    }
    o.strict = strict;
    o.mapping = mapping;
    if (cli_open_store(c, 1, 1, &st, NULL, &err)) {
        free(files);
        return cli_fail(&err);
    }
    res = calloc((size_t) n, sizeof(*res));
    for (int i = 0; i < n; i++) {
        int            from_stdin = strcmp(files[i], "-") == 0;
        FILE          *f = from_stdin ? stdin : fopen(files[i], "rb");
        struct imp_src src;
        int            rc, status;

        if (f == NULL) {
            snprintf(res[i].file, sizeof(res[i].file), "%s", files[i]);
            res[i].status = CM_EIO;
            snprintf(res[i].message, sizeof(res[i].message), "%s: %s", files[i],
                     strerror(errno));
            status = 2;
        } else {
            imp_src_file(&src, f, from_stdin ? "stdin" : files[i]);
            rc = imp_run(st, &src, format, &o, &res[i]);
            if (!from_stdin)
                fclose(f);
            status = cli_import_status(rc);
        }
        if (status)
            fprintf(stderr, "consometer import: %s\n", res[i].message);
        if (status > worst)
            worst = status;
    }
    w = jw_new();
    imp_totals_json(w, res, n);
    if (cli_print_json(w) != 0 && worst == 0)
        worst = 1;
    jw_free(w);
    for (int i = 0; i < n; i++)
        imp_result_clear(&res[i]);
    free(res);
    free(files);
    store_close(st);
    return worst;
}

/* sites import FILE / meters import FILE */
static int
cli_registry(struct cfg *c, int argc, char **argv, const char *what,
             int (*import)(struct store *, struct imp_src *, int64_t *,
                           struct cm_err *))
{
    char          *pos[2];
    struct store  *st;
    struct cm_err  err;
    FILE          *f;
    struct imp_src src;
    int64_t        n;
    int            rc;

    if (cli_args(what, argc, argv, NULL, pos, 2) != 2 ||
        strcmp(pos[0], "import") != 0) {
        fprintf(stderr, "usage: consometer %s import FILE\n", what);
        return 2;
    }
    if ((f = fopen(pos[1], "rb")) == NULL) {
        fprintf(stderr, "consometer %s: %s: %s\n", what, pos[1],
                strerror(errno));
        return 2;
    }
    if (cli_open_store(c, 1, 1, &st, NULL, &err)) {
        fclose(f);
        return cli_fail(&err);
    }
    imp_src_file(&src, f, pos[1]);
    rc = import(st, &src, &n, &err);
    fclose(f);
    if (rc == CM_OK) {
        struct jw *w = jw_new();

        jw_obj_open(w);
        jw_kv_int(w, "rows", n);
        jw_obj_close(w);
        cli_audit(st, strcmp(what, "sites") ? "meters.import" : "sites.import",
                  pos[1], w);
        w = jw_new();
        jw_obj_open(w);
        jw_kv_str(w, "file", pos[1]);
        jw_kv_int(w, what, n);
        jw_obj_close(w);
        cli_print_json(w);
        jw_free(w);
    } else
        fprintf(stderr, "consometer %s import: %s\n", what, err.msg);
    store_close(st);
    return rc == CM_OK ? 0 : (rc == CM_ESTORE || rc == CM_EUNAVAIL) ? 1 : 2;
}

static int
cli_sites(struct cfg *c, int argc, char **argv)
{
    return cli_registry(c, argc, argv, "sites", sites_import);
}

static int
cli_meters(struct cfg *c, int argc, char **argv)
{
    return cli_registry(c, argc, argv, "meters", meters_import);
}

/* The first line of stdin, without its newline, into buf; 0, or -1. */
static int
cli_read_password(char *buf, size_t size)
{
    size_t n;

    if (fgets(buf, (int) size, stdin) == NULL)
        return -1;
    n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n + 1 == size && !feof(stdin))
        return -1; /* Longer than the buffer */
    buf[n] = '\0';
    return 0;
}

static int
cli_user_row(void *ctx, const char *name, const char *role, int disabled,
             int has_password, const char *created_at, int64_t live_tokens,
             struct cm_err *err)
{
    struct jw *w = ctx;

    (void) err;
    jw_obj_open(w);
    jw_kv_str(w, "user", name);
    jw_kv_str(w, "role", role);
    jw_kv_bool(w, "disabled", disabled);
    jw_kv_bool(w, "password", has_password);
    jw_kv_int(w, "tokens", live_tokens);
    jw_kv_str(w, "created_at", created_at);
    jw_obj_close(w);
    return CM_OK;
}

static int
cli_user(struct cfg *c, int argc, char **argv)
{
    const char          *role = NULL, *label = NULL, *days = NULL;
    const char          *territories = NULL;
    int                  pw_stdin = 0;
    const struct cli_opt opts[] = {{"--role", &role, NULL},
                                   {"--password-stdin", NULL, &pw_stdin},
                                   {"--label", &label, NULL},
                                   {"--expires-days", &days, NULL},
                                   {"--territories", &territories, NULL},
                                   {NULL, NULL, NULL}};
    char                *pos[2], token[AUTH_TOKEN_MAX];
    char                 password[AUTH_PASSWORD_MAX + 2];
    struct store        *st;
    struct cm_err        err;
    struct jw           *w;
    int                  npos, rc = CM_OK, expires = 0;
    const char          *sub;

    npos = cli_args("user", argc, argv, opts, pos, 2);
    sub = npos >= 1 ? pos[0] : "";
    if (npos < 1 || (strcmp(sub, "list") == 0) != (npos == 1) ||
        (strcmp(sub, "add") == 0 && role == NULL) ||
        (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "disable") &&
         strcmp(sub, "token") && strcmp(sub, "password"))) {
        fprintf(stderr, "usage: consometer user add --role ROLE "
                        "[--password-stdin] NAME | list | disable NAME | "
                        "token [--label L] [--expires-days N] NAME | "
                        "password NAME\n");
        return 2;
    }
    if (days != NULL) {
        char *end;
        long  d = strtol(days, &end, 10);

        if (*end || d < 1 || d > 3650) {
            fprintf(stderr, "consometer user token: --expires-days: a "
                            "whole number of days from 1 to 3650\n");
            return 2;
        }
        expires = (int) d;
    }
    password[0] = '\0';
    if ((pw_stdin && strcmp(sub, "add") == 0) || strcmp(sub, "password") == 0) {
        if (cli_read_password(password, sizeof(password)) != 0) {
            fprintf(stderr,
                    "consometer user %s: no password on stdin, or "
                    "longer than %d bytes\n",
                    sub, AUTH_PASSWORD_MAX);
            return 2;
        }
        if (strlen(password) < AUTH_PASSWORD_MIN) {
            fprintf(stderr,
                    "consometer user %s: a password has at least %d "
                    "bytes\n",
                    sub, AUTH_PASSWORD_MIN);
            return 2;
        }
    }
    if (territories) {
        char *json;

        /* Checked before anything is written: no account half made */
        if (strcmp(sub, "add") != 0 ||
            auth_territories_json(territories, &json, &err) != CM_OK) {
            fprintf(stderr, "consometer user %s: %s\n", sub,
                    strcmp(sub, "add") ? "--territories goes with add"
                                       : err.msg);
            return 2;
        }
        free(json);
    }
    if (auth_init(&err) || cli_open_store(c, 1, 1, &st, NULL, &err))
        return cli_fail(&err);
    w = jw_new();
    if (strcmp(sub, "list") == 0) {
        jw_obj_open(w);
        jw_key(w, "users");
        jw_arr_open(w);
        rc = store_accounts_each(st, cli_user_row, w, &err);
        jw_arr_close(w);
        jw_obj_close(w);
    } else if (strcmp(sub, "add") == 0) {
        rc = auth_user_add(st, pos[1], role, token, &err);
        if (rc == CM_OK && password[0])
            rc = auth_password_set(st, pos[1], password, "cli", &err);
        if (rc == CM_OK && territories)
            rc =
                auth_user_territories_set(st, pos[1], territories, "cli", &err);
        jw_obj_open(w);
        jw_kv_str(w, "user", pos[1]);
        jw_kv_str(w, "role", role);
        jw_kv_str(w, "token", token);
        if (password[0])
            jw_kv_bool(w, "password", 1);
        if (territories)
            jw_kv_str(w, "territories", territories);
        jw_obj_close(w);
    } else if (strcmp(sub, "disable") == 0) {
        rc = auth_user_disable(st, pos[1], "cli", &err);
        jw_obj_open(w);
        jw_kv_str(w, "user", pos[1]);
        jw_kv_bool(w, "disabled", 1);
        jw_obj_close(w);
    } else if (strcmp(sub, "token") == 0) {
        rc = auth_token_new(st, pos[1], label, expires, "cli", token, &err);
        jw_obj_open(w);
        jw_kv_str(w, "user", pos[1]);
        jw_kv_str(w, "token", token);
        jw_obj_close(w);
    } else {
        rc = auth_password_set(st, pos[1], password, "cli", &err);
        jw_obj_open(w);
        jw_kv_str(w, "user", pos[1]);
        jw_kv_bool(w, "password", 1);
        jw_obj_close(w);
    }
    sodium_memzero(password, sizeof(password));
    store_close(st);
    if (rc != CM_OK) {
        jw_free(w);
        fprintf(stderr, "consometer user %s: %s\n", sub, err.msg);
        return rc == CM_EINVAL || rc == CM_ENOTFOUND ? 2 : 1;
    }
    rc = cli_print_json(w);
    jw_free(w);
    return rc;
}

/* The definitions under dir, open ones first, then by slug. */
struct cli_def {
    char *path;
    char *slug; /* The folder's name */
    int   open;
};

static int
cli_def_cmp(const void *x, const void *y)
{
    const struct cli_def *a = x, *b = y;

    if (a->open != b->open)
        return b->open - a->open;
    return strcmp(a->path, b->path);
}

/*
** Publish one definition file; its summary, or its error, goes into the
** array w has open. Returns 0, 1 (not published) or 2 (refused).
*/
static int
cli_publish_one(const struct cfg *c, struct store *st, const char *path,
                const char *slug, struct jw *w)
{
    struct ds_manifest m;
    struct pub_result  r;
    struct pub_opts    o = {NULL, "cli", c->publish_cells_max, c->data_dir};
    struct cm_err      err;
    int                rc;

    if ((rc = ds_manifest_load(path, &m, &err)) != CM_OK) {
        if (err.what_kind && !strcmp(err.what_kind, "field"))
            fprintf(stderr, "consometer publish: %s: field '%s': %s\n", path,
                    err.what, err.msg);
        else
            fprintf(stderr, "consometer publish: %s\n", err.msg);
        return 2;
    }
    if (slug && strcmp(slug, m.slug) != 0) {
        /* The URL would not be the folder's name: one of them is a typo */
        fprintf(stderr,
                "consometer publish: %s: field 'slug': '%s' is not the name "
                "of its folder '%s'\n",
                path, m.slug, slug);
        ds_manifest_clear(&m);
        return 2;
    }
    rc = pub_publish(st, &m, &o, &r, &err);
    ds_manifest_clear(&m);
    if (rc != CM_OK) {
        if (err.what_kind && !strcmp(err.what_kind, "field"))
            fprintf(stderr, "consometer publish: %s: field '%s': %s\n", path,
                    err.what, err.msg);
        else
            fprintf(stderr, "consometer publish: %s: %s\n", path, err.msg);
        return rc == CM_EINVAL ? 2 : 1;
    }
    pub_result_write_json(&r, w);
    return 0;
}

/* Publish every datasets_dir/<slug>/dataset.json into w's open array. */
static int
cli_publish_all(const struct cfg *c, struct store *st, struct jw *w)
{
    DIR            *d = opendir(c->datasets_dir);
    struct dirent  *e;
    struct cli_def *defs = NULL;
    size_t          n = 0;
    int             status = 0;

    if (d == NULL) {
        fprintf(stderr, "consometer publish: datasets.dir '%s': %s\n",
                c->datasets_dir, strerror(errno));
        return 2;
    }
    while ((e = readdir(d)) != NULL) {
        struct cm_buf      path;
        struct ds_manifest m;
        struct cm_err      err;
        struct stat        sb;

        if (e->d_name[0] == '.')
            continue;
        cm_buf_init(&path);
        cm_buf_printf(&path, "%s/%s/dataset.json", c->datasets_dir, e->d_name);
        if (stat(path.data, &sb) != 0) { /* A folder of data, not a dataset */
            cm_buf_clear(&path);
            continue;
        }
        defs = cm_realloc(defs, (n + 1) * sizeof(*defs));
        defs[n].path = path.data;
        defs[n].slug = cm_strdup(e->d_name);
        defs[n].open = 0;
        if (ds_manifest_load(path.data, &m, &err) == CM_OK)
            defs[n].open = m.policy == DS_OPEN;
        ds_manifest_clear(&m);
        n++;
    }
    closedir(d);
    qsort(defs, n, sizeof(*defs), cli_def_cmp);
    for (size_t i = 0; i < n; i++) {
        int rc = cli_publish_one(c, st, defs[i].path, defs[i].slug, w);

        if (rc > status)
            status = rc;
        free(defs[i].path);
        free(defs[i].slug);
    }
    free(defs);
    return status;
}

static int
cli_publish(struct cfg *c, int argc, char **argv)
{
    struct store  *st;
    struct cm_err  err;
    struct jw     *w;
    char          *pos[1];
    int            all = 0, n, status;
    struct cli_opt opts[] = {{"--all", NULL, &all}, {NULL, NULL, NULL}};

    n = cli_args("publish", argc, argv, opts, pos, 1);
    if (n < 0 || (n == 0) == (all == 0)) {
        if (n >= 0)
            fprintf(stderr, "usage: consometer publish "
                            "SLUG|PATH/TO/dataset.json|--all\n");
        return 2;
    }
    if (cli_open_store(c, 1, 1, &st, NULL, &err))
        return cli_fail(&err);
    w = jw_new();
    if (all) {
        jw_obj_open(w);
        jw_key(w, "datasets");
        jw_arr_open(w);
        status = cli_publish_all(c, st, w);
        jw_arr_close(w);
        jw_obj_close(w);
    } else {
        struct cm_buf path;

        cm_buf_init(&path);
        if (strchr(pos[0], '/'))
            cm_buf_puts(&path, pos[0]);
        else if (pos[0][0] == '\0' || pos[0][0] == '.' ||
                 strlen(pos[0]) > DS_SLUG_MAX ||
                 pos[0][strspn(pos[0], "abcdefghijklmnopqrstuvwxyz0123456789"
                                       "-")] != '\0') {
            fprintf(stderr,
                    "consometer publish: '%s' is not a slug ([a-z0-9-]) nor "
                    "a path to a dataset.json\n",
                    pos[0]);
            cm_buf_clear(&path);
            jw_free(w);
            store_close(st);
            return 2;
        } else
            cm_buf_printf(&path, "%s/%s/dataset.json", c->datasets_dir, pos[0]);
        jw_arr_open(w); /* cli_publish_one writes into an array */
        status = cli_publish_one(c, st, path.data,
                                 strchr(pos[0], '/') ? NULL : pos[0], w);
        cm_buf_clear(&path);
    }
    store_close(st);
    if (status == 0 || all) {
        const char   *buf;
        size_t        len;
        struct cm_err jerr;

        if (!all)
            jw_arr_close(w);
        if (jw_result(w, &buf, &len, &jerr) == CM_OK) {
            /* One dataset: its summary alone, not in an array */
            if (!all && len >= 2)
                printf("%.*s\n", (int) len - 2, buf + 1);
            else
                printf("%.*s\n", (int) len, buf);
        }
    }
    jw_free(w);
    return status;
}

static int
cli_lua_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name);

    return n > 4 && e->d_name[0] != '.' &&
           strcmp(e->d_name + n - 4, ".lua") == 0;
}

/*
** Publish the built-in indicators (every .lua file of <datasets.dir>/../
** scripts-lua/indicators, by name) into w's open array; the store must be
** closed (cli_ind_publish). 0, or 1 when one was not published.
*/
static int
cli_demo_indicators(struct cfg *c, struct jw *w)
{
    struct dirent **names = NULL;
    char            dir[CM_PATH_MAX + 64], file[2 * CM_PATH_MAX];
    int             n, status = 0;

    snprintf(dir, sizeof(dir), "%s/../scripts-lua/indicators", c->datasets_dir);
    n = scandir(dir, &names, cli_lua_file, alphasort);
    if (n < 0) {
        cm_log(CM_LOG_WARN, "%s: %s: no built-in indicator published", dir,
               strerror(errno));
        return 0;
    }
    for (int i = 0; i < n; i++) {
        struct sbx_limits lim;
        struct cm_buf     src;
        char              chunk[65536];
        size_t            k;
        FILE             *f;

        snprintf(file, sizeof(file), "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        cm_buf_init(&src);
        if ((f = fopen(file, "rb")) != NULL) {
            while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
                   src.len <= CLI_LUA_SRC_MAX)
                cm_buf_add(&src, chunk, k);
            if (ferror(f) || src.len > CLI_LUA_SRC_MAX) {
                fclose(f);
                f = NULL;
            } else
                fclose(f);
        }
        if (f == NULL) {
            fprintf(stderr, "consometer demo: cannot read %s\n", file);
            status = 1;
        } else {
            sbx_limits_from_cfg(c, &lim);
            if (cli_ind_publish(c, src.data ? src.data : "", src.len, &lim,
                                w) != 0) {
                fprintf(stderr, "consometer demo: %s: not published\n", file);
                status = 1;
            }
        }
        cm_buf_clear(&src);
    }
    free(names);
    return status;
}

/*
** Load the files of 'paths' as practice sheets in one transaction: all
** or none. "practices": {"loaded", "skipped", "ids"} goes into w's open
** object. Returns 0, or 2 naming the file and field refused, 1 else.
*/
static int
cli_practices_load(const struct cfg *c, char *const *paths, int n, int publish,
                   int skip_existing, struct jw *w)
{
    struct store *st;
    struct cm_err err;
    struct jw    *ids = jw_new();
    const char   *txt;
    size_t        len;
    int           loaded = 0, skipped = 0, rc;

    if (cli_open_store(c, 1, 1, &st, NULL, &err)) {
        jw_free(ids);
        return cli_fail(&err);
    }
    jw_arr_open(ids);
    rc = store_begin(st, &err);
    for (int i = 0; rc == CM_OK && i < n; i++)
        rc = practice_load_file(st, paths[i], publish, skip_existing, ids,
                                &loaded, &skipped, &err);
    if (rc == CM_OK)
        rc = store_commit(st, &err);
    if (rc != CM_OK)
        store_rollback(st);
    store_close(st);
    jw_arr_close(ids);
    if (rc != CM_OK) {
        jw_free(ids);
        fprintf(stderr, "consometer practice load: %s\n", err.msg);
        return rc == CM_EINVAL || rc == CM_EIO ? 2 : 1;
    }
    jw_key(w, "practices");
    jw_obj_open(w);
    jw_kv_int(w, "loaded", loaded);
    jw_kv_int(w, "skipped", skipped);
    jw_key(w, "ids");
    if (jw_result(ids, &txt, &len, &err) == CM_OK)
        jw_json_text(w, txt);
    else
        jw_null(w);
    jw_obj_close(w);
    jw_free(ids);
    return 0;
}

static int
cli_path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The demo's seed sheets: every .json file of demo.dir/practices. */
#define CLI_DEMO_SHEET_FILES 64
static int
cli_demo_practices(const struct cfg *c, struct jw *w)
{
    char           dir[CM_PATH_MAX + 16];
    char          *paths[CLI_DEMO_SHEET_FILES];
    int            n = 0, rc;
    DIR           *d;
    struct dirent *e;

    snprintf(dir, sizeof(dir), "%s/practices", c->demo_dir);
    if ((d = opendir(dir)) == NULL)
        return 0; /* A demo without sheets */
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.' || len < 6 ||
            strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == CLI_DEMO_SHEET_FILES) {
            fprintf(stderr,
                    "consometer demo: %s: more than %d files of sheets; put "
                    "several sheets in one file (a JSON array)\n",
                    dir, CLI_DEMO_SHEET_FILES);
            for (int i = 0; i < n; i++)
                free(paths[i]);
            closedir(d);
            return 2;
        }
        paths[n] = cm_malloc(strlen(dir) + len + 2);
        snprintf(paths[n], strlen(dir) + len + 2, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(paths, (size_t) n, sizeof(paths[0]), cli_path_cmp);
    rc = cli_practices_load(c, paths, n, 1, 1, w);
    for (int i = 0; i < n; i++)
        free(paths[i]);
    return rc;
}

static int
cli_practice(struct cfg *c, int argc, char **argv)
{
    int                  publish = 0, npos, rc;
    const struct cli_opt opts[] = {{"--publish", NULL, &publish},
                                   {NULL, NULL, NULL}};
    char                *pos[64];
    struct jw           *w;

    npos = cli_args("practice", argc, argv, opts, pos, 64);
    if (npos < 2 || strcmp(pos[0], "load") != 0) {
        fprintf(stderr,
                "usage: consometer practice load [--publish] FILE...\n");
        return 2;
    }
    w = jw_new();
    jw_obj_open(w);
    rc = cli_practices_load(c, pos + 1, npos - 1, publish, 0, w);
    jw_obj_close(w);
    if (rc == 0)
        rc = cli_print_json(w);
    jw_free(w);
    return rc;
}

static int
cli_demo(struct cfg *c, int argc, char **argv)
{
    struct demo_summary *sum = cm_calloc(1, sizeof(*sum));
    struct store        *st;
    struct cm_err        err;
    struct jw           *w;
    int                  rc, status, pub_status = 0, ind_status = 0;
    int                  prac_status = 0;

    if (cli_no_more("demo", argc, argv, 0)) {
        free(sum);
        return 2;
    }
    if (cli_open_store(c, 1, 1, &st, NULL, &err)) {
        free(sum);
        return cli_fail(&err);
    }
    rc = demo_load(st, c->demo_dir, "cli", sum, &err);
    w = jw_new();
    jw_obj_open(w);
    demo_summary_fields(w, sum);
    jw_key(w, "published");
    jw_arr_open(w);
    if (rc == CM_OK)
        pub_status = cli_publish_all(c, st, w);
    jw_arr_close(w);
    if (rc == CM_OK || sum->nfiles > 0) {
        struct jw *dw = jw_new();

        jw_obj_open(dw);
        jw_kv_int(dw, "sites", sum->sites);
        jw_kv_int(dw, "meters", sum->meters);
        jw_kv_int(dw, "files", sum->nfiles);
        jw_kv_bool(dw, "ok", rc == CM_OK);
        jw_obj_close(dw);
        cli_audit(st, "demo.load", c->demo_dir, dw);
    }
    store_close(st);
    /* Then the indicators, computed from what was just published. */
    jw_key(w, "indicators");
    jw_arr_open(w);
    if (rc == CM_OK && pub_status == 0)
        ind_status = cli_demo_indicators(c, w);
    jw_arr_close(w);
    /* And the registry's seed sheets, which link to both */
    if (rc == CM_OK && pub_status == 0 && ind_status == 0)
        prac_status = cli_demo_practices(c, w);
    jw_obj_close(w);
    /* The summary is printed on failure too: it names the file refused */
    status = cli_print_json(w);
    if (status == 0 && (ind_status != 0 || prac_status != 0))
        status = 1;
    if (status == 0 && pub_status != 0)
        status = 1;
    jw_free(w);
    demo_summary_clear(sum);
    free(sum);
    if (rc != CM_OK) {
        fprintf(stderr, "consometer demo: %s\n", err.msg);
        /* 2 only when demo.dir itself is wrong; a file that does not
        ** load is work that failed */
        return err.what_kind && !strcmp(err.what, "demo.dir") ? 2 : 1;
    }
    return status;
}

int
main(int argc, char **argv)
{
    const struct cli_cmd *cmd = NULL;
    struct cfg            c;
    struct cm_err         err;
    int                   nrest;

    /* Everything is UTC; libarchive writes zip member times through
    ** localtime(), so run in UTC for archives to have the same bytes on
    ** every machine. Before any thread starts. */
    setenv("TZ", "UTC", 1);
    tzset();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        cli_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("consometer %s\n", CM_VERSION);
        return 0;
    }
    for (int i = 0; i < CLI_NCMDS; i++)
        if (!strcmp(argv[1], cli_cmds[i].name))
            cmd = &cli_cmds[i];
    if (cmd == NULL) {
        fprintf(stderr, "consometer: unknown command '%s'\n\n", argv[1]);
        cli_usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cli_cmd_help(cmd);
            return 0;
        }
    cfg_init(&c);
    if (cfg_load(&c, argc - 2, argv + 2, environ, &nrest, &err) != CM_OK) {
        fprintf(stderr, "consometer %s: %s\n", cmd->name, err.msg);
        return 2;
    }
    return cmd->run(&c, nrest, argv + 2);
}
