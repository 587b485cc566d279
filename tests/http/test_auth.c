/*
** test_auth.c -- portal logins over real HTTP: a password (argon2id) opens
** a session cookie (HttpOnly, SameSite=Strict) with a CSRF token; a
** session's POST without that token is refused; logout ends it; a wrong
** name and a wrong password get the same answer; repeated failures wait
** (429, Retry-After) even for the right password; a disabled account's
** sessions and tokens stop at once; passwords never reach the log.
*/
#include <sqlite3.h>

#include "auth.h"
#include "t_http.h"

static struct t_server ts;
static char            token[AUTH_TOKEN_MAX];

#define PASSWORD "correct horse battery staple"

static void
t_small_limits(struct cfg *c)
{
    c->auth_login_failures = 3;
    c->auth_login_window_s = 600;
}

static void
t_setup(void)
{
    struct store     *st;
    struct store_opts o = {1, 1, 5000, 0};
    struct cm_err     err;
    char              other[AUTH_TOKEN_MAX];

    t_server_start(&ts, routes, nroutes, t_small_limits);
    ASSERT_EQ(auth_init(&err), CM_OK);
    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    ASSERT_EQ(auth_user_add(st, "alice", "editor", token, &err), CM_OK);
    ASSERT_EQ(auth_password_set(st, "alice", PASSWORD, "test", &err), CM_OK);
    ASSERT_EQ(auth_user_add(st, "carol", "editor", other, &err), CM_OK);
    ASSERT_EQ(auth_password_set(st, "carol", PASSWORD, "test", &err), CM_OK);
    ASSERT_EQ(auth_user_add(st, "nopass", "team", other, &err), CM_OK);
    /* Too short: refused, naming the field. */
    ASSERT_EQ(auth_password_set(st, "alice", "short", "test", &err), CM_EINVAL);
    ASSERT_STREQ(err.what, "password");
    store_close(st);
}

/* POST /api/v1/auth/login with a JSON body. */
static void
t_login(const char *name, const char *password, struct t_resp *r)
{
    char body[512], raw[1024];
    int  n;

    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"%s\"}", name,
             password);
    n = snprintf(raw, sizeof(raw),
                 "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Connection: close\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n%s",
                 strlen(body), body);
    t_raw(ts.port, raw, (size_t) n, r);
}

/* The session cookie a login set, into out. */
static void
t_cookie(const struct t_resp *r, char *out, size_t size)
{
    char        v[512];
    const char *sc = t_header(r, "Set-Cookie", v, sizeof(v));

    ASSERT(sc != NULL);
    ASSERT(strncmp(sc, AUTH_COOKIE "=", sizeof(AUTH_COOKIE)) == 0);
    ASSERT_CONTAINS(sc, "HttpOnly");
    ASSERT_CONTAINS(sc, "SameSite=Strict");
    ASSERT_CONTAINS(sc, "Path=/");
    ASSERT(strstr(sc, "Secure") == NULL); /* Plain HTTP on loopback */
    snprintf(out, size, "%.*s", (int) strcspn(sc, ";"), sc);
}

