/*
** main.c -- the consometer command line: one table of subcommands, each
** with its --help. Exit status: 0 success, 1 the work failed, 2 the
** command or the configuration was wrong (the message says which).
*/
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "http.h"
#include "jw.h"
#include "log.h"
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
        printf("%s\n", cmd->help);
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

/* Refuse arguments a subcommand does not take; returns 0 when none. */
static int
cli_no_more(const char *cmd, int argc, char **argv, int first)
{
    if (argc > first) {
        fprintf(stderr,
                "consometer %s: unexpected argument '%s'; see "
                "'consometer %s --help'\n",
                cmd, argv[first], cmd);
        return 2;
    }
    return 0;
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
    if (create && store_prepare_dir(c->data_dir, err))
        return err->code;
    return store_open(path, &o, st, pn_applied, err);
}

static void
cli_audit_migration(struct store *st, int napplied)
{
    char               details[64];
    struct cm_err      err;
    struct store_audit a = {"cli", "store.migrate", store_path(st), NULL,
                            details};

    if (napplied == 0)
        return;
    snprintf(details, sizeof(details), "{\"applied\":%d,\"schema_version\":%d}",
             napplied, store_schema_latest());
    if (store_audit_add(st, &a, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "%s", err.msg);
}

static int
cli_serve(struct cfg *c, int argc, char **argv)
{
    struct http_server *srv;
    struct store       *st;
    struct cm_err       err;
    sigset_t            set;
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
    if (http_start(c, store_path(st), routes, nroutes, &srv, &err)) {
        store_close(st);
        return cli_fail(&err);
    }
    store_close(st);
    cm_log(CM_LOG_INFO, "consometer %s serving http://%s:%d/ (store %s)",
           CM_VERSION, c->http_listen, http_port(srv), c->data_dir);
    if (sigwait(&set, &sig) != 0)
        sig = SIGTERM;
    cm_log(CM_LOG_INFO, "%s: finishing in-flight requests, then stopping",
           strsignal(sig));
    http_stop(srv);
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
    struct jw    *w = jw_new();
    struct cm_err err;
    const char   *buf;
    size_t        len;
    int           origin = 0, i;

    for (i = 0; i < argc && !strcmp(argv[i], "--origin"); i++)
        origin = 1;
    if (cli_no_more("config", argc, argv, i)) {
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

static int
cli_backup(struct cfg *c, int argc, char **argv)
{
    struct store      *st, *copy;
    struct cm_err      err;
    struct stat        sb;
    struct store_opts  o = {.busy_timeout_ms = c->store_busy_timeout_ms,
                            .readonly = 1};
    struct store_audit a = {"cli", "store.backup", NULL, NULL, NULL};

    if (argc < 1 || argv[0][0] == '-') {
        fprintf(stderr, "consometer backup: missing DEST; see 'consometer "
                        "backup --help'\n");
        return 2;
    }
    if (cli_no_more("backup", argc, argv, 1))
        return 2;
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
    a.target = argv[0];
    if (store_audit_add(st, &a, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "%s", err.msg);
    store_close(st);
    if (stat(argv[0], &sb) != 0)
        sb.st_size = 0;
    printf("backup %s: %lld bytes, integrity ok\n", argv[0],
           (long long) sb.st_size);
    return 0;
}

int
main(int argc, char **argv)
{
    const struct cli_cmd *cmd = NULL;
    struct cfg            c;
    struct cm_err         err;
    int                   nrest;

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
    for (int i = 0; i < nrest; i++)
        if (!strncmp(argv[2 + i], "--", 2) && strcmp(argv[2 + i], "--origin")) {
            fprintf(stderr,
                    "consometer %s: unknown option '%s'; see "
                    "'consometer %s --help'\n",
                    cmd->name, argv[2 + i], cmd->name);
            return 2;
        }
    return cmd->run(&c, nrest, argv + 2);
}
