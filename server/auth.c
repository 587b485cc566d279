/*
** auth.c -- tokens: made with libsodium's CSPRNG, stored as SHA-256.
** SHA-256 (not a slow hash) is right for tokens: they carry 256 bits of
** randomness, so there is nothing to brute-force; passwords (issue of
** the registry) get argon2id.
*/
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth.h"

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
