/*
** imp_senml.c -- SenML packs in JSON (RFC 8428), as the Quoalise
** federation exchanges them: an array of records whose base fields (bn,
** bt, bu, bv, bs) apply to their record and every later one until set
** again. A record's name is bn + n, its time bt + t (seconds since 1970),
** its unit u or else bu, its value bv + v, its sum bs + s.
**
** Each record is one reading of the meter whose source "senml" has
** source_ref the resolved name ("urn:dev:prm:30001642617347_consumption/
** active_power/raw"). What it means follows from its unit:
**  - a sum (s) is a cumulative counter, "Wh" or "kWh": an index whose
**    differences the driver stores;
**  - a value (v) in a power or energy unit (W, kW, Wh, kWh, MWh) is the
**    mean power or the energy of the interval that STARTS at its time
**    (Quoalise stamps means at the beginning) and lasts until the next
**    record of the same name; the last one lasts as long as the one before
**    it, and a lone one, whose length nothing tells, is rejected;
**  - any other value is an instant: "Cel" is degC; with no unit at all,
**    the registry's unit and step apply, as for Zabbix.
** Times below 2^28 are relative to "now" (RFC 8428 4.5.3): they are
** rejected, since a stored reading needs its absolute time. Fractions of
** a second are dropped. Records whose value is a string, a boolean or
** data (vs, vb, vd) are not measurements and are rejected, as are records
** with a field the RFC says must be understood (a name ending in '_').
**
** Interval values wait for the next record of their name: one pending
** record per name, at most SML_NAMES_MAX names in a file.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "imp_int.h"
#include "jstream.h"
#include "mem.h"

#define SML_NAME_MAX 255 /* Resolved names, bytes */
#define SML_UNIT_MAX 15
#define SML_NAMES_MAX 4096          /* Names with an interval value pending */
#define SML_RELATIVE 268435456.0    /* 2^28 */
#define SML_TIME_MAX 253402300800.0 /* 10000-01-01 */

struct sml_pending { /* The last interval record of one name */
    char   *name;
    int     has;
    int64_t t, gap; /* gap: the previous interval's length, 0 if none */
    double  value;
    char    unit[SML_UNIT_MAX + 1];
    long    offset;
};

struct sml {
    struct imp_sink    *k;
    struct cm_err      *err;
    const char         *file;
    char                bn[SML_NAME_MAX + 1];
    char                bu[SML_UNIT_MAX + 1];
    double              bt, bv, bs;
    struct sml_pending *pend;
    size_t              npend;
};

static const char *const sml_paths[] = {"[]", NULL};

