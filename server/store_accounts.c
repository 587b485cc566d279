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

static const char *
acc_text(sqlite3_stmt *s, int i)
{
    const char *t = (const char *) sqlite3_column_text(s, i);

    return t ? t : "";
}

int
store_account_by_name(struct store *st, const char *name,
                      struct store_login *out, int *found, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_ACCOUNT_BY_NAME);
    int           rc;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found) {
        out->account.id = sqlite3_column_int64(s, 0);
        snprintf(out->account.name, sizeof(out->account.name), "%s",
                 acc_text(s, 1));
        snprintf(out->account.role, sizeof(out->account.role), "%s",
                 acc_text(s, 2));
        snprintf(out->password_hash, sizeof(out->password_hash), "%s",
                 acc_text(s, 3));
        out->disabled = sqlite3_column_int(s, 4);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, err, "looking up an account");
    return CM_OK;
}

struct acc_each {
    store_account_fn fn;
    void            *ctx;
};

static int
acc_row(void *ctx, sqlite3_stmt *s, struct cm_err *err)
{
    struct acc_each *e = ctx;

    return e->fn(e->ctx, acc_text(s, 0), acc_text(s, 1),
                 sqlite3_column_int(s, 2), sqlite3_column_int(s, 3),
                 acc_text(s, 4), sqlite3_column_int64(s, 5), err);
}

int
store_accounts_each(struct store *st, store_account_fn fn, void *ctx,
                    struct cm_err *err)
{
    struct acc_each e = {fn, ctx};

    return store_rows(st, store_stmt(st, STORE_ACCOUNT_LIST), acc_row, &e,
                      "listing accounts", err);
}

int
store_account_disable(struct store *st, int64_t id, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_ACCOUNT_DISABLE);

    sqlite3_bind_int64(s, 1, id);
    if (store_step_done(st, s, err, "disabling an account"))
        return err->code;
    s = store_stmt(st, STORE_SESSION_DELETE_ACCOUNT);
    sqlite3_bind_int64(s, 1, id);
    return store_step_done(st, s, err, "ending an account's sessions");
}

int
store_account_password_set(struct store *st, int64_t id, const char *hash,
                           struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_ACCOUNT_PASSWORD_SET);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
    return store_step_done(st, s, err, "setting a password");
}

int
store_session_add(struct store *st, const unsigned char hash[32],
                  int64_t account, const char *csrf, const char *expires_at,
                  const char *address, struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SESSION_ADD);

    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, account);
    sqlite3_bind_text(s, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, expires_at, -1, SQLITE_STATIC);
    store_bind_opt(s, 5, address);
    return store_step_done(st, s, err, "opening a session");
}

int
store_session_find(struct store *st, const unsigned char hash[32],
                   struct store_account *out, char csrf[64], int *found,
                   struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SESSION_FIND);
    int           rc;

    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found) {
        out->id = sqlite3_column_int64(s, 0);
        snprintf(out->name, sizeof(out->name), "%s", acc_text(s, 1));
        snprintf(out->role, sizeof(out->role), "%s", acc_text(s, 2));
        snprintf(csrf, 64, "%s", acc_text(s, 3));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, err, "looking up a session");
    return CM_OK;
}

int
store_session_delete(struct store *st, const unsigned char hash[32],
                     struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_SESSION_DELETE);

    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    return store_step_done(st, s, err, "ending a session");
}

int
store_login_failure_add(struct store *st, const char *name, const char *address,
                        struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_LOGIN_FAIL_ADD);

    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    store_bind_opt(s, 2, address);
    return store_step_done(st, s, err, "recording a failed login");
}

int
store_login_failures(struct store *st, const char *name, const char *address,
                     const char *since, int64_t *by_name, int64_t *by_address,
                     struct cm_err *err)
{
    sqlite3_stmt *s = store_stmt(st, STORE_LOGIN_FAIL_COUNT);
    int           rc;

    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    store_bind_opt(s, 2, address);
    sqlite3_bind_text(s, 3, since, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *by_name = sqlite3_column_int64(s, 0);
        *by_address = sqlite3_column_int64(s, 1);
        rc = CM_OK;
    } else
        rc = store_fail(st, err, "counting failed logins");
    sqlite3_reset(s);
    return rc;
}
