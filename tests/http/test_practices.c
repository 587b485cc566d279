/*
** test_practices.c -- the regional registry of best-practice sheets
** (issue 6: /api/v1/practices and /api/v1/registry) over real HTTP, on a
** real store file, with real accounts (admin, moderator, editors, one of
** them restricted to a territory, team and provider tokens) and a real
** portal session (cookie + X-CSRF-Token), and a published dataset by
** EPCI written through the store API for the live indicators. The
** contract is the registry specification; each test below is one of its
** parts, run in its own process (t_run) so that a failed assertion stops
** that test only; they share the server and the store, in this order:
**   create       201, Location, draft, revision 1; owner sees it, the
**                public gets 404 while it is a draft;
**   validation   422 naming every failing field at once (dotted paths,
**                steps[2].title), unknown keys, field and body limits
**                (422 / 413), territory codes (INSEE, SIREN + Luhn),
**                URL schemes, dates, datasets that must be published;
**   inert text   HTML in a text field is stored exactly and comes out of
**                ?render=html escaped (&lt;script&gt;), never as a tag;
**                the Markdown subset; the public renders the published
**                revision;
**   revisions    PUT with If-Match, list, one, diff, restore, and the
**                404s of a revision of another sheet;
**   concurrency  stale bases get 409 with the current revision, no base
**                428; of 8 simultaneous PUTs on one base, or 8 identical
**                transitions, exactly one succeeds;
**   search       folded accents, prefixes, ranking, facets and counts
**                (the first publications of the run: exact), filters,
**                sorts, cursor walks, hostile q strings, and drafts never
**                shown to the public;
**   moderation   submit / publish / reject / withdraw / archive / reopen,
**                the public keeps the published revision until the next
**                publication, the history of transitions;
**   roles        401 / 403 on every write route, CSRF for sessions,
**                territory-restricted editors;
**   reuse        a published sheet (its published revision, not a newer
**                draft) copied for another territory, origin, counts;
**   live         a linked published dataset's values for the sheet's
**                territory, targets and whether they are met, and the
**                values of a newer dataset version with no edit;
**   exports      export.json, export.csv (RFC 4180), feed.atom (XML), of
**                published revisions only;
**   audit        one audit_log row per write, with actor and address;
**   secrets      no token, password or session cookie in any reply, the
**                audit log or the server's log.
*/
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "t_http.h"
#include "auth.h"
#include "exp.h"
#include "mem.h"
#include "text.h"

static struct t_server ts;

/* Accounts: an index into t_user / t_tok; U_ANON sends no credentials. */
enum {
    U_ANON = -1,
    U_ADMIN,
    U_MOD,
    U_ED1,  /* Editor, no territory restriction; has a password */
    U_ED2,  /* Editor, no territory restriction */
    U_EDR,  /* Editor restricted to EPCI */
    U_EDX,  /* Editor restricted to the commune 56121 */
    U_TEAM, /* Datathon team */
    U_PROV, /* Data provider */
    U_N
};

static const char *const t_user[U_N] = {"admin", "mod", "ed1",   "ed2",
                                        "edr",   "edx", "team1", "prov1"};
static const char *const t_role[U_N] = {"admin",  "moderator", "editor",
                                        "editor", "editor",    "editor",
                                        "team",   "provider"};
static char              t_tok[U_N][AUTH_TOKEN_MAX];

#define PASSWORD "sheets and more sheets 42"
#define EPCI "200042174"  /* Lorient Agglomération: SIREN, Luhn valid */
#define EPCI2 "243500139" /* Rennes Métropole: SIREN, Luhn valid */
#define LIVE_DS "energy-epci-year"
#define HIDDEN_DS "hidden-epci-year" /* Created, never made the latest */

/* What one test leaves to the next: each test runs in its own process
** (t_run), so that a failure stops that test only; this is shared. */
struct t_shared {
    char session[AUTH_TOKEN_MAX + 32]; /* "cm_session=..." once set */
    int  npublish; /* Publish transitions so far: the feed's entries */
    int  archived; /* Of those, the ones of sheets archived since */
};
static struct t_shared *t_sh;
#define t_session (t_sh->session)
#define t_npublish (t_sh->npublish)
#define t_narchived (t_sh->archived)

/* ---- the server's log (standard error), kept to search for secrets ---- */

static int  t_stderr_fd = -1;
static char t_log_path[1200];
static int  t_passed, t_child;

/* At exit: on a failure, show what was written to standard error (the
** assertions, the server's errors; not its access log); always give
** standard error back. */
static void
t_log_dump(void)
{
    size_t len;
    char  *text, *line, *eol;

    if (t_stderr_fd < 0 || t_child)
        return;
    fflush(stderr);
    if (!t_passed) {
        text = t_read_file(t_log_path, &len);
        for (line = text; *line; line = eol) {
            eol = strchr(line, '\n');
            eol = eol ? eol + 1 : line + strlen(line);
            if (memmem(line, (size_t) (eol - line), " info access ", 13) ==
                    NULL &&
                write(t_stderr_fd, line, (size_t) (eol - line)) < 0)
                perror("write");
        }
        free(text);
    }
    dup2(t_stderr_fd, 2);
    close(t_stderr_fd);
    t_stderr_fd = -1;
}

static void
t_log_capture(void)
{
    int fd;

    snprintf(t_log_path, sizeof(t_log_path), "%s/stderr.log",
             t_tmpdir("practices-log"));
    fd = open(t_log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    ASSERT(fd >= 0);
    fflush(stderr);
    t_stderr_fd = dup(2);
    ASSERT(t_stderr_fd >= 0);
    ASSERT(dup2(fd, 2) == 2);
    close(fd);
    atexit(t_log_dump);
}

/* ---- checks that let the test go on ------------------------------------ */

/* A failed SOFT check is reported at once and fails the test at its end
** (t_run), after the checks that follow it have run too. */
static int t_soft;

#define SOFT(c, ...)                                                           \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            t_soft++;                                                          \
        }                                                                      \
    } while (0)

/* ---- strings kept until the end of a test ------------------------------ */

static char  *t_kept[16384];
static size_t t_nkept;

static char *
t_keep(char *s)
{
    ASSERT(t_nkept < sizeof(t_kept) / sizeof(t_kept[0]));
    t_kept[t_nkept++] = s;
    return s;
}

static void
t_gc(void)
{
    while (t_nkept > 0)
        free(t_kept[--t_nkept]);
}

static char *t_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* printf into a string kept until the end of the test. */
static char *
t_fmt(const char *fmt, ...)
{
    va_list ap;
    int     n;
    char   *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ASSERT(n >= 0);
    s = malloc((size_t) n + 1);
    ASSERT(s != NULL);
    va_start(ap, fmt);
    vsnprintf(s, (size_t) n + 1, fmt, ap);
    va_end(ap);
    return t_keep(s);
}

/* n copies of the UTF-8 string unit. */
static char *
t_repeat(const char *unit, size_t n)
{
    size_t ul = strlen(unit);
    char  *s = malloc(ul * n + 1);

    ASSERT(s != NULL);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    s[ul * n] = '\0';
    return t_keep(s);
}

/* Percent-encode s for a query string. */
static char *
t_urlenc(const char *s)
{
    size_t n = strlen(s);
    char  *o = malloc(3 * n + 1), *p = o;

    ASSERT(o != NULL);
    for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.')
            *p++ = (char) *c;
        else
            p += sprintf(p, "%%%02X", *c);
    }
    *p = '\0';
    return t_keep(o);
}

/* ---- HTTP --------------------------------------------------------------- */

static char t_last[512]; /* "METHOD target as who", for failure messages */

/* No reply ever carries a token, the password, a session cookie or a
** password hash. */
static void
t_no_secret(const struct t_resp *r)
{
    const char *secrets[U_N + 3];
    int         n = 0;

    for (int i = 0; i < U_N; i++)
        secrets[n++] = t_tok[i];
    secrets[n++] = PASSWORD;
    secrets[n++] = "$argon2";
    if (t_session[0])
        secrets[n++] = strchr(t_session, '=') + 1;
    for (int i = 0; i < n; i++) {
        if (strstr(r->head, secrets[i]) ||
            memmem(r->body, r->body_len, secrets[i], strlen(secrets[i]))) {
            fprintf(stderr, "%s: a secret (%.8s...) in the reply:\n%s\n%s\n",
                    t_last, secrets[i], r->head, r->body);
            exit(1);
        }
    }
}

/*
** One request as 'who' (U_ANON: no credentials), with 'extra' header
** lines ("Name: value\r\n"...) and a JSON body (NULL: none; "": an empty
** body, Content-Length: 0).
*/
static void
t_do(const char *method, const char *target, int who, const char *extra,
     const char *body, struct t_resp *r)
{
    struct cm_buf b;

    snprintf(t_last, sizeof(t_last), "%s %.400s as %s", method, target,
             who >= 0 ? t_user[who] : "anonymous");
    cm_buf_init(&b);
    cm_buf_printf(&b,
                  "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Connection: close\r\n",
                  method, target);
    if (who >= 0)
        cm_buf_printf(&b, "Authorization: Bearer %s\r\n", t_tok[who]);
    if (extra != NULL)
        cm_buf_puts(&b, extra);
    if (body != NULL && *body != '\0')
        cm_buf_puts(&b, "Content-Type: application/json\r\n");
    if (body != NULL)
        cm_buf_printf(&b, "Content-Length: %zu\r\n", strlen(body));
    cm_buf_add(&b, "\r\n", 2);
    if (body != NULL)
        cm_buf_add(&b, body, strlen(body));
    t_raw(ts.port, b.data, b.len, r);
    cm_buf_clear(&b);
    t_no_secret(r);
}

static void
t_want(const struct t_resp *r, int status)
{
    if (r->status != status) {
        fprintf(stderr, "%s: status %d, want %d:\n%s\n\n%.4000s\n", t_last,
                r->status, status, r->head, r->body);
        exit(1);
    }
}

/* The request answers 'status' (or 'alt' when alt > 0): its JSON body
** (NULL when the body is empty); yajl_tree_free() it. */
static yajl_val
t_call2(int status, int alt, const char *method, const char *target, int who,
        const char *extra, const char *body)
{
    struct t_resp r;
    yajl_val      doc = NULL;

    t_do(method, target, who, extra, body, &r);
    if (alt > 0 && r.status == alt)
        status = alt;
    t_want(&r, status);
    if (r.body_len > 0)
        doc = t_json(&r);
    t_resp_free(&r);
    return doc;
}

static yajl_val
t_call(int status, const char *method, const char *target, int who,
       const char *extra, const char *body)
{
    return t_call2(status, 0, method, target, who, extra, body);
}

/* ---- JSON --------------------------------------------------------------- */

/* The value at a dotted path with [n] indexes ("changes[0].field"), or
** NULL. */
static yajl_val
t_path(yajl_val v, const char *path)
{
    const char *p = path;
    char        key[128];

    while (v != NULL && *p != '\0') {
        if (*p == '[') {
            char *end;
            long  i = strtol(p + 1, &end, 10);

            if (!YAJL_IS_ARRAY(v) || *end != ']' || i < 0 ||
                (size_t) i >= v->u.array.len)
                return NULL;
            v = v->u.array.values[i];
            p = end + 1;
        } else {
            size_t   n = strcspn(p, ".[");
            yajl_val next = NULL;

            snprintf(key, sizeof(key), "%.*s", (int) n, p);
            if (!YAJL_IS_OBJECT(v))
                return NULL;
            for (size_t k = 0; k < v->u.object.len; k++)
                if (strcmp(v->u.object.keys[k], key) == 0) {
                    next = v->u.object.values[k];
                    break;
                }
            v = next;
            p += n;
        }
        if (*p == '.')
            p++;
    }
    return v;
}

static long long
t_int(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    if (v == NULL || !YAJL_IS_INTEGER(v)) {
        fprintf(stderr, "%s: no integer at %s\n", t_last, path);
        exit(1);
    }
    return YAJL_GET_INTEGER(v);
}

static double
t_num(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    if (v == NULL || !YAJL_IS_NUMBER(v)) {
        fprintf(stderr, "%s: no number at %s\n", t_last, path);
        exit(1);
    }
    return YAJL_IS_INTEGER(v) ? (double) YAJL_GET_INTEGER(v)
                              : YAJL_GET_DOUBLE(v);
}

static const char *
t_str(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    return v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static size_t
t_len(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    if (v == NULL || !YAJL_IS_ARRAY(v)) {
        fprintf(stderr, "%s: no array at %s\n", t_last, path);
        exit(1);
    }
    return v->u.array.len;
}

/* 1 true, 0 false, -1 not a boolean */
static int
t_bool(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    return v == NULL ? -1 : YAJL_IS_TRUE(v) ? 1 : YAJL_IS_FALSE(v) ? 0 : -1;
}

/* Present and null, or absent. */
static int
t_null_or_absent(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    return v == NULL || YAJL_IS_NULL(v);
}

/* A year given as "2024" or 2024. */
static long long
t_year(yajl_val doc, const char *path)
{
    yajl_val v = t_path(doc, path);

    if (v != NULL && YAJL_IS_STRING(v))
        return atoll(v->u.string);
    return t_int(doc, path);
}

/* A revision's member 'key' ("id", "number"), at the top of one
** revision's reply or under its "revision". */
static long long
t_revkey(yajl_val doc, const char *key)
{
    yajl_val v = t_path(doc, key);

    if (v != NULL && YAJL_IS_INTEGER(v))
        return YAJL_GET_INTEGER(v);
    return t_int(doc, t_fmt("revision.%s", key));
}

/* The revision id at 'key': an integer, or an object with its "id". */
static long long
t_idof(yajl_val doc, const char *key)
{
    yajl_val v = t_path(doc, key);

    if (v != NULL && YAJL_IS_INTEGER(v))
        return YAJL_GET_INTEGER(v);
    return t_int(doc, t_fmt("%s.id", key));
}

/* A list either as the reply itself or under 'key'. */
static yajl_val
t_list(yajl_val doc, const char *key)
{
    yajl_val v = YAJL_IS_ARRAY(doc) ? doc : t_path(doc, key);

    if (v == NULL || !YAJL_IS_ARRAY(v)) {
        fprintf(stderr, "%s: no list (%s)\n", t_last, key);
        exit(1);
    }
    return v;
}

/* Two JSON values are equal (object keys in any order). */
static int
t_json_eq(yajl_val a, yajl_val b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->type != b->type)
        return YAJL_IS_NUMBER(a) && YAJL_IS_NUMBER(b) &&
               YAJL_GET_DOUBLE(a) == YAJL_GET_DOUBLE(b);
    switch (a->type) {
    case yajl_t_string:
        return strcmp(a->u.string, b->u.string) == 0;
    case yajl_t_number:
        return strcmp(a->u.number.r, b->u.number.r) == 0 ||
               YAJL_GET_DOUBLE(a) == YAJL_GET_DOUBLE(b);
    case yajl_t_array:
        if (a->u.array.len != b->u.array.len)
            return 0;
        for (size_t i = 0; i < a->u.array.len; i++)
            if (!t_json_eq(a->u.array.values[i], b->u.array.values[i]))
                return 0;
        return 1;
    case yajl_t_object:
        if (a->u.object.len != b->u.object.len)
            return 0;
        for (size_t i = 0; i < a->u.object.len; i++) {
            const char *path[] = {a->u.object.keys[i], NULL};

            if (!t_json_eq(a->u.object.values[i],
                           yajl_tree_get(b, path, yajl_t_any)))
                return 0;
        }
        return 1;
    default:
        return 1;
    }
}

/* ---- the error envelope -------------------------------------------------- */

/* t_assert_envelope, saying which request failed. */
static void
t_envelope(const struct t_resp *r, int status, const char *code)
{
    const char *c = strstr(r->body, "\"code\":\"");

    if (r->status != status || c == NULL ||
        strncmp(c + 8, code, strlen(code)) != 0 || c[8 + strlen(code)] != '"')
        fprintf(stderr, "%s: want %d %s\n", t_last, status, code);
    t_assert_envelope(r, status, code);
}

/* details.fields names 'field' (prefix: a field starting with it). */
static int
t_has_field(yajl_val doc, const char *field, int prefix)
{
    yajl_val fields = t_path(doc, "error.details.fields");

    if (fields == NULL || !YAJL_IS_ARRAY(fields))
        return 0;
    for (size_t i = 0; i < fields->u.array.len; i++) {
        const char *f = t_str(fields->u.array.values[i], "field");

        if (f != NULL && (prefix ? strncmp(f, field, strlen(field)) == 0
                                 : strcmp(f, field) == 0))
            return 1;
    }
    return 0;
}

/*
** The request is refused with 'status' and 'code'; when 'field' is set,
** a 422 names it as details.field (its only failing field) and in
** details.fields, each item with a message; a 400 names it as
** details.param.
*/
static void
t_refused(int status, const char *code, const char *field, const char *method,
          const char *target, int who, const char *extra, const char *body)
{
    struct t_resp r;
    yajl_val      doc;

    t_do(method, target, who, extra, body, &r);
    if (r.status != status)
        fprintf(stderr, "%s\n", t_last);
    t_envelope(&r, status, code);
    doc = t_json(&r);
    if (field != NULL && status == 400) {
        ASSERT_STREQ(t_str(doc, "error.details.param"), field);
    } else if (field != NULL) {
        /* details.field names it; details.fields, when there, too */
        if (t_str(doc, "error.details.field") == NULL ||
            strcmp(t_str(doc, "error.details.field"), field) != 0 ||
            (t_path(doc, "error.details.fields") != NULL &&
             !t_has_field(doc, field, 0))) {
            fprintf(stderr, "%s: want field %s in: %s\n", t_last, field,
                    r.body);
            exit(1);
        }
    }
    yajl_tree_free(doc);
    t_resp_free(&r);
}

/* A refused sheet: 422 naming exactly 'field' (or a field that starts
** with it when prefix). */
static void
t_bad_sheet(const char *body, const char *field, int prefix)
{
    struct t_resp r;
    yajl_val      doc;

    t_do("POST", "/api/v1/practices", U_ED1, NULL, body, &r);
    if (r.status != 422)
        fprintf(stderr, "%s (want %s)\n", t_last, field);
    t_envelope(&r, 422, "unprocessable");
    doc = t_json(&r);
    if (!t_has_field(doc, field, prefix)) {
        fprintf(stderr, "want field %s in: %s\nfor %.2000s\n", field, r.body,
                body);
        exit(1);
    }
    if (!prefix)
        ASSERT_STREQ(t_str(doc, "error.details.field"), field);
    /* details.field is the first of details.fields, each with a message */
    ASSERT_STREQ(t_str(doc, "error.details.field"),
                 t_str(doc, "error.details.fields[0].field"));
    for (size_t i = 0; i < t_len(doc, "error.details.fields"); i++) {
        const char *m =
            t_str(doc, t_fmt("error.details.fields[%zu].message", i));

        ASSERT(m != NULL && strlen(m) > 0);
    }
    yajl_tree_free(doc);
    t_resp_free(&r);
}

/* ---- the store, read behind the server's back ------------------------- */

