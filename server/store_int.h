/*
** store_int.h -- what the store*.c modules share and nobody else sees:
** the connection and its prepared statements.
*/
#ifndef CM_STORE_INT_H
#define CM_STORE_INT_H

#include <sqlite3.h>

#include "store.h"
#include "store_sql.h"

struct store {
    sqlite3      *db;
    sqlite3_stmt *stmt[STORE_NSQL];
    char         *path;
    int           put_new;   /* The last reading put was new: try to insert
                             ** the next one first (one statement, not two) */
    struct store_read *read; /* store_read.c's kept statements, or NULL */
};

/* Finalize store_read.c's kept statements; store_close() calls it
** before closing the connection. NULL-safe. */
void store_read_close(struct store *st);

/* The statement for sql[0..len), whose text depends on the request's
** shape (store_read.c, store_practices.c): prepared on first use and
** kept on the connection (least recently used out), reset and with its
** bindings cleared. NULL with *err filled if it does not prepare. */
sqlite3_stmt *store_read_stmt(struct store *st, const char *sql, size_t len,
                              struct cm_err *err);

/* The statement 'id', reset and with its bindings cleared. */
sqlite3_stmt *store_stmt(struct store *st, enum store_sql_id id);

/* Fill *err from the connection's last error and return CM_ESTORE (or
** CM_EUNAVAIL when the store was busy or locked). */
int store_fail(struct store *st, struct cm_err *err, const char *what);

/* Bind text, or NULL for a NULL or empty string. */
void store_bind_opt(sqlite3_stmt *s, int i, const char *v);

/* Step a statement that returns no row, then reset it; CM_OK or
** store_fail(what). */
int store_step_done(struct store *st, sqlite3_stmt *s, struct cm_err *err,
                    const char *what);

/* One row of a query, for store_rows(): CM_OK to go on. */
typedef int (*store_row_fn)(void *ctx, sqlite3_stmt *s, struct cm_err *err);

/* Step s (bound) to its end, each row to row(); then reset s. Returns
** CM_OK, row()'s first failure, or store_fail(what). */
int store_rows(struct store *st, sqlite3_stmt *s, store_row_fn row, void *ctx,
               const char *what, struct cm_err *err);

#endif /* CM_STORE_INT_H */