static void
test_session(void)
{
    struct t_resp r;
    yajl_val      doc;
    char          cookie[256], csrf[128], hdr[512];

    t_login("alice", PASSWORD, &r);
    ASSERT_EQ(r.status, 200);
    t_cookie(&r, cookie, sizeof(cookie));
    doc = t_json(&r);
    ASSERT_STREQ(t_json_str(doc, "user", NULL, NULL), "alice");
    ASSERT_STREQ(t_json_str(doc, "role", NULL, NULL), "editor");
    snprintf(csrf, sizeof(csrf), "%s",
             t_json_str(doc, "csrf_token", NULL, NULL));
    ASSERT(strlen(csrf) >= 32);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* The cookie alone reads... */
    snprintf(hdr, sizeof(hdr), "Cookie: %s\r\n", cookie);
    t_req(ts.port, "GET", "/api/v1/auth/me", hdr, &r);
    ASSERT_EQ(r.status, 200);
    doc = t_json(&r);
    ASSERT_STREQ(t_json_str(doc, "user", NULL, NULL), "alice");
    ASSERT_STREQ(t_json_str(doc, "csrf_token", NULL, NULL), csrf);
    yajl_tree_free(doc);
    t_resp_free(&r);

    /* ...but a state-changing request needs the CSRF token too: without
    ** it, or with another one, 403 and the session lives on. */
    t_req(ts.port, "POST", "/api/v1/auth/logout", hdr, &r);
    t_assert_envelope(&r, 403, "forbidden");
    ASSERT_CONTAINS(r.body, "X-CSRF-Token");
    t_resp_free(&r);
    /* Its last character changed to another (a token that ended in 'X'
    ** made this pass once: the flake of http/auth seen in issue 5) */
    snprintf(hdr, sizeof(hdr), "Cookie: %s\r\nX-CSRF-Token: %.*s%c\r\n", cookie,
             (int) strlen(csrf) - 1, csrf,
             csrf[strlen(csrf) - 1] == 'X' ? 'Y' : 'X');
    t_req(ts.port, "POST", "/api/v1/auth/logout", hdr, &r);
    t_assert_envelope(&r, 403, "forbidden");
    t_resp_free(&r);

    /* With it, logout ends the session and clears the cookie. */
    snprintf(hdr, sizeof(hdr), "Cookie: %s\r\nX-CSRF-Token: %s\r\n", cookie,
             csrf);
    t_req(ts.port, "POST", "/api/v1/auth/logout", hdr, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"ended\":true");
    ASSERT_CONTAINS(r.head, "Max-Age=0");
    t_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Cookie: %s\r\n", cookie);
    t_req(ts.port, "GET", "/api/v1/auth/me", hdr, &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);

    /* A Bearer token needs no CSRF token (a script, not a browser) and
    ** has no session to end. */
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", token);
    t_req(ts.port, "POST", "/api/v1/auth/logout", hdr, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"ended\":false");
    t_resp_free(&r);
    t_req(ts.port, "GET", "/api/v1/auth/me", hdr, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"csrf_token\":null");
    t_resp_free(&r);

    /* A forged cookie is no session. */
    t_req(ts.port, "GET", "/api/v1/auth/me",
          "Cookie: cm_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n",
          &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
}

static void
test_bad_logins(void)
{
    struct t_resp r, u;
    char          raw[512];
    int           n;

    /* A wrong password and an unknown name: the same answer. */
    t_login("carol", "not the password", &r);
    t_login("nobody-here", "not the password", &u);
    t_assert_envelope(&r, 401, "unauthorized");
    t_assert_envelope(&u, 401, "unauthorized");
    ASSERT_STREQ(r.body, u.body);
    ASSERT(strstr(r.head, "Set-Cookie") == NULL);
    t_resp_free(&r);
    t_resp_free(&u);
    /* An account without a password cannot log in. */
    t_login("nopass", "any password at all", &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
    /* Missing fields, a body that is not JSON. */
    t_login("carol", "", &r);
    t_assert_envelope(&r, 422, "unprocessable");
    ASSERT_CONTAINS(r.body, "\"field\":\"password\"");
    t_resp_free(&r);
    n = snprintf(raw, sizeof(raw),
                 "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Connection: close\r\nContent-Length: 5\r\n\r\nhello");
    t_raw(ts.port, raw, (size_t) n, &r);
    t_assert_envelope(&r, 400, "bad_request");
    t_resp_free(&r);

    /* carol has failed once; two more reach auth.login_failures (3): then
    ** even the right password waits, with Retry-After. */
    t_login("carol", "wrong again!!", &r);
    t_resp_free(&r);
    t_login("carol", "and again!!!", &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
    t_login("carol", PASSWORD, &r);
    t_assert_envelope(&r, 429, "too_many_requests");
    ASSERT_CONTAINS(r.body, "auth.login_failures");
    ASSERT_CONTAINS(r.head, "Retry-After: 600");
    t_resp_free(&r);
    /* Another account is not slowed by carol's failures. */
    t_login("alice", PASSWORD, &r);
    ASSERT_EQ(r.status, 200);
    t_resp_free(&r);
}

static void
test_disable(void)
{
    struct store     *st;
    struct store_opts o = {0, 0, 5000, 0};
    struct cm_err     err;
    struct t_resp     r;
    char              cookie[256], hdr[512];

    t_login("alice", PASSWORD, &r);
    ASSERT_EQ(r.status, 200);
    t_cookie(&r, cookie, sizeof(cookie));
    t_resp_free(&r);
    ASSERT_EQ(store_open(ts.store, &o, &st, NULL, &err), CM_OK);
    ASSERT_EQ(auth_user_disable(st, "alice", "test", &err), CM_OK);
    store_close(st);
    snprintf(hdr, sizeof(hdr), "Cookie: %s\r\n", cookie);
    t_req(ts.port, "GET", "/api/v1/auth/me", hdr, &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", token);
    t_req(ts.port, "GET", "/api/v1/auth/me", hdr, &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
    t_login("alice", PASSWORD, &r);
    t_assert_envelope(&r, 401, "unauthorized");
    t_resp_free(&r);
}

/* Passwords are stored as argon2id hashes, never in the clear, and never
** in the audit log; logins, failures and throttling are audited. */
static void
test_stored(void)
{
    sqlite3      *db;
    sqlite3_stmt *s;

    ASSERT_EQ(sqlite3_open(ts.store, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT password_hash FROM account "
                                 "WHERE name = 'carol'",
                                 -1, &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    ASSERT(strncmp((const char *) sqlite3_column_text(s, 0), "$argon2id$",
                   10) == 0);
    sqlite3_finalize(s);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT (SELECT count(*) FROM audit_log WHERE "
                                 "action = 'auth.login'), (SELECT count(*) "
                                 "FROM audit_log WHERE action = "
                                 "'auth.login.failed'), (SELECT count(*) FROM "
                                 "audit_log WHERE action = "
                                 "'auth.login.throttled'), (SELECT count(*) "
                                 "FROM audit_log WHERE coalesce(details, '') "
                                 "|| coalesce(target, '') LIKE '%horse%')",
                                 -1, &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    ASSERT(sqlite3_column_int(s, 0) >= 3);
    ASSERT(sqlite3_column_int(s, 1) >= 4);
    ASSERT(sqlite3_column_int(s, 2) >= 1);
    ASSERT_EQ(sqlite3_column_int(s, 3), 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

int
main(void)
{
    t_setup();
    RUN(test_session);
    RUN(test_bad_logins);
    RUN(test_disable);
    RUN(test_stored);
    http_stop(ts.srv);
    return 0;
}
