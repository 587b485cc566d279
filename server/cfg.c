/*
** cfg.c -- the settings table (Redis's standardConfig style) and the four
** layers that fill it. Every limit the server enforces is a row here;
** the code that enforces it reads struct cfg and names the row in its
** error, so an operator can find the knob from the message.
*/
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "jw.h"
#include "log.h"

enum cfg_type { CFG_STR, CFG_INT, CFG_BYTES, CFG_ENUM };

struct cfg_setting {
    const char   *name; /* "http.port" */
    enum cfg_type type;
    size_t        off;   /* Offset of the field in struct cfg */
    int64_t       min;   /* Numbers: smallest value; strings: 1 = required */
    int64_t       max;   /* Numbers: largest value; strings: buffer size */
    const char   *def;   /* Default, as text, parsed like any other value */
    const char   *enums; /* CFG_ENUM: "error|warn|info|debug" */
    const char   *help;
    const char   *alias; /* Short flag, or NULL */
};

#define F(field) offsetof(struct cfg, field)
#define S(field) ((int64_t) sizeof(((struct cfg *) 0)->field))

static const struct cfg_setting cfg_settings[] = {
    {"http.listen", CFG_STR, F(http_listen), 1, S(http_listen), "127.0.0.1",
     NULL, "IPv4 address to listen on", "--listen"},
    {"http.port", CFG_INT, F(http_port), 0, 65535, "8080", NULL,
     "TCP port (0: any free port)", "--port"},
    {"http.threads", CFG_INT, F(http_threads), 1, CM_MAX_THREADS, "32", NULL,
     "worker threads, each with its own store connection", "--threads"},
    {"http.body_max", CFG_BYTES, F(http_body_max), 1024, CM_MAX_BODY, "1MiB",
     NULL, "largest request body accepted (bytes, or with k/M/G suffix)", NULL},
    {"http.header_max", CFG_BYTES, F(http_header_max), 1024, 1024 * 1024, "16k",
     NULL, "largest request line and headers accepted, bytes", NULL},
    {"http.timeout_ms", CFG_INT, F(http_timeout_ms), 100, 3600000, "30000",
     NULL, "request timeout, milliseconds", NULL},
    {"http.keep_alive_ms", CFG_INT, F(http_keep_alive_ms), 0, 600000, "5000",
     NULL, "idle keep-alive connection timeout, milliseconds", NULL},
    {"http.shutdown_grace_ms", CFG_INT, F(http_shutdown_grace_ms), 0, 600000,
     "1500", NULL, "on SIGTERM, time given to in-flight requests, milliseconds",
     NULL},
    {"http.static_max_age", CFG_INT, F(http_static_max_age), 0, 31536000, "300",
     NULL, "Cache-Control max-age of portal files, seconds", NULL},
    {"http.base_url", CFG_STR, F(http_base_url), 0, S(http_base_url), "", NULL,
     "absolute URL clients reach the server at, for links in the catalog "
     "and API descriptions (\"\": from the request's Host header)",
     NULL},
    {"api.page_default", CFG_INT, F(api_page_default), 1, CM_MAX_PAGE, "100",
     NULL,
     "items per page of a list (the catalog) when the request does "
     "not say",
     NULL},
    {"api.page_max", CFG_INT, F(api_page_max), 1, CM_MAX_PAGE, "1000", NULL,
     "most items per page of a list (the catalog)", NULL},
    {"api.records_default", CFG_INT, F(api_records_default), 1, CM_MAX_PAGE,
     "100", NULL,
     "observations per page of /records when the request does not say", NULL},
    {"api.records_max", CFG_INT, F(api_records_max), 1, CM_MAX_PAGE, "10000",
     NULL, "most observations per page of /records (?limit=)", NULL},
    {"api.records_cache", CFG_BYTES, F(api_records_cache), 0, 1LL << 30,
     "32MiB", NULL,
     "memory for the pages of /records served lately (they never change), "
     "bytes; 0: none",
     NULL},
    {"store.data_dir", CFG_STR, F(data_dir), 1, S(data_dir), "data", NULL,
     "folder of the store (consometer.db)", "--data-dir"},
    {"store.db", CFG_STR, F(store_db), 0, S(store_db), "", NULL,
     "the store file (default: consometer.db in store.data_dir)", "--db"},
    {"ingest.body_max", CFG_BYTES, F(ingest_body_max), 1024, CM_MAX_BODY,
     "64MiB", NULL, "largest upload to POST /api/v1/ingest (streamed)", NULL},
    {"publish.cells_max", CFG_INT, F(publish_cells_max), 1, 100000000,
     "5000000", NULL,
     "most cells (observations) one published version may have: the "
     "publisher holds the cube in memory, about 400 bytes a cell",
     NULL},
    {"store.mmap_size", CFG_BYTES, F(store_mmap_size), 0, 1LL << 40, "256MiB",
     NULL,
     "how much of the store the server reads through a memory map (the "
     "kernel's page cache, shared by its connections) instead of a system "
     "call per page; 0: none",
     NULL},
    {"store.busy_timeout_ms", CFG_INT, F(store_busy_timeout_ms), 0, 600000,
     "5000", NULL, "how long a query waits for a locked store, milliseconds",
     NULL},
    {"portal.dir", CFG_STR, F(portal_dir), 1, S(portal_dir),
     CM_DEFAULT_PORTAL_DIR, NULL, "folder of the portal's static files",
     "--portal-dir"},
    {"demo.dir", CFG_STR, F(demo_dir), 1, S(demo_dir), CM_DEFAULT_DEMO_DIR,
     NULL, "folder of the demo federation that 'consometer demo' loads",
     "--demo-dir"},
    {"datasets.dir", CFG_STR, F(datasets_dir), 1, S(datasets_dir),
     CM_DEFAULT_DATASETS_DIR, NULL,
     "folder of the dataset definitions (<slug>/dataset.json) that "
     "'consometer publish' reads",
     "--datasets-dir"},
    {"lua.memory_mb", CFG_INT, F(lua_memory_mb), 1, 4096, "64", NULL,
     "memory budget of one Lua run (live bytes of its state), MiB", NULL},
    {"lua.instructions", CFG_INT, F(lua_instructions), 0, 2000000000,
     "200000000", NULL,
     "Lua VM instructions one run may execute, all its coroutines together "
     "(0: unmetered, the deadline alone bounds a run, without the count "
     "hook's cost)",
     NULL},
    {"lua.timeout_ms", CFG_INT, F(lua_timeout_ms), 10, 3600000, "10000", NULL,
     "wall-clock limit of one Lua run; its worker is killed after it", NULL},
    {"lua.output_rows", CFG_INT, F(lua_output_rows), 1, 100000000, "100000",
     NULL, "most entries in any one table of a Lua run's result", NULL},
    {"lua.output_bytes", CFG_BYTES, F(lua_output_bytes), 1024, 1LL << 30,
     "16MiB", NULL, "largest result of a Lua run, as JSON", NULL},
    {"lua.script_bytes", CFG_BYTES, F(lua_script_bytes), 64, 16LL << 20,
     "256KiB", NULL, "largest script source a team may send", NULL},
    {"lua.workers", CFG_INT, F(lua_workers), 1, 64, "2", NULL,
     "Lua runs executed at once by the server (worker processes)", NULL},
    {"lua.queue_max", CFG_INT, F(lua_queue_max), 1, 100000, "64", NULL,
     "runs waiting in the queue; past it, POST .../runs answers 429", NULL},
    {"lua.team_concurrency", CFG_INT, F(lua_team_concurrency), 1, 64, "1", NULL,
     "runs of one team executed at once", NULL},
    {"lua.team_queue_max", CFG_INT, F(lua_team_queue_max), 1, 100000, "8", NULL,
     "runs of one team waiting; past it, POST .../runs answers 429", NULL},
    {"lua.team_daily_seconds", CFG_INT, F(lua_team_daily_seconds), 1,
     86400 * 64, "3600", NULL,
     "run time (wall clock) one team may use per UTC day, seconds", NULL},
    {"auth.session_hours", CFG_INT, F(auth_session_hours), 1, 24 * 90, "12",
     NULL, "life of a portal session (login cookie), hours", NULL},
    {"auth.login_failures", CFG_INT, F(auth_login_failures), 1, 1000, "5", NULL,
     "failed logins of one account (four times as many from one address) "
     "after which logins wait",
     NULL},
    {"auth.login_window_s", CFG_INT, F(auth_login_window_s), 1, 86400, "900",
     NULL, "the window, seconds, in which failed logins are counted", NULL},
    {"lua.preview_rows", CFG_INT, F(lua_preview_rows), 1, 100000, "100", NULL,
     "rows of observations shown in a run's result preview", NULL},
    {"registry.body_max", CFG_BYTES, F(registry_body_max), 1024, 16LL << 20,
     "256KiB", NULL,
     "largest practice sheet a request may send (body of POST/PUT "
     "/api/v1/practices)",
     NULL},
    {"registry.page_default", CFG_INT, F(registry_page_default), 1, 1000, "20",
     NULL, "sheets per page of GET /api/v1/practices when not asked", NULL},
    {"registry.page_max", CFG_INT, F(registry_page_max), 1, 1000, "100", NULL,
     "most sheets per page of GET /api/v1/practices (?limit=)", NULL},
    {"log.level", CFG_ENUM, F(log_level), 0, 0, "info", "error|warn|info|debug",
     "least severe level logged", "--log-level"},
};