static long long t_sql(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The integer the query's first row holds. */
static long long
t_sql(const char *fmt, ...)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    long long     n;
    char          sql[2048];
    va_list       ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    ASSERT_EQ(sqlite3_open_v2(ts.store, &db, SQLITE_OPEN_READONLY, NULL),
              SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* ---- the fixture: accounts and a published dataset by EPCI ----------- */

/* Publish version 'version' of LIVE_DS (or HIDDEN_DS, never the latest):
** yearly electricity of EPCI (2022..2024: 1000, 900, and 'last') and of
** EPCI2 (5000, 4900, 4800; from version 2, 2024 is suppressed: status C,
** value null). */
static void
t_publish_dataset(const char *slug, int version, double last, int latest)
{
    struct store     *st;
    struct store_opts o = {0, 0, 5000, 0};
    struct cm_err     err;
    struct cm_buf     text;
    int64_t           id, number, row = 0;
    const char       *manifest = t_fmt(
              "{\"slug\":\"%s\",\"title\":{\"fr\":\"Consommation annuelle "
                    "d'électricité par EPCI\"},\"license\":\"etalab-2.0\",\"kinds\":"
                    "[\"electricity\"],\"period\":\"year\",\"territory\":\"epci\","
                    "\"by_sector\":false,\"measures\":[\"sum\"],\"privacy\":{\"policy\":"
                    "\"aggregated\",\"households\":true,\"min_sites\":3,"
                    "\"max_share\":0.85}}",
              slug);
    struct store_version_new v = {0};
    char                     sha[65];

    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    cm_buf_init(&text);
    cm_fold(manifest, strlen(manifest), &text);
    cm_buf_add(&text, "", 1);
    snprintf(sha, sizeof(sha), "%064d", version);
    v.slug = slug;
    v.origin = "manifest";
    v.manifest = manifest;
    v.search_text = text.data;
    v.published_at =
        version == 1 ? "2026-01-10T10:00:00Z" : "2026-06-10T10:00:00Z";
    v.n_observations = 6;
    v.sha256 = sha;
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    ASSERT_EQ(number, version);
    for (int t = 0; t < 2; t++)
        for (int y = 2022; y <= 2024; y++) {
            char           period[8];
            struct exp_obs ob = {0};

            snprintf(period, sizeof(period), "%d", y);
            ob.period = period;
            ob.territory_level = "epci";
            ob.territory = t ? EPCI2 : EPCI;
            ob.kind = "electricity";
            ob.value = t ? 5000 - 100 * (y - 2022)
                         : (y == 2024 ? last : 1000 - 100 * (y - 2022));
            ob.unit = "kWh";
            ob.n_sites = 40;
            ob.status = 'A';
            if (version > 1 && t == 1 && y == 2024) {
                ob.status = 'C'; /* Suppressed (confidential) in v2 */
                ob.value_null = 1;
            }
            ASSERT_EQ(store_obs_add(st, id, row++, &ob, NULL, &err), CM_OK);
        }
    if (latest)
        ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    cm_buf_clear(&text);
    store_close(st);
}

/* MONTH_DS: 15 years of monthly heat for EPCI (2011-01 .. 2025-12, the
** value of month i is i), more than a series shows. */
#define MONTH_DS "heat-epci-month"
static void
t_publish_monthly(void)
{
    struct store     *st;
    struct store_opts o = {0, 0, 5000, 0};
    struct cm_err     err;
    int64_t           id, number;
    const char       *manifest =
        "{\"slug\":\"" MONTH_DS "\",\"title\":{\"fr\":\"Chaleur livrée par "
        "mois\"},\"license\":\"etalab-2.0\",\"kinds\":[\"heat\"],\"period\":"
        "\"month\",\"territory\":\"epci\",\"by_sector\":false,\"measures\":"
        "[\"sum\"],\"privacy\":{\"policy\":\"open\"}}";
    struct store_version_new v = {0};
    char                     sha[65];

    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    memset(sha, 'c', 64);
    sha[64] = '\0';
    v.slug = MONTH_DS;
    v.origin = "manifest";
    v.manifest = manifest;
    v.search_text = "chaleur livree par mois";
    v.published_at = "2026-02-01T10:00:00Z";
    v.n_observations = 180;
    v.sha256 = sha;
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &v, &id, &number, &err), CM_OK);
    for (int i = 0; i < 180; i++) {
        char           period[8];
        struct exp_obs ob = {0};

        snprintf(period, sizeof(period), "%d-%02d", 2011 + i / 12, 1 + i % 12);
        ob.period = period;
        ob.territory_level = "epci";
        ob.territory = EPCI;
        ob.kind = "heat";
        ob.value = i + 1;
        ob.unit = "MWh";
        ob.n_sites = 12;
        ob.status = 'A';
        ASSERT_EQ(store_obs_add(st, id, i, &ob, NULL, &err), CM_OK);
    }
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    store_close(st);
}

static void
t_setup(void)
{
    struct store     *st;
    struct store_opts o = {0, 0, 5000, 0};
    struct cm_err     err;

    t_server_start(&ts, routes, nroutes, NULL);
    /* The production default, so that the access log is written */
    cm_log_set_level(CM_LOG_INFO);
    ASSERT_EQ(auth_init(&err), CM_OK);
    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    for (int i = 0; i < U_N; i++)
        ASSERT_EQ(auth_user_add(st, t_user[i], t_role[i], t_tok[i], &err),
                  CM_OK);
    ASSERT_EQ(auth_password_set(st, "ed1", PASSWORD, "test", &err), CM_OK);
    ASSERT_EQ(auth_user_territories_set(st, "edr", EPCI, "test", &err), CM_OK);
    ASSERT_EQ(auth_user_territories_set(st, "edx", "56121", "test", &err),
              CM_OK);
    store_close(st);
    t_publish_dataset(LIVE_DS, 1, 800, 1);
    t_publish_dataset(HIDDEN_DS, 1, 800, 0);
    t_publish_monthly();
    t_gc();
}

/* ---- sheets ---------------------------------------------------------- */

/* A sheet document: title (JSON-escaped already), territory, and 'extra'
** members ("\"themes\":[...]", or NULL). */
static char *
t_sheet(const char *title, const char *level, const char *code,
        const char *extra)
{
    return t_fmt("{\"title\":\"%s\",\"summary\":\"Résumé : %s\","
                 "\"territory\":{\"level\":\"%s\",\"code\":\"%s\","
                 "\"name\":\"Territoire %s\"}%s%s}",
                 title, title, level, code, code, extra ? "," : "",
                 extra ? extra : "");
}

static char *
t_epci(const char *title, const char *extra)
{
    return t_sheet(title, "epci", EPCI, extra);
}

/* POST a sheet as who: its id (201, Location, draft, revision 1); its
** first revision's id into *rev (may be NULL). */
static long long
t_create(int who, const char *body, long long *rev)
{
    struct t_resp r;
    yajl_val      doc;
    char          loc[256], want[128];
    long long     id;

    t_do("POST", "/api/v1/practices", who, NULL, body, &r);
    t_want(&r, 201);
    doc = t_json(&r);
    id = t_int(doc, "id");
    ASSERT(id > 0);
    snprintf(want, sizeof(want), "/api/v1/practices/%lld", id);
    ASSERT(t_header(&r, "Location", loc, sizeof(loc)) != NULL);
    ASSERT(strlen(loc) >= strlen(want));
    ASSERT_STREQ(loc + strlen(loc) - strlen(want), want);
    ASSERT_STREQ(t_str(doc, "url"), want);
    ASSERT_STREQ(t_str(doc, "state"), "draft");
    ASSERT_EQ(t_int(doc, "revision.number"), 1);
    ASSERT(t_int(doc, "revision.id") > 0);
    if (rev != NULL)
        *rev = t_int(doc, "revision.id");
    yajl_tree_free(doc);
    t_resp_free(&r);
    return id;
}

static char *
t_url(long long id, const char *rest)
{
    return t_fmt("/api/v1/practices/%lld%s", id, rest ? rest : "");
}

/* GET the sheet as who (200). */
static yajl_val
t_get(long long id, int who)
{
    return t_call(200, "GET", t_url(id, NULL), who, NULL, NULL);
}

/* The id of the sheet's working revision (as an admin sees it). */
static long long
t_rev(long long id)
{
    yajl_val  doc = t_get(id, U_ADMIN);
    long long rev = t_int(doc, "revision.id");

    yajl_tree_free(doc);
    return rev;
}

static char *
t_if_match(long long rev)
{
    return t_fmt("If-Match: \"%lld\"\r\n", rev);
}

/* PUT a new revision on base 'rev' as who: the new revision's id. */
static long long
t_put(long long id, int who, long long rev, const char *body)
{
    yajl_val doc =
        t_call2(200, 201, "PUT", t_url(id, NULL), who, t_if_match(rev), body);
    long long nrev = t_int(doc, "revision.id");

    ASSERT(nrev != rev);
    ASSERT_EQ(t_int(doc, "id"), id);
    yajl_tree_free(doc);
    return nrev;
}

/* A moderation transition as who (body NULL: none): 200, the new state. */
static void
t_act(long long id, const char *action, int who, const char *body,
      const char *state)
{
    char    *path = t_fmt("/%s", action);
    yajl_val doc =
        t_call(200, "POST", t_url(id, path), who, NULL, body ? body : "");

    ASSERT(doc != NULL);
    ASSERT_STREQ(t_str(doc, "state"), state);
    yajl_tree_free(doc);
    if (strcmp(action, "publish") == 0)
        t_npublish++;
}

/* Submitted and published by the moderator. */
static void
t_publish(long long id)
{
    t_act(id, "submit", U_MOD, NULL, "in_review");
    t_act(id, "publish", U_MOD, NULL, "published");
}

/* The public sees it, with this title. */
static void
t_public_title(long long id, const char *title)
{
    yajl_val doc = t_get(id, U_ANON);

    ASSERT_STREQ(t_str(doc, "document.title"), title);
    ASSERT_STREQ(t_str(doc, "state"), "published");
    yajl_tree_free(doc);
}

static void
t_public_404(long long id)
{
    t_refused(404, "not_found", NULL, "GET", t_url(id, NULL), U_ANON, NULL,
              NULL);
}

/* ---- search -------------------------------------------------------------- */

/* GET /api/v1/practices?query as who (200). */
static yajl_val
t_search(int who, const char *query)
{
    yajl_val doc = t_call(200, "GET", t_fmt("/api/v1/practices?%s", query), who,
                          NULL, NULL);

    ASSERT(doc != NULL);
    t_len(doc, "practices");
    ASSERT(t_path(doc, "total") != NULL);
    ASSERT(t_path(doc, "next") != NULL);
    return doc;
}

/* The ids of a page, as "id id id". */
static char *
t_ids(yajl_val doc)
{
    yajl_val list = t_path(doc, "practices");
    char     buf[4096] = "";

    for (size_t i = 0; i < list->u.array.len; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%lld",
                 i ? " " : "", t_int(list->u.array.values[i], "id"));
    return t_fmt("%s", buf);
}

/* The ids of a search as who, "id id id", and its total. */
static char *
t_found(int who, const char *query, long long *total)
{
    yajl_val doc = t_search(who, query);
    char    *ids = t_ids(doc);

    if (total != NULL)
        *total = t_int(doc, "total");
    yajl_tree_free(doc);
    return ids;
}

