/*
** imp_csv.c -- the canonical Consometer CSV:
**   site_id,meter_id,kind,unit,timestamp,value[,step]
** RFC 4180, header required (columns in any order, none unknown),
** timestamps ISO 8601 with Z or an offset, '.' as the decimal mark. The
** optional step column (seconds or PT30M, PT1H, P1D) gives the interval
** each energy covers; without it, the meter's declared step is used.
*/
#include <string.h>

#include "csv.h"
#include "imp_int.h"
#include "ts.h"

static const char *const imp_csv_cols[] = {
    "site_id", "meter_id", "kind", "unit", "timestamp", "value", "step", NULL};
enum { C_SITE, C_METER, C_KIND, C_UNIT, C_TIME, C_VALUE, C_STEP, C_N };

int
imp_csv_detect(const char *p, size_t n)
{
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, n -= 3;
    /* The header's first line names the canonical columns. */
    return imp_first_line_has(p, n, "meter_id") &&
           imp_first_line_has(p, n, "timestamp") &&
           imp_first_line_has(p, n, "site_id") && imp_first_line_has(p, n, ",");
}

int
imp_csv_parse(struct imp_src *src, struct imp_sink *k, const struct imp_opts *o,
              struct cm_err *err)
{
    struct csv    *c = csv_new(src, ',', IMP_LINE_MAX);
    struct csv_rec rec;
    int            col[C_N], ncols, rc, stop = CM_OK;

    (void) o;
    rc = csv_next(c, &rec, err);
    if (rc <= 0) {
        if (rc == 0)
            cm_fail(err, CM_EMALFORMED,
                    "%s: empty file: the header line "
                    "site_id,meter_id,kind,unit,timestamp,value is required",
                    src->name);
        csv_free(c);
        return err->code;
    }
    if (imp_header(src->name, &rec, imp_csv_cols, 6, col, &ncols, err)) {
        csv_free(c);
        return err->code;
    }
    while ((rc = csv_next(c, &rec, err)) == 1) {
        struct imp_reading r;
        struct ts_civil    tc;
        struct cm_err      e;

        if (rec.n != ncols) {
            imp_reject(k, rec.line, "%d fields where the header has %d", rec.n,
                       ncols);
            continue;
        }
        memset(&r, 0, sizeof(r));
        r.source = "csv";
        r.ref = rec.f[col[C_METER]];
        r.site = rec.f[col[C_SITE]];
        r.kind = rec.f[col[C_KIND]];
        r.unit = rec.f[col[C_UNIT]];
        r.line = rec.line;
        r.step = -1;
        if (csv_number(rec.f[col[C_VALUE]], 0, &r.value) != 0) {
            imp_reject(k, rec.line,
                       "value '%.32s' is not a number ('.' is the decimal "
                       "mark; NaN and infinities are refused)",
                       rec.f[col[C_VALUE]]);
            continue;
        }
        if (ts_parse_iso(rec.f[col[C_TIME]], rec.len[col[C_TIME]], &tc, &e)) {
            imp_reject(k, rec.line, "timestamp: %s", e.msg);
            continue;
        }
        if (!tc.has_offset) {
            imp_reject(k, rec.line,
                       "timestamp '%.40s' has no offset: write Z or +01:00",
                       rec.f[col[C_TIME]]);
            continue;
        }
        if (ts_to_utc(&tc, 0, TS_FOLD_ERROR, &r.start, &e)) {
            imp_reject(k, rec.line, "timestamp: %s", e.msg);
            continue;
        }
        if (col[C_STEP] >= 0 && rec.len[col[C_STEP]] > 0 &&
            imp_parse_step(rec.f[col[C_STEP]], &r.step) != 0) {
            imp_reject(k, rec.line,
                       "step '%.32s' is not seconds or an ISO 8601 duration "
                       "(PT30M, PT1H, P1D)",
                       rec.f[col[C_STEP]]);
            continue;
        }
        if ((stop = imp_emit(k, &r)) != CM_OK)
            break;
    }
    csv_free(c);
    if (stop != CM_OK)
        return stop;
    return rc < 0 ? err->code : CM_OK;
}