#define CFG_NSETTINGS ((int) (sizeof(cfg_settings) / sizeof(cfg_settings[0])))

_Static_assert(CFG_NSETTINGS <= 64, "struct cfg origin[] is too small");

static const char *const cfg_origin_names[] = {"default", "file", "env",
                                               "flag"};

static const struct cfg_setting *
cfg_find(const char *name, size_t len)
{
    for (int i = 0; i < CFG_NSETTINGS; i++)
        if (strlen(cfg_settings[i].name) == len &&
            memcmp(cfg_settings[i].name, name, len) == 0)
            return &cfg_settings[i];
    return NULL;
}

static const struct cfg_setting *
cfg_find_alias(const char *flag, size_t len)
{
    for (int i = 0; i < CFG_NSETTINGS; i++)
        if (cfg_settings[i].alias && strlen(cfg_settings[i].alias) == len &&
            memcmp(cfg_settings[i].alias, flag, len) == 0)
            return &cfg_settings[i];
    return NULL;
}

/* Parse a decimal integer with an optional binary-unit suffix. */
static int
cfg_parse_int(const char *v, int bytes, int64_t *out)
{
    char     *end;
    long long n;
    int64_t   mult = 1;

    if (!isdigit((unsigned char) v[0]) && v[0] != '-')
        return -1;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v)
        return -1;
    if (bytes && *end) {
        if (!strcmp(end, "k") || !strcmp(end, "K") || !strcmp(end, "KiB"))
            mult = 1024;
        else if (!strcmp(end, "M") || !strcmp(end, "MiB"))
            mult = 1024 * 1024;
        else if (!strcmp(end, "G") || !strcmp(end, "GiB"))
            mult = 1024 * 1024 * 1024;
        else if (strcmp(end, "B") != 0)
            return -1;
        end += strlen(end);
    }
    if (*end)
        return -1;
    if (n > INT64_MAX / mult || n < INT64_MIN / mult)
        return -1;
    *out = (int64_t) n * mult;
    return 0;
}

