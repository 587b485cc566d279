/*
** imp_dataconnect.c -- Enedis Data Connect metering data (API v4/v5): the
** JSON of load curves (consumption_load_curve, production_load_curve) and
** of daily energies (daily_consumption, daily_production):
**   {"meter_reading":{"usage_point_id":"…","start":…,"end":…,
**    "reading_type":{"unit":"W","aggregate":"average",…},
**    "interval_reading":[{"value":"540","date":"2020-09-14 03:00:00",
**                         "interval_length":"PT30M","measure_type":"B"}]}}
**
** Each interval_reading is one reading of the meter whose source "enedis"
** has source_ref usage_point_id, in reading_type.unit (W: the mean power
** over the interval; Wh: the energy of the day); units.c converts. Values
** are strings ("540"), read strictly.
**
** Dates are Europe/Paris civil time without an offset.
**  - With an interval_length (PT10M, PT30M, PT60M) the date is the END of
**    the interval, as in every Enedis load curve: [date - length, date).
**  - Without one, or with P1D, the date "YYYY-MM-DD" is a local day and
**    the reading covers it from local midnight to the next: 23, 24 or 25 h.
** The hour repeated when summer time ends comes twice, in order: a date is
** read as summer time (its first pass) unless that instant would not come
** after the previous reading's, then as winter time (its second pass).
**
** usage_point_id and reading_type may follow interval_reading (JSON
** members have no order): readings that come first are parsed and held,
** at most DC_PENDING_MAX of them, until both are known. A file without
** them, or Data Connect's error answer {"error","error_description"}, is
** refused whole.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "csv.h"
#include "imp_int.h"
#include "jstream.h"
#include "mem.h"
#include "ts.h"

#define DC_REF_MAX 32  /* usage_point_id: a 14-digit PRM */
#define DC_UNIT_MAX 15 /* "W", "Wh" */

struct dc_row { /* One reading parsed before the meter is known */
    int64_t start, step;
    double  value;
    long    offset;
};

/* As many held readings as CM_IMP_VALUE_MAX bytes hold (half a million:
** ten years of a 10-minute curve). */
#define DC_PENDING_MAX (CM_IMP_VALUE_MAX / sizeof(struct dc_row))

enum { DC_ID, DC_TYPE, DC_ROW, DC_ERROR, DC_ERROR_DESC };

static const char *const dc_paths[] = {"meter_reading.usage_point_id",
                                       "meter_reading.reading_type",
                                       "meter_reading.interval_reading[]",
                                       "error",
                                       "error_description",
                                       NULL};

struct dc {
    struct imp_src  *src;
    struct imp_sink *k;
    struct cm_err   *err;
    char             ref[DC_REF_MAX + 1];   /* "" until known */
    char             unit[DC_UNIT_MAX + 1]; /* "" until known */
    int64_t          prev;                  /* Instant of the previous date */
    int              has_prev;
    struct dc_row   *pending;
    size_t           npending, cap;
    char             error[200]; /* Data Connect's error answer, or "" */
};

int
imp_dataconnect_detect(const char *p, size_t n)
{
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, n -= 3;
    while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, n--;
    return n > 0 && *p == '{' && memmem(p, n, "\"meter_reading\"", 15);
}

