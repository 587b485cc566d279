/*
** imp_fronius.c -- Fronius Solar API v1 archive data: the answer of
** GetArchiveData.cgi (Scope=System, SeriesType Detail or DailySum):
**   {"Body":{"Data":{"<device>":{"Start":"2017-08-30T00:00:00+02:00",
**     "End":…,"Data":{"<channel>":{"Unit":"Wh","Values":{"0":…,"300":…}}}}}},
**    "Head":{"Status":{"Code":0,…},…}}
** Value keys are seconds since the device's Start.
**
** Each energy channel (EnergyReal_*) of a device is one meter, with source
** "fronius" and source_ref "<device>/<channel>" ("meter:16220118/
** EnergyReal_WAC_Minus_Absolute", "inverter/1/EnergyReal_WAC_Sum_Produced"):
**  - *_Absolute channels are the smart meter's cumulative counters (import
**    from and feed-in to the grid): indexes, differenced by the driver;
**  - the others (EnergyReal_WAC_Sum_Produced...) give the energy of the
**    interval that starts at their key. Its length is the series' logging
**    period, the smallest gap between keys (300 s in Detail by default):
**    a longer gap (the night, an outage) is missing intervals, not a longer
**    one, and the step of a value never depends on what follows it, so a
**    partial day imported again in full lands on the same readings. A
**    daily series (DailySum: gaps of 23 h or more, or one lone value)
**    covers local days in Europe/Paris, 23, 24 or 25 h long.
** Other channels (temperatures, currents, voltages, errors, events) are
** not energies: they are skipped without being counted.
**
** A Head.Status.Code other than 0 refuses the whole file, quoting Fronius.
** The Solar API writes Head after Body and a device's Start after its
** Data, so each device is collected whole (bounded by CM_IMP_VALUE_MAX;
** Fronius answers at most 16 days) before its readings go out. A file
** without Head.Status is not a Solar API answer and is refused.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "imp_int.h"
#include "jstream.h"
#include "mem.h"
#include "ts.h"

#define FR_REF_MAX 160   /* "<device>/<channel>" */
#define FR_DAY_MIN 82800 /* A gap this long is a daily series */

enum { FR_DEVICE, FR_STATUS };

static const char *const fr_paths[] = {"Body.Data.*", "Head.Status", NULL};

struct fr {
    struct imp_src  *src;
    struct imp_sink *k;
    struct cm_err   *err;
    int              status_seen;
};

struct fr_point {
    int64_t sec; /* Since the device's Start */
    double  value;
};

int
imp_fronius_detect(const char *p, size_t n)
{
    while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, n--;
    return n > 0 && *p == '{' && memmem(p, n, "\"Body\"", 6) &&
           (memmem(p, n, "\"Values\"", 8) ||
            memmem(p, n, "\"SeriesType\"", 12));
}

static int
fr_cmp(const void *a, const void *b)
{
    const struct fr_point *x = a, *y = b;

    return (x->sec > y->sec) - (x->sec < y->sec);
}

/* The length of the local day that starts at t, or -1 if t is not a
** local midnight in Europe/Paris. */
static int64_t
fr_day_length(int64_t t)
{
    int64_t local = t + ts_paris_offset(t);
    int64_t days = local / 86400 - (local % 86400 < 0);

    if (local - days * 86400 != 0)
        return -1;
    return ts_paris_midnight(days + 1) - t;
}

