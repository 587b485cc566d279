/*
** store_accounts.c -- SQL of accounts and API tokens. Tokens are looked
** up by their SHA-256: the token itself is never stored.
*/
#include <stdio.h>
#include <string.h>

#include "store_int.h"

int
store_account_add(struct store *st, const char *name, const char *role,
                  int64_t *id, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_ACCOUNT_ADD);
    int           rc;

    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) { /* Extended codes are on */
        cm_fail(err, CM_ECONFLICT, "an account named '%.64s' exists already",
                name);
        cm_err_what(err, "field", "name");
        return err->code;
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, err, "adding an account");
    *id = sqlite3_last_insert_rowid(st->db);
    return CM_OK;
}

int
store_token_add(struct store *st, int64_t account, const unsigned char hash[32],
                const char *prefix, const char *label, const char *expires_at,
                struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_TOKEN_ADD);
    int           rc;

    sqlite3_bind_int64(s, 1, account);
    sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, expires_at, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err, "adding a token");
    return CM_OK;
}

int
store_token_find(struct store *st, const unsigned char hash[32],
                 struct store_account *out, int *found, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_TOKEN_FIND);
    int           rc;

    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found) {
        out->id = sqlite3_column_int64(s, 0);
        snprintf(out->name, sizeof(out->name), "%s",
                 (const char *) sqlite3_column_text(s, 1));
        snprintf(out->role, sizeof(out->role), "%s",
                 (const char *) sqlite3_column_text(s, 2));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, err, "looking up a token");
    return CM_OK;
}