/* 'id' is one of the ids "a b c". */
static int
t_in(const char *ids, long long id)
{
    char        want[32];
    const char *p = ids;
    size_t      n = (size_t) snprintf(want, sizeof(want), "%lld", id);

    while ((p = strstr(p, want)) != NULL) {
        if ((p == ids || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

/* The count of 'value' in facet 'name' (0 when absent); a territory is
** matched when its value holds the code. */
static long long
t_facet(yajl_val doc, const char *name, const char *value)
{
    yajl_val list = t_path(doc, t_fmt("facets.%s", name));

    ASSERT(list != NULL && YAJL_IS_ARRAY(list));
    for (size_t i = 0; i < list->u.array.len; i++) {
        const char *v = t_str(list->u.array.values[i], "value");

        ASSERT(v != NULL);
        if (strcmp(name, "territory") == 0 ? strstr(v, value) != NULL
                                           : strcmp(v, value) == 0)
            return t_int(list->u.array.values[i], "count");
    }
    return 0;
}

/* ==== tests ============================================================ */

static void
test_create(void)
{
    struct t_resp r;
    yajl_val      doc, sheet;
    long long     id, rev;
    char          etag[64], want[64];

    id = t_create(U_ED1,
                  t_epci("Chaufferie bois de la piscine",
                         "\"themes\":[\"renewables\",\"heat_network\"],"
                         "\"sector\":\"public_buildings\",\"impacts\":"
                         "{\"energy\":3,\"ghg\":3,\"air_quality\":null},"
                         "\"start\":\"2023-09\",\"end\":\"2025\","
                         "\"steps\":[{\"title\":\"Étude\",\"done\":true,"
                         "\"date\":\"2023-10-02\"}],\"tags\":[\"bois\"]"),
                  &rev);

    /* The owner reads the working revision, with its ETag. */
    t_do("GET", t_url(id, NULL), U_ED1, NULL, NULL, &r);
    t_want(&r, 200);
    snprintf(want, sizeof(want), "\"%lld\"", rev);
    ASSERT(t_header(&r, "ETag", etag, sizeof(etag)) != NULL);
    ASSERT_STREQ(etag, want);
    doc = t_json(&r);
    t_resp_free(&r);
    ASSERT_EQ(t_int(doc, "id"), id);
    ASSERT_STREQ(t_str(doc, "state"), "draft");
    ASSERT_EQ(t_int(doc, "revision.id"), rev);
    ASSERT_EQ(t_int(doc, "revision.number"), 1);
    ASSERT_STREQ(t_str(doc, "revision.author"), "ed1");
    ASSERT(t_str(doc, "revision.created_at") != NULL);
    ASSERT(t_null_or_absent(doc, "published_revision"));
    ASSERT(t_path(doc, "published_revision") != NULL);
    ASSERT(t_null_or_absent(doc, "origin"));
    ASSERT_EQ(t_int(doc, "reuses"), 0);
    /* What the caller may do: the portal offers only that */
    ASSERT_EQ(t_bool(doc, "may.edit"), 1);
    ASSERT_EQ(t_bool(doc, "may.moderate"), 0);
    ASSERT(t_str(doc, "created_at") != NULL);
    ASSERT(t_str(doc, "updated_at") != NULL);
    ASSERT_STREQ(t_str(doc, "document.title"), "Chaufferie bois de la piscine");
    ASSERT_STREQ(t_str(doc, "document.summary"),
                 "Résumé : Chaufferie bois de la piscine");
    ASSERT_STREQ(t_str(doc, "document.territory.level"), "epci");
    ASSERT_STREQ(t_str(doc, "document.territory.code"), EPCI);
    ASSERT_STREQ(t_str(doc, "document.themes[1]"), "heat_network");
    ASSERT_EQ(t_int(doc, "document.impacts.energy"), 3);
    ASSERT(t_null_or_absent(doc, "document.impacts.air_quality"));
    ASSERT_STREQ(t_str(doc, "document.steps[0].title"), "Étude");
    ASSERT_EQ(t_bool(doc, "document.steps[0].done"), 1);
    ASSERT_STREQ(t_str(doc, "document.steps[0].date"), "2023-10-02");
    ASSERT_STREQ(t_str(doc, "document.start"), "2023-09");
    ASSERT_STREQ(t_str(doc, "url"), t_url(id, NULL));
    t_len(doc, "live_indicators");
    sheet = doc; /* Read again at the end */

    /* Staff read it too; the public does not while it is a draft, nor
    ** its revisions. */
    yajl_tree_free(t_get(id, U_MOD));
    yajl_tree_free(t_get(id, U_ADMIN));
    t_public_404(id);
    t_refused(404, "not_found", NULL, "GET", t_url(id, "/revisions"), U_ANON,
              NULL, NULL);
    t_refused(404, "not_found", NULL, "GET",
              t_url(id, t_fmt("/revisions/%lld", rev)), U_ANON, NULL, NULL);
    /* Nor does a team token, which is not staff. */
    t_refused(404, "not_found", NULL, "GET", t_url(id, NULL), U_TEAM, NULL,
              NULL);
    /* Unknown ids. */
    t_refused(404, "not_found", NULL, "GET", "/api/v1/practices/99999999",
              U_ADMIN, NULL, NULL);
    t_refused(404, "not_found", NULL, "GET", "/api/v1/practices/abc", U_ADMIN,
              NULL, NULL);

    /* ?revision=current is the staff's default, said aloud. */
    doc = t_call(200, "GET", t_url(id, "?revision=current"), U_ED1, NULL, NULL);
    ASSERT_EQ(t_int(doc, "revision.id"), rev);
    yajl_tree_free(doc);

    /* The served sheet names its territory at the top. */
    ASSERT_STREQ(t_str(sheet, "territory.level"), "epci");
    ASSERT_STREQ(t_str(sheet, "territory.code"), EPCI);
    ASSERT_STREQ(t_str(sheet, "territory.name"), "Territoire " EPCI);
    yajl_tree_free(sheet);
    t_gc();
}

static void
test_validation(void)
{
    struct t_resp r;
    yajl_val      doc;
    const char   *terr = "\"territory\":{\"level\":\"epci\",\"code\":\"" EPCI
                       "\",\"name\":\"Lorient\"}";
    char  *body;
    size_t n;

    /* Missing required fields, each named. */
    t_bad_sheet(t_fmt("{\"summary\":\"Sans titre\",%s}", terr), "title", 0);
    t_bad_sheet(t_fmt("{\"title\":\"\",\"summary\":\"Titre vide\",%s}", terr),
                "title", 0);
    t_bad_sheet(t_fmt("{\"title\":\"Sans résumé\",%s}", terr), "summary", 0);
    t_bad_sheet("{\"title\":\"Sans territoire\",\"summary\":\"s\"}",
                "territory", 0);
    t_bad_sheet("{\"title\":\"T\",\"summary\":\"s\",\"territory\":"
                "{\"level\":\"epci\",\"code\":\"" EPCI "\"}}",
                "territory.name", 0);
    t_refused(422, "unprocessable", NULL, "POST", "/api/v1/practices", U_ED1,
              NULL, "{}");

    /* Every failing field at once, details.field the first of them. */
    t_do("POST", "/api/v1/practices", U_ED1, NULL,
         t_fmt("{\"title\":\"%s\",\"summary\":\"s\",\"impacts\":"
               "{\"energy\":4},\"territory\":{\"level\":\"epci\","
               "\"code\":\"20004217\",\"name\":\"Lorient\"}}",
               t_repeat("a", 301)),
         &r);
    t_envelope(&r, 422, "unprocessable");
    doc = t_json(&r);
    ASSERT(t_has_field(doc, "title", 0));
    ASSERT(t_has_field(doc, "impacts.energy", 0));
    ASSERT(t_has_field(doc, "territory.code", 0));
    ASSERT_EQ(t_len(doc, "error.details.fields"), 3);
    ASSERT_STREQ(t_str(doc, "error.details.field"),
                 t_str(doc, "error.details.fields[0].field"));
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* Array items by index, nested objects by dotted path. */
    t_do("POST", "/api/v1/practices", U_ED1, NULL,
         t_fmt("{\"title\":\"Étapes\",\"summary\":\"s\",%s,\"steps\":["
               "{\"title\":\"un\"},{\"title\":\"deux\"},{\"description\":"
               "\"sans titre\"},{\"title\":\"quatre\",\"date\":\"2024-13\"}],"
               "\"budget\":[{\"label\":\"x\",\"amount_eur\":-1}]}",
               terr),
         &r);
    t_envelope(&r, 422, "unprocessable");
    doc = t_json(&r);
    ASSERT(t_has_field(doc, "steps[2].title", 0));
    ASSERT(t_has_field(doc, "steps[3].date", 0));
    ASSERT(t_has_field(doc, "budget[0].amount_eur", 0));
    ASSERT_EQ(t_len(doc, "error.details.fields"), 3);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* Lengths are counted in characters: 300 'é' (600 bytes) pass, 301 do
    ** not. */
    yajl_tree_free(t_call(201, "POST", "/api/v1/practices", U_ED1, NULL,
                          t_epci(t_repeat("é", 300), NULL)));
    t_bad_sheet(t_epci(t_repeat("é", 301), NULL), "title", 0);
    t_bad_sheet(t_fmt("{\"title\":\"T\",\"summary\":\"%s\",%s}",
                      t_repeat("x", 1001), terr),
                "summary", 0);

    /* Blank is missing; lists have a length. */
    t_bad_sheet(t_epci("   ", NULL), "title", 0);
    t_bad_sheet(t_epci("Étapes", t_fmt("\"steps\":[%s{\"title\":\"s\"}]",
                                       t_repeat("{\"title\":\"s\"},", 100))),
                "steps", 0);
    /* JSON nested deeper than any sheet: refused, never a crash. */
    {
        t_do("POST", "/api/v1/practices", U_ED1, NULL,
             t_epci("Profond", t_fmt("\"tags\":%s%s", t_repeat("[", 5000),
                                     t_repeat("]", 5000))),
             &r);
        ASSERT(r.status == 400 || r.status == 422);
        t_resp_free(&r);
    }

    /* Unknown keys, at the top and inside. */
    t_bad_sheet(t_epci("Couleur", "\"colour\":\"bleu\""), "colour", 0);
    t_bad_sheet(t_epci("Impact eau", "\"impacts\":{\"water\":2}"),
                "impacts.water", 0);

    /* A field over its limit: 422 naming it; at the limit, accepted. */
    t_bad_sheet(t_epci("Contexte long",
                       t_fmt("\"context\":\"%s\"", t_repeat("x", 20001))),
                "context", 0);
    yajl_tree_free(
        t_call(201, "POST", "/api/v1/practices", U_ED1, NULL,
               t_epci("Contexte au plus long",
                      t_fmt("\"context\":\"%s\"", t_repeat("x", 20000)))));
    {
        char tags[512] = "";

        for (int i = 0; i < 21; i++) /* 21 distinct tags, 20 at most */
            snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags),
                     "%s\"t%d\"", i ? "," : "", i);
        t_bad_sheet(t_epci("Trop de tags", t_fmt("\"tags\":[%s]", tags)),
                    "tags", 0);
    }

    /* A body over registry.body_max (256 KiB): 413, whatever it holds. */
    n = 256 * 1024 + 1;
    body = t_keep(malloc(n + 1));
    ASSERT(body != NULL);
    memset(body, ' ', n);
    memcpy(body, "{\"title\":\"", 10);
    memcpy(body + n - 2, "\"}", 2);
    memset(body + 10, 'x', n - 12);
    body[n] = '\0';
    t_do("POST", "/api/v1/practices", U_ED1, NULL, body, &r);
    t_envelope(&r, 413, "limit_exceeded");
    doc = t_json(&r);
    ASSERT_STREQ(t_str(doc, "error.details.setting"), "registry.body_max");
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* Not JSON at all. */
    t_refused(400, "bad_request", NULL, "POST", "/api/v1/practices", U_ED1,
              NULL, "{\"title\":");

    /* Territory codes. */
    t_bad_sheet(t_sheet("Commune", "commune", "5612", NULL), "territory.code",
                0);
    t_bad_sheet(t_sheet("Commune", "commune", "5612A", NULL), "territory.code",
                0);
    t_bad_sheet(t_sheet("EPCI", "epci", "200042175", NULL), "territory.code",
                0);
    t_bad_sheet(t_sheet("EPCI", "epci", "20004217X", NULL), "territory.code",
                0);
    t_bad_sheet(t_sheet("Région", "region", "5X", NULL), "territory.code", 0);
    t_bad_sheet(t_sheet("Département", "departement", "977", NULL),
                "territory.code", 0);
    t_bad_sheet(t_sheet("Canton", "canton", "56", NULL), "territory.level", 0);
    yajl_tree_free(t_call(201, "POST", "/api/v1/practices", U_ED1, NULL,
                          t_sheet("Corse", "commune", "2A004", NULL)));
    yajl_tree_free(t_call(201, "POST", "/api/v1/practices", U_ED1, NULL,
                          t_sheet("Rennes", "epci", EPCI2, NULL)));
    yajl_tree_free(t_call(201, "POST", "/api/v1/practices", U_ED1, NULL,
                          t_sheet("Réunion", "departement", "974", NULL)));
    yajl_tree_free(t_call(201, "POST", "/api/v1/practices", U_ED1, NULL,
                          t_sheet("Bretagne", "region", "53", NULL)));

    /* Enumerations, ratings. */
    t_bad_sheet(t_epci("Impact 0", "\"impacts\":{\"energy\":0}"),
                "impacts.energy", 0);
    t_bad_sheet(t_epci("Impact texte", "\"impacts\":{\"ghg\":\"3\"}"),
                "impacts.ghg", 0);
    t_bad_sheet(t_epci("Thème", "\"themes\":[\"food\"]"), "themes", 1);
    t_bad_sheet(
        t_epci("Thème double", "\"themes\":[\"renovation\",\"renovation\"]"),
        "themes", 1);
    t_bad_sheet(t_epci("Licence", "\"licence\":\"MIT\""), "licence", 0);
    t_bad_sheet(t_epci("Secteur", "\"sector\":\"space\""), "sector", 0);

    /* URLs: http and https only. */
    t_bad_sheet(t_epci("Script", "\"documents\":[{\"title\":\"x\","
                                 "\"url\":\"javascript:alert(1)\"}]"),
                "documents[0].url", 0);
    t_bad_sheet(t_epci("Script", "\"documents\":[{\"title\":\"ok\",\"url\":"
                                 "\"https://example.org/a.pdf\"},{\"title\":"
                                 "\"x\",\"url\":\"JavaScript:alert(1)\"}]"),
                "documents[1].url", 0);
    t_bad_sheet(t_epci("Data", "\"documents\":[{\"title\":\"x\","
                               "\"url\":\"data:text/html,<b>x</b>\"}]"),
                "documents[0].url", 0);
    t_bad_sheet(t_epci("FTP", "\"documents\":[{\"title\":\"x\","
                              "\"url\":\"ftp://example.org/x\"}]"),
                "documents[0].url", 0);

    t_bad_sheet(t_epci("Long", t_fmt("\"documents\":[{\"title\":\"x\",\"url\":"
                                     "\"https://example.org/%s\"}]",
                                     t_repeat("a", 2000 - 20 + 1))),
                "documents[0].url", 0);
    t_bad_sheet(t_epci("Unité", "\"indicators\":[{\"name\":\"n\",\"unit\":"
                                "\"0123456789012345678901234567890123\","
                                "\"values\":{\"2024\":1}}]"),
                "indicators[0].unit", 0);

    /* Dates. */
    t_bad_sheet(t_epci("Dates", "\"start\":\"2024-05-01\",\"end\":\"2024-04\""),
                "end", 0);
    t_bad_sheet(t_epci("Dates", "\"start\":\"2024-02-30\""), "start", 0);
    yajl_tree_free(t_call(
        201, "POST", "/api/v1/practices", U_ED1, NULL,
        t_epci("Dates", "\"start\":\"2023-01\",\"end\":\"2024-06-30\"")));

    /* Datasets: they must exist and be published. */
    t_bad_sheet(t_epci("Jeu", "\"datasets\":[\"no-such-dataset\"]"),
                "datasets[0]", 0);
    t_bad_sheet(
        t_epci("Jeu", "\"datasets\":[\"" LIVE_DS "\",\"" HIDDEN_DS "\"]"),
        "datasets[1]", 0);
    t_bad_sheet(t_epci("Indicateur", "\"indicators\":[{\"slug\":"
                                     "\"no-such-dataset\"}]"),
                "indicators[0].slug", 0);
    t_bad_sheet(t_epci("Lien", "\"linked_practices\":[99999999]"),
                "linked_practices[0]", 0);
    /* A step's date is a day or a month, not a year. */
    t_bad_sheet(t_epci("Étape", "\"steps\":[{\"title\":\"x\",\"date\":"
                                "\"2024\"}]"),
                "steps[0].date", 0);
    t_gc();
}

/* Markup in text fields is data: stored as sent, escaped when rendered. */
static void
test_inert_text(void)
{
    const char *ctx = "<script>alert('x')</script> **gras** et "
                      "[piège](javascript:alert(1)) et "
                      "[lien](https://example.org/a?b=1&c=2)\\n\\n"
                      "- un\\n- deux <img src=x onerror=alert(1)>";
    const char *ctx_decoded = "<script>alert('x')</script> **gras** et "
                              "[piège](javascript:alert(1)) et "
                              "[lien](https://example.org/a?b=1&c=2)\n\n"
                              "- un\n- deux <img src=x onerror=alert(1)>";
    yajl_val    doc, html;
    long long   id;

    id = t_create(U_ED1,
                  t_fmt("{\"title\":\"<script>alert(1)</script> titre\","
                        "\"summary\":\"<b>gras</b> & co\",\"territory\":"
                        "{\"level\":\"epci\",\"code\":\"" EPCI "\","
                        "\"name\":\"Lorient\"},\"context\":\"%s\","
                        "\"lessons\":\"<script src=//evil.example></script>\","
                        "\"results\":\"[x](https://e.org/\\\"onmouseover="
                        "\\\"alert(1))\",\"objectives\":\"### Titre\\n1. un\\n"
                        "2. deux\\n\\n*italique* et `<code>` et "
                        "[écrire](mailto:a@b.fr)\\nligne 2\"}",
                        ctx),
                  NULL);
    doc = t_get(id, U_ED1);
    ASSERT_STREQ(t_str(doc, "document.title"),
                 "<script>alert(1)</script> titre");
    ASSERT_STREQ(t_str(doc, "document.summary"), "<b>gras</b> & co");
    ASSERT_STREQ(t_str(doc, "document.context"), ctx_decoded);
    ASSERT_STREQ(t_str(doc, "document.lessons"),
                 "<script src=//evil.example></script>");
    yajl_tree_free(doc);

    doc = t_call(200, "GET", t_url(id, "?render=html"), U_ED1, NULL, NULL);
    ASSERT_STREQ(t_str(doc, "document.context"), ctx_decoded);
    html = t_path(doc, "html");
    ASSERT(html != NULL && YAJL_IS_OBJECT(html));
    ASSERT(t_str(html, "context") != NULL);
    ASSERT(t_str(html, "lessons") != NULL);
    /* No tag but those of the safe subset, whatever field. */
    for (size_t i = 0; i < html->u.object.len; i++) {
        const char *h = YAJL_GET_STRING(html->u.object.values[i]);

        ASSERT(h != NULL);
        if (strcasestr(h, "<script") || strcasestr(h, "<img") ||
            strcasestr(h, "javascript:alert(1)\"") ||
            strcasestr(h, "href=\"javascript")) {
            fprintf(stderr, "html.%s is not inert: %s\n",
                    html->u.object.keys[i], h);
            exit(1);
        }
    }
    ASSERT_CONTAINS(t_str(html, "context"), "&lt;script&gt;");
    ASSERT_CONTAINS(t_str(html, "context"), "&lt;img");
    ASSERT_CONTAINS(t_str(html, "lessons"),
                    "&lt;script src=//evil.example&gt;");
    ASSERT_CONTAINS(t_str(html, "context"), "gras</");
    ASSERT_CONTAINS(t_str(html, "context"), "<li>");
    ASSERT_CONTAINS(t_str(html, "context"),
                    "href=\"https://example.org/a?b=1&amp;c=2\"");
    /* rel="nofollow noopener" (more words would be as safe) */
    ASSERT_CONTAINS(t_str(html, "context"), "rel=\"nofollow noopener");
    /* The rest of the subset. */
    ASSERT_CONTAINS(t_str(html, "objectives"), "<h3>Titre</h3>");
    ASSERT_CONTAINS(t_str(html, "objectives"), "<ol>");
    ASSERT_CONTAINS(t_str(html, "objectives"), "<li>deux</li>");
    ASSERT_CONTAINS(t_str(html, "objectives"), "<em>italique</em>");
    ASSERT_CONTAINS(t_str(html, "objectives"), "<code>&lt;code&gt;</code>");
    ASSERT_CONTAINS(t_str(html, "objectives"), "href=\"mailto:a@b.fr\"");
    ASSERT_CONTAINS(t_str(html, "objectives"), "<br");
    ASSERT_CONTAINS(t_str(html, "objectives"), "<p>");
    ASSERT(strstr(t_str(html, "results"), "\"onmouseover") == NULL);
    ASSERT_CONTAINS(t_str(html, "results"), "&quot;onmouseover");
    yajl_tree_free(doc);

    /* One revision renders too; the public renders the published one, not
    ** a newer draft. */
    doc = t_call(200, "GET",
                 t_url(id, t_fmt("/revisions/%lld?render=html", t_rev(id))),
                 U_ED1, NULL, NULL);
    ASSERT_CONTAINS(t_str(doc, "html.context"), "&lt;script&gt;");
    yajl_tree_free(doc);
    t_publish(id);
    t_put(id, U_ED1, t_rev(id),
          t_epci("Inerte", "\"context\":\"brouillon **neuf**\""));
    doc = t_call(200, "GET", t_url(id, "?render=html"), U_ANON, NULL, NULL);
    ASSERT_CONTAINS(t_str(doc, "html.context"), "&lt;script&gt;");
    ASSERT(strstr(t_str(doc, "html.context"), "neuf") == NULL);
    yajl_tree_free(doc);
    /* Archived: the search's first public sheets are its own. */
    t_act(id, "archive", U_MOD, NULL, "archived");
    t_narchived++;
    t_gc();
}

static void
test_revisions(void)
{
    struct t_resp r;
    yajl_val      doc, list, ch;
    long long     id, other, rev1, rev2, rev3, orev;
    char          etag[64];
    int           seen_title = 0, seen_tags = 0, seen_contact = 0;
    yajl_val      d1, d3;

    id = t_create(U_ED1,
                  t_epci("Révisions v1", "\"contact\":\"mairie@example.org\","
                                         "\"themes\":[\"renovation\"]"),
                  &rev1);
    other = t_create(U_ED1, t_epci("Une autre fiche", NULL), &orev);

    /* PUT on revision 1: revision 2, and the ETag follows. */
    t_do("PUT", t_url(id, NULL), U_ED1, t_if_match(rev1),
         t_epci("Révisions v2", "\"themes\":[\"renovation\",\"monitoring\"],"
                                "\"tags\":[\"bois\"]"),
         &r);
    if (r.status != 201)
        t_want(&r, 200);
    doc = t_json(&r);
    rev2 = t_int(doc, "revision.id");
    ASSERT_EQ(t_int(doc, "revision.number"), 2);
    ASSERT_STREQ(t_str(doc, "revision.author"), "ed1");
    ASSERT_STREQ(t_str(doc, "state"), "draft");
    ASSERT_STREQ(t_str(doc, "document.title"), "Révisions v2");
    ASSERT(t_path(doc, "document.contact") == NULL);
    yajl_tree_free(doc);
    ASSERT(t_header(&r, "ETag", etag, sizeof(etag)) != NULL);
    ASSERT_STREQ(etag, t_fmt("\"%lld\"", rev2));
    t_resp_free(&r);

    /* The list, newest first. */
    doc = t_call(200, "GET", t_url(id, "/revisions"), U_ED1, NULL, NULL);
    list = t_list(doc, "revisions");
    ASSERT_EQ(list->u.array.len, 2);
    ASSERT_EQ(t_int(list, "[0].id"), rev2);
    ASSERT_EQ(t_int(list, "[0].number"), 2);
    ASSERT_EQ(t_int(list, "[1].id"), rev1);
    ASSERT_EQ(t_int(list, "[1].number"), 1);
    ASSERT_STREQ(t_str(list, "[1].author"), "ed1");
    ASSERT(t_str(list, "[1].created_at") != NULL);
    ASSERT_EQ(t_bool(list, "[0].published"), 0);
    ASSERT_EQ(t_bool(list, "[1].published"), 0);
    yajl_tree_free(doc);

    /* One revision, with its document. */
    doc = t_call(200, "GET", t_url(id, t_fmt("/revisions/%lld", rev1)), U_ED1,
                 NULL, NULL);
    ASSERT_EQ(t_revkey(doc, "id"), rev1);
    ASSERT_EQ(t_revkey(doc, "number"), 1);
    ASSERT_STREQ(t_str(doc, "document.title"), "Révisions v1");
    ASSERT_STREQ(t_str(doc, "document.contact"), "mairie@example.org");
    yajl_tree_free(doc);

    /* The diff, field by field. */
    doc = t_call(200, "GET",
                 t_url(id, t_fmt("/revisions/%lld/diff/%lld", rev1, rev2)),
                 U_ED1, NULL, NULL);
    ASSERT_EQ(t_idof(doc, "from"), rev1);
    ASSERT_EQ(t_idof(doc, "to"), rev2);
    ch = t_path(doc, "changes");
    ASSERT(ch != NULL && YAJL_IS_ARRAY(ch));
    ASSERT_EQ(ch->u.array.len, 5); /* title, summary, themes, tags, contact */
    for (size_t i = 0; i < ch->u.array.len; i++) {
        yajl_val    c = ch->u.array.values[i];
        const char *f = t_str(c, "field"), *k = t_str(c, "change");

        ASSERT(f != NULL && k != NULL);
        ASSERT(strcmp(f, "territory") != 0);
        if (strcmp(f, "title") == 0) {
            seen_title = 1 + (int) i;
            ASSERT_STREQ(k, "changed");
            ASSERT_STREQ(t_str(c, "before"), "Révisions v1");
            ASSERT_STREQ(t_str(c, "after"), "Révisions v2");
        } else if (strcmp(f, "tags") == 0) {
            seen_tags = 1 + (int) i;
            ASSERT_STREQ(k, "added");
            ASSERT(t_null_or_absent(c, "before"));
            ASSERT_STREQ(t_str(c, "after[0]"), "bois");
        } else if (strcmp(f, "contact") == 0) {
            seen_contact = 1 + (int) i;
            ASSERT_STREQ(k, "removed");
            ASSERT_STREQ(t_str(c, "before"), "mairie@example.org");
            ASSERT(t_null_or_absent(c, "after"));
        } else if (strcmp(f, "themes") == 0) {
            ASSERT_STREQ(k, "changed");
            ASSERT_EQ(t_len(c, "after"), 2);
        } else {
            ASSERT_STREQ(f, "summary");
        }
    }
    /* In document key order: title ... tags ... contact */
    ASSERT(seen_title && seen_tags && seen_contact);
    ASSERT(seen_title < seen_tags && seen_tags < seen_contact);
    yajl_tree_free(doc);

    /* Restore revision 1: revision 3 holds revision 1's document. */
    t_refused(428, "precondition_required", NULL, "POST",
              t_url(id, t_fmt("/revisions/%lld/restore", rev1)), U_ED1, NULL,
              "");
    t_refused(409, "conflict", NULL, "POST",
              t_url(id, t_fmt("/revisions/%lld/restore", rev1)), U_ED1,
              t_if_match(rev1), "");
    doc = t_call2(200, 201, "POST",
                  t_url(id, t_fmt("/revisions/%lld/restore", rev1)), U_ED1,
                  t_if_match(rev2), "");
    ASSERT_EQ(t_int(doc, "revision.number"), 3);
    ASSERT_STREQ(t_str(doc, "revision.message"), "restore of revision 1");
    rev3 = t_int(doc, "revision.id");
    yajl_tree_free(doc);
    d1 = t_call(200, "GET", t_url(id, t_fmt("/revisions/%lld", rev1)), U_ED1,
                NULL, NULL);
    d3 = t_call(200, "GET", t_url(id, t_fmt("/revisions/%lld", rev3)), U_ED1,
                NULL, NULL);
    ASSERT(t_json_eq(t_path(d1, "document"), t_path(d3, "document")));
    ASSERT_EQ(t_revkey(d3, "number"), 3);
    yajl_tree_free(d1);
    yajl_tree_free(d3);
    doc = t_get(id, U_ED1);
    ASSERT_EQ(t_int(doc, "revision.id"), rev3);
    ASSERT_STREQ(t_str(doc, "document.title"), "Révisions v1");
    yajl_tree_free(doc);
    doc = t_call(200, "GET",
                 t_url(id, t_fmt("/revisions/%lld/diff/%lld", rev1, rev3)),
                 U_ED1, NULL, NULL);
    ASSERT_EQ(t_len(doc, "changes"), 0);
    yajl_tree_free(doc);
    doc = t_call(200, "GET", t_url(id, "/revisions"), U_ED1, NULL, NULL);
    ASSERT_EQ(t_list(doc, "revisions")->u.array.len, 3);
    ASSERT_STREQ(t_str(t_list(doc, "revisions"), "[0].message"),
                 "restore of revision 1");
    yajl_tree_free(doc);

    /* Revisions of another sheet are not this sheet's. */
    t_refused(404, "not_found", NULL, "GET",
              t_url(id, t_fmt("/revisions/%lld", orev)), U_ED1, NULL, NULL);
    t_refused(404, "not_found", NULL, "GET",
              t_url(other, t_fmt("/revisions/%lld", rev1)), U_ADMIN, NULL,
              NULL);
    t_refused(404, "not_found", NULL, "GET",
              t_url(id, t_fmt("/revisions/%lld/diff/%lld", rev1, orev)), U_ED1,
              NULL, NULL);
    t_refused(404, "not_found", NULL, "GET",
              t_url(id, t_fmt("/revisions/%lld/diff/%lld", orev, rev2)), U_ED1,
              NULL, NULL);
    t_refused(404, "not_found", NULL, "POST",
              t_url(id, t_fmt("/revisions/%lld/restore", orev)), U_ED1,
              t_if_match(rev3), "");
    t_refused(404, "not_found", NULL, "GET", t_url(id, "/revisions/99999999"),
              U_ED1, NULL, NULL);
    /* The other sheet is untouched. */
    ASSERT_EQ(t_rev(other), orev);
    ASSERT_EQ(t_rev(id), rev3);
    /* Links: to another sheet, not to itself. */
    t_refused(422, "unprocessable", "linked_practices[0]", "PUT",
              t_url(id, NULL), U_ED1, t_if_match(rev3),
              t_epci("Lien", t_fmt("\"linked_practices\":[%lld]", id)));
    t_put(id, U_ED1, rev3,
          t_epci("Lien", t_fmt("\"linked_practices\":[%lld]", other)));
    /* A PUT over registry.body_max: 413 as well. */
    {
        size_t n = 256 * 1024 + 1;
        char  *big = t_keep(malloc(n + 1));

        ASSERT(big != NULL);
        memset(big, 'x', n);
        memcpy(big, "{\"title\":\"", 10);
        memcpy(big + n - 2, "\"}", 2);
        big[n] = '\0';
        t_refused(413, "limit_exceeded", NULL, "PUT", t_url(id, NULL), U_ED1,
                  t_if_match(t_rev(id)), big);
    }
    t_gc();
}

/* ---- concurrency -------------------------------------------------------- */

struct t_racer {
    long long   id, base;
    int         n, status;
    const char *action; /* NULL: a PUT on base; else POST /action as mod */
};

static void *
t_race(void *arg)
{
    struct t_racer *a = arg;
    struct t_resp   r;
    struct cm_buf   b;
    char            body[512];

    snprintf(body, sizeof(body),
             "{\"title\":\"Course %d\",\"summary\":\"s\",\"territory\":"
             "{\"level\":\"epci\",\"code\":\"" EPCI "\",\"name\":\"L\"}}",
             a->n);
    cm_buf_init(&b);
    if (a->action != NULL)
        cm_buf_printf(&b,
                      "POST /api/v1/practices/%lld/%s HTTP/1.1\r\n"
                      "Host: 127.0.0.1\r\nConnection: close\r\n"
                      "Authorization: Bearer %s\r\n"
                      "Content-Length: 0\r\n\r\n",
                      a->id, a->action, t_tok[U_MOD]);
    else
        cm_buf_printf(&b,
                      "PUT /api/v1/practices/%lld HTTP/1.1\r\n"
                      "Host: 127.0.0.1\r\nConnection: close\r\n"
                      "Authorization: Bearer %s\r\nIf-Match: \"%lld\"\r\n"
                      "Content-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      a->id, t_tok[U_ED1], a->base, strlen(body), body);
    t_raw(ts.port, b.data, b.len, &r);
    a->status = r.status;
    if (r.status != 200 && r.status != 201 && r.status != 409)
        fprintf(stderr, "racer %d: %d %s\n", a->n, r.status, r.body);
    cm_buf_clear(&b);
    t_resp_free(&r);
    return NULL;
}

/* Eight racers at once on sheet id (action NULL: PUTs on base): how many
** succeeded. */
static int
t_race_round(long long id, long long base, const char *action, int round)
{
    struct t_racer racers[8];
    pthread_t      th[8];
    int            won = 0, lost = 0;

    for (int i = 0; i < 8; i++) {
        racers[i].id = id;
        racers[i].base = base;
        racers[i].n = round * 8 + i;
        racers[i].status = 0;
        racers[i].action = action;
        ASSERT_EQ(pthread_create(&th[i], NULL, t_race, &racers[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ(pthread_join(th[i], NULL), 0);
        won += racers[i].status == 200 || racers[i].status == 201;
        lost += racers[i].status == 409;
    }
    ASSERT_EQ(won + lost, 8);
    return won;
}

static void
test_concurrency(void)
{
    struct t_resp r;
    yajl_val      doc;
    long long     id, rev1, rev2, rev3, other;
    int           bad = 0;

    id = t_create(U_ED1, t_epci("Concurrence", NULL), &rev1);

    /* Two editors (the owner, and edr whose territory it is) both start
    ** from revision 1: the first PUT wins... */
    rev2 = t_put(id, U_EDR, rev1, t_epci("Version de edr", NULL));
    /* ...the second is stale: 409 with the current revision. */
    t_do("PUT", t_url(id, NULL), U_ED1, t_if_match(rev1),
         t_epci("Version de ed1", NULL), &r);
    t_envelope(&r, 409, "conflict");
    doc = t_json(&r);
    ASSERT_EQ(t_int(doc, "error.details.current_revision"), rev2);
    ASSERT(t_path(doc, "error.details.revision") != NULL);
    ASSERT_CONTAINS(r.body, "Version de edr");
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* The same with base_revision in the body. */
    t_do("PUT", t_url(id, NULL), U_ED1, NULL,
         t_fmt("{\"base_revision\":%lld,\"message\":\"ma version\","
               "\"document\":%s}",
               rev1, t_epci("Version de ed1", NULL)),
         &r);
    t_envelope(&r, 409, "conflict");
    doc = t_json(&r);
    ASSERT_EQ(t_int(doc, "error.details.current_revision"), rev2);
    yajl_tree_free(doc);
    t_resp_free(&r);
    /* Rebased on the current revision, it passes, with its message. */
    doc = t_call2(200, 201, "PUT", t_url(id, NULL), U_ED1, NULL,
                  t_fmt("{\"base_revision\":%lld,\"message\":\"fusion\","
                        "\"document\":%s}",
                        rev2, t_epci("Version de ed1", NULL)));
    ASSERT_EQ(t_int(doc, "revision.number"), 3);
    ASSERT_STREQ(t_str(doc, "revision.message"), "fusion");
    ASSERT_STREQ(t_str(doc, "document.title"), "Version de ed1");
    rev3 = t_int(doc, "revision.id");
    yajl_tree_free(doc);

    /* No base at all: 428. */
    t_refused(428, "precondition_required", NULL, "PUT", t_url(id, NULL), U_ED1,
              NULL, t_epci("Sans base", NULL));
    t_refused(428, "precondition_required", NULL, "PUT", t_url(id, NULL), U_ED1,
              NULL,
              t_fmt("{\"message\":\"m\",\"document\":%s}",
                    t_epci("Sans base", NULL)));
    ASSERT_EQ(t_rev(id), rev3);

    /* base_revision without a document: 422 naming it. */
    t_do("PUT", t_url(id, NULL), U_ED1, NULL,
         t_fmt("{\"base_revision\":%lld,\"message\":\"m\"}", rev3), &r);
    if (r.status != 422 || !strstr(r.body, "\"field\":\"document\"")) {
        fprintf(stderr, "%s: %d %s, want 422 naming document\n", t_last,
                r.status, r.body);
        bad = 1;
    }
    t_resp_free(&r);

    /* Eight transitions at once: one moves the sheet, the others find it
    ** moved already (409); one event each in the history. (No publication
    ** here: the search and the feed count those.) */
    for (int k = 0; k < 10 && !bad; k++) {
        const char *act[] = {"submit", "withdraw", "submit", "withdraw"};

        other =
            t_create(U_ED1, t_epci("Concurrence des transitions", NULL), NULL);
        for (int round = 0; round < 4 && !bad; round++) {
            int n = t_race_round(other, 0, act[round], round);

            if (n != 1) {
                fprintf(stderr, "8 POST /%s at once: %d succeeded, want 1\n",
                        act[round], n);
                bad = 1;
            }
        }
        doc = t_call(200, "GET", t_url(other, "/history"), U_MOD, NULL, NULL);
        if (!bad && t_list(doc, "history")->u.array.len != 4) {
            fprintf(stderr, "history of the raced sheet: %zu events, want 4\n",
                    t_list(doc, "history")->u.array.len);
            bad = 1;
        }
        yajl_tree_free(doc);
    }

    /* An edit and a publication at once: what is published is the
    ** revision that was reviewed, never the edit nobody reviewed. */
    for (int k = 0; k < 10; k++) {
        long long      r1, pubrev;
        struct t_racer two[2];
        pthread_t      tt[2];

        other = t_create(U_ED1, t_epci("Relue ou non", NULL), &r1);
        t_act(other, "submit", U_ED1, NULL, "in_review");
        memset(two, 0, sizeof(two));
        two[0].id = two[1].id = other;
        two[0].base = r1; /* The PUT */
        two[0].n = 100 + k;
        two[1].action = "publish";
        for (int i = 0; i < 2; i++)
            ASSERT_EQ(pthread_create(&tt[i], NULL, t_race, &two[i]), 0);
        for (int i = 0; i < 2; i++)
            ASSERT_EQ(pthread_join(tt[i], NULL), 0);
        ASSERT(two[0].status == 200 || two[0].status == 201);
        doc = t_get(other, U_ADMIN);
        pubrev = t_path(doc, "published_revision") &&
                         YAJL_IS_INTEGER(t_path(doc, "published_revision"))
                     ? t_int(doc, "published_revision")
                     : 0;
        if (two[1].status == 200)
            t_npublish++;
        if ((two[1].status == 200 && pubrev != r1) ||
            (two[1].status == 409 && pubrev != 0) ||
            (two[1].status != 200 && two[1].status != 409)) {
            fprintf(stderr,
                    "PUT and publish at once: publish %d, published "
                    "revision %lld, reviewed %lld\n",
                    two[1].status, pubrev, r1);
            bad = 1;
        }
        ASSERT_STREQ(t_str(doc, "state"), "draft");
        yajl_tree_free(doc);
        if (pubrev) { /* Keep the search's and the feed's counts */
            t_act(other, "archive", U_MOD, NULL, "archived");
            t_narchived++;
        }
    }

    /* Eight PUTs at once on the same base: exactly one wins, the others
    ** get 409 (the base is checked in the transaction that writes).
    ** Ten rounds, each on the revision the last one made. */
    for (int round = 0; round < 10; round++) {
        long long base = t_rev(id);
        int       n = t_race_round(id, base, NULL, round);

        if (n != 1) {
            fprintf(stderr,
                    "round %d: 8 PUTs with If-Match: \"%lld\": %d saved, "
                    "want 1\n",
                    round, base, n);
            bad = 1;
        }
    }
    ASSERT(!bad);
    doc = t_call(200, "GET", t_url(id, "/revisions"), U_ED1, NULL, NULL);
    ASSERT_EQ(t_list(doc, "revisions")->u.array.len, 13);
    ASSERT_EQ(t_int(t_list(doc, "revisions"), "[0].number"), 13);
    yajl_tree_free(doc);
    t_gc();
}

/* ---- search -------------------------------------------------------------- */

static long long t_sa, t_sb, t_sc, t_sd, t_sx; /* Search fixture */

static void
t_sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Walk a search page by page with limit=1: every id of 'want' once, in
** its order (or in any order when anyorder). */
static void
t_walk2(const char *query, const char *want, int anyorder)
{
    char     got[4096] = "", *cursor = NULL;
    int      pages = 0;
    yajl_val doc;

    for (;;) {
        yajl_val next;

        doc = t_search(U_ANON, cursor ? t_fmt("%s&limit=1&cursor=%s", query,
                                              t_urlenc(cursor))
                                      : t_fmt("%s&limit=1", query));
        ASSERT(t_len(doc, "practices") <= 1);
        if (t_len(doc, "practices") == 1) {
            long long id = t_int(doc, "practices[0].id");

            ASSERT(!t_in(got, id)); /* No duplicate */
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%lld",
                     got[0] ? " " : "", id);
        }
        next = t_path(doc, "next");
        ASSERT(next != NULL);
        pages++;
        ASSERT(pages < 50);
        if (YAJL_IS_NULL(next)) {
            yajl_tree_free(doc);
            break;
        }
        ASSERT(YAJL_IS_STRING(next));
        cursor = t_fmt("%s", YAJL_GET_STRING(next));
        yajl_tree_free(doc);
    }
    if (anyorder) {
        int n = 0, m = 0;

        for (const char *p = got; *p; p += strcspn(p, " "), p += *p == ' ')
            n++;
        for (const char *p = want; *p; p += strcspn(p, " "), p += *p == ' ') {
            if (!t_in(got, atoll(p)))
                n = -1;
            m++;
        }
        if (n == m)
            return;
    }
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "walk of %s: got %s, want %s\n", query, got, want);
        exit(1);
    }
}

static void
t_walk(const char *query, const char *want)
{
    t_walk2(query, want, 0);
}

/* A sheet with its own summary. */
static char *
t_sheet2(const char *title, const char *summary, const char *level,
         const char *code, const char *extra)
{
    return t_fmt("{\"title\":\"%s\",\"summary\":\"%s\",\"territory\":"
                 "{\"level\":\"%s\",\"code\":\"%s\",\"name\":\"Territoire "
                 "%s\"}%s%s}",
                 title, summary, level, code, code, extra ? "," : "",
                 extra ? extra : "");
}

static void
test_search(void)
{
    const char   *hostile[] = {"\"",
                               "*",
                               "NEAR(",
                               "AND",
                               "OR",
                               "-",
                               "a:b",
                               "(",
                               "'",
                               "^",
                               "",
                               "électricité*",
                               "NOT",
                               "\"\"",
                               ")",
                               "a OR",
                               "title:x",
                               "%",
                               "_",
                               "\\",
                               "a AND",
                               "{a b}",
                               "NEAR(a b, 2)",
                               "[x]",
                               "chaud*",
                               "- -",
                               "^a",
                               "\"a",
                               "a\"",
                               "**"};
    yajl_val      doc;
    long long     total;
    const char   *ids;
    char         *big;
    struct t_resp r;

    /* Four published sheets and a draft; publications apart (times are
    ** kept to the millisecond), so that sort=recent has no ties. */
    t_sa = t_create(
        U_ED1,
        t_sheet2("Audit électricité des écoles",
                 "L'électricité des écoles suivie mois par mois. "
                 "Électricité, électricité.",
                 "epci", EPCI,
                 "\"context\":\"Un compteur d'électricité par école.\","
                 "\"themes\":[\"monitoring\",\"renovation\"],\"sector\":"
                 "\"public_buildings\",\"status\":\"done\",\"priority\":"
                 "\"high\",\"impacts\":{\"energy\":3,\"ghg\":2,"
                 "\"air_quality\":null}"),
        NULL);
    t_sb = t_create(
        U_ED1,
        t_sheet2("Contrat d'achat groupé",
                 "Un contrat commun aux communes pour leurs bâtiments.",
                 "commune", "56121",
                 "\"context\":\"Le groupement achète une ÉLECTRICITÉ verte "
                 "et du gaz ; il publie ses prix, ses volumes, ses lots, "
                 "ses fournisseurs et ses avenants chaque année.\","
                 "\"themes\":[\"renewables\"],\"sector\":"
                 "\"public_buildings\",\"status\":\"ongoing\","
                 "\"impacts\":{\"energy\":2}"),
        NULL);
    t_sc = t_create(U_ED1,
                    t_sheet2("Remplacement d'une chaudière fioul",
                             "Une chaudière bois remplace le fioul.", "commune",
                             "56098",
                             "\"themes\":[\"renovation\"],\"sector\":"
                             "\"residential\",\"status\":\"planned\","
                             "\"impacts\":{\"energy\":3,\"ghg\":3}"),
                    NULL);
    t_sd =
        t_create(U_ED1,
                 t_sheet2("Sobriété de l'éclairage public",
                          "Extinction nocturne de l'éclairage.", "region", "53",
                          "\"themes\":[\"lighting\",\"sobriety\"],"
                          "\"sector\":\"cross_cutting\",\"status\":"
                          "\"ongoing\",\"impacts\":{\"air_quality\":1}"),
                 NULL);
    t_sx = t_create(U_ED1,
                    t_sheet2("Électricité : brouillon confidentiel",
                             "Électricité et chaudière, jamais publié.", "epci",
                             EPCI, "\"themes\":[\"renovation\"]"),
                    NULL);
    t_publish(t_sa);
    t_sleep_ms(50);
    t_publish(t_sb);
    t_sleep_ms(50);
    t_publish(t_sc);
    t_sleep_ms(50);
    t_publish(t_sd);

    /* Accents and case folded, both ways. */
    ids = t_found(U_ANON, "q=electricite", &total);
    ASSERT_EQ(total, 2);
    ASSERT_STREQ(ids, t_fmt("%lld %lld", t_sa, t_sb)); /* Ranked */
    ASSERT_STREQ(t_found(U_ANON, "q=%C3%A9lectricit%C3%A9", NULL), ids);
    ASSERT_STREQ(t_found(U_ANON, "q=%C3%89LECTRICIT%C3%89", NULL), ids);
    ASSERT_STREQ(t_found(U_ANON, "q=ELECTRICITE", NULL), ids);
    /* Prefixes, several words. */
    ASSERT_STREQ(t_found(U_ANON, "q=chaud", &total), t_fmt("%lld", t_sc));
    ASSERT_EQ(total, 1);
    ASSERT_STREQ(t_found(U_ANON, "q=chaudiere", NULL), t_fmt("%lld", t_sc));
    ASSERT_STREQ(t_found(U_ANON, "q=chaudi%C3%A8re%20bois", NULL),
                 t_fmt("%lld", t_sc));
    ASSERT_STREQ(t_found(U_ANON, "q=eclair", NULL), t_fmt("%lld", t_sd));
    ASSERT_STREQ(t_found(U_ANON, "q=introuvable", &total), "");
    ASSERT_EQ(total, 0);

    /* Facets and their counts: every published sheet, no draft. */
    doc = t_search(U_ANON, "limit=100");
    ASSERT_EQ(t_int(doc, "total"), 4);
    ASSERT(!t_in(t_ids(doc), t_sx));
    ASSERT_EQ(t_facet(doc, "theme", "renovation"), 2);
    ASSERT_EQ(t_facet(doc, "theme", "monitoring"), 1);
    ASSERT_EQ(t_facet(doc, "theme", "renewables"), 1);
    ASSERT_EQ(t_facet(doc, "theme", "lighting"), 1);
    ASSERT_EQ(t_facet(doc, "theme", "sobriety"), 1);
    ASSERT_EQ(t_facet(doc, "theme", "water"), 0);
    ASSERT_EQ(t_facet(doc, "sector", "public_buildings"), 2);
    ASSERT_EQ(t_facet(doc, "sector", "residential"), 1);
    ASSERT_EQ(t_facet(doc, "sector", "cross_cutting"), 1);
    ASSERT_EQ(t_facet(doc, "status", "ongoing"), 2);
    ASSERT_EQ(t_facet(doc, "status", "done"), 1);
    ASSERT_EQ(t_facet(doc, "status", "planned"), 1);
    ASSERT_EQ(t_facet(doc, "impact", "energy:3"), 2);
    ASSERT_EQ(t_facet(doc, "impact", "energy:2"), 1);
    ASSERT_EQ(t_facet(doc, "impact", "ghg:3"), 1);
    ASSERT_EQ(t_facet(doc, "impact", "ghg:2"), 1);
    ASSERT_EQ(t_facet(doc, "impact", "air_quality:1"), 1);
    ASSERT_EQ(t_facet(doc, "territory", EPCI), 1);
    ASSERT_EQ(t_facet(doc, "territory", "56121"), 1);
    ASSERT_EQ(t_facet(doc, "territory", "56098"), 1);
    ASSERT(t_str(doc, "practices[0].title") != NULL);
    yajl_tree_free(doc);

    /* Filters, alone and together. */
    ASSERT_STREQ(t_found(U_ANON, "theme=renovation&sort=title", NULL),
                 t_fmt("%lld %lld", t_sa, t_sc));
    ASSERT_STREQ(t_found(U_ANON, "sector=residential", NULL),
                 t_fmt("%lld", t_sc));
    ASSERT_STREQ(t_found(U_ANON, "territory=56121", NULL), t_fmt("%lld", t_sb));
    ASSERT_STREQ(t_found(U_ANON, "territory_level=commune&sort=title", NULL),
                 t_fmt("%lld %lld", t_sb, t_sc));
    ASSERT_STREQ(t_found(U_ANON, "status=ongoing&sort=title", NULL),
                 t_fmt("%lld %lld", t_sb, t_sd));
    ASSERT_STREQ(t_found(U_ANON, "impact=energy:3&sort=title", NULL),
                 t_fmt("%lld %lld", t_sa, t_sc));
    ASSERT_STREQ(t_found(U_ANON, "impact=energy%3A3&sort=title", NULL),
                 t_fmt("%lld %lld", t_sa, t_sc));
    ASSERT_STREQ(t_found(U_ANON, "theme=renovation&impact=ghg:3", NULL),
                 t_fmt("%lld", t_sc));
    ASSERT_STREQ(t_found(U_ANON,
                         "q=electricite&sector=public_buildings&sort=title",
                         NULL),
                 t_fmt("%lld %lld", t_sa, t_sb));
    ASSERT_STREQ(t_found(U_ANON, "q=electricite&theme=renewables", NULL),
                 t_fmt("%lld", t_sb));
    ASSERT_STREQ(t_found(U_ANON, "theme=water", &total), "");
    ASSERT_EQ(total, 0);

    /* Sorts. */
    ASSERT_STREQ(t_found(U_ANON, "sort=title", NULL),
                 t_fmt("%lld %lld %lld %lld", t_sa, t_sb, t_sc, t_sd));
    ASSERT_STREQ(t_found(U_ANON, "sort=recent", NULL),
                 t_fmt("%lld %lld %lld %lld", t_sd, t_sc, t_sb, t_sa));
    ASSERT_STREQ(t_found(U_ANON, "q=electricite&sort=title", NULL),
                 t_fmt("%lld %lld", t_sa, t_sb));
    ASSERT_STREQ(t_found(U_ANON, "q=electricite&sort=relevance", NULL),
                 t_fmt("%lld %lld", t_sa, t_sb));

    /* Cursor walks: each sheet once, next null at the end. */
    t_walk("sort=title", t_fmt("%lld %lld %lld %lld", t_sa, t_sb, t_sc, t_sd));
    t_walk("sort=recent", t_fmt("%lld %lld %lld %lld", t_sd, t_sc, t_sb, t_sa));
    t_walk("q=electricite", t_fmt("%lld %lld", t_sa, t_sb));
    t_walk("theme=renovation&sort=title", t_fmt("%lld %lld", t_sa, t_sc));
    doc = t_search(U_ANON, "sort=title&limit=4");
    ASSERT(YAJL_IS_NULL(t_path(doc, "next")));
    yajl_tree_free(doc);
    doc = t_search(U_ANON, "sort=title&limit=3");
    ASSERT_EQ(t_len(doc, "practices"), 3);
    ASSERT_EQ(t_int(doc, "total"), 4);
    ASSERT(t_str(doc, "next") != NULL);
    yajl_tree_free(doc);

    /* Bad parameters: 400 naming them. */
    t_refused(400, "invalid_param", "limit", "GET", "/api/v1/practices?limit=0",
              U_ANON, NULL, NULL);
    t_refused(400, "invalid_param", NULL, "GET", "/api/v1/practices?limit=101",
              U_ANON, NULL, NULL);
    t_refused(400, "invalid_param", "sort", "GET",
              "/api/v1/practices?sort=size", U_ANON, NULL, NULL);
    t_refused(400, "invalid_param", "cursor", "GET",
              "/api/v1/practices?cursor=%21%21", U_ANON, NULL, NULL);
    t_refused(400, "invalid_param", "limit", "GET",
              "/api/v1/practices?limit=ten", U_ANON, NULL, NULL);
    /* A cursor holds for the list it was made for only. */
    doc = t_search(U_ANON, "sort=title&limit=1");
    {
        char *c = t_urlenc(t_str(doc, "next"));

        t_refused(400, "invalid_param", "cursor", "GET",
                  t_fmt("/api/v1/practices?sort=recent&limit=1&cursor=%s", c),
                  U_ANON, NULL, NULL);
        t_refused(400, "invalid_param", "cursor", "GET",
                  t_fmt("/api/v1/practices?sort=title&limit=1&theme=lighting"
                        "&cursor=%s",
                        c),
                  U_ANON, NULL, NULL);
        c[strlen(c) - 2] = c[strlen(c) - 2] == 'A' ? 'B' : 'A';
        t_refused(400, "invalid_param", "cursor", "GET",
                  t_fmt("/api/v1/practices?sort=title&limit=1&cursor=%s", c),
                  U_ANON, NULL, NULL);
    }
    yajl_tree_free(doc);
    /* Unknown filter values: refused, or nothing found; never a 500. */
    {
        const char *odd[] = {
            "theme=food",   "impact=energy:9",        "impact=x",
            "sector=space", "territory_level=canton", "status=later"};

        for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
            t_do("GET", t_fmt("/api/v1/practices?%s", odd[i]), U_ANON, NULL,
                 NULL, &r);
            if (r.status == 400) {
                t_envelope(&r, 400, "invalid_param");
            } else {
                t_want(&r, 200);
                doc = t_json(&r);
                ASSERT_EQ(t_int(doc, "total"), 0);
                yajl_tree_free(doc);
            }
            t_resp_free(&r);
        }
    }

    /* Hostile q strings: an answer, never a 500, never the draft. */
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        t_do("GET", t_fmt("/api/v1/practices?q=%s", t_urlenc(hostile[i])),
             U_ANON, NULL, NULL, &r);
        if (r.status != 200) {
            fprintf(stderr, "q=%s: ", hostile[i]);
            t_want(&r, 200);
        }
        doc = t_json(&r);
        ASSERT(!t_in(t_ids(doc), t_sx));
        yajl_tree_free(doc);
        t_resp_free(&r);
    }
    ASSERT_STREQ(t_found(U_ANON, "q=", NULL),
                 t_found(U_ANON, "limit=20", NULL));
    /* Bytes that are not UTF-8: refused (400), never a 500. */
    t_do("GET", "/api/v1/practices?q=%FF%FE", U_ANON, NULL, NULL, &r);
    ASSERT(r.status == 200 || r.status == 400);
    t_resp_free(&r);
    big = t_repeat("electricite ", 2000 / 12 + 1); /* ASCII: cut anywhere */
    big[2000] = '\0';
    t_do("GET", t_fmt("/api/v1/practices?q=%s", t_urlenc(big)), U_ANON, NULL,
         NULL, &r);
    if (r.status == 400)
        t_envelope(&r, 400, "invalid_param");
    else
        t_want(&r, 200);
    t_resp_free(&r);
    t_do("GET",
         t_fmt("/api/v1/practices?q=%s", t_urlenc(t_repeat("\"NEAR(* ", 250))),
         U_ANON, NULL, NULL, &r);
    if (r.status == 400)
        t_envelope(&r, 400, "invalid_param");
    else
        t_want(&r, 200);
    t_resp_free(&r);

    /* Drafts: never to the public, even when asked; staff may ask. */
    t_do("GET", "/api/v1/practices?state=draft", U_ANON, NULL, NULL, &r);
    ASSERT(r.status < 500);
    if (r.status == 200) {
        doc = t_json(&r);
        ASSERT(!t_in(t_ids(doc), t_sx));
        yajl_tree_free(doc);
    }
    t_resp_free(&r);
    ASSERT(!t_in(t_found(U_ANON, "q=confidentiel", NULL), t_sx));
    ASSERT(!t_in(t_found(U_TEAM, "q=confidentiel", NULL), t_sx));
    ASSERT(!t_in(t_found(U_MOD, "q=confidentiel", NULL), t_sx)); /* Default */
    ASSERT(t_in(t_found(U_MOD, "state=draft&q=confidentiel", NULL), t_sx));
    ASSERT(!t_in(t_found(U_MOD, "state=draft", NULL), t_sa));

    /* sort=reuses: C reused twice, B once. */
    for (int i = 0; i < 3; i++)
        yajl_tree_free(t_call(
            201, "POST", t_url(i < 2 ? t_sc : t_sb, "/reuse"), U_ED2, NULL,
            t_fmt("{\"territory\":{\"level\":\"commune\",\"code\":\"%s\","
                  "\"name\":\"Ailleurs\"}}",
                  i == 0 ? "29019" : "35238")));
    ids = t_found(U_ANON, "sort=reuses", &total);
    ASSERT_EQ(total, 4);
    ASSERT(strncmp(ids, t_fmt("%lld %lld ", t_sc, t_sb),
                   strlen(t_fmt("%lld %lld ", t_sc, t_sb))) == 0);
    /* Walks over ties: sort=reuses (A and D both 0), relevance with no
    ** q, and two sheets of the same title. */
    t_walk2("sort=reuses", t_fmt("%lld %lld %lld %lld", t_sc, t_sb, t_sa, t_sd),
            1);
    t_walk2("sort=relevance",
            t_fmt("%lld %lld %lld %lld", t_sa, t_sb, t_sc, t_sd), 1);
    {
        long long z1 = t_create(U_ED1, t_epci("Zéro émission", NULL), NULL);
        long long z2 = t_create(U_ED1, t_epci("Zéro émission", NULL), NULL);
        long long e =
            t_create(U_ED1, t_epci("Éclairage des stades", NULL), NULL);

        t_publish(z1); /* Apart: sort=recent has no ties */
        t_sleep_ms(20);
        t_publish(z2);
        t_sleep_ms(20);
        t_publish(e);
        t_walk2("sort=title",
                t_fmt("%lld %lld %lld %lld %lld %lld %lld", t_sa, t_sb, e, t_sc,
                      t_sd, z1, z2),
                1);
        /* Titles sort folded: "Éclairage" between "Contrat" and
        ** "Remplacement". */
        ASSERT_STREQ(
            t_found(U_ANON, "sort=title&limit=5", NULL),
            t_fmt("%lld %lld %lld %lld %lld", t_sa, t_sb, e, t_sc, t_sd));
        t_walk2("q=zero", t_fmt("%lld %lld", z1, z2), 1);
        t_walk2("sort=recent",
                t_fmt("%lld %lld %lld %lld %lld %lld %lld", e, z2, z1, t_sd,
                      t_sc, t_sb, t_sa),
                0);
    }
    /* An editor's drafts are theirs: another editor does not find them. */
    ASSERT(!t_in(t_found(U_ED2, "state=draft&q=confidentiel", NULL), t_sx));
    ASSERT(t_in(t_found(U_ED1, "state=draft&q=confidentiel", NULL), t_sx));
    t_gc();
}

static void
test_moderation(void)
{
    yajl_val    doc, list;
    long long   id, rev1, rev2, rev3;
    int         n;
    const char *want[] = {"submit", "publish", "submit",   "publish", "submit",
                          "reject", "submit",  "withdraw", "archive", "reopen"};

    id = t_create(U_ED1, t_epci("Modération v1", NULL), &rev1);

    /* The editor submits; only a moderator publishes. */
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_refused(409, "conflict", NULL, "POST", t_url(id, "/submit"), U_ED1, NULL,
              "");
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/publish"), U_ED1,
              NULL, "");
    t_public_404(id);
    t_act(id, "publish", U_MOD, NULL, "published");
    t_public_title(id, "Modération v1");
    doc = t_get(id, U_ANON);
    ASSERT_EQ(t_int(doc, "published_revision"), rev1);
    ASSERT_EQ(t_int(doc, "revision.id"), rev1);
    ASSERT(t_str(doc, "published_at") != NULL);
    yajl_tree_free(doc);
    doc = t_call(200, "GET", t_url(id, "/revisions"), U_ANON, NULL, NULL);
    ASSERT_EQ(t_list(doc, "revisions")->u.array.len, 1);
    ASSERT_EQ(t_bool(t_list(doc, "revisions"), "[0].published"), 1);
    yajl_tree_free(doc);

    /* The editor edits the published sheet: a new draft that the public
    ** does not see, in review or not, until it is published. */
    rev2 = t_put(id, U_ED1, rev1, t_epci("Modération v2", NULL));
    doc = t_get(id, U_ED1);
    ASSERT_STREQ(t_str(doc, "state"), "draft");
    ASSERT_STREQ(t_str(doc, "document.title"), "Modération v2");
    ASSERT_EQ(t_int(doc, "published_revision"), rev1);
    yajl_tree_free(doc);
    t_public_title(id, "Modération v1");
    /* Another editor (not of this territory) reads it as the public. */
    doc = t_get(id, U_ED2);
    ASSERT_STREQ(t_str(doc, "document.title"), "Modération v1");
    yajl_tree_free(doc);
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_public_title(id, "Modération v1");
    /* The moderators' queue: staff search by state. */
    ASSERT(t_in(t_found(U_MOD, "state=in_review", NULL), id));
    ASSERT(!t_in(t_found(U_MOD, "state=draft", NULL), id));
    doc = t_get(id, U_ANON);
    ASSERT_EQ(t_int(doc, "revision.id"), rev1);
    yajl_tree_free(doc);
    {
        struct t_resp r;
        char          etag[64];

        t_do("GET", t_url(id, NULL), U_ANON, NULL, NULL, &r);
        t_want(&r, 200);
        ASSERT(t_header(&r, "ETag", etag, sizeof(etag)) != NULL);
        ASSERT_STREQ(etag, t_fmt("\"%lld\"", rev1));
        t_resp_free(&r);
    }
    doc = t_call(200, "GET", t_url(id, "/revisions"), U_ANON, NULL, NULL);
    ASSERT_EQ(t_list(doc, "revisions")->u.array.len, 1);
    yajl_tree_free(doc);
    t_refused(404, "not_found", NULL, "GET",
              t_url(id, t_fmt("/revisions/%lld", rev2)), U_ANON, NULL, NULL);
    ASSERT_STREQ(t_found(U_ANON, "q=moderation", NULL), t_fmt("%lld", id));
    t_act(id, "publish", U_MOD, NULL, "published");
    t_public_title(id, "Modération v2");
    doc = t_get(id, U_ANON);
    ASSERT_EQ(t_int(doc, "published_revision"), rev2);
    yajl_tree_free(doc);

    /* Reject: a comment is required. */
    rev3 = t_put(id, U_ED1, rev2, t_epci("Modération v3", NULL));
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/reject"), U_ED1, NULL,
              "{\"comment\":\"moi-même\"}");
    t_refused(422, "unprocessable", "comment", "POST", t_url(id, "/reject"),
              U_MOD, NULL, "{}");
    t_refused(422, "unprocessable", "comment", "POST", t_url(id, "/reject"),
              U_MOD, NULL, "{\"comment\":\"\"}");
    t_refused(422, "unprocessable", "extra", "POST", t_url(id, "/reject"),
              U_MOD, NULL, "{\"comment\":\"ok\",\"extra\":1}");
    t_act(id, "reject", U_MOD, "{\"comment\":\"Précisez le budget.\"}",
          "draft");
    t_public_title(id, "Modération v2");
    /* Publishing a draft is not a transition. */
    {
        struct t_resp r;

        t_do("POST", t_url(id, "/publish"), U_MOD, NULL, "", &r);
        t_envelope(&r, 409, "conflict");
        ASSERT_CONTAINS(r.body, "draft");
        t_resp_free(&r);
    }
    t_refused(409, "conflict", NULL, "POST", t_url(id, "/withdraw"), U_ED1,
              NULL, "");
    /* Submit and withdraw. */
    t_refused(422, "unprocessable", "foo", "POST", t_url(id, "/submit"), U_ED1,
              NULL, "{\"comment\":\"ok\",\"foo\":1}");
    t_act(id, "submit", U_ED1, "{\"comment\":\"Budget ajouté.\"}", "in_review");
    t_act(id, "withdraw", U_ED1, NULL, "draft");
    doc = t_get(id, U_ED1);
    ASSERT_EQ(t_int(doc, "revision.id"), rev3);
    yajl_tree_free(doc);

    /* Archive: gone for the public; reopen: a draft again. */
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/archive"), U_ED1,
              NULL, "");
    t_act(id, "archive", U_MOD, NULL, "archived");
    t_public_404(id);
    t_refused(404, "not_found", NULL, "GET", t_url(id, "/revisions"), U_ANON,
              NULL, NULL);
    ASSERT_STREQ(t_found(U_ANON, "q=moderation", NULL), "");
    t_refused(409, "conflict", NULL, "POST", t_url(id, "/archive"), U_MOD, NULL,
              "");
    t_refused(409, "conflict", NULL, "POST", t_url(id, "/submit"), U_ED1, NULL,
              "");
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/reopen"), U_ED1, NULL,
              "");
    t_act(id, "reopen", U_MOD, NULL, "draft");
    t_refused(409, "conflict", NULL, "POST", t_url(id, "/reopen"), U_MOD, NULL,
              "");
    t_refused(404, "not_found", NULL, "POST",
              "/api/v1/practices/99999999/submit", U_MOD, NULL, "");

    /* The history: every transition, in order, with its actor. */
    t_refused(401, "unauthorized", NULL, "GET", t_url(id, "/history"), U_ANON,
              NULL, NULL);
    t_refused(403, "forbidden", NULL, "GET", t_url(id, "/history"), U_TEAM,
              NULL, NULL);
    yajl_tree_free(
        t_call(200, "GET", t_url(id, "/history"), U_ED1, NULL, NULL));
    doc = t_call(200, "GET", t_url(id, "/history"), U_MOD, NULL, NULL);
    list = t_list(doc, "history");
    n = (int) list->u.array.len;
    {
        /* The moderation transitions, oldest first (other events, such as
        ** an edit that made a published sheet a draft, may be listed). */
        yajl_val ev[64];
        int      m = 0, desc = 0;

        ASSERT(n >= 2 && n <= 64);
        desc = strcmp(t_str(list, "[0].at"),
                      t_str(list, t_fmt("[%d].at", n - 1))) > 0;
        for (int i = 0; i < n; i++) {
            yajl_val    e = list->u.array.values[desc ? n - 1 - i : i];
            const char *a = t_str(e, "action");

            ASSERT(a != NULL);
            ASSERT(t_str(e, "at") != NULL);
            ASSERT(t_str(e, "actor") != NULL);
            ASSERT(t_str(e, "to") != NULL);
            for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
                if (strstr(a, want[k]) != NULL) {
                    ev[m++] = e;
                    break;
                }
        }
        ASSERT_EQ(m, 10);
        for (int i = 0; i < m; i++) {
            yajl_val    e = ev[i];
            const char *a = t_str(e, "action");

            if (strstr(a, want[i]) == NULL) {
                fprintf(stderr, "history[%d] %s, want %s\n", i, a, want[i]);
                exit(1);
            }
            ASSERT(t_str(e, "from") != NULL);
        }
        ASSERT_STREQ(t_str(ev[0], "actor"), "ed1");
        ASSERT_STREQ(t_str(ev[0], "from"), "draft");
        ASSERT_STREQ(t_str(ev[0], "to"), "in_review");
        ASSERT_EQ(t_int(ev[0], "revision"), rev1);
        ASSERT_STREQ(t_str(ev[1], "actor"), "mod");
        ASSERT_STREQ(t_str(ev[1], "from"), "in_review");
        ASSERT_STREQ(t_str(ev[1], "to"), "published");
        ASSERT_EQ(t_int(ev[1], "revision"), rev1);
        ASSERT_EQ(t_int(ev[3], "revision"), rev2);
        ASSERT_STREQ(t_str(ev[5], "actor"), "mod");
        ASSERT_STREQ(t_str(ev[5], "from"), "in_review");
        ASSERT_STREQ(t_str(ev[5], "to"), "draft");
        ASSERT_STREQ(t_str(ev[5], "comment"), "Précisez le budget.");
        ASSERT_EQ(t_int(ev[5], "revision"), rev3);
        ASSERT_STREQ(t_str(ev[6], "comment"), "Budget ajouté.");
        ASSERT_STREQ(t_str(ev[7], "to"), "draft");
        ASSERT_STREQ(t_str(ev[8], "actor"), "mod");
        ASSERT_STREQ(t_str(ev[8], "to"), "archived");
        ASSERT_STREQ(t_str(ev[9], "from"), "archived");
        ASSERT_STREQ(t_str(ev[9], "to"), "draft");
    }
    yajl_tree_free(doc);

    /* The public diffs published revisions only. */
    doc = t_call(200, "GET",
                 t_url(id, t_fmt("/revisions/%lld/diff/%lld", rev1, rev2)),
                 U_ANON, NULL, NULL);
    ASSERT_EQ(t_len(doc, "changes"), 2); /* title, summary */
    yajl_tree_free(doc);
    t_refused(404, "not_found", NULL, "GET",
              t_url(id, t_fmt("/revisions/%lld/diff/%lld", rev1, rev3)), U_ANON,
              NULL, NULL);
    /* A reject with no body at all has no comment either. */
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_refused(422, "unprocessable", "comment", "POST", t_url(id, "/reject"),
              U_MOD, NULL, "");
    /* Comments are at most 2000 characters. */
    t_refused(422, "unprocessable", "comment", "POST", t_url(id, "/reject"),
              U_MOD, NULL, t_fmt("{\"comment\":\"%s\"}", t_repeat("x", 2001)));
    t_refused(422, "unprocessable", "comment", "POST", t_url(id, "/withdraw"),
              U_ED1, NULL, t_fmt("{\"comment\":\"%s\"}", t_repeat("x", 2001)));
    doc = t_get(id, U_MOD);
    ASSERT_STREQ(t_str(doc, "state"), "in_review");
    yajl_tree_free(doc);
    /* Reopened, it is published again through review. */
    t_act(id, "withdraw", U_ED1, NULL, "draft");
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_act(id, "publish", U_MOD, NULL, "published");
    t_public_title(id, "Modération v3");
    ASSERT_STREQ(t_found(U_ANON, "q=moderation", NULL), t_fmt("%lld", id));

    /* Archiving is for sheets that were published. */
    {
        long long fresh = t_create(U_ED1, t_epci("Jamais publiée", NULL), NULL);

        t_refused(409, "conflict", NULL, "POST", t_url(fresh, "/archive"),
                  U_MOD, NULL, "");
        t_act(fresh, "submit", U_ED1, NULL, "in_review");
        t_refused(409, "conflict", NULL, "POST", t_url(fresh, "/archive"),
                  U_MOD, NULL, "");
    }
    t_gc();
}