/* Seconds since Start from a key: digits only. */
static int
fr_key(const char *s, int64_t *out)
{
    char     *end;
    long long v;

    if (s[0] < '0' || s[0] > '9' || strlen(s) > 9)
        return -1;
    v = strtoll(s, &end, 10);
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* One channel of a device: emit its values in time order. */
static int
fr_channel(struct fr *f, const char *device, int64_t start, const char *name,
           yajl_val ch, long offset)
{
    yajl_val    vals = jstream_get(ch, "Values");
    const char *unit = jstream_str(ch, "Unit");
    size_t      nlen = strlen(name), n = 0;
    int         counter = nlen > 9 && strcmp(name + nlen - 9, "_Absolute") == 0;
    int64_t     gap = 0;
    struct fr_point *pt;
    char             ref[FR_REF_MAX + 1];
    int              rc = CM_OK;

    if (strncmp(name, "EnergyReal_", 11) != 0)
        return CM_OK; /* Not an energy */
    if (vals == NULL || vals->type != yajl_t_object)
        return CM_OK; /* "Values": null, no data for the period */
    if ((size_t) snprintf(ref, sizeof(ref), "%s/%s", device, name) >=
        sizeof(ref)) {
        imp_reject(f->k, offset, "device and channel name longer than %d",
                   FR_REF_MAX);
        return CM_OK;
    }
    pt = cm_malloc((vals->u.object.len + 1) * sizeof(*pt));
    for (size_t i = 0; i < vals->u.object.len; i++) {
        const char *key = vals->u.object.keys[i];
        yajl_val    v = vals->u.object.values[i];

        if (v->type == yajl_t_null)
            continue; /* No value logged then */
        if (fr_key(key, &pt[n].sec) != 0) {
            imp_reject(f->k, offset,
                       "%s: key '%.32s' is not seconds since Start", ref, key);
            continue;
        }
        if (v->type != yajl_t_number || jstream_num(v, &pt[n].value) != 0 ||
            !isfinite(pt[n].value)) {
            imp_reject(f->k, offset, "%s: value at %s s is not a finite number",
                       ref, key);
            continue;
        }
        n++;
    }
    qsort(pt, n, sizeof(*pt), fr_cmp); /* Keys come sorted as text */
    for (size_t i = 1; i < n; i++)
        if (pt[i].sec > pt[i - 1].sec &&
            (gap == 0 || pt[i].sec - pt[i - 1].sec < gap))
            gap = pt[i].sec - pt[i - 1].sec;
    for (size_t i = 0; i < n && rc == CM_OK; i++) {
        struct imp_reading r;

        memset(&r, 0, sizeof(r));
        r.source = "fronius";
        r.ref = ref;
        r.unit = unit; /* "Wh"; NULL: the meter's */
        r.start = start + pt[i].sec;
        r.value = pt[i].value;
        r.line = offset;
        if (counter)
            r.flags = IMP_INDEX;
        else if (gap == 0 || gap >= FR_DAY_MIN) {
            if ((r.step = fr_day_length(r.start)) < 0) {
                imp_reject(f->k, offset,
                           "%s: the daily value at %lld s does not start at "
                           "local midnight",
                           ref, (long long) pt[i].sec);
                continue;
            }
        } else
            r.step = gap;
        rc = imp_emit(f->k, &r);
    }
    free(pt);
    return rc;
}

static int
fr_device(struct fr *f, const char *device, yajl_val dev, long offset)
{
    const char     *s = jstream_str(dev, "Start");
    yajl_val        data = jstream_get(dev, "Data");
    struct ts_civil tc;
    struct cm_err   e;
    int64_t         start;
    int             rc = CM_OK;

    if (device == NULL || data == NULL || data->type != yajl_t_object)
        return CM_OK; /* Nothing archived for it */
    if (s == NULL) {
        imp_reject(f->k, offset, "device '%.64s' has no Start", device);
        return CM_OK;
    }
    if (ts_parse_iso(s, strlen(s), &tc, &e) != CM_OK ||
        ts_to_utc(&tc, 1, TS_FOLD_ERROR, &start, &e) != CM_OK) {
        imp_reject(f->k, offset, "device '%.64s': Start: %s", device, e.msg);
        return CM_OK;
    }
    for (size_t i = 0; i < data->u.object.len && rc == CM_OK; i++)
        rc = fr_channel(f, device, start, data->u.object.keys[i],
                        data->u.object.values[i], offset);
    return rc;
}

static int
fr_cb(void *ud, int which, const char *key, yajl_val v, long offset)
{
    struct fr  *f = ud;
    yajl_val    code;
    double      c;
    const char *reason, *msg;

    if (which == FR_DEVICE)
        return fr_device(f, key, v, offset);
    f->status_seen = 1;
    code = jstream_get(v, "Code");
    if (jstream_num(code, &c) == 0 && c == 0)
        return CM_OK;
    reason = jstream_str(v, "Reason");
    msg = jstream_str(v, "UserMessage");
    return cm_fail(f->err, CM_EMALFORMED,
                   "%s: the Fronius device answered with an error "
                   "(Head.Status.Code %.16s): %.100s%s%.100s",
                   f->src->name,
                   code && code->type == yajl_t_number ? code->u.number.r : "?",
                   reason && reason[0] ? reason : "no reason given",
                   msg && msg[0] ? " " : "", msg ? msg : "");
}

int
imp_fronius_parse(struct imp_src *src, struct imp_sink *k,
                  const struct imp_opts *o, struct cm_err *err)
{
    struct fr       f = {src, k, err, 0};
    struct jstream *js = jstream_new(fr_paths, fr_cb, &f, CM_IMP_VALUE_MAX);
    int             rc = jstream_run(js, src, err);

    (void) o;
    jstream_free(js);
    if (rc == CM_OK && !f.status_seen)
        rc = cm_fail(err, CM_EMALFORMED,
                     "%s: not a Fronius Solar API answer: no Head.Status",
                     src->name);
    return rc;
}
