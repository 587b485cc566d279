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
    int           put_new; /* The last reading put was new: try to insert
                           ** the next one first (one statement, not two) */
};

/* The statement 'id', reset and with its bindings cleared. */
sqlite3_stmt *store_stmt(struct store *st, enum store_sql_id id);

/* Fill *err from the connection's last error and return CM_ESTORE (or
** CM_EUNAVAIL when the store was busy or locked). */
int store_fail(struct store *st, struct cm_err *err, const char *what);

#endif /* CM_STORE_INT_H */