static int
cfg_bad(struct cm_err *err, const struct cfg_setting *s, const char *value,
        const char *from, const char *why)
{
    cm_fail(err, CM_EINVAL, "%s: '%.64s' %s (from %s)", s->name, value, why,
            from);
    cm_err_what(err, "setting", s->name);
    return err->code;
}

int
cfg_set(struct cfg *c, const char *name, const char *value,
        enum cfg_origin origin, const char *from, struct cm_err *err)
{
    const struct cfg_setting *s = cfg_find(name, strlen(name));
    char                     *field;
    char                      why[128];
    int64_t                   n;

    if (s == NULL) {
        cm_fail(err, CM_EINVAL,
                "%s: unknown setting '%.64s'; "
                "'consometer config --help' lists them",
                from, name);
        cm_err_what(err, "setting", name);
        return err->code;
    }
    field = (char *) c + s->off;
    switch (s->type) {
    case CFG_STR:
        if ((int64_t) strlen(value) >= s->max) {
            snprintf(why, sizeof(why), "is longer than %lld bytes",
                     (long long) s->max - 1);
            return cfg_bad(err, s, value, from, why);
        }
        if (s->min && !value[0])
            return cfg_bad(err, s, value, from, "must not be empty");
        memcpy(field, value, strlen(value) + 1);
        break;
    case CFG_INT:
    case CFG_BYTES:
        if (cfg_parse_int(value, s->type == CFG_BYTES, &n) != 0 || n < s->min ||
            n > s->max) {
            snprintf(why, sizeof(why), "is not %s in %lld..%lld",
                     s->type == CFG_BYTES ? "a size (bytes, k, M, G)"
                                          : "an integer",
                     (long long) s->min, (long long) s->max);
            return cfg_bad(err, s, value, from, why);
        }
        if (s->type == CFG_BYTES)
            *(int64_t *) field = n;
        else
            *(int *) field = (int) n;
        break;
    case CFG_ENUM: {
        const char *p = s->enums;
        size_t      len = strlen(value);
        int         i = 0;

        for (;;) {
            size_t k = strcspn(p, "|");

            if (k == len && memcmp(p, value, len) == 0)
                break;
            if (p[k] == '\0') {
                snprintf(why, sizeof(why), "is not one of %s", s->enums);
                return cfg_bad(err, s, value, from, why);
            }
            p += k + 1;
            i++;
        }
        *(int *) field = i;
        break;
    }
    }
    c->origin[s - cfg_settings] = origin;
    return CM_OK;
}