/* Index of the first byte of p[0..n) that is not JSON white space. */
static size_t
sml_skip(const char *p, size_t n, size_t i)
{
    while (i < n &&
           (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

int
imp_senml_detect(const char *p, size_t n)
{
    size_t i = sml_skip(p, n, 0);

    if (i == n || p[i] != '[')
        return 0;
    i = sml_skip(p, n, i + 1);
    return i < n && p[i] == '{' &&
           (memmem(p, n, "\"bn\"", 4) || memmem(p, n, "\"bt\"", 4) ||
            (memmem(p, n, "\"n\"", 3) &&
             (memmem(p, n, "\"v\"", 3) || memmem(p, n, "\"s\"", 3))));
}

/* A number field: 0 absent (*out untouched), 1 present, -1 not a number. */
static int
sml_num(yajl_val rec, const char *key, double *out)
{
    yajl_val v = jstream_get(rec, key);

    if (v == NULL)
        return 0;
    if (v->type != yajl_t_number || jstream_num(v, out) != 0 || !isfinite(*out))
        return -1;
    return 1;
}

/* A string field of at most 'max' bytes: 0 absent, 1 present, -1 bad. */
static int
sml_str(yajl_val rec, const char *key, size_t max, const char **out)
{
    yajl_val v = jstream_get(rec, key);

    if (v == NULL)
        return 0;
    if (v->type != yajl_t_string || strlen(v->u.string) > max)
        return -1;
    *out = v->u.string;
    return 1;
}

/* Power and energy units: their values cover an interval. */
static int
sml_is_interval(const char *unit)
{
    static const char *const u[] = {"W", "kW", "Wh", "kWh", "MWh", NULL};

    for (int i = 0; u[i]; i++)
        if (strcmp(unit, u[i]) == 0)
            return 1;
    return 0;
}

static int
sml_emit(struct sml *s, const char *name, int64_t t, int64_t step, double value,
         const char *unit, unsigned flags, long offset)
{
    struct imp_reading r;

    memset(&r, 0, sizeof(r));
    r.source = "senml";
    r.ref = name;
    r.unit = unit[0] ? unit : NULL;
    r.start = t;
    r.step = step;
    r.value = value;
    r.flags = flags;
    r.line = offset;
    return imp_emit(s->k, &r);
}

/* An interval value: emit the pending one of its name, now that its
** length is known, and hold this one. */
static int
sml_interval(struct sml *s, const char *name, int64_t t, double value,
             const char *unit, long offset)
{
    struct sml_pending *p = NULL;
    int                 rc = CM_OK;

    for (size_t i = 0; i < s->npend && p == NULL; i++)
        if (strcmp(s->pend[i].name, name) == 0)
            p = &s->pend[i];
    if (p == NULL) {
        if (s->npend == SML_NAMES_MAX)
            return cm_fail(s->err, CM_ELIMIT,
                           "%s: byte %ld: more than %d series in one SenML "
                           "pack",
                           s->file, offset, SML_NAMES_MAX);
        if ((s->npend & (s->npend - 1)) == 0) /* 0, 1, 2, 4...: grow */
            s->pend = cm_realloc(s->pend, (s->npend ? s->npend * 2 : 1) *
                                              sizeof(*s->pend));
        p = &s->pend[s->npend++];
        memset(p, 0, sizeof(*p));
        p->name = cm_strdup(name);
    }
    if (p->has) {
        if (t <= p->t) {
            imp_reject(s->k, offset,
                       "%.64s: times must increase within a series", name);
            return CM_OK;
        }
        p->gap = t - p->t;
        rc = sml_emit(s, name, p->t, p->gap, p->value, p->unit, 0, p->offset);
    }
    p->has = 1;
    p->t = t;
    p->value = value;
    snprintf(p->unit, sizeof(p->unit), "%s", unit);
    p->offset = offset;
    return rc;
}

/* The last interval value of each name lasts as long as the one before. */
static int
sml_finish(struct sml *s)
{
    int rc = CM_OK;

    for (size_t i = 0; i < s->npend && rc == CM_OK; i++) {
        struct sml_pending *p = &s->pend[i];

        if (!p->has)
            continue;
        if (p->gap == 0)
            imp_reject(s->k, p->offset,
                       "%.64s: a lone %s value: no next record tells the "
                       "interval it covers",
                       p->name, p->unit);
        else
            rc = sml_emit(s, p->name, p->t, p->gap, p->value, p->unit, 0,
                          p->offset);
    }
    return rc;
}

static int
sml_record(struct sml *s, yajl_val rec, long offset)
{
    const char *bn = NULL, *bu = NULL, *n = "", *u = NULL;
    double      bt = s->bt, bv = s->bv, bs = s->bs, t = 0, v = 0, sum = 0;
    char        name[SML_NAME_MAX + 2], unit[SML_UNIT_MAX + 1];
    int         has_v, has_s;

    if (rec->type != yajl_t_object) {
        imp_reject(s->k, offset, "not a SenML record (a JSON object)");
        return CM_OK;
    }
    for (size_t i = 0; i < rec->u.object.len; i++) {
        const char *key = rec->u.object.keys[i];

        if (key[0] && key[strlen(key) - 1] == '_') {
            imp_reject(s->k, offset, "field '%.32s' must be understood", key);
            return CM_OK;
        }
    }
    /* Base fields first: they apply to this record too. */
    if (sml_str(rec, "bn", SML_NAME_MAX, &bn) < 0 ||
        sml_str(rec, "bu", SML_UNIT_MAX, &bu) < 0 ||
        sml_num(rec, "bt", &bt) < 0 || sml_num(rec, "bv", &bv) < 0 ||
        sml_num(rec, "bs", &bs) < 0) {
        imp_reject(s->k, offset,
                   "a base field (bn, bt, bu, bv, bs) has the wrong type");
        return CM_OK;
    }
    if (bn)
        strcpy(s->bn, bn);
    if (bu)
        strcpy(s->bu, bu);
    s->bt = bt;
    s->bv = bv;
    s->bs = bs;

    if (sml_str(rec, "n", SML_NAME_MAX, &n) < 0 ||
        sml_str(rec, "u", SML_UNIT_MAX, &u) < 0 || sml_num(rec, "t", &t) < 0 ||
        (has_v = sml_num(rec, "v", &v)) < 0 ||
        (has_s = sml_num(rec, "s", &sum)) < 0) {
        imp_reject(s->k, offset,
                   "a field (n, t, u, v, s) has the wrong type "
                   "(numbers must be finite JSON numbers)");
        return CM_OK;
    }
    if ((size_t) snprintf(name, sizeof(name), "%s%s", s->bn, n) >
        SML_NAME_MAX) {
        imp_reject(s->k, offset, "name longer than %d bytes", SML_NAME_MAX);
        return CM_OK;
    }
    if (name[0] == '\0') {
        imp_reject(s->k, offset, "no name (bn + n)");
        return CM_OK;
    }
    t += s->bt;
    if (t < SML_RELATIVE) {
        imp_reject(s->k, offset,
                   "%.64s: time %.0f is relative to now (below 2^28): "
                   "absolute times are needed",
                   name, t);
        return CM_OK;
    }
    if (t >= SML_TIME_MAX) {
        imp_reject(s->k, offset, "%.64s: time %g is out of range", name, t);
        return CM_OK;
    }
    snprintf(unit, sizeof(unit), "%s", u ? u : s->bu); /* u overrides bu */
    if (strcmp(unit, "Cel") == 0)
        strcpy(unit, "degC"); /* SenML's name for the Celsius degree */
    if (has_s)
        return sml_emit(s, name, (int64_t) floor(t), 0, s->bs + sum, unit,
                        IMP_INDEX, offset);
    if (!has_v) {
        imp_reject(s->k, offset,
                   "%.64s: no numeric value (v or s); vs, vb and vd are not "
                   "measurements",
                   name);
        return CM_OK;
    }
    v += s->bv;
    if (sml_is_interval(unit))
        return sml_interval(s, name, (int64_t) floor(t), v, unit, offset);
    return sml_emit(s, name, (int64_t) floor(t), unit[0] ? 0 : -1, v, unit, 0,
                    offset);
}

static int
sml_cb(void *ud, int which, const char *key, yajl_val v, long offset)
{
    (void) which;
    (void) key;
    return sml_record(ud, v, offset);
}

int
imp_senml_parse(struct imp_src *src, struct imp_sink *k,
                const struct imp_opts *o, struct cm_err *err)
{
    struct sml      s;
    struct jstream *js;
    size_t          i = sml_skip(src->peek, src->npeek, 0);
    int             rc;

    (void) o;
    memset(&s, 0, sizeof(s));
    s.k = k;
    s.err = err;
    s.file = src->name;
    js = jstream_new(sml_paths, sml_cb, &s, CM_IMP_VALUE_MAX);
    rc = jstream_run(js, src, err);
    jstream_free(js);
    if (rc == CM_OK && (i == src->npeek || src->peek[i] != '['))
        rc = cm_fail(err, CM_EMALFORMED,
                     "%s: not a SenML pack: the document must be an array "
                     "of records",
                     src->name);
    if (rc == CM_OK)
        rc = sml_finish(&s);
    for (size_t j = 0; j < s.npend; j++)
        free(s.pend[j].name);
    free(s.pend);
    return rc;
}