/* A finite number: JSON's, or a string holding one written strictly
** (csv_number refuses "", "NaN", "inf", "1e400", " 1"). */
static int
dc_number(yajl_val v, double *out)
{
    if (v != NULL && v->type == yajl_t_string)
        return csv_number(v->u.string, 0, out);
    return jstream_num(v, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* UTC seconds of local midnight starting day 'days' (since 1970). */
static int64_t
dc_midnight(int64_t days)
{
    return ts_paris_midnight(days);
}

/* The instant of a local date, the repeated hour resolved by order. */
static int
dc_instant(struct dc *d, const struct ts_civil *tc, int64_t *t,
           struct cm_err *e)
{
    int64_t later;

    if (ts_to_utc(tc, 1, TS_FOLD_EARLIER, t, e) != CM_OK)
        return -1;
    if (d->has_prev && *t <= d->prev &&
        ts_to_utc(tc, 1, TS_FOLD_LATER, &later, e) == CM_OK)
        *t = later; /* Same instant unless the time is in the repeated hour */
    d->prev = *t;
    d->has_prev = 1;
    return 0;
}

/* Parse one interval_reading into *row; -1 after rejecting it. */
static int
dc_parse_row(struct dc *d, yajl_val v, long offset, struct dc_row *row)
{
    yajl_val        value = jstream_get(v, "value");
    const char     *date = jstream_str(v, "date");
    const char     *len = jstream_str(v, "interval_length");
    struct ts_civil tc;
    struct cm_err   e;
    int64_t         t;

    if (v->type != yajl_t_object) {
        imp_reject(d->k, offset, "an interval_reading is not an object");
        return -1;
    }
    row->offset = offset;
    if (dc_number(value, &row->value) != 0) {
        imp_reject(d->k, offset, "value '%.32s' is not a number",
                   value == NULL                  ? "(missing)"
                   : value->type == yajl_t_string ? value->u.string
                   : value->type == yajl_t_number ? value->u.number.r
                                                  : "(not a string)");
        return -1;
    }
    if (date == NULL) {
        imp_reject(d->k, offset, "no date");
        return -1;
    }
    if (ts_parse_iso(date, strlen(date), &tc, &e) != CM_OK) {
        imp_reject(d->k, offset, "date: %s", e.msg);
        return -1;
    }
    if (len != NULL && strcmp(len, "P1D") != 0) { /* A load curve point */
        if (imp_parse_step(len, &row->step) != 0 || row->step <= 0) {
            imp_reject(d->k, offset,
                       "interval_length '%.32s' is not an ISO 8601 "
                       "duration (PT10M, PT30M, PT60M)",
                       len);
            return -1;
        }
        if (dc_instant(d, &tc, &t, &e) != 0) {
            imp_reject(d->k, offset, "date: %s", e.msg);
            return -1;
        }
        row->start = t - row->step; /* The date ends the interval */
        return 0;
    }
    if (tc.hour || tc.minute || tc.second || tc.has_offset) {
        imp_reject(d->k, offset,
                   "date '%.32s' of a daily value is not a day (YYYY-MM-DD)",
                   date);
        return -1;
    }
    t = ts_days_from_civil(tc.year, tc.month, tc.day);
    row->start = dc_midnight(t);
    row->step = dc_midnight(t + 1) - row->start; /* 23, 24 or 25 h */
    d->prev = row->start;
    d->has_prev = 1;
    return 0;
}

static int
dc_emit(struct dc *d, const struct dc_row *row)
{
    struct imp_reading r;

    memset(&r, 0, sizeof(r));
    r.source = "enedis";
    r.ref = d->ref;
    r.unit = d->unit;
    r.start = row->start;
    r.step = row->step;
    r.value = row->value;
    r.line = row->offset;
    return imp_emit(d->k, &r);
}

/* Emit the held readings once the meter and the unit are known. */
static int
dc_flush(struct dc *d)
{
    int rc = CM_OK;

    if (d->ref[0] == '\0' || d->unit[0] == '\0')
        return CM_OK;
    for (size_t i = 0; i < d->npending && rc == CM_OK; i++)
        rc = dc_emit(d, &d->pending[i]);
    d->npending = 0;
    return rc;
}

static int
dc_cb(void *ud, int which, const char *key, yajl_val v, long offset)
{
    struct dc    *d = ud;
    const char   *s = v->type == yajl_t_string ? v->u.string : NULL;
    struct dc_row row;

    (void) key;
    switch (which) {
    case DC_ID:
        if (s == NULL || s[0] == '\0' || strlen(s) > DC_REF_MAX)
            return cm_fail(d->err, CM_EMALFORMED,
                           "%s: byte %ld: usage_point_id is not a string of "
                           "1 to %d characters",
                           d->src->name, offset, DC_REF_MAX);
        strcpy(d->ref, s);
        return dc_flush(d);
    case DC_TYPE:
        s = jstream_str(v, "unit");
        if (s == NULL || s[0] == '\0' || strlen(s) > DC_UNIT_MAX)
            return cm_fail(d->err, CM_EMALFORMED,
                           "%s: byte %ld: reading_type has no unit (W for "
                           "a load curve, Wh for daily energies)",
                           d->src->name, offset);
        strcpy(d->unit, s);
        return dc_flush(d);
    case DC_ROW:
        if (dc_parse_row(d, v, offset, &row) != 0)
            return CM_OK;
        if (d->ref[0] && d->unit[0])
            return dc_emit(d, &row);
        if (d->npending == DC_PENDING_MAX)
            return cm_fail(d->err, CM_ELIMIT,
                           "%s: more than %zu interval_reading before "
                           "usage_point_id and reading_type: put them first",
                           d->src->name, (size_t) DC_PENDING_MAX);
        if (d->npending == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 256;
            d->pending = cm_realloc(d->pending, d->cap * sizeof(row));
        }
        d->pending[d->npending++] = row;
        return CM_OK;
    default: /* {"error":"ADAM-ERR0123","error_description":"..."} */
        if (s != NULL)
            snprintf(d->error + strlen(d->error),
                     sizeof(d->error) - strlen(d->error), "%s%.120s",
                     d->error[0] ? ": " : "", s);
        return CM_OK;
    }
}

int
imp_dataconnect_parse(struct imp_src *src, struct imp_sink *k,
                      const struct imp_opts *o, struct cm_err *err)
{
    struct dc       d;
    struct jstream *js;
    int             rc;

    (void) o;
    memset(&d, 0, sizeof(d));
    d.src = src;
    d.k = k;
    d.err = err;
    js = jstream_new(dc_paths, dc_cb, &d, CM_IMP_VALUE_MAX);
    rc = jstream_run(js, src, err);
    jstream_free(js);
    free(d.pending);
    if (rc != CM_OK)
        return rc;
    if (d.error[0])
        return cm_fail(err, CM_EMALFORMED,
                       "%s: Data Connect answered with an error, not "
                       "readings: %s",
                       src->name, d.error);
    if (d.ref[0] == '\0' || d.unit[0] == '\0')
        return cm_fail(err, CM_EMALFORMED,
                       "%s: not a Data Connect meter_reading: no "
                       "meter_reading.%s",
                       src->name,
                       d.ref[0] == '\0' ? "usage_point_id"
                                        : "reading_type.unit");
    return CM_OK;
}