/* POST /api/v1/auth/login: the session cookie into t_session, the CSRF
** token into csrf. */
static void
t_login(char *csrf, size_t csrfsz)
{
    struct t_resp r;
    yajl_val      doc;
    char          raw[512], sc[512];
    const char   *body = "{\"name\":\"ed1\",\"password\":\"" PASSWORD "\"}";
    int           n;

    n = snprintf(raw, sizeof(raw),
                 "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Connection: close\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n%s",
                 strlen(body), body);
    t_raw(ts.port, raw, (size_t) n, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(t_header(&r, "Set-Cookie", sc, sizeof(sc)) != NULL);
    snprintf(t_session, sizeof(t_session), "%.*s", (int) strcspn(sc, ";"), sc);
    ASSERT(strchr(t_session, '=') != NULL);
    doc = t_json(&r);
    snprintf(csrf, csrfsz, "%s", t_str(doc, "csrf_token"));
    yajl_tree_free(doc);
    t_resp_free(&r);
}

static void
test_roles(void)
{
    long long   id, rev, pub, own;
    char        csrf[128];
    const char *reuse = "{\"territory\":{\"level\":\"commune\",\"code\":"
                        "\"56162\",\"name\":\"Ploemeur\"}}";
    int         who[] = {U_TEAM, U_PROV};

    id = t_create(U_ED1, t_epci("Rôles", NULL), &rev);
    pub = t_create(U_ED1, t_epci("Rôles publiée", NULL), NULL);
    t_publish(pub);
    {
        /* Every write route; [5..8] are the moderators' */
        const struct {
            const char *method, *path, *body;
        } w[] = {
            {"POST", "/api/v1/practices", t_epci("Intrus", NULL)},
            {"PUT", t_url(id, NULL), t_epci("Intrus", NULL)},
            {"POST", t_url(id, t_fmt("/revisions/%lld/restore", rev)), ""},
            {"POST", t_url(id, "/submit"), ""},
            {"POST", t_url(id, "/withdraw"), ""},
            {"POST", t_url(id, "/publish"), ""},
            {"POST", t_url(id, "/reject"), "{\"comment\":\"non\"}"},
            {"POST", t_url(pub, "/archive"), ""},
            {"POST", t_url(id, "/reopen"), ""},
            {"POST", t_url(pub, "/reuse"), reuse},
        };
        const int nw = (int) (sizeof(w) / sizeof(w[0]));

        /* Without credentials 401, with a team or provider token 403, on every
        ** write route; nothing changes. */
        for (int i = 0; i < nw; i++) {
            t_refused(401, "unauthorized", NULL, w[i].method, w[i].path, U_ANON,
                      t_if_match(rev), w[i].body);
            for (int k = 0; k < 2; k++)
                t_refused(403, "forbidden", NULL, w[i].method, w[i].path,
                          who[k], t_if_match(rev), w[i].body);
        }
        ASSERT_EQ(t_rev(id), rev);
        t_public_title(pub, "Rôles publiée");
        /* Editors: no publish, reject, archive or reopen, even of their
        ** own. */
        for (int i = 5; i < 9; i++)
            t_refused(403, "forbidden", NULL, w[i].method, w[i].path, U_ED1,
                      NULL, w[i].body);
    }
    t_public_title(pub, "Rôles publiée");

    /* A portal session writes only with its CSRF token. */
    t_login(csrf, sizeof(csrf));
    t_refused(403, "forbidden", NULL, "POST", "/api/v1/practices", U_ANON,
              t_fmt("Cookie: %s\r\n", t_session),
              t_epci("Par le portail", NULL));
    /* The token with its last character changed (to another one: a token
    ** ending in 'X' once made this pass, 1 run in 64) */
    t_refused(403, "forbidden", NULL, "POST", "/api/v1/practices", U_ANON,
              t_fmt("Cookie: %s\r\nX-CSRF-Token: %.*s%c\r\n", t_session,
                    (int) strlen(csrf) - 1, csrf,
                    csrf[strlen(csrf) - 1] == 'X' ? 'Y' : 'X'),
              t_epci("Par le portail", NULL));
    t_refused(403, "forbidden", NULL, "PUT", t_url(id, NULL), U_ANON,
              t_fmt("Cookie: %s\r\nIf-Match: \"%lld\"\r\n", t_session, rev),
              t_epci("Par le portail", NULL));
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/submit"), U_ANON,
              t_fmt("Cookie: %s\r\n", t_session), "");
    ASSERT_EQ(t_rev(id), rev);
    yajl_tree_free(
        t_call(201, "POST", "/api/v1/practices", U_ANON,
               t_fmt("Cookie: %s\r\nX-CSRF-Token: %s\r\n", t_session, csrf),
               t_epci("Par le portail", NULL)));
    {
        yajl_val doc = t_call2(200, 201, "PUT", t_url(id, NULL), U_ANON,
                               t_fmt("Cookie: %s\r\nX-CSRF-Token: %s\r\n"
                                     "If-Match: \"%lld\"\r\n",
                                     t_session, csrf, rev),
                               t_epci("Rôles par le portail", NULL));

        ASSERT_STREQ(t_str(doc, "revision.author"), "ed1");
        rev = t_int(doc, "revision.id");
        yajl_tree_free(doc);
    }
    ASSERT_EQ(t_rev(id), rev);

    /* An editor restricted to EPCI: creates and edits there only. */
    t_refused(403, "forbidden", NULL, "POST", "/api/v1/practices", U_EDR, NULL,
              t_sheet("Hors territoire", "commune", "56121", NULL));
    own = t_create(U_EDR, t_epci("Sur mon territoire", NULL), NULL);
    rev = t_put(id, U_EDR, rev, t_epci("Rôles, par edr", NULL));
    t_refused(403, "forbidden", NULL, "PUT", t_url(own, NULL), U_EDR,
              t_if_match(t_rev(own)),
              t_sheet("Déménagée", "commune", "56121", NULL));
    t_refused(403, "forbidden", NULL, "POST", t_url(pub, "/reuse"), U_EDR, NULL,
              reuse);
    /* ...nor by restoring a revision of another territory: ed1's sheet
    ** moved from 56121 to EPCI; edr may edit it, not move it back. */
    {
        long long mv, mrev1, mrev2;

        mv = t_create(U_ED1, t_sheet("Déménage", "commune", "56121", NULL),
                      &mrev1);
        mrev2 = t_put(mv, U_ED1, mrev1, t_epci("Déménage", NULL));
        t_refused(403, "forbidden", NULL, "POST",
                  t_url(mv, t_fmt("/revisions/%lld/restore", mrev1)), U_EDR,
                  t_if_match(mrev2), "");
        ASSERT_EQ(t_rev(mv), mrev2);
        t_put(mv, U_EDR, mrev2, t_epci("Déménage, relue", NULL));
    }
    /* Unknown sheets. */
    t_refused(404, "not_found", NULL, "PUT", "/api/v1/practices/99999999",
              U_MOD, t_if_match(rev), t_epci("Fantôme", NULL));
    yajl_tree_free(t_call(201, "POST", "/api/v1/practices", U_EDX, NULL,
                          t_sheet("Lorient", "commune", "56121", NULL)));

    /* An editor restricted to 56121: not another editor's EPCI sheet. */
    t_refused(403, "forbidden", NULL, "PUT", t_url(id, NULL), U_EDX,
              t_if_match(rev), t_epci("Intrus", NULL));
    t_refused(403, "forbidden", NULL, "POST",
              t_url(id, t_fmt("/revisions/%lld/restore", rev)), U_EDX,
              t_if_match(rev), "");
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/submit"), U_EDX, NULL,
              "");
    ASSERT_EQ(t_rev(id), rev);
    /* Submitting is for the sheet's own editor. */
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/submit"), U_ED2, NULL,
              "");
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_refused(403, "forbidden", NULL, "POST", t_url(id, "/withdraw"), U_ED2,
              NULL, "");
    t_act(id, "withdraw", U_ED1, NULL, "draft");
    t_gc();
}