void
cfg_init(struct cfg *c)
{
    struct cm_err err;

    memset(c, 0, sizeof(*c));
    for (int i = 0; i < CFG_NSETTINGS; i++) {
        int rc = cfg_set(c, cfg_settings[i].name, cfg_settings[i].def,
                         CFG_DEFAULT, "default", &err);

        if (rc != CM_OK) { /* A build-time mistake: fail loudly */
            fprintf(stderr, "consometer: bad built-in default: %s\n", err.msg);
            abort();
        }
    }
}

static char *
cfg_trim(char *s)
{
    char *e;

    while (isspace((unsigned char) *s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char) e[-1]))
        *--e = '\0';
    return s;
}

/*
** Read one line (without its newline) into line[CM_CFG_LINE_MAX + 1].
** Returns its length, -1 at the end of the file, -2 if it is too long,
** -3 if it holds a NUL byte (which would silently hide the rest of it).
** Reads the whole line either way, so the next call starts on the next.
*/
static int
cfg_read_line(FILE *f, char *line)
{
    int n = 0, ch, bad = 0;

    while ((ch = getc(f)) != EOF && ch != '\n') {
        if (ch == '\0')
            bad = -3;
        else if (n == CM_CFG_LINE_MAX)
            bad = bad ? bad : -2;
        else
            line[n++] = (char) ch;
    }
    line[n] = '\0';
    if (ch == EOF && n == 0 && !bad)
        return -1;
    return bad ? bad : n;
}

/* 'key = value' lines; '#' starts a comment line. */
static int
cfg_load_file(struct cfg *c, const char *path, struct cm_err *err)
{
    char  line[CM_CFG_LINE_MAX + 1];
    char  from[CM_PATH_MAX + 32];
    FILE *f = fopen(path, "r");
    int   lineno = 0, rc = CM_OK, len;

    if (f == NULL) {
        cm_fail(err, CM_EIO, "configuration file %s: %s", path,
                strerror(errno));
        cm_err_what(err, "path", path);
        return err->code;
    }
    while (rc == CM_OK && (len = cfg_read_line(f, line)) != -1) {
        char *p, *eq, *key;

        lineno++;
        snprintf(from, sizeof(from), "%s:%d", path, lineno);
        if (len == -2 || len == -3) {
            rc = cm_fail(
                err, CM_EINVAL, "%s: %s", from,
                len == -2 ? "line longer than " CM_STR(CM_CFG_LINE_MAX) " bytes"
                          : "NUL byte in the line");
            break;
        }
        p = cfg_trim(line);
        if (*p == '\0' || *p == '#')
            continue;
        eq = strchr(p, '=');
        if (eq == NULL) {
            rc =
                cm_fail(err, CM_EINVAL,
                        "%s: expected 'setting = value', got '%.64s'", from, p);
            break;
        }
        *eq = '\0';
        key = cfg_trim(p);
        rc = cfg_set(c, key, cfg_trim(eq + 1), CFG_FILE, from, err);
    }
    if (rc == CM_OK && ferror(f))
        rc = cm_fail(err, CM_EIO, "configuration file %s: read error", path);
    fclose(f);
    if (rc == CM_OK)
        snprintf(c->config_file, sizeof(c->config_file), "%s", path);
    return rc;
}

