/*
** err.c -- error codes and the struct cm_err filled by fallible calls.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const struct {
    const char *wire;
    int         status;
} cm_codes[] = {
#define CM_X_ROW(name, wire, status) {wire, status},
    CM_ERROR_MAP(CM_X_ROW)
#undef CM_X_ROW
};

const char *
cm_code_name(enum cm_code code)
{
    if ((unsigned) code >= CM_NCODES)
        code = CM_EINTERNAL;
    return cm_codes[code].wire;
}

int
cm_code_status(enum cm_code code)
{
    if ((unsigned) code >= CM_NCODES)
        code = CM_EINTERNAL;
    return cm_codes[code].status;
}

int
cm_fail(struct cm_err *err, enum cm_code code, const char *fmt, ...)
{
    va_list ap;

    memset(err, 0, sizeof(*err));
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void
cm_err_what(struct cm_err *err, const char *kind, const char *name)
{
    err->what_kind = kind;
    snprintf(err->what, sizeof(err->what), "%s", name);
}

void
cm_err_limit(struct cm_err *err, const char *setting, int64_t limit)
{
    cm_err_what(err, "setting", setting);
    err->has_limit = 1;
    err->limit = limit;
}

enum cm_code
cm_code_for_status(int status)
{
    if (status == 400)
        return CM_EMALFORMED; /* Not EINVAL: no parameter to name */
    for (int c = 0; c < CM_NCODES; c++)
        if (cm_codes[c].status == status)
            return (enum cm_code) c;
    return CM_EINTERNAL;
}
