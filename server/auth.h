/*
** auth.h -- who is calling: API tokens (Bearer) and roles.
** A token is "cm_" and 43 base64url characters (32 random bytes from
** libsodium); only its SHA-256 is stored, so a copy of the store gives
** nobody a usable token. Shown once, when it is made.
*/
#ifndef CM_AUTH_H
#define CM_AUTH_H

#include "err.h"
#include "store.h"

#define AUTH_TOKEN_MAX 64

/* Role bits, for the routes' 'roles' field. */
#define AUTH_ADMIN 0x01
#define AUTH_MODERATOR 0x02
#define AUTH_EDITOR 0x04
#define AUTH_TEAM 0x08
#define AUTH_PROVIDER 0x10
#define AUTH_ANY 0x1f /* Any account */

/* The bit of a role name, 0 if unknown. */
unsigned auth_role_bit(const char *role);

/* libsodium must be initialised once before any token is made. */
int auth_init(struct cm_err *err);

/* Create an account with a first token, written into token[]. */
int auth_user_add(struct store *st, const char *name, const char *role,
                  char token[AUTH_TOKEN_MAX], struct cm_err *err);

/*
** The account behind an "Authorization: Bearer TOKEN" header value
** (NULL: none). CM_EUNAUTH when there is no token, or it is unknown,
** revoked, expired or its account disabled.
*/
int auth_bearer(struct store *st, const char *header, struct store_account *out,
                struct cm_err *err);

/* ---- passwords (argon2id) and portal sessions ------------------------ */

#define AUTH_PASSWORD_MIN 10   /* Bytes */
#define AUTH_PASSWORD_MAX 1024 /* Bytes: argon2 hashes any length; bounded */
#define AUTH_COOKIE "cm_session"

/*
** Set the password of account 'name' (argon2id through libsodium's
** crypto_pwhash_str: opslimit 2, memlimit 64 MiB, the library's
** "interactive" parameters). CM_EINVAL names a password too short or too
** long; CM_ENOTFOUND an unknown account. Audited as 'actor'.
*/
int auth_password_set(struct store *st, const char *name, const char *password,
                      const char *actor, struct cm_err *err);

/* A new token for account 'name' (label optional, expires_days 0: never),
** written into token[]. */
int auth_token_new(struct store *st, const char *name, const char *label,
                   int expires_days, const char *actor,
                   char token[AUTH_TOKEN_MAX], struct cm_err *err);

/* Restrict editor 'name' to the territories 'codes' (comma-separated
** INSEE or SIREN codes): they then write only sheets of those, and the
** sheets they created. CM_EINVAL names a malformed list. Audited. */
#define AUTH_TERRITORIES_MAX 64
/* codes as a JSON array (owned), or CM_EINVAL naming them. */
int auth_territories_json(const char *codes, char **json, struct cm_err *err);
int auth_user_territories_set(struct store *st, const char *name,
                              const char *codes, const char *actor,
                              struct cm_err *err);

/* Disable account 'name': its tokens and sessions stop working. */
int auth_user_disable(struct store *st, const char *name, const char *actor,
                      struct cm_err *err);

struct auth_login_limits {
    int failures;      /* auth.login_failures */
    int window_s;      /* auth.login_window_s */
    int session_hours; /* auth.session_hours */
};

struct auth_session {
    struct store_account account;
    char                 cookie[AUTH_TOKEN_MAX]; /* Only when just opened */
    char                 csrf[64];
    char                 expires_at[24];
};

/*
** Check name and password and open a session. CM_EUNAUTH for a wrong
** name or password (one message for both, and an unknown name costs the
** same argon2 time); CM_ETOOMANY with *retry_after seconds once
** lim->failures failed logins of the name (or 4 times as many from the
** address) fall in the window. Every outcome is audited.
*/
int auth_login(struct store *st, const char *name, const char *password,
               const char *address, const struct auth_login_limits *lim,
               struct auth_session *out, int *retry_after, struct cm_err *err);

/* The session named by the Cookie header (NULL: none): CM_EUNAUTH if
** there is none, or it expired or its account was disabled. */
int auth_session_find(struct store *st, const char *cookie_header,
                      struct auth_session *out, struct cm_err *err);
/* End the session named by the Cookie header (none: nothing to do). */
int auth_logout(struct store *st, const char *cookie_header,
                const char *address, struct cm_err *err);

#endif /* CM_AUTH_H */