static void
test_reuse(void)
{
    yajl_val    doc;
    long long   src, rev, copy, copy2, draft, pubrev;
    const char *terr = "{\"territory\":{\"level\":\"commune\",\"code\":"
                       "\"56098\",\"name\":\"Lanester\"}}";

    src = t_create(U_ED1,
                   t_sheet("Réemploi : cantines bio", "commune", "56121",
                           "\"themes\":[\"sobriety\"],\"sector\":"
                           "\"public_buildings\",\"contact\":\"a@b.fr\""),
                   NULL);
    t_publish(src);
    rev = t_rev(src);
    pubrev = rev;

    /* Another editor copies it for another territory: a new draft. */
    {
        struct t_resp r;
        char          loc[256];

        t_do("POST", t_url(src, "/reuse"), U_ED2, NULL, terr, &r);
        t_want(&r, 201);
        doc = t_json(&r);
        copy = t_int(doc, "id");
        ASSERT(copy != src);
        ASSERT(t_header(&r, "Location", loc, sizeof(loc)) != NULL);
        ASSERT_CONTAINS(loc, t_url(copy, NULL));
        t_resp_free(&r);
    }
    ASSERT_STREQ(t_str(doc, "state"), "draft");
    ASSERT_EQ(t_int(doc, "revision.number"), 1);
    ASSERT_EQ(t_int(doc, "origin.id"), src);
    ASSERT_EQ(t_int(doc, "origin.revision"), rev);
    ASSERT_STREQ(t_str(doc, "origin.title"), "Réemploi : cantines bio");
    ASSERT_STREQ(t_str(doc, "document.title"), "Réemploi : cantines bio");
    ASSERT_STREQ(t_str(doc, "document.territory.code"), "56098");
    ASSERT_STREQ(t_str(doc, "document.territory.name"), "Lanester");
    ASSERT_STREQ(t_str(doc, "document.themes[0]"), "sobriety");
    ASSERT_STREQ(t_str(doc, "revision.author"), "ed2");
    ASSERT_EQ(t_int(doc, "reuses"), 0);
    yajl_tree_free(doc);
    doc = t_get(src, U_ANON);
    ASSERT_EQ(t_int(doc, "reuses"), 1);
    ASSERT_EQ(t_bool(doc, "may.edit"), 0);
    ASSERT_EQ(t_bool(doc, "may.moderate"), 0);
    yajl_tree_free(doc);
    /* ed2 (Lanester) may not edit Lorient's origin; a moderator may */
    doc = t_get(src, U_ED2);
    ASSERT_EQ(t_bool(doc, "may.edit"), 0);
    yajl_tree_free(doc);
    doc = t_get(src, U_MOD);
    ASSERT_EQ(t_bool(doc, "may.edit"), 1);
    ASSERT_EQ(t_bool(doc, "may.moderate"), 1);
    yajl_tree_free(doc);
    /* The copy is a draft: not public, not reusable. */
    t_public_404(copy);
    /* It is its author's to edit; the origin stays. */
    rev =
        t_put(copy, U_ED2, t_rev(copy),
              t_sheet("Réemploi : cantines bio à Lanester", "commune", "56098",
                      "\"local_specifics\":\"Une cuisine centrale.\""));
    doc = t_get(copy, U_ED2);
    ASSERT_EQ(t_int(doc, "origin.id"), src);
    ASSERT_STREQ(t_str(doc, "document.local_specifics"),
                 "Une cuisine centrale.");
    yajl_tree_free(doc);
    /* The origin gets a newer draft: a reuse still copies its published
    ** revision. */
    t_put(src, U_ED1, t_rev(src),
          t_sheet("Réemploi : brouillon du moment", "commune", "56121", NULL));
    /* A second reuse, by the EPCI's editor. */
    copy2 = t_int(doc = t_call(201, "POST", t_url(src, "/reuse"), U_EDR, NULL,
                               "{\"territory\":{\"level\":\"epci\",\"code\":"
                               "\"" EPCI "\",\"name\":\"Lorient Agglo\"}}"),
                  "id");
    ASSERT_STREQ(t_str(doc, "document.title"), "Réemploi : cantines bio");
    ASSERT_EQ(t_int(doc, "origin.revision"), pubrev);
    ASSERT_STREQ(t_str(doc, "document.themes[0]"), "sobriety");
    yajl_tree_free(doc);
    ASSERT(copy2 != copy);
    doc = t_get(src, U_ANON);
    ASSERT_EQ(t_int(doc, "reuses"), 2);
    yajl_tree_free(doc);

    /* Unpublished sheets are not reused; bodies are checked. */
    draft = t_create(U_ED1, t_epci("Jamais publiée", NULL), NULL);
    {
        struct t_resp r;

        t_do("POST", t_url(draft, "/reuse"), U_ED2, NULL, terr, &r);
        if (r.status == 409)
            t_envelope(&r, 409, "conflict");
        else
            t_envelope(&r, 404, "not_found");
        t_resp_free(&r);
        t_do("POST", t_url(copy, "/reuse"), U_ED1, NULL, terr, &r);
        ASSERT(r.status == 404 || r.status == 409);
        t_resp_free(&r);
    }
    t_refused(404, "not_found", NULL, "POST",
              "/api/v1/practices/99999999/reuse", U_ED2, NULL, terr);
    t_refused(422, "unprocessable", "territory", "POST", t_url(src, "/reuse"),
              U_ED2, NULL, "{}");
    t_refused(422, "unprocessable", "territory.code", "POST",
              t_url(src, "/reuse"), U_ED2, NULL,
              "{\"territory\":{\"level\":\"epci\",\"code\":\"200042175\","
              "\"name\":\"x\"}}");
    doc = t_get(src, U_ANON);
    ASSERT_EQ(t_int(doc, "reuses"), 2);
    yajl_tree_free(doc);
    /* Nor is an archived one. */
    {
        long long     arch = t_create(U_ED1, t_epci("Archivée", NULL), NULL);
        struct t_resp r;

        t_publish(arch);
        t_act(arch, "archive", U_MOD, NULL, "archived");
        t_narchived++;
        t_do("POST", t_url(arch, "/reuse"), U_ED2, NULL, terr, &r);
        ASSERT(r.status == 404 || r.status == 409);
        t_resp_free(&r);
    }
    /* Submitting another editor's sheet: 403. */
    t_refused(403, "forbidden", NULL, "POST", t_url(copy, "/submit"), U_ED1,
              NULL, "");
    t_gc();
}

