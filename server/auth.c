/*
** auth.c -- tokens: made with libsodium's CSPRNG, stored as SHA-256.
** SHA-256 (not a slow hash) is right for tokens: they carry 256 bits of
** randomness, so there is nothing to brute-force. Passwords get argon2id
** (crypto_pwhash_str); a portal session is a random cookie stored as
** SHA-256 too, with its own CSRF token.
*/
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "jw.h"
#include "mem.h"
#include "store_practices.h"

static const struct {
    const char *name;
    unsigned    bit;
} auth_roles[] = {{"admin", AUTH_ADMIN},
                  {"moderator", AUTH_MODERATOR},
                  {"editor", AUTH_EDITOR},
                  {"team", AUTH_TEAM},
                  {"provider", AUTH_PROVIDER}};

unsigned
auth_role_bit(const char *role)
{
    for (size_t i = 0; i < sizeof(auth_roles) / sizeof(auth_roles[0]); i++)
        if (strcmp(auth_roles[i].name, role) == 0)
            return auth_roles[i].bit;
    return 0;
}

int
auth_init(struct cm_err *err)
{
    if (sodium_init() < 0)
        return cm_fail(err, CM_EINTERNAL, "libsodium failed to initialise");
    return CM_OK;
}

static void
auth_hash(const char *token, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *) token, strlen(token));
}

int
auth_user_add(struct store *st, const char *name, const char *role,
              char token[AUTH_TOKEN_MAX], struct cm_err *err)
{
    unsigned char raw[32], hash[32];
    char          prefix[12];
    int64_t       id;

    if (auth_role_bit(role) == 0) {
        cm_fail(err, CM_EINVAL,
                "unknown role '%.32s' (admin, moderator, "
                "editor, team, provider)",
                role);
        cm_err_what(err, "field", "role");
        return err->code;
    }
    if (name[0] == '\0' || strlen(name) > 64) {
        cm_fail(err, CM_EINVAL, "a user name has 1 to 64 characters");
        cm_err_what(err, "field", "name");
        return err->code;
    }
    randombytes_buf(raw, sizeof(raw));
    memcpy(token, "cm_", 3);
    sodium_bin2base64(token + 3, AUTH_TOKEN_MAX - 3, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    auth_hash(token, hash);
    memcpy(prefix, token, 10);
    prefix[10] = '\0';
    if (store_begin(st, err))
        return err->code;
    if (store_account_add(st, name, role, &id, err) ||
        store_token_add(st, id, hash, prefix, "created with the account", NULL,
                        err)) {
        store_rollback(st);
        return err->code;
    }
    {
        const struct store_audit a = {"cli", "account.add", name, NULL, NULL};

        if (store_audit_add(st, &a, err) || store_commit(st, err)) {
            store_rollback(st);
            return err->code;
        }
    }
    return CM_OK;
}

int
auth_bearer(struct store *st, const char *header, struct store_account *out,
            struct cm_err *err)
{
    unsigned char hash[32];
    int           found;

    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) {
        cm_fail(err, CM_EUNAUTH,
                "this route needs a token: Authorization: Bearer TOKEN");
        return err->code;
    }
    header += 7;
    while (*header == ' ')
        header++;
    if (strlen(header) >= AUTH_TOKEN_MAX) {
        cm_fail(err, CM_EUNAUTH, "unknown, revoked or expired token");
        return err->code;
    }
    auth_hash(header, hash);
    if (store_token_find(st, hash, out, &found, err))
        return err->code;
    if (!found)
        return cm_fail(err, CM_EUNAUTH, "unknown, revoked or expired token");
    return CM_OK;
}

/* ---- passwords and sessions ------------------------------------------ */

static void
auth_audit(struct store *st, const char *actor, const char *action,
           const char *target, const char *address)
{
    const struct store_audit a = {actor, action, target, address, NULL};
    struct cm_err            err;

    (void) store_audit_add(st, &a, &err);
}

