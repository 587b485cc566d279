/*
** imp_adict.c -- GRDF ADICT gas consumption (Gazpar meters): the NDJSON
** of donnees_consos_publiees and donnees_consos_informatives, one object
** per period, and a status object {"code_statut_traitement": ...} after
** them.
**
** One reading per period for the meter whose source_ref is pce.id_pce,
** over [date_debut_consommation, date_fin_consommation): gas days run
** from 06:00 to 06:00 local time, so the step is the difference of the
** two timestamps (23 h or 25 h across a change of summer time), never an
** assumed 24 h. The value is 'energie' in kWh (PCS) as GRDF computed it
** from the unrounded volume; volume_brut is rounded to the m3 (1 m3 x
** 11.16 would say 11.16 kWh where GRDF measured 8), so the energy is
** never recomputed from it. Only a period without 'energie' falls back to
** volume_brut in m3 with coeff_calcul.coeff_conversion (units.c converts).
**
** The status object decides for the whole file: any code but "0000000000"
** means GRDF's extraction failed, and the file is refused quoting it. A
** file that does not end with a status object is refused as truncated: a
** cut download would otherwise import as a silently shorter history.
** Status objects between periods (responses joined with cat) are allowed;
** each must be OK.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "csv.h"
#include "imp_int.h"
#include "jstream.h"
#include "ts.h"
#include "text.h"

#define ADICT_OK "0000000000"

int
imp_adict_detect(const char *p, size_t n)
{
    while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, n--;
    /* A status object alone is an ADICT answer too: GRDF's refusal. */
    return (n >= 6 && memcmp(p, "{\"pce\"", 6) == 0) ||
           imp_first_line_has(p, n, "\"id_pce\"") ||
           imp_first_line_has(p, n, "\"code_statut_traitement\"");
}

