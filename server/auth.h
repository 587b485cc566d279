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

#endif /* CM_AUTH_H */