/* UTC "YYYY-MM-DDTHH:MM:SSZ" of now + delta seconds. */
static void
auth_utc(long delta, char out[24])
{
    time_t    t = time(NULL) + delta;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
auth_account(struct store *st, const char *name, struct store_login *l,
             struct cm_err *err)
{
    int found;

    if (store_account_by_name(st, name, l, &found, err))
        return err->code;
    if (!found) {
        cm_fail(err, CM_ENOTFOUND, "no account named '%.64s'", name);
        cm_err_what(err, "field", "name");
        return err->code;
    }
    return CM_OK;
}

int
auth_password_set(struct store *st, const char *name, const char *password,
                  const char *actor, struct cm_err *err)
{
    char               hash[crypto_pwhash_STRBYTES];
    struct store_login l;
    size_t             len = strlen(password);

    if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX) {
        cm_fail(err, CM_EINVAL, "a password has %d to %d bytes",
                AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
        cm_err_what(err, "field", "password");
        return err->code;
    }
    if (crypto_pwhash_str(hash, password, len,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return cm_fail(err, CM_EINTERNAL,
                       "not enough memory to hash the password");
    if (store_begin(st, err))
        return err->code;
    if (auth_account(st, name, &l, err) ||
        store_account_password_set(st, l.account.id, hash, err)) {
        store_rollback(st);
        return err->code;
    }
    auth_audit(st, actor, "account.password", name, NULL);
    return store_commit(st, err);
}

int
auth_token_new(struct store *st, const char *name, const char *label,
               int expires_days, const char *actor, char token[AUTH_TOKEN_MAX],
               struct cm_err *err)
{
    unsigned char      raw[32], hash[32];
    char               prefix[12], expires[24];
    struct store_login l;

    randombytes_buf(raw, sizeof(raw));
    memcpy(token, "cm_", 3);
    sodium_bin2base64(token + 3, AUTH_TOKEN_MAX - 3, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    auth_hash(token, hash);
    memcpy(prefix, token, 10);
    prefix[10] = '\0';
    if (expires_days > 0)
        auth_utc((long) expires_days * 86400, expires);
    if (store_begin(st, err))
        return err->code;
    if (auth_account(st, name, &l, err) ||
        store_token_add(st, l.account.id, hash, prefix,
                        label ? label : "made by consometer user token",
                        expires_days > 0 ? expires : NULL, err)) {
        store_rollback(st);
        return err->code;
    }
    auth_audit(st, actor, "token.add", name, NULL);
    return store_commit(st, err);
}

int
auth_user_disable(struct store *st, const char *name, const char *actor,
                  struct cm_err *err)
{
    struct store_login l;

    if (store_begin(st, err))
        return err->code;
    if (auth_account(st, name, &l, err) ||
        store_account_disable(st, l.account.id, err)) {
        store_rollback(st);
        return err->code;
    }
    auth_audit(st, actor, "account.disable", name, NULL);
    return store_commit(st, err);
}

int
auth_territories_json(const char *codes, char **json, struct cm_err *err)
{
    *json = jw_csv_array(codes, AUTH_TERRITORIES_MAX, 16, "0123456789ABab");
    if (*json != NULL)
        return CM_OK;
    cm_fail(err, CM_EINVAL,
            "territories: up to %d comma-separated INSEE or SIREN codes "
            "(digits, 2A, 2B), e.g. 56121,200042174",
            AUTH_TERRITORIES_MAX);
    cm_err_what(err, "param", "territories");
    return err->code;
}

int
auth_user_territories_set(struct store *st, const char *name, const char *codes,
                          const char *actor, struct cm_err *err)
{
    struct store_login l;
    char              *json;

    if (auth_territories_json(codes, &json, err) != CM_OK)
        return err->code;
    if (store_begin(st, err)) {
        free(json);
        return err->code;
    }
    if (auth_account(st, name, &l, err) ||
        store_account_territories_set(st, l.account.id, json, err)) {
        store_rollback(st);
        free(json);
        return err->code;
    }
    {
        struct jw         *d = jw_new();
        struct store_audit a = {actor, "account.territories", name, NULL, NULL};
        int                rc;

        jw_obj_open(d);
        jw_key(d, "territories");
        jw_json_text(d, json);
        jw_obj_close(d);
        a.details = jw_strdup(d);
        jw_free(d);
        rc = store_audit_add(st, &a, err);
        free((char *) a.details);
        if (rc != CM_OK) {
            store_rollback(st);
            free(json);
            return err->code;
        }
    }
    free(json);
    return store_commit(st, err);
}

/* An argon2id hash of random bytes nobody knows: verified against when
** the name is unknown, so that a wrong name costs what a wrong password
** costs and the answers cannot tell which names exist. */
static char           auth_decoy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t auth_decoy_once = PTHREAD_ONCE_INIT;

static void
auth_decoy_make(void)
{
    char secret[33];

    randombytes_buf(secret, sizeof(secret) - 1);
    secret[sizeof(secret) - 1] = '\0';
    if (crypto_pwhash_str(auth_decoy_hash, secret, sizeof(secret) - 1,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        auth_decoy_hash[0] = '\0';
    sodium_memzero(secret, sizeof(secret));
}

/* A new random value as unpadded base64url of n bytes. */
static void
auth_random(char *out, size_t outlen, size_t n)
{
    unsigned char raw[32];

    randombytes_buf(raw, n);
    sodium_bin2base64(out, outlen, raw, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

int
auth_login(struct store *st, const char *name, const char *password,
           const char *address, const struct auth_login_limits *lim,
           struct auth_session *out, int *retry_after, struct cm_err *err)
{
    struct store_login l;
    unsigned char      hash[32];
    char               since[24];
    int64_t            by_name = 0, by_address = 0;
    int                found, ok;
    size_t             len = strlen(password);

    memset(out, 0, sizeof(*out));
    *retry_after = 0;
    auth_utc(-(long) lim->window_s, since);
    if (store_login_failures(st, name, address, since, &by_name, &by_address,
                             err))
        return err->code;
    if (by_name >= lim->failures || by_address >= 4 * (int64_t) lim->failures) {
        /* Refused before any hashing: a guesser gets no answer at all
        ** until the window has moved past its failures. */
        *retry_after = lim->window_s;
        auth_audit(st, name, "auth.login.throttled", name, address);
        cm_fail(err, CM_ETOOMANY,
                "too many failed logins for this account or from this "
                "address: retry later");
        cm_err_limit(err, "auth.login_failures", lim->failures);
        return err->code;
    }
    if (store_account_by_name(st, name, &l, &found, err))
        return err->code;
    if (len > AUTH_PASSWORD_MAX)
        ok = 0;
    else if (found && l.password_hash[0] && !l.disabled)
        ok = crypto_pwhash_str_verify(l.password_hash, password, len) == 0;
    else {
        pthread_once(&auth_decoy_once, auth_decoy_make);
        /* Always false (nobody knows the decoy); only its cost matters. */
        ok = auth_decoy_hash[0] &&
             crypto_pwhash_str_verify(auth_decoy_hash, password, len) == 0 && 0;
    }
    if (!ok) {
        (void) store_login_failure_add(st, name, address, err);
        auth_audit(st, name, "auth.login.failed", name, address);
        return cm_fail(err, CM_EUNAUTH, "wrong name or password");
    }
    out->account = l.account;
    auth_random(out->cookie, sizeof(out->cookie), 32);
    auth_random(out->csrf, sizeof(out->csrf), 24);
    auth_utc((long) lim->session_hours * 3600, out->expires_at);
    auth_hash(out->cookie, hash);
    if (store_begin(st, err))
        return err->code;
    if (store_session_add(st, hash, l.account.id, out->csrf, out->expires_at,
                          address, err)) {
        store_rollback(st);
        return err->code;
    }
    auth_audit(st, name, "auth.login", name, address);
    return store_commit(st, err);
}

/* The value of cookie AUTH_COOKIE in a Cookie header, into out; 0 if
** there is none or it cannot be a session. */
static int
auth_cookie(const char *header, char out[AUTH_TOKEN_MAX])
{
    const size_t klen = sizeof(AUTH_COOKIE) - 1;
    const char  *p = header;

    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, AUTH_COOKIE, klen) == 0 && p[klen] == '=') {
            size_t n = strcspn(p + klen + 1, "; ");

            if (n == 0 || n >= AUTH_TOKEN_MAX)
                return 0;
            memcpy(out, p + klen + 1, n);
            out[n] = '\0';
            return 1;
        }
        p = strchr(p, ';');
    }
    return 0;
}

int
auth_session_find(struct store *st, const char *cookie_header,
                  struct auth_session *out, struct cm_err *err)
{
    char          cookie[AUTH_TOKEN_MAX];
    unsigned char hash[32];
    int           found;

    memset(out, 0, sizeof(*out));
    if (!auth_cookie(cookie_header, cookie))
        return cm_fail(err, CM_EUNAUTH,
                       "this route needs a token (Authorization: Bearer "
                       "TOKEN) or a login session");
    auth_hash(cookie, hash);
    if (store_session_find(st, hash, &out->account, out->csrf, &found, err))
        return err->code;
    if (!found)
        return cm_fail(err, CM_EUNAUTH, "the session has ended: log in again");
    return CM_OK;
}

int
auth_logout(struct store *st, const char *cookie_header, const char *address,
            struct cm_err *err)
{
    char                cookie[AUTH_TOKEN_MAX];
    unsigned char       hash[32];
    struct auth_session s;

    if (!auth_cookie(cookie_header, cookie))
        return CM_OK;
    if (auth_session_find(st, cookie_header, &s, err) != CM_OK)
        return CM_OK; /* Already ended */
    auth_hash(cookie, hash);
    if (store_begin(st, err))
        return err->code;
    if (store_session_delete(st, hash, err)) {
        store_rollback(st);
        return err->code;
    }
    auth_audit(st, s.account.name, "auth.logout", s.account.name, address);
    return store_commit(st, err);
}