/* The one live indicator of a sheet as the public sees it. */
static void
t_check_live(long long id, int version, double last, int met)
{
    yajl_val doc = t_get(id, U_ANON), li;

    ASSERT_EQ(t_len(doc, "live_indicators"), 1);
    li = t_path(doc, "live_indicators[0]");
    ASSERT_STREQ(t_str(li, "slug"), LIVE_DS);
    ASSERT(t_str(li, "title") != NULL && strlen(t_str(li, "title")) > 0);
    ASSERT_EQ(t_int(li, "version"), version);
    ASSERT(t_str(li, "published_at") != NULL);
    ASSERT_STREQ(t_str(li, "territory_level"), "epci");
    ASSERT_EQ(t_len(li, "territories"), 1);
    ASSERT_STREQ(t_str(li, "territories[0]"), EPCI);
    ASSERT_STREQ(t_str(li, "effect"), "decrease");
    /* The latest period, for the sheet's territory only. */
    ASSERT_EQ(t_len(li, "latest"), 1);
    ASSERT_STREQ(t_str(li, "latest[0].period"), "2024");
    ASSERT_STREQ(t_str(li, "latest[0].territory"), EPCI);
    ASSERT_STREQ(t_str(li, "latest[0].kind"), "electricity");
    ASSERT_STREQ(t_str(li, "latest[0].unit"), "kWh");
    ASSERT(t_num(li, "latest[0].value") == last);
    /* The series, oldest first. */
    ASSERT_EQ(t_len(li, "series"), 3);
    for (int i = 0; i < 3; i++) {
        ASSERT_STREQ(t_str(li, t_fmt("series[%d].territory", i)), EPCI);
        ASSERT_STREQ(t_str(li, t_fmt("series[%d].period", i)),
                     t_fmt("%d", 2022 + i));
    }
    ASSERT(t_num(li, "series[0].value") == 1000);
    ASSERT(t_num(li, "series[2].value") == last);
    /* The target and whether it is met (a decrease: at or below it). */
    ASSERT_EQ(t_len(li, "targets"), 1);
    ASSERT_EQ(t_year(li, "targets[0].year"), 2024);
    ASSERT(t_num(li, "targets[0].value") == 850);
    ASSERT_EQ(t_year(li, "target.year"), 2024);
    ASSERT(t_num(li, "target.value") == 850);
    ASSERT_EQ(t_bool(li, "target.met"), met);
    /* Linked datasets with their title. */
    ASSERT_EQ(t_len(doc, "datasets"), 1);
    ASSERT_STREQ(t_str(doc, "datasets[0].slug"), LIVE_DS);
    ASSERT_CONTAINS(t_str(doc, "datasets[0].url"), LIVE_DS);
    yajl_tree_free(doc);
}

