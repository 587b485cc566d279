/*
** imp_zabbix.c -- Zabbix item history: the output of the API's
** history.get (the whole JSON-RPC response, or its "result" array alone)
** and the NDJSON files of Zabbix's real-time export (one item value per
** line, with itemid, clock, ns, value, type, host, groups, item_tags).
**
** Each value is one reading of the meter whose source_ref is its itemid,
** at 'clock' (UTC seconds). 'ns' is dropped: the store's resolution is
** the second, so two values of one item in the same second collide (the
** driver reports the second as a duplicate).
**
** Zabbix does not say what an item measures; the registry does. The
** reading goes out with no unit (NULL) and step -1, so the driver applies
** what the meter declares: its unit ("degC" for a temperature, "W" for a
** power sampled every 'step' seconds and taken as the mean over that
** interval, "kWh" or "Wh" for energies), its step, and its counter flag
** (a kWh index: the differences of successive values are the energies of
** the intervals between them, and a fall is reported as a counter reset).
** Counters need their values in time order: call history.get with
** "sortfield":"clock","sortorder":"ASC".
**
** Values must be numbers (history.get writes them as strings, "0.085").
** An export file carries every item of the server: lines of character,
** log, text and binary items (type 1, 2, 4, 5) are not measurements and
** are skipped without counting; a trends file is refused line by line
** with a message that says so.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "csv.h"
#include "imp_int.h"
#include "jstream.h"
#include "text.h"

#define ZBX_REF_MAX 32 /* itemids are 64-bit integers: 20 digits */