/* CONSOMETER_HTTP_BODY_MAX <-> http.body_max */
static void
cfg_env_name(const char *name, char *out, size_t outsz)
{
    size_t n = (size_t) snprintf(out, outsz, "CONSOMETER_");

    for (; *name && n + 1 < outsz; name++)
        out[n++] = *name == '.' ? '_' : (char) toupper((unsigned char) *name);
    out[n] = '\0';
}

static int
cfg_load_env(struct cfg *c, char **envp, struct cm_err *err)
{
    char env[96];

    for (int i = 0; i < CFG_NSETTINGS; i++) {
        const char *v;

        cfg_env_name(cfg_settings[i].name, env, sizeof(env));
        v = NULL;
        for (char **e = envp; e && *e; e++)
            if (!strncmp(*e, env, strlen(env)) && (*e)[strlen(env)] == '=')
                v = *e + strlen(env) + 1;
        if (v && cfg_set(c, cfg_settings[i].name, v, CFG_ENV, env, err))
            return err->code;
    }
    return CM_OK;
}

static const char *
cfg_getenv(char **envp, const char *name)
{
    size_t len = strlen(name);

    for (char **e = envp; e && *e; e++)
        if (!strncmp(*e, name, len) && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

/*
** "--http.port=8080", "--http.port 8080", "--port 8080". Returns 1 and
** advances *pi past the value if argv[*pi] is a setting flag, 0 if not.
*/
static int
cfg_flag(struct cfg *c, int argc, char **argv, int *pi, struct cm_err *err,
         int *rc)
{
    const char               *arg = argv[*pi], *eq, *value;
    const struct cfg_setting *s;
    size_t                    len;

    if (strncmp(arg, "--", 2) != 0)
        return 0;
    eq = strchr(arg, '=');
    len = eq ? (size_t) (eq - arg) : strlen(arg);
    s = cfg_find(arg + 2, len - 2);
    if (s == NULL)
        s = cfg_find_alias(arg, len);
    if (s == NULL)
        return 0;
    if (eq)
        value = eq + 1;
    else if (*pi + 1 < argc)
        value = argv[++*pi];
    else {
        *rc = cm_fail(err, CM_EINVAL, "%.*s: missing value", (int) len, arg);
        cm_err_what(err, "setting", s->name);
        return 1;
    }
    *rc = cfg_set(c, s->name, value, CFG_FLAG, arg, err);
    return 1;
}

int
cfg_load(struct cfg *c, int argc, char **argv, char **envp, int *pn_rest,
         struct cm_err *err)
{
    const char *file = cfg_getenv(envp, "CONSOMETER_CONFIG");
    int         rc = CM_OK, n = 0, i;

    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                return cm_fail(err, CM_EINVAL, "--config: missing file name");
            file = argv[++i];
        } else if (!strncmp(argv[i], "--config=", 9))
            file = argv[i] + 9;
    }
    if (file && *file && (rc = cfg_load_file(c, file, err)) != CM_OK)
        return rc;
    if ((rc = cfg_load_env(c, envp, err)) != CM_OK)
        return rc;
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            i++;
            continue;
        }
        if (!strncmp(argv[i], "--config=", 9))
            continue;
        if (cfg_flag(c, argc, argv, &i, err, &rc)) {
            if (rc != CM_OK)
                return rc;
            continue;
        }
        argv[n++] = argv[i];
    }
    *pn_rest = n;
    cm_log_set_level((enum cm_log_level) c->log_level);
    return cfg_check(c, err);
}