static void
test_live(void)
{
    yajl_val  doc;
    long long id, both, rev, sup;

    id = t_create(
        U_ED1,
        t_epci("Indicateurs vivants",
               "\"datasets\":[\"" LIVE_DS "\"],\"indicators\":["
               "{\"slug\":\"" LIVE_DS "\",\"label\":\"Électricité\","
               "\"effect\":\"decrease\",\"targets\":{\"2024\":850}},"
               "{\"name\":\"Programme lancé\",\"values\":{\"2024\":true}},"
               "{\"name\":\"Entreprises engagées\",\"unit\":\"entreprises\","
               "\"values\":{\"2023\":5,\"2024\":12},\"targets\":"
               "{\"2026\":20}}]"),
        NULL);
    both = t_create(U_ED1,
                    t_epci("Deux EPCI", "\"indicators\":[{\"slug\":\"" LIVE_DS
                                        "\",\"territory_level\":"
                                        "\"epci\",\"territories\":[\"" EPCI
                                        "\",\"" EPCI2 "\"],"
                                        "\"effect\":\"increase\"}]"),
                    NULL);
    /* The owner sees the values before publication already. */
    doc = t_get(id, U_ED1);
    ASSERT_EQ(t_len(doc, "live_indicators"), 1);
    ASSERT(t_num(doc, "live_indicators[0].latest[0].value") == 800);
    yajl_tree_free(doc);
    t_publish(id);
    t_publish(both);
    rev = t_rev(id);
    t_check_live(id, 1, 800, 1);
    doc = t_get(both, U_ANON);
    ASSERT_EQ(t_len(doc, "live_indicators[0].territories"), 2);
    ASSERT_EQ(t_len(doc, "live_indicators[0].latest"), 2);
    ASSERT_EQ(t_len(doc, "live_indicators[0].series"), 6);
    ASSERT(t_null_or_absent(doc, "live_indicators[0].target"));
    yajl_tree_free(doc);

    /* A new version of the dataset: the same sheet, unedited, shows it. */
    t_publish_dataset(LIVE_DS, 2, 900, 1);
    /* EPCI2's 2024 value is now suppressed (null, status C): a null is no
    ** value, and meets no target (a decrease to 4000 is not met by it). */
    sup = t_create(U_ED1,
                   t_sheet("Valeur secrète", "epci", EPCI2,
                           "\"indicators\":[{\"slug\":\"" LIVE_DS
                           "\",\"effect\":\"decrease\",\"targets\":"
                           "{\"2024\":4000}}]"),
                   NULL);
    doc = t_get(sup, U_ED1);
    {
        yajl_val li = t_path(doc, "live_indicators[0]");
        size_t   n = t_len(li, "series");

        ASSERT_EQ(t_int(li, "version"), 2);
        ASSERT_EQ(n, 3);
        ASSERT_STREQ(t_str(li, "series[2].period"), "2024");
        ASSERT(YAJL_IS_NULL(t_path(li, "series[2].value")));
        ASSERT_STREQ(t_str(li, "series[2].status"), "C");
        for (size_t i = 0; i < t_len(li, "latest"); i++)
            if (YAJL_IS_NULL(t_path(li, t_fmt("latest[%zu].value", i))))
                ASSERT_STREQ(t_str(li, t_fmt("latest[%zu].status", i)), "C");
        ASSERT(t_bool(li, "target.met") != 1);
    }
    yajl_tree_free(doc);
    t_check_live(id, 2, 900, 0);
    /* The revision did not change, the values did: no 304 on the old tag. */
    {
        struct t_resp r;

        t_do("GET", t_url(id, NULL), U_ANON,
             t_fmt("If-None-Match: \"%lld\"\r\n", rev), NULL, &r);
        t_want(&r, 200);
        ASSERT_CONTAINS(r.body, "\"version\":2");
        t_resp_free(&r);
    }
    ASSERT_EQ(t_rev(id), rev);
    doc = t_get(id, U_ED1);
    ASSERT_EQ(t_int(doc, "live_indicators[0].version"), 2);
    yajl_tree_free(doc);

    /* A territory the dataset has no row for: no values, no error. */
    {
        long long none =
            t_create(U_ED1,
                     t_sheet("Sans données", "commune", "56121",
                             "\"indicators\":[{\"slug\":\"" LIVE_DS "\","
                             "\"targets\":{\"2024\":1}}]"),
                     NULL);

        doc = t_get(none, U_ED1);
        ASSERT_EQ(t_len(doc, "live_indicators"), 1);
        ASSERT_STREQ(t_str(doc, "live_indicators[0].territory_level"),
                     "commune");
        ASSERT_STREQ(t_str(doc, "live_indicators[0].territories[0]"), "56121");
        ASSERT_EQ(t_len(doc, "live_indicators[0].latest"), 0);
        ASSERT_EQ(t_len(doc, "live_indicators[0].series"), 0);
        ASSERT(t_bool(doc, "live_indicators[0].target.met") != 1);
        yajl_tree_free(doc);
    }

    /* A long series: the latest 120 periods, oldest first; an increase
    ** met by the latest value. */
    {
        long long lg =
            t_create(U_ED1,
                     t_epci("Chaleur", "\"indicators\":[{\"slug\":\"" MONTH_DS
                                       "\",\"effect\":\"increase\",\"targets\":"
                                       "{\"2025\":150}}]"),
                     NULL);
        yajl_val li;

        doc = t_get(lg, U_ED1);
        li = t_path(doc, "live_indicators[0]");
        ASSERT_EQ(t_len(li, "series"), 120);
        ASSERT_STREQ(t_str(li, "series[0].period"), "2016-01");
        ASSERT(t_num(li, "series[0].value") == 61);
        ASSERT_STREQ(t_str(li, "series[119].period"), "2025-12");
        ASSERT(t_num(li, "series[119].value") == 180);
        for (int i = 1; i < 120; i++)
            ASSERT(strcmp(t_str(li, t_fmt("series[%d].period", i - 1)),
                          t_str(li, t_fmt("series[%d].period", i))) < 0);
        ASSERT_EQ(t_len(li, "latest"), 1);
        ASSERT_STREQ(t_str(li, "latest[0].period"), "2025-12");
        ASSERT_STREQ(t_str(li, "latest[0].unit"), "MWh");
        ASSERT_EQ(t_bool(li, "target.met"), 1);
        yajl_tree_free(doc);
    }

    /* Manual indicators as in the document. */
    doc = t_get(id, U_ANON);
    ASSERT_EQ(t_len(doc, "manual_indicators"), 2);
    ASSERT_STREQ(t_str(doc, "manual_indicators[0].name"), "Programme lancé");
    ASSERT_STREQ(t_str(doc, "manual_indicators[1].name"),
                 "Entreprises engagées");
    ASSERT_STREQ(t_str(doc, "manual_indicators[1].unit"), "entreprises");
    ASSERT_EQ(t_bool(doc, "manual_indicators[0].values.2024"), 1);
    ASSERT_EQ(t_int(doc, "manual_indicators[1].values.2024"), 12);
    ASSERT_EQ(t_int(doc, "manual_indicators[1].targets.2026"), 20);
    yajl_tree_free(doc);

    /* Bad indicator links. */
    t_bad_sheet(t_epci("Indicateur", "\"indicators\":[{\"slug\":\"" LIVE_DS
                                     "\",\"effect\":\"up\"}]"),
                "indicators[0].effect", 0);
    t_bad_sheet(t_epci("Indicateur", "\"indicators\":[{\"slug\":\"" LIVE_DS
                                     "\",\"targets\":{\"24\":1}}]"),
                "indicators[0].targets", 1);
    t_bad_sheet(
        t_epci("Indicateur", "\"indicators\":[{\"slug\":\"" HIDDEN_DS "\"}]"),
        "indicators[0].slug", 0);
    t_bad_sheet(t_epci("Indicateur", "\"indicators\":[{\"unit\":\"kWh\"}]"),
                "indicators[0]", 1);
    /* A linked dataset is served with its title. */
    doc = t_get(id, U_ANON);
    ASSERT_STREQ(t_str(doc, "datasets[0].slug"), LIVE_DS);
    ASSERT_STREQ(t_str(doc, "datasets[0].title"),
                 "Consommation annuelle d'électricité par EPCI");
    yajl_tree_free(doc);
    t_gc();
}

/* ---- exports ------------------------------------------------------------ */

/* RFC 4180: records of fields. */
struct t_csv {
    int   nrec;
    int   nf[512];
    char *f[512][24];
};

static void
t_csv_parse(const char *s, struct t_csv *c)
{
    const char *p = s;

    memset(c, 0, sizeof(*c));
    while (*p != '\0') {
        int rec = c->nrec++;

        ASSERT(rec < 512);
        for (;;) {
            struct cm_buf b;

            cm_buf_init(&b);
            if (*p == '"') {
                p++;
                for (;;) {
                    ASSERT(*p != '\0'); /* Unterminated quoted field */
                    if (*p == '"' && p[1] == '"') {
                        cm_buf_add(&b, "\"", 1);
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        cm_buf_add(&b, p++, 1);
                    }
                }
                ASSERT(*p == ',' || *p == '\r' || *p == '\n' || *p == '\0');
            } else {
                while (*p != ',' && *p != '\r' && *p != '\n' && *p != '\0') {
                    ASSERT(*p != '"'); /* A bare quote: not RFC 4180 */
                    cm_buf_add(&b, p++, 1);
                }
            }
            cm_buf_add(&b, "", 1);
            ASSERT(c->nf[rec] < 24);
            c->f[rec][c->nf[rec]++] = t_keep(b.data);
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\r')
                p++;
            if (*p == '\n')
                p++;
            break;
        }
    }
}

/* A minimal XML well-formedness check: one root, tags nested and closed,
** attributes quoted, entities known, no '<' in text. */
static void
t_xml_check(const char *s)
{
    const char *stack[256], *p = s;
    size_t      slen[256];
    int         depth = 0, roots = 0;

    if (strncmp(p, "<?xml", 5) == 0) {
        p = strstr(p, "?>");
        ASSERT(p != NULL);
        p += 2;
    }
    while (*p != '\0') {
        if (*p == '<') {
            if (strncmp(p, "<!--", 4) == 0) {
                p = strstr(p, "-->");
                ASSERT(p != NULL);
                p += 3;
            } else if (strncmp(p, "<![CDATA[", 9) == 0) {
                ASSERT(depth > 0);
                p = strstr(p, "]]>");
                ASSERT(p != NULL);
                p += 3;
            } else if (p[1] == '/') {
                size_t n = strcspn(p + 2, "> \t\r\n");

                ASSERT(depth > 0);
                depth--;
                if (n != slen[depth] || strncmp(p + 2, stack[depth], n) != 0) {
                    fprintf(stderr, "XML: </%.*s> closes <%.*s>\n", (int) n,
                            p + 2, (int) slen[depth], stack[depth]);
                    exit(1);
                }
                p = strchr(p, '>');
                ASSERT(p != NULL);
                p++;
            } else {
                const char *name = p + 1;
                size_t      n = strcspn(name, "/> \t\r\n");

                ASSERT(n > 0);
                p = name + n;
                for (;;) { /* Attributes */
                    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                        p++;
                    if (*p == '>' || (p[0] == '/' && p[1] == '>'))
                        break;
                    p += strcspn(p, "=");
                    ASSERT(*p == '=');
                    p++;
                    ASSERT(*p == '"' || *p == '\'');
                    {
                        char        q = *p++;
                        const char *e = strchr(p, q);

                        ASSERT(e != NULL);
                        for (const char *x = p; x < e; x++)
                            ASSERT(*x != '<');
                        p = e + 1;
                    }
                }
                if (depth == 0)
                    roots++;
                if (*p == '/') {
                    p += 2;
                } else {
                    ASSERT(depth < 256);
                    stack[depth] = name;
                    slen[depth++] = n;
                    p++;
                }
            }
        } else if (*p == '&') {
            size_t n = strcspn(p, ";");

            if (!(strncmp(p, "&lt;", 4) == 0 || strncmp(p, "&gt;", 4) == 0 ||
                  strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                  strncmp(p, "&apos;", 6) == 0 ||
                  (p[1] == '#' && n > 2 && n < 10))) {
                fprintf(stderr, "XML: bad entity at %.20s\n", p);
                exit(1);
            }
            p += n + 1;
        } else {
            if (depth == 0)
                ASSERT(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n');
            p++;
        }
        /* Characters XML 1.0 does not allow, anywhere */
        if (p[-1] != '\0' && (unsigned char) p[-1] < 0x20 && p[-1] != '\t' &&
            p[-1] != '\n' && p[-1] != '\r') {
            fprintf(stderr, "XML: control character 0x%02x\n", p[-1]);
            exit(1);
        }
    }
    ASSERT_EQ(depth, 0);
    ASSERT_EQ(roots, 1);
    if (strstr(s, "\xEF\xBF\xBE") || strstr(s, "\xEF\xBF\xBF")) {
        fprintf(stderr, "XML: U+FFFE or U+FFFF, not XML characters\n");
        exit(1);
    }
}

/* s starts with an RFC 3339 date-time ("2026-11-30T14:52:44Z", with
** optional fractions and an offset), then '<'. */
static void
t_rfc3339(const char *s)
{
    const char *shape = "dddd-dd-ddTdd:dd:dd";

    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9')
                            : s[i] != shape[i]) {
            fprintf(stderr, "not an RFC 3339 date-time: %.40s\n", s);
            exit(1);
        }
    s += strlen(shape);
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            ;
    if (*s == 'Z')
        s++;
    else if ((*s == '+' || *s == '-') && s[3] == ':')
        s += 6;
    ASSERT(*s == '<');
}

/* The ids of every published sheet, walked through the public search. */
static char *
t_published_ids(long long *count)
{
    yajl_val doc = t_search(U_ANON, "sort=title&limit=100");
    char    *ids = t_ids(doc);

    *count = t_int(doc, "total");
    ASSERT(YAJL_IS_NULL(t_path(doc, "next")));
    yajl_tree_free(doc);
    return ids;
}