/* A finite number (or a string holding one) into *out; 0 on success. */
static int
adict_num(yajl_val v, double *out)
{
    return jstream_num(v, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* The UTC seconds of consommation.<key>; -1 after rejecting the line. */
static int
adict_time(struct imp_sink *k, long line, yajl_val conso, const char *key,
           int64_t *out)
{
    const char     *s = jstream_str(conso, key);
    struct ts_civil tc;
    struct cm_err   e;

    if (s == NULL) {
        imp_reject(k, line, "consommation.%s is missing", key);
        return -1;
    }
    if (strlen(s) <= 10) { /* A bare date would put the gas day at 00:00 */
        imp_reject(k, line, "consommation.%s '%.32s' has no time of day", key,
                   s);
        return -1;
    }
    /* ADICT writes offsets; a time without one is Paris local time. */
    if (ts_parse_iso(s, strlen(s), &tc, &e) != CM_OK ||
        ts_to_utc(&tc, 1, TS_FOLD_ERROR, out, &e) != CM_OK) {
        imp_reject(k, line, "consommation.%s: %s", key, e.msg);
        return -1;
    }
    return 0;
}

/* One period object: emit its reading or reject it. */
static int
adict_period(struct imp_sink *k, yajl_val v, long line)
{
    struct imp_reading r;
    yajl_val           conso = jstream_get(v, "consommation");
    yajl_val           energie = jstream_get(conso, "energie");
    const char        *qualif = jstream_str(conso, "type_qualif_conso");
    int64_t            end;
    double             coeff;

    memset(&r, 0, sizeof(r));
    r.source = "grdf";
    r.kind = "gas";
    r.line = line;
    r.ref = jstream_str(jstream_get(v, "pce"), "id_pce");
    if (r.ref == NULL) {
        imp_reject(k, line, "no pce.id_pce: not an ADICT period");
        return CM_OK;
    }
    if (conso == NULL || conso->type != yajl_t_object) {
        /* GRDF reports a period it cannot give in statut_restitution. */
        yajl_val    st = jstream_get(v, "statut_restitution");
        const char *msg = jstream_str(st, "message");

        imp_reject(k, line, "no 'consommation' object%s%.120s",
                   msg ? ": GRDF says: " : "", msg ? msg : "");
        return CM_OK;
    }
    if (adict_time(k, line, conso, "date_debut_consommation", &r.start) ||
        adict_time(k, line, conso, "date_fin_consommation", &end))
        return CM_OK;
    r.step = end - r.start;
    if (r.step <= 0) {
        imp_reject(k, line,
                   "the period is empty or reversed: "
                   "date_fin_consommation <= date_debut_consommation");
        return CM_OK;
    }
    if (energie != NULL && energie->type != yajl_t_null) {
        if (adict_num(energie, &r.value) != 0) {
            imp_reject(k, line, "energie is not a number");
            return CM_OK;
        }
        r.unit = "kWh";
    } else if (adict_num(jstream_get(conso, "volume_brut"), &r.value) == 0 &&
               adict_num(jstream_get(jstream_get(conso, "coeff_calcul"),
                                     "coeff_conversion"),
                         &coeff) == 0) {
        r.unit = "m3";
        r.coeff = coeff;
    } else {
        imp_reject(k, line,
                   "no energie, and no volume_brut with "
                   "coeff_calcul.coeff_conversion to convert "
                   "(type_qualif_conso: %.40s)",
                   qualif ? qualif : "none");
        return CM_OK;
    }
    if (r.value < 0) {
        imp_reject(k, line, "negative consumption: %s %g %s",
                   strcmp(r.unit, "m3") == 0 ? "volume_brut" : "energie",
                   r.value, r.unit);
        return CM_OK;
    }
    return imp_emit(k, &r);
}

/* A status object: CM_OK, or the whole file refused with GRDF's words. */
static int
adict_status(struct imp_src *src, yajl_val v, long line, struct cm_err *err)
{
    yajl_val    code = jstream_get(v, "code_statut_traitement");
    const char *msg = jstream_str(v, "message_retour_traitement");
    const char *text = code && code->type == yajl_t_string   ? code->u.string
                       : code && code->type == yajl_t_number ? code->u.number.r
                                                             : "?";

    if (strcmp(text, ADICT_OK) == 0)
        return CM_OK;
    return cm_fail(err, CM_EMALFORMED,
                   "%s: line %ld: GRDF reports that the extraction failed "
                   "(code_statut_traitement %.16s: %.120s); nothing was "
                   "imported from this file",
                   src->name, line, text, msg ? msg : "no message");
}

/* Keep the first line of yajl's multi-line error text. */
static const char *
adict_yajl_msg(char *ebuf)
{
    ebuf[strcspn(ebuf, "\n")] = '\0';
    return ebuf[0] ? ebuf : "parse error";
}

int
imp_adict_parse(struct imp_src *src, struct imp_sink *k,
                const struct imp_opts *o, struct cm_err *err)
{
    struct csv *c = csv_new(src, ',', IMP_LINE_MAX);
    char       *line;
    size_t      len;
    long        lineno, last = 0;
    int         rc, stop = CM_OK, status_last = 0;

    (void) o;
    while ((rc = csv_line(c, &line, &len, &lineno, err)) == 1) {
        char     ebuf[160] = "";
        yajl_val v;

        if (strspn(line, " \t") == len)
            continue; /* Blank line */
        last = lineno;
        v = cm_json_guard(line, len, CM_JSON_DEPTH_MAX)
                ? NULL
                : yajl_tree_parse(line, ebuf, sizeof(ebuf));
        if (v == NULL && cm_json_guard(line, len, CM_JSON_DEPTH_MAX))
            snprintf(ebuf, sizeof(ebuf),
                     "nested deeper than %d levels or holding \\u0000",
                     CM_JSON_DEPTH_MAX);
        if (v == NULL || v->type != yajl_t_object) {
            imp_reject(k, lineno, "not a JSON object: %s",
                       v ? "another JSON value" : adict_yajl_msg(ebuf));
            yajl_tree_free(v);
            status_last = 0;
            continue;
        }
        status_last = jstream_get(v, "code_statut_traitement") != NULL;
        stop = status_last ? adict_status(src, v, lineno, err)
                           : adict_period(k, v, lineno);
        yajl_tree_free(v);
        if (stop != CM_OK)
            break;
    }
    csv_free(c);
    if (stop != CM_OK)
        return stop;
    if (rc < 0)
        return err->code;
    if (last == 0)
        return cm_fail(err, CM_EMALFORMED, "%s: the file is empty", src->name);
    if (!status_last)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: truncated: an ADICT file ends with a status "
                       "object {\"code_statut_traitement\":...}, and its "
                       "last line, %ld, is not one; download it again",
                       src->name, last);
    return CM_OK;
}
