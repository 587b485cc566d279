/*
** imp_emoncms.c -- emoncms (OpenEnergyMonitor) feed data: the answer of
** feed/data.json, [[time, value], ...], with time in milliseconds since
** 1970 (timeformat=unixms, the default) or in seconds (timeformat=unix):
** a time below 10^11 is read as seconds (in milliseconds it would be
** 1973). Milliseconds are dropped: the store's resolution is the second.
**
** The data do not name their feed; the file name does: "feed-<id>.json"
** or "<id>.json" (in any folder) holds the readings of the meter whose
** source "emoncms" has source_ref "<id>". Any other name refuses the file,
** so that a feed is never filed under a guessed meter.
**
** A feed is a power, an energy or a temperature and its data do not say
** which: the registry does, as for Zabbix. Readings go out with no unit and
** step -1, so the driver applies the meter's declared unit, step and
** counter flag: "W" with step 10 (the feed's interval) is the mean power
** over [time, time + 10 s); "kWh" with the counter flag is a cumulative
** feed (emoncms's "kWh" feeds) whose differences are stored; "degC" is an
** instant. The declared step, not the gap to the next point, keeps a value
** on the same reading whatever range of the feed a file holds.
** null values (nothing logged in that interval) are skipped uncounted.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "imp_int.h"
#include "jstream.h"

#define EMON_REF_MAX 20 /* Feed ids are integers */

enum { EMON_POINT, EMON_MESSAGE };

static const char *const emon_paths[] = {"[]", "message", NULL};

struct emon {
    struct imp_sink *k;
    const char      *ref;
    char             message[160]; /* emoncms's error answer, or "" */
};

/* Skip a UTF-8 BOM and white space. */
static const char *
emon_skip(const char *p, size_t *n)
{
    if (*n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, *n -= 3;
    while (*n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, (*n)--;
    return p;
}

int
imp_emoncms_detect(const char *p, size_t n)
{
    p = emon_skip(p, &n);
    if (n < 3 || p[0] != '[')
        return 0;
    p++, n--;
    p = emon_skip(p, &n);
    if (n < 2 || p[0] != '[')
        return 0;
    p++, n--;
    p = emon_skip(p, &n);
    return n > 0 && p[0] >= '0' && p[0] <= '9';
}

/* The feed id from the file name into ref; -1 if the name has none. */
static int
emon_ref(const char *name, char ref[EMON_REF_MAX + 1])
{
    const char *base = strrchr(name, '/');
    size_t      len;

    base = base ? base + 1 : name;
    if (strncmp(base, "feed-", 5) == 0)
        base += 5;
    len = strcspn(base, ".");
    if (len == 0 || len > EMON_REF_MAX || strspn(base, "0123456789") != len ||
        strcmp(base + len, ".json") != 0)
        return -1;
    memcpy(ref, base, len);
    ref[len] = '\0';
    return 0;
}

static int
emon_point(struct emon *e, yajl_val v, long offset)
{
    struct imp_reading r;
    double             t;

    if (v->type != yajl_t_array || v->u.array.len != 2) {
        imp_reject(e->k, offset, "not a [time, value] pair");
        return CM_OK;
    }
    if (v->u.array.values[1]->type == yajl_t_null)
        return CM_OK; /* Nothing logged */
    memset(&r, 0, sizeof(r));
    r.source = "emoncms";
    r.ref = e->ref;
    r.unit = NULL; /* The meter's unit, step and counter flag */
    r.step = -1;
    r.line = offset;
    if (v->u.array.values[0]->type != yajl_t_number ||
        jstream_num(v->u.array.values[0], &t) != 0 || !(t >= 0) || t >= 1e15) {
        imp_reject(e->k, offset,
                   "time is not milliseconds (or seconds) since 1970");
        return CM_OK;
    }
    r.start = (int64_t) (t >= 1e11 ? t / 1000 : t);
    if (v->u.array.values[1]->type != yajl_t_number ||
        jstream_num(v->u.array.values[1], &r.value) != 0 ||
        !isfinite(r.value)) {
        imp_reject(e->k, offset, "value is not a finite number");
        return CM_OK;
    }
    return imp_emit(e->k, &r);
}

static int
emon_cb(void *ud, int which, const char *key, yajl_val v, long offset)
{
    struct emon *e = ud;

    (void) key;
    if (which == EMON_POINT)
        return emon_point(e, v, offset);
    if (v->type == yajl_t_string) /* {"success":false,"message":"..."} */
        snprintf(e->message, sizeof(e->message), "%s", v->u.string);
    return CM_OK;
}

int
imp_emoncms_parse(struct imp_src *src, struct imp_sink *k,
                  const struct imp_opts *o, struct cm_err *err)
{
    char            ref[EMON_REF_MAX + 1];
    struct emon     e = {k, ref, ""};
    struct jstream *js;
    size_t          n = src->npeek;
    const char     *p = emon_skip(src->peek, &n);
    int             rc;

    (void) o;
    if (emon_ref(src->name, ref) != 0)
        return cm_fail(err, CM_EINVAL,
                       "%s: emoncms data do not name their feed: name the "
                       "file feed-<id>.json or <id>.json, <id> the feed id "
                       "(the source_ref of its meter)",
                       src->name);
    js = jstream_new(emon_paths, emon_cb, &e, CM_IMP_VALUE_MAX);
    rc = jstream_run(js, src, err);
    jstream_free(js);
    if (rc == CM_OK && (n == 0 || *p != '['))
        rc = cm_fail(err, CM_EMALFORMED,
                     "%s: not emoncms feed data ([[time, value], ...])%s%s",
                     src->name, e.message[0] ? ": emoncms says: " : "",
                     e.message);
    return rc;
}
