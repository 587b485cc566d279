/*
** store_downloads.c -- the SQL of the download counts (store_downloads.h).
** A batch comes every minute or so (dl.c), not per request: its
** statement is prepared per batch rather than kept with the store's.
*/
#include "store_downloads.h"
#include "store_int.h"

int
store_downloads_add(struct store *st, const struct store_download_count *c,
                    size_t n, struct cm_err *err)
{
    sqlite3_stmt *s = NULL;
    int           rc;

    if (n == 0)
        return CM_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO download_day (day, dataset, format, "
                           "requests, bytes) VALUES (?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT (day, dataset, format) DO UPDATE SET "
                           "requests = requests + excluded.requests, "
                           "bytes = bytes + excluded.bytes",
                           -1, &s, NULL) != SQLITE_OK)
        return store_fail(st, err, "counting downloads");
    if (store_begin(st, err) != CM_OK) {
        sqlite3_finalize(s);
        return err->code; /* Not ours to roll back */
    }
    rc = CM_OK;
    for (size_t i = 0; rc == CM_OK && i < n; i++) {
        sqlite3_bind_text(s, 1, c[i].day, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, c[i].dataset, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, c[i].format, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, c[i].requests);
        sqlite3_bind_int64(s, 5, c[i].bytes);
        rc = store_step_done(st, s, err, "counting downloads");
    }
    if (rc == CM_OK)
        rc = store_commit(st, err);
    if (rc != CM_OK)
        store_rollback(st);
    sqlite3_finalize(s);
    return rc;
}
