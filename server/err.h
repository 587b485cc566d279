/*
** err.h -- the one table of error codes, their wire names and HTTP statuses.
** Fallible functions return CM_OK (0) or a CM_E* code and fill the
** struct cm_err the caller passed last. http_reply_error() turns a
** struct cm_err into the one JSON envelope; the CLI prints its message.
*/
#ifndef CM_ERR_H
#define CM_ERR_H

#include <stdint.h>

/* X(name, wire code, HTTP status) -- libuv's X-macro style. */
#define CM_ERROR_MAP(X)                                                        \
    X(OK, "ok", 200)                                                           \
    X(EINVAL, "invalid_param", 400)                                            \
    X(EMALFORMED, "bad_request", 400)                                          \
    X(EUNAUTH, "unauthorized", 401)                                            \
    X(EFORBIDDEN, "forbidden", 403)                                            \
    X(ENOTFOUND, "not_found", 404)                                             \
    X(EMETHOD, "method_not_allowed", 405)                                      \
    X(ECONFLICT, "conflict", 409)                                              \
    X(ELIMIT, "limit_exceeded", 413)                                           \
    X(EMEDIA, "unsupported_format", 415)                                       \
    X(ERANGE, "range_not_satisfiable", 416)                                    \
    X(EUNPROCESSABLE, "unprocessable", 422)                                    \
    X(EPRECONDITION, "precondition_required", 428)                             \
    X(ETOOMANY, "too_many_requests", 429)                                      \
    X(EUNAVAIL, "unavailable", 503)                                            \
    X(ESTORE, "store_error", 500)                                              \
    X(EIO, "io_error", 500)                                                    \
    X(EINTERNAL, "internal", 500)

enum cm_code {
#define CM_X_ENUM(name, wire, status) CM_##name,
    CM_ERROR_MAP(CM_X_ENUM)
#undef CM_X_ENUM
        CM_NCODES
};

/*
** What went wrong, for a person (msg) and for a program (code, and the
** name of the parameter, field or setting at fault in 'what' with its
** kind in 'what_kind': "param", "field", "setting" or "path"). 'limit'
** is the limit that was hit when has_limit is set.
*/
struct cm_err {
    enum cm_code code;
    char         msg[256];
    const char  *what_kind; /* Static string, or NULL */
    char         what[64];
    int          has_limit;
    int64_t      limit;
};

const char *cm_code_name(enum cm_code code);   /* "not_found" */
int         cm_code_status(enum cm_code code); /* 404 */

/* The code for an HTTP status another layer chose (CivetWeb's errors);
** CM_EINTERNAL when the table has none. 400 is CM_EMALFORMED. */
enum cm_code cm_code_for_status(int status);

/* Fill *err and return err->code, so callers can 'return cm_fail(...)'. */
int cm_fail(struct cm_err *err, enum cm_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Name what is at fault ("param", "limit") in an error already set. */
void cm_err_what(struct cm_err *err, const char *kind, const char *name);

/* Record the limit that was hit, with the setting that holds it. */
void cm_err_limit(struct cm_err *err, const char *setting, int64_t limit);

#endif /* CM_ERR_H */