static void
test_exports(void)
{
    struct t_resp r;
    yajl_val      doc, list;
    struct t_csv *csv = calloc(1, sizeof(*csv));
    long long     id, draft, npub, pd, prev;
    char          ctype[128];
    const char   *pub_ids;
    int           rec = -1, entries = 0;
    const char *title = "Tarifs, \"heures creuses\" <script>alert(1)</script>";
    const char *p;

    ASSERT(csv != NULL);
    id = t_create(
        U_ED1,
        t_sheet2("Tarifs, \\\"heures creuses\\\" <script>alert(1)</script>",
                 "Ligne un, ligne deux ; \\\"citée\\\"", "epci", EPCI,
                 "\"themes\":[\"sobriety\",\"open_data\"],\"sector\":"
                 "\"tertiary\",\"status\":\"done\",\"priority\":\"low\","
                 "\"impacts\":{\"energy\":1,\"ghg\":2,\"air_quality\":3},"
                 "\"start\":\"2024-01\",\"end\":\"2025\",\"licence\":"
                 "\"CC-BY-4.0\""),
        NULL);
    t_publish(id);
    draft = t_create(U_ED1, t_epci("Export brouillon", NULL), NULL);
    /* A published sheet with a newer draft: exported as published. */
    pd = t_create(U_ED1,
                  t_epci("Version publique exportée", "\"themes\":[\"water\"]"),
                  &prev);
    t_publish(pd);
    t_put(pd, U_ED1, prev,
          t_epci("Brouillonsecret non relu", "\"themes\":[\"mobility\"]"));
    /* Its facets are the published revision's too. */
    ASSERT(t_in(t_found(U_ANON, "theme=water&limit=100", NULL), pd));
    ASSERT(!t_in(t_found(U_ANON, "theme=mobility&limit=100", NULL), pd));
    ASSERT_STREQ(t_found(U_ANON, "q=brouillonsecret", NULL), "");
    ASSERT_STREQ(t_found(U_ANON, "q=exportee", NULL), t_fmt("%lld", pd));
    doc = t_search(U_ANON, "q=exportee");
    ASSERT_STREQ(t_str(doc, "practices[0].title"), "Version publique exportée");
    yajl_tree_free(doc);
    pub_ids = t_published_ids(&npub);
    ASSERT(t_in(pub_ids, id));
    ASSERT(!t_in(pub_ids, draft));

    /* export.json: the published sheets, and only them. */
    t_do("GET", "/api/v1/registry/export.json", U_ANON, NULL, NULL, &r);
    t_want(&r, 200);
    ASSERT(t_header(&r, "Content-Type", ctype, sizeof(ctype)) != NULL);
    ASSERT_CONTAINS(ctype, "application/json");
    ASSERT(strstr(r.body, "Brouillonsecret") == NULL);
    ASSERT_CONTAINS(r.body, "Version publique export");
    doc = t_json(&r);
    t_resp_free(&r);
    list = t_list(doc, "practices");
    ASSERT_EQ(list->u.array.len, npub);
    for (size_t i = 0; i < list->u.array.len; i++) {
        yajl_val  s = list->u.array.values[i];
        long long sid = t_int(s, "id");

        ASSERT(t_in(pub_ids, sid));
        ASSERT(t_str(s, "published_at") != NULL);
        ASSERT(t_path(s, "url") != NULL || t_path(s, "document") != NULL);
        if (sid == id) {
            const char *t = t_str(s, "title") ? t_str(s, "title")
                                              : t_str(s, "document.title");

            ASSERT_STREQ(t, title);
        }
        if (sid == pd) { /* Its published revision, not the newer draft */
            const char *t = t_str(s, "title") ? t_str(s, "title")
                                              : t_str(s, "document.title");

            ASSERT_STREQ(t, "Version publique exportée");
            ASSERT_EQ(t_idof(s, "revision"), prev);
        }
    }
    yajl_tree_free(doc);

    /* export.csv: a header, one row per published sheet, RFC 4180. */
    t_do("GET", "/api/v1/registry/export.csv", U_ANON, NULL, NULL, &r);
    t_want(&r, 200);
    ASSERT(t_header(&r, "Content-Type", ctype, sizeof(ctype)) != NULL);
    ASSERT_CONTAINS(ctype, "text/csv");
    ASSERT_CONTAINS(r.body, "\"Tarifs, \"\"heures creuses\"\" <script>");
    ASSERT(strstr(r.body, "Brouillonsecret") == NULL);
    ASSERT_CONTAINS(r.body, "Version publique export");
    t_csv_parse(r.body, csv);
    ASSERT_EQ(csv->nrec, npub + 1);
    {
        const char *hdr[] = {"id",
                             "title",
                             "summary",
                             "territory_level",
                             "territory_code",
                             "territory_name",
                             "themes",
                             "sector",
                             "status",
                             "priority",
                             "impact_energy",
                             "impact_ghg",
                             "impact_air_quality",
                             "start",
                             "end",
                             "licence",
                             "published_at",
                             "url"};

        ASSERT_EQ(csv->nf[0], 18);
        for (int i = 0; i < 18; i++)
            ASSERT_STREQ(csv->f[0][i], hdr[i]);
    }
    for (int i = 1; i < csv->nrec; i++) {
        ASSERT_EQ(csv->nf[i], 18);
        ASSERT(t_in(pub_ids, atoll(csv->f[i][0])));
        ASSERT(!t_in(csv->f[i][0], draft));
        if (atoll(csv->f[i][0]) == id)
            rec = i;
    }
    ASSERT(rec > 0);
    ASSERT_STREQ(csv->f[rec][1], title);
    ASSERT_STREQ(csv->f[rec][2], "Ligne un, ligne deux ; \"citée\"");
    ASSERT_STREQ(csv->f[rec][3], "epci");
    ASSERT_STREQ(csv->f[rec][4], EPCI);
    ASSERT_STREQ(csv->f[rec][5], "Territoire " EPCI);
    ASSERT_STREQ(csv->f[rec][6], "sobriety;open_data");
    ASSERT_STREQ(csv->f[rec][7], "tertiary");
    ASSERT_STREQ(csv->f[rec][8], "done");
    ASSERT_STREQ(csv->f[rec][9], "low");
    ASSERT_STREQ(csv->f[rec][10], "1");
    ASSERT_STREQ(csv->f[rec][11], "2");
    ASSERT_STREQ(csv->f[rec][12], "3");
    ASSERT_STREQ(csv->f[rec][13], "2024-01");
    ASSERT_STREQ(csv->f[rec][14], "2025");
    ASSERT_STREQ(csv->f[rec][15], "CC-BY-4.0");
    ASSERT(strlen(csv->f[rec][16]) >= 10);
    ASSERT_CONTAINS(csv->f[rec][17], t_url(id, NULL));
    /* What a sheet does not say is an empty field, and the licence its
    ** default; the published revision's, not the draft's. */
    rec = -1;
    for (int i = 1; i < csv->nrec; i++)
        if (atoll(csv->f[i][0]) == pd)
            rec = i;
    ASSERT(rec > 0);
    ASSERT_STREQ(csv->f[rec][1], "Version publique exportée");
    ASSERT_STREQ(csv->f[rec][6], "water");
    for (int i = 7; i <= 14; i++)
        ASSERT_STREQ(csv->f[rec][i], "");
    SOFT(strcmp(csv->f[rec][15], "etalab-2.0") == 0,
         "export.csv: the licence of a sheet that names none is \"%s\", "
         "want etalab-2.0 (the default)",
         csv->f[rec][15]);
    t_resp_free(&r);

    /* feed.atom: well-formed Atom 1.0, one entry per publication. */
    t_do("GET", "/api/v1/registry/feed.atom", U_ANON, NULL, NULL, &r);
    t_want(&r, 200);
    ASSERT(t_header(&r, "Content-Type", ctype, sizeof(ctype)) != NULL);
    ASSERT_CONTAINS(ctype, "application/atom+xml");
    t_xml_check(r.body);
    ASSERT_CONTAINS(r.body, "<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    p = strstr(r.body, "<entry");
    ASSERT(p != NULL);
    {
        /* The feed's own id, title and updated come before the entries */
        const char *head_id = strstr(r.body, "<id>"),
                   *head_title = strstr(r.body, "<title"),
                   *head_up = strstr(r.body, "<updated>");

        ASSERT(head_id && head_id < p);
        ASSERT(head_title && head_title < p);
        ASSERT(head_up && head_up < p);
    }
    while (p != NULL) {
        const char *end = strstr(p, "</entry>"), *next;

        ASSERT(end != NULL);
        next = strstr(end, "<entry");
        {
            size_t len = (size_t) (end - p);
            char  *e = t_keep(strndup(p, len));

            ASSERT_CONTAINS(e, "<id>");
            ASSERT_CONTAINS(e, "<title");
            ASSERT_CONTAINS(e, "<updated>");
            ASSERT_CONTAINS(e, "<link");
            t_rfc3339(strstr(e, "<updated>") + 9);
        }
        entries++;
        p = next;
    }
    /* One per publication; an archived sheet's may leave with it. */
    if (entries != t_npublish && entries != t_npublish - t_narchived) {
        fprintf(stderr, "feed: %d entries, want %d (or %d)\n", entries,
                t_npublish, t_npublish - t_narchived);
        exit(1);
    }
    ASSERT(t_npublish < 50);
    ASSERT(strcasestr(r.body, "<script") == NULL);
    ASSERT_CONTAINS(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;");
    ASSERT(strstr(r.body, "Export brouillon") == NULL);
    ASSERT(strstr(r.body, "Brouillonsecret") == NULL);
    t_resp_free(&r);

    /* Plain text may hold a line break: quoted in the CSV too. */
    id = t_create(U_ED1,
                  t_sheet2("Saut de ligne",
                           "Première ligne\\r\\nseconde, \\\"fin\\\"", "epci",
                           EPCI, NULL),
                  NULL);
    t_publish(id);
    t_do("GET", "/api/v1/registry/export.csv", U_ANON, NULL, NULL, &r);
    t_want(&r, 200);
    t_csv_parse(r.body, csv);
    rec = -1;
    for (int i = 1; i < csv->nrec; i++) {
        ASSERT_EQ(csv->nf[i], 18);
        if (atoll(csv->f[i][0]) == id)
            rec = i;
    }
    ASSERT(rec > 0);
    ASSERT_STREQ(csv->f[rec][2], "Première ligne\r\nseconde, \"fin\"");
    ASSERT_EQ(csv->nrec, npub + 2);
    t_resp_free(&r);

    /* The Host header is no way into the feed. */
    {
        const char *raw = "GET /api/v1/registry/feed.atom HTTP/1.1\r\n"
                          "Host: ev\"il<x>&y\r\nConnection: close\r\n\r\n";

        t_raw(ts.port, raw, strlen(raw), &r);
        t_want(&r, 200);
        t_xml_check(r.body);
        ASSERT(strstr(r.body, "<x>") == NULL);
        t_resp_free(&r);
    }
    /* Characters JSON carries but XML does not (U+FFFE, U+FFFF): refused,
    ** or kept out of the feed; the feed stays well-formed. */
    t_do("POST", "/api/v1/practices", U_ED1, NULL,
         t_epci("Non-caract\\ufffere \\uffff XML", NULL), &r);
    if (r.status == 201) {
        doc = t_json(&r);
        id = t_int(doc, "id");
        yajl_tree_free(doc);
        t_resp_free(&r);
        t_publish(id);
        t_do("GET", "/api/v1/registry/feed.atom", U_ANON, NULL, NULL, &r);
        t_want(&r, 200);
        t_xml_check(r.body);
    } else {
        t_envelope(&r, 422, "unprocessable");
    }
    t_resp_free(&r);

    free(csv);
    t_gc();
}

/* ---- audit -------------------------------------------------------------- */

static const char *const t_actions[] = {"practice.create",  "practice.update",
                                        "practice.restore", "practice.submit",
                                        "practice.publish", "practice.reject",
                                        "practice.archive", "practice.withdraw",
                                        "practice.reopen",  "practice.reuse"};
#define T_NACTIONS (sizeof(t_actions) / sizeof(t_actions[0]))

static void
t_audit_counts(long long *out)
{
    for (size_t i = 0; i < T_NACTIONS; i++)
        out[i] = t_sql("SELECT count(*) FROM audit_log WHERE action = '%s'",
                       t_actions[i]);
}

/* The last row of 'action' is by 'actor', from the loopback address. */
static void
t_audit_last(const char *action, const char *actor)
{
    long long ok = t_sql("SELECT count(*) FROM (SELECT actor, address FROM "
                         "audit_log WHERE action = '%s' ORDER BY id DESC "
                         "LIMIT 1) WHERE actor = '%s' AND address = "
                         "'127.0.0.1'",
                         action, actor);

    if (ok != 1) {
        fprintf(stderr, "audit: the last %s is not by %s from 127.0.0.1\n",
                action, actor);
        exit(1);
    }
}

static void
test_audit(void)
{
    long long before[T_NACTIONS], after[T_NACTIONS], id, rev1, rev2, rev3,
        total;
    const long long want[T_NACTIONS] = {1, 1, 1, 3, 1, 1, 1, 1, 1, 1};

    t_audit_counts(before);
    total = t_sql("SELECT count(*) FROM audit_log");

    /* Refused writes write nothing. */
    t_bad_sheet(t_epci("", NULL), "title", 0);
    t_refused(403, "forbidden", NULL, "POST", "/api/v1/practices", U_TEAM, NULL,
              t_epci("Audit", NULL));
    t_refused(401, "unauthorized", NULL, "POST", "/api/v1/practices", U_ANON,
              NULL, t_epci("Audit", NULL));
    t_audit_counts(after);
    for (size_t i = 0; i < T_NACTIONS; i++)
        ASSERT_EQ(after[i], before[i]);

    id = t_create(U_ED1, t_epci("Audit", NULL), &rev1);
    t_audit_last("practice.create", "ed1");
    rev2 = t_put(id, U_ED1, rev1, t_epci("Audit v2", NULL));
    t_audit_last("practice.update", "ed1");
    /* A stale or baseless PUT, a transition from the wrong state: refused,
    ** not written, not audited. */
    t_refused(409, "conflict", NULL, "PUT", t_url(id, NULL), U_ED1,
              t_if_match(rev1), t_epci("Audit v3", NULL));
    t_refused(428, "precondition_required", NULL, "PUT", t_url(id, NULL), U_ED1,
              NULL, t_epci("Audit v3", NULL));
    t_refused(409, "conflict", NULL, "POST", t_url(id, "/publish"), U_MOD, NULL,
              "");
    ASSERT_EQ(t_sql("SELECT count(*) FROM audit_log WHERE action = "
                    "'practice.update'"),
              before[1] + 1);
    ASSERT_EQ(t_sql("SELECT count(*) FROM audit_log WHERE action = "
                    "'practice.publish'"),
              before[4]);
    yajl_tree_free(t_call2(200, 201, "POST",
                           t_url(id, t_fmt("/revisions/%lld/restore", rev1)),
                           U_EDR, t_if_match(rev2), ""));
    t_audit_last("practice.restore", "edr");
    rev3 = t_rev(id);
    (void) rev3;
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_audit_last("practice.submit", "ed1");
    t_act(id, "withdraw", U_ED1, NULL, "draft");
    t_audit_last("practice.withdraw", "ed1");
    t_act(id, "submit", U_ED1, NULL, "in_review");
    t_act(id, "reject", U_MOD, "{\"comment\":\"Non.\"}", "draft");
    t_audit_last("practice.reject", "mod");
    t_act(id, "submit", U_ADMIN, NULL, "in_review");
    t_audit_last("practice.submit", "admin");
    t_act(id, "publish", U_ADMIN, NULL, "published");
    t_audit_last("practice.publish", "admin");
    yajl_tree_free(t_call(201, "POST", t_url(id, "/reuse"), U_ED2, NULL,
                          "{\"territory\":{\"level\":\"commune\",\"code\":"
                          "\"56162\",\"name\":\"Ploemeur\"}}"));
    t_audit_last("practice.reuse", "ed2");
    t_act(id, "archive", U_MOD, NULL, "archived");
    t_audit_last("practice.archive", "mod");
    t_act(id, "reopen", U_MOD, NULL, "draft");
    t_audit_last("practice.reopen", "mod");

    t_audit_counts(after);
    for (size_t i = 0; i < T_NACTIONS; i++)
        if (after[i] - before[i] != want[i]) {
            fprintf(stderr, "audit: %s +%lld, want +%lld\n", t_actions[i],
                    after[i] - before[i], want[i]);
            exit(1);
        }
    ASSERT(t_sql("SELECT count(*) FROM audit_log") > total);
    t_gc();
}

/* ---- secrets --------------------------------------------------------------
 */

static void
test_secrets(void)
{
    size_t len;
    char  *log;

    /* Every reply was checked on the way (t_no_secret); the audit log and
    ** the server's log hold no token, password or session cookie. */
    for (int i = 0; i < U_N; i++)
        ASSERT_EQ(t_sql("SELECT count(*) FROM audit_log WHERE "
                        "instr(coalesce(details, '') || coalesce(target, '') "
                        "|| actor, '%s') > 0",
                        t_tok[i]),
                  0);
    ASSERT_EQ(t_sql("SELECT count(*) FROM audit_log WHERE "
                    "instr(coalesce(details, '') || coalesce(target, ''), "
                    "'" PASSWORD "') > 0"),
              0);
    ASSERT(t_session[0] != '\0');
    ASSERT_EQ(t_sql("SELECT count(*) FROM audit_log WHERE "
                    "instr(coalesce(details, '') || coalesce(target, ''), "
                    "'%s') > 0",
                    strchr(t_session, '=') + 1),
              0);
    fflush(stderr);
    log = t_read_file(t_log_path, &len);
    ASSERT(strstr(log, "access ") != NULL); /* The log was written */
    for (int i = 0; i < U_N; i++)
        if (strstr(log, t_tok[i]) != NULL) {
            fprintf(stderr, "the token of %s is in the log\n", t_user[i]);
            free(log);
            exit(1);
        }
    ASSERT(strstr(log, PASSWORD) == NULL);
    ASSERT(strstr(log, strchr(t_session, '=') + 1) == NULL);
    free(log);
}

static int t_failed;

/* Run a test in a child process (t.h's RUN, isolated): the server answers
** from this one, and a failed assertion ends that test only; the others
** still run and report. A test that dies of a signal fails too. */
static void
t_run(void (*fn)(void), const char *name)
{
    pid_t pid;
    int   status;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        t_child = 1;
        fn();
        t_gc();
        fflush(stdout);
        fflush(stderr);
        _exit(t_soft ? 1 : 0);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("ok %d %s\n", ++t_count, name);
    } else {
        printf("not ok %d %s\n", ++t_count, name);
        fprintf(stderr, "FAILED: %s\n", name);
        t_failed++;
    }
    fflush(stdout);
}

#define T_RUN(fn) t_run(fn, #fn)

int
main(void)
{
    t_sh = mmap(NULL, sizeof(*t_sh), PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT(t_sh != MAP_FAILED);
    memset(t_sh, 0, sizeof(*t_sh));
    t_log_capture();
    t_setup();
    T_RUN(test_create);
    T_RUN(test_validation);
    T_RUN(test_inert_text);
    T_RUN(test_revisions);
    T_RUN(test_concurrency);
    T_RUN(test_search); /* The first public sheets: exact facets */
    T_RUN(test_moderation);
    T_RUN(test_roles);
    T_RUN(test_reuse);
    T_RUN(test_live);
    T_RUN(test_exports);
    T_RUN(test_audit);
    T_RUN(test_secrets);
    http_stop(ts.srv);
    t_passed = t_failed == 0;
    return t_failed ? 1 : 0;
}