/*
** http.base_url: behind a TLS proxy the server cannot see the scheme or
** the public name, so the links it publishes come from this setting.
** Refuse what would make every published link wrong: no scheme, a query
** or fragment, characters that need escaping.
*/
static int
cfg_check_base_url(const char *u, struct cm_err *err)
{
    const char *host;

    if (u[0] == '\0')
        return CM_OK;
    if (!strncmp(u, "https://", 8))
        host = u + 8;
    else if (!strncmp(u, "http://", 7))
        host = u + 7;
    else
        host = NULL;
    if (host == NULL || host[0] == '\0' || host[0] == '/' ||
        strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789-._~:/[]%") != strlen(u)) {
        cm_fail(err, CM_EINVAL,
                "http.base_url: '%.64s' is not an absolute http(s) URL "
                "without query or fragment (\"https://data.example.org\")",
                u);
        cm_err_what(err, "setting", "http.base_url");
        return err->code;
    }
    return CM_OK;
}

int
cfg_check(const struct cfg *c, struct cm_err *err)
{
    if (cfg_check_base_url(c->http_base_url, err) != CM_OK)
        return err->code;
    if (c->api_page_default > c->api_page_max) {
        cm_fail(err, CM_EINVAL,
                "api.page_default (%d) must not exceed api.page_max (%d)",
                c->api_page_default, c->api_page_max);
        cm_err_what(err, "setting", "api.page_default");
        return err->code;
    }
    if (c->api_records_default > c->api_records_max) {
        cm_fail(err, CM_EINVAL,
                "api.records_default (%d) must not exceed api.records_max "
                "(%d)",
                c->api_records_default, c->api_records_max);
        cm_err_what(err, "setting", "api.records_default");
        return err->code;
    }
    return CM_OK;
}

void
cfg_write_json(const struct cfg *c, struct jw *w, int with_origin)
{
    jw_obj_open(w);
    for (int i = 0; i < CFG_NSETTINGS; i++) {
        const struct cfg_setting *s = &cfg_settings[i];
        const char               *field = (const char *) c + s->off;

        jw_key(w, s->name);
        if (with_origin) {
            jw_obj_open(w);
            jw_key(w, "value");
        }
        switch (s->type) {
        case CFG_STR:
            jw_str(w, field);
            break;
        case CFG_INT:
            jw_int(w, *(const int *) field);
            break;
        case CFG_BYTES:
            jw_int(w, *(const int64_t *) field);
            break;
        case CFG_ENUM: {
            const char *p = s->enums;

            for (int k = *(const int *) field; k > 0; k--)
                p += strcspn(p, "|") + 1;
            jw_strn(w, p, strcspn(p, "|"));
            break;
        }
        }
        if (with_origin) {
            jw_kv_str(w, "origin", cfg_origin_names[c->origin[i]]);
            jw_kv_str(w, "help", s->help);
            jw_obj_close(w);
        }
    }
    jw_obj_close(w);
}

void
cfg_print_help(FILE *out)
{
    char env[96];

    fprintf(out, "Settings (flag --NAME=VALUE, environment, or 'NAME = VALUE' "
                 "in --config FILE):\n");
    for (int i = 0; i < CFG_NSETTINGS; i++) {
        const struct cfg_setting *s = &cfg_settings[i];

        cfg_env_name(s->name, env, sizeof(env));
        fprintf(out, "  --%-24s %s (default %s", s->name, s->help, s->def);
        if (s->enums)
            fprintf(out, "; one of %s", s->enums);
        else if (s->type != CFG_STR)
            fprintf(out, "; %lld..%lld", (long long) s->min,
                    (long long) s->max);
        fprintf(out, ")\n  %-26s %s%s%s\n", "", env, s->alias ? ", " : "",
                s->alias ? s->alias : "");
    }
}

int
cfg_store_path(const struct cfg *c, char *out, size_t outsz, struct cm_err *err)
{
    if (c->store_db[0]) {
        if ((size_t) snprintf(out, outsz, "%s", c->store_db) >= outsz)
            return cm_fail(err, CM_EINVAL, "store.db: path too long");
        return CM_OK;
    }
    if ((size_t) snprintf(out, outsz, "%s/consometer.db", c->data_dir) >=
        outsz) {
        cm_fail(err, CM_EINVAL, "store.data_dir: path too long");
        cm_err_what(err, "setting", "store.data_dir");
        return err->code;
    }
    return CM_OK;
}