/* Skip a UTF-8 BOM and white space. */
static const char *
zbx_skip(const char *p, size_t *n)
{
    if (*n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, *n -= 3;
    while (*n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, (*n)--;
    return p;
}

/* 1 if the file is NDJSON: a first line that is one history object. */
static int
zbx_is_ndjson(const char *p, size_t n)
{
    p = zbx_skip(p, &n);
    return n > 0 && *p == '{' && imp_first_line_has(p, n, "\"itemid\"") &&
           !imp_first_line_has(p, n, "\"jsonrpc\"") &&
           !imp_first_line_has(p, n, "\"result\"");
}

int
imp_zabbix_detect(const char *p, size_t n)
{
    p = zbx_skip(p, &n);
    if (n == 0)
        return 0;
    if (*p == '{' && memmem(p, n, "\"jsonrpc\"", 9) != NULL)
        return memmem(p, n, "\"result\"", 8) != NULL ||
               memmem(p, n, "\"error\"", 7) != NULL;
    /* The result array alone, or an export file: the first object of
    ** either names an item and a time. */
    if (*p == '[' || *p == '{')
        return memmem(p, n, "\"itemid\"", 8) != NULL &&
               memmem(p, n, "\"clock\"", 7) != NULL;
    return 0;
}

/* The text of a string or a number ("23296" or 23296), else NULL. */
static const char *
zbx_text(yajl_val v)
{
    if (v != NULL && v->type == yajl_t_string)
        return v->u.string;
    if (v != NULL && v->type == yajl_t_number)
        return v->u.number.r;
    return NULL;
}

/* The itemid (a string in the API, a number in exports) into ref. */
static int
zbx_ref(yajl_val v, char ref[ZBX_REF_MAX + 1])
{
    const char *s = zbx_text(v);

    if (s == NULL || s[0] == '\0' || strlen(s) > ZBX_REF_MAX)
        return -1;
    strcpy(ref, s);
    return 0;
}

/* Whole seconds since 1970, from "1351090996" or 1351090996. */
static int
zbx_clock(yajl_val v, int64_t *out)
{
    const char *s = zbx_text(v);
    char       *end;
    long long   t;

    if (s == NULL || s[0] < '0' || s[0] > '9' || strlen(s) > 12)
        return -1;
    t = strtoll(s, &end, 10);
    if (*end != '\0')
        return -1;
    *out = t;
    return 0;
}

/* A finite number: JSON's, or a string holding one written strictly
** (csv_number refuses "abc", "NaN", "inf", " 1"). */
static int
zbx_value(yajl_val v, double *out)
{
    if (v != NULL && v->type == yajl_t_string)
        return csv_number(v->u.string, 0, out);
    return jstream_num(v, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* One history object: emit its reading, reject it or skip it. */
static int
zbx_one(struct imp_sink *k, yajl_val v, long line)
{
    struct imp_reading r;
    char               ref[ZBX_REF_MAX + 1];
    yajl_val           type = jstream_get(v, "type");
    yajl_val           value = jstream_get(v, "value");
    double             t;

    if (v->type != yajl_t_object) {
        imp_reject(k, line,
                   "not a history object {\"itemid\",\"clock\","
                   "\"value\"}");
        return CM_OK;
    }
    if (jstream_num(type, &t) == 0 && t != 0 && t != 3)
        return CM_OK; /* Text, log, character, binary: not a measurement */
    if (zbx_ref(jstream_get(v, "itemid"), ref) != 0) {
        imp_reject(k, line, "no itemid");
        return CM_OK;
    }
    memset(&r, 0, sizeof(r));
    r.source = "zabbix";
    r.ref = ref;
    r.unit = NULL; /* The meter's declared unit, step and counter flag */
    r.step = -1;
    r.line = line;
    if (zbx_clock(jstream_get(v, "clock"), &r.start) != 0) {
        imp_reject(k, line, "item %s: clock is not whole seconds since 1970",
                   ref);
        return CM_OK;
    }
    if (value == NULL) {
        imp_reject(k, line, "item %s: no value%s", ref,
                   jstream_get(v, "avg") ? " (a trend line: import the "
                                           "history export, not trends)"
                                         : "");
        return CM_OK;
    }
    if (zbx_value(value, &r.value) != 0) {
        if (zbx_text(value) != NULL)
            imp_reject(k, line, "item %s: value '%.32s' is not a number", ref,
                       zbx_text(value));
        else
            imp_reject(k, line, "item %s: value is not a number", ref);
        return CM_OK;
    }
    return imp_emit(k, &r);
}

/* ---- NDJSON: the real-time export -------------------------------------- */

static int
zbx_ndjson(struct imp_src *src, struct imp_sink *k, struct cm_err *err)
{
    struct csv *c = csv_new(src, ',', IMP_LINE_MAX);
    char       *line;
    size_t      len;
    long        lineno;
    int         rc, stop = CM_OK;

    while ((rc = csv_line(c, &line, &len, &lineno, err)) == 1) {
        char     ebuf[160] = "";
        yajl_val v;

        if (strspn(line, " \t") == len)
            continue;
        if (cm_json_guard(line, len, CM_JSON_DEPTH_MAX)) {
            imp_reject(k, lineno,
                       "not JSON: nested deeper than %d levels or "
                       "holding \\u0000",
                       CM_JSON_DEPTH_MAX);
            continue;
        }
        if ((v = yajl_tree_parse(line, ebuf, sizeof(ebuf))) == NULL) {
            ebuf[strcspn(ebuf, "\n")] = '\0'; /* yajl's first line */
            imp_reject(k, lineno, "not JSON: %s", ebuf);
            continue;
        }
        stop = zbx_one(k, v, lineno);
        yajl_tree_free(v);
        if (stop != CM_OK)
            break;
    }
    csv_free(c);
    if (stop != CM_OK)
        return stop;
    return rc < 0 ? err->code : CM_OK;
}

/* ---- one JSON document: history.get ------------------------------------ */

enum { ZBX_RESULT, ZBX_ARRAY, ZBX_ERROR, ZBX_RPC };

static const char *const zbx_paths[] = {"result[]", "[]", "error", "jsonrpc",
                                        NULL};

struct zbx_doc {
    struct imp_src  *src;
    struct imp_sink *k;
    struct cm_err   *err;
    int              rpc; /* The "jsonrpc" member was seen */
};

static int
zbx_doc_cb(void *ud, int which, const char *key, yajl_val v, long offset)
{
    struct zbx_doc *d = ud;

    (void) key;
    switch (which) {
    case ZBX_RESULT:
    case ZBX_ARRAY: /* No lines in one document: the byte offset instead */
        return zbx_one(d->k, v, offset);
    case ZBX_ERROR: { /* {"code":-32602,"message":"...","data":"..."} */
        const char *msg = jstream_str(v, "message");
        const char *data = jstream_str(v, "data");

        if (v->type == yajl_t_null) /* "error":null beside a result */
            return CM_OK;
        return cm_fail(d->err, CM_EMALFORMED,
                       "%s: the Zabbix API answered with an error, not "
                       "values: %.80s%s%.100s",
                       d->src->name, msg ? msg : "(no message)",
                       data ? " " : "", data ? data : "");
    }
    default:
        d->rpc = 1;
        return CM_OK;
    }
}

static int
zbx_document(struct imp_src *src, struct imp_sink *k, struct cm_err *err)
{
    struct zbx_doc  d = {src, k, err, 0};
    struct jstream *js =
        jstream_new(zbx_paths, zbx_doc_cb, &d, CM_IMP_VALUE_MAX);
    size_t      n = src->npeek;
    const char *p = zbx_skip(src->peek, &n);
    int         rc = jstream_run(js, src, err);

    jstream_free(js);
    /* An object that is not a JSON-RPC response would import nothing
    ** and say nothing: refuse it. */
    if (rc == CM_OK && n > 0 && *p == '{' && !d.rpc)
        rc = cm_fail(err, CM_EMALFORMED,
                     "%s: not a history.get response: no \"jsonrpc\" member "
                     "(expected {\"jsonrpc\":\"2.0\",\"result\":[...]} or "
                     "the result array)",
                     src->name);
    return rc;
}

int
imp_zabbix_parse(struct imp_src *src, struct imp_sink *k,
                 const struct imp_opts *o, struct cm_err *err)
{
    (void) o;
    return zbx_is_ndjson(src->peek, src->npeek) ? zbx_ndjson(src, k, err)
                                                : zbx_document(src, k, err);
}
