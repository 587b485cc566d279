/*
** imp_enedis.c -- Enedis SGE "historique de mesures" and consumer CSV
** exports (Linky): UTF-8 with a BOM (csv.c skips it), ';' separators, CRLF
** or LF, and stacked sections, each opened by a header block:
**
**   Identifiant PRM;Type de donnees;Date de debut;...;Unite[;Pas en minutes]
**   09111642617347;Courbe de charge;20/10/2020;02/02/2022;...;W;
**   Horodate;Valeur
**   2021-01-07T14:00:00+01:00;1061
**
** A line "Horodate;..." alone starts a new section of the same PRM and type.
** Readings go out with source "enedis", the PRM as ref, and the kind the
** "Grandeur metier" claims (Consommation: electricity, Production: pv), so
** a production curve never lands on a consumption meter.
** - Load curves ("Courbe de charge", Horodate;Valeur): average power in W
**   over the step; the timestamp marks the END of its interval, so the
**   reading starts one step earlier. The step is "Pas en minutes" when the
**   header gives it (it is empty when the step varied, as in the real
**   household file: 60 min, then 30). Otherwise it is the gap to the
**   previous point when that gap is a step Enedis uses (5, 10, 15, 30 or
**   60 min). A point with no such gap before it -- the first of a section,
**   or the first after missing rows -- waits for the next gap, and falls
**   back on the last step seen (a one-point curve is rejected: no step).
**   Empty values are missing points: not rows to import, not counted.
** - Daily indexes ("Index", ... EAS T): the cumulative total EAS T in Wh
**   goes out as a counter (IMP_INDEX). Enedis labels the index at the start
**   of local day D "D T00:00+02:00" in summer but "D T23:00+01:00" in
**   winter (checked against the load curve of the same meter: the rows
**   labelled D+1 and D differ by the energy of local day D, 20 711 Wh on
**   2022-01-05, and so for 367 of the file's days, the rest being days
**   with missing curve points). So the instant is local midnight of the
**   date written, whatever the clock time; the two rows the file gives for
**   the October change day are then the same index, counted once.
** - Other sections (daily maximum power "Puissance maximale quotidienne",
**   supplier calendars "Periode;...") are not energies: skipped, uncounted.
** Numbers take a decimal comma or point ("12,5", "12.5"). A bad time or
** number rejects its row; a file that does not start with the header
** block, or ends inside one, is refused whole (CM_EMALFORMED).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "ts.h"

enum en_mode { EN_NONE, EN_SKIP, EN_CURVE, EN_INDEX };

struct en_state {
    enum en_mode mode;
    char         prm[32];
    char         unit[16];
    const char  *kind;      /* Claimed kind, or NULL */
    int64_t      pas;       /* Step from the header, s; 0 if not given */
    int64_t      last_step; /* Last step in use, s; 0 until known */
    int64_t      prev_end;  /* End of the previous point, 0 if none */
    int          col_total; /* EAS T column of an index section */
    /* A point waiting for the next gap to learn its step */
    int     pending;
    int64_t p_end;
    double  p_value;
    long    p_line;
};

int
imp_enedis_detect(const char *p, size_t n)
{
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, n -= 3;
    return n >= 16 && memcmp(p, "Identifiant PRM;", 16) == 0;
}

/* Enedis writes integers; consumer exports opened in a French spreadsheet
** come back with decimal commas. No thousands separators either way. */
static int
en_number(const char *s, double *out)
{
    return csv_number(s, 0, out) == 0 || csv_number(s, 1, out) == 0 ? 0 : -1;
}

static int
en_emit_curve(struct imp_sink *k, const struct en_state *s, int64_t end,
              int64_t step, double value, long line)
{
    struct imp_reading r;

    memset(&r, 0, sizeof(r));
    r.source = "enedis";
    r.ref = s->prm;
    r.kind = s->kind;
    r.unit = s->unit;
    r.start = end - step;
    r.step = step;
    r.value = value;
    r.line = line;
    return imp_emit(k, &r);
}

/* Settle the waiting point with 'step' (0: none known, reject it). */
static int
en_flush(struct imp_sink *k, struct en_state *s, int64_t step)
{
    if (!s->pending)
        return CM_OK;
    s->pending = 0;
    if (step == 0) {
        imp_reject(k, s->p_line,
                   "the step of this point is unknown: no 'Pas en minutes' "
                   "and no 5, 10, 15, 30 or 60-minute gap around it");
        return CM_OK;
    }
    return en_emit_curve(k, s, s->p_end, step, s->p_value, s->p_line);
}

static int
en_standard_step(int64_t gap)
{
    return gap == 300 || gap == 600 || gap == 900 || gap == 1800 || gap == 3600;
}

static int
en_curve_row(struct imp_sink *k, struct en_state *s, struct csv_rec *rec)
{
    struct ts_civil tc;
    struct cm_err   e;
    int64_t         end, step = 0;
    double          v;
    int             rc;

    if (rec->n < 2) {
        imp_reject(k, rec->line, "expected Horodate;Valeur");
        return CM_OK;
    }
    if (ts_parse_iso(rec->f[0], rec->len[0], &tc, &e) != CM_OK) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    if (!tc.has_offset) { /* Enedis always writes one: keep the rule */
        imp_reject(k, rec->line, "Horodate '%.40s' has no UTC offset",
                   rec->f[0]);
        return CM_OK;
    }
    if (ts_to_utc(&tc, 1, TS_FOLD_ERROR, &end, &e) != CM_OK) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    if (s->prev_end && end <= s->prev_end) {
        imp_reject(k, rec->line, "Horodate '%.40s' %s the previous row's",
                   rec->f[0], end == s->prev_end ? "repeats" : "comes before");
        return CM_OK;
    }
    if (s->pas)
        step = s->pas;
    else if (s->prev_end && en_standard_step(end - s->prev_end))
        step = end - s->prev_end;
    /* The gap before this row is the one after the waiting point. */
    if ((rc = en_flush(k, s, step ? step : s->last_step)) != CM_OK)
        return rc;
    if (step)
        s->last_step = step;
    s->prev_end = end;
    if (rec->len[1] == 0)
        return CM_OK; /* A missing point */
    if (en_number(rec->f[1], &v) != 0) {
        imp_reject(k, rec->line, "Valeur '%.32s' is not a number", rec->f[1]);
        return CM_OK;
    }
    if (step == 0) {
        s->pending = 1;
        s->p_end = end;
        s->p_value = v;
        s->p_line = rec->line;
        return CM_OK;
    }
    return en_emit_curve(k, s, end, step, v, rec->line);
}

static int
en_index_row(struct imp_sink *k, struct en_state *s, struct csv_rec *rec)
{
    struct ts_civil    tc;
    struct cm_err      e;
    struct imp_reading r;

    if (rec->n <= s->col_total) {
        imp_reject(k, rec->line, "%d fields, no EAS T", rec->n);
        return CM_OK;
    }
    if (rec->len[s->col_total] == 0)
        return CM_OK; /* No index that day */
    memset(&r, 0, sizeof(r));
    if (ts_parse_iso(rec->f[0], rec->len[0], &tc, &e) != CM_OK) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    tc.hour = tc.minute = tc.second = 0; /* Midnight of the date written */
    tc.has_offset = 0;
    if (ts_to_utc(&tc, 1, TS_FOLD_ERROR, &r.start, &e) != CM_OK) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    if (en_number(rec->f[s->col_total], &r.value) != 0) {
        imp_reject(k, rec->line, "EAS T '%.32s' is not a number",
                   rec->f[s->col_total]);
        return CM_OK;
    }
    r.source = "enedis";
    r.ref = s->prm;
    r.kind = s->kind;
    r.unit = s->unit;
    r.flags = IMP_INDEX;
    r.line = rec->line;
    return imp_emit(k, &r);
}

/* A column-name line "Horodate;...": a section (re)starts, its curve
** chain with it. */
static int
en_columns(struct imp_src *src, struct imp_sink *k, struct en_state *s,
           const struct csv_rec *names, struct cm_err *err)
{
    int rc = en_flush(k, s, s->last_step);

    s->last_step = s->prev_end = 0;
    if (rc != CM_OK)
        return rc;
    if (names->n < 2 || strcmp(names->f[0], "Horodate") != 0)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: line %ld: expected the column names "
                       "(Horodate;...)",
                       src->name, names->line);
    if (s->mode == EN_INDEX && (s->col_total = csv_col(names, "EAS T")) < 0)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: line %ld: an index section without EAS T",
                       src->name, names->line);
    return CM_OK;
}

/* The two lines after "Identifiant PRM;...": values, then column names. */
static int
en_header(struct csv *c, struct imp_src *src, struct imp_sink *k,
          struct en_state *s, const struct csv_rec *names, struct cm_err *err)
{
    struct csv_rec rec;
    int            unit_col = csv_col(names, "Unite");
    int            pas_col = csv_col(names, "Pas en minutes");
    int            metier_col = csv_col(names, "Grandeur metier");
    int            rc;

    if ((rc = en_flush(k, s, s->last_step)) != CM_OK)
        return rc;
    memset(s, 0, sizeof(*s));
    if ((rc = csv_next(c, &rec, err)) != 1)
        goto cut;
    if (rec.len[0] == 0 || rec.len[0] >= sizeof(s->prm) || rec.n < 2)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: line %ld: no PRM under 'Identifiant PRM'",
                       src->name, rec.line);
    memcpy(s->prm, rec.f[0], rec.len[0] + 1);
    if (strcmp(rec.f[1], "Courbe de charge") == 0)
        s->mode = EN_CURVE;
    else if (strcmp(rec.f[1], "Index") == 0)
        s->mode = EN_INDEX;
    else
        s->mode = EN_SKIP;
    if (metier_col >= 0 && metier_col < rec.n)
        s->kind = !strcmp(rec.f[metier_col], "Consommation") ? "electricity"
                  : !strcmp(rec.f[metier_col], "Production") ? "pv"
                                                             : NULL;
    snprintf(s->unit, sizeof(s->unit), "%s",
             unit_col >= 0 && unit_col < rec.n && rec.len[unit_col]
                 ? rec.f[unit_col]
             : s->mode == EN_INDEX ? "Wh"
                                   : "W");
    if (pas_col >= 0 && pas_col < rec.n && rec.len[pas_col]) {
        double pas;

        if (csv_number(rec.f[pas_col], 0, &pas) != 0 || pas < 1 || pas > 1440 ||
            pas != (double) (int) pas)
            return cm_fail(err, CM_EMALFORMED,
                           "%s: line %ld: 'Pas en minutes' is '%.16s', not "
                           "a whole number of minutes",
                           src->name, rec.line, rec.f[pas_col]);
        s->pas = (int64_t) pas * 60;
    }
    if ((rc = csv_next(c, &rec, err)) != 1)
        goto cut;
    return en_columns(src, k, s, &rec, err);
cut:
    if (rc == 0)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: the file ends inside a section header", src->name);
    return err->code;
}

int
imp_enedis_parse(struct imp_src *src, struct imp_sink *k,
                 const struct imp_opts *o, struct cm_err *err)
{
    struct csv     *c = csv_new(src, ';', IMP_LINE_MAX);
    struct csv_rec  rec;
    struct en_state s;
    int             rc, stop = CM_OK, first = 1;

    (void) o;
    memset(&s, 0, sizeof(s));
    while ((rc = csv_next(c, &rec, err)) == 1) {
        if (strcmp(rec.f[0], "Identifiant PRM") == 0) {
            if ((stop = en_header(c, src, k, &s, &rec, err)) != CM_OK)
                break;
            first = 0;
            continue;
        }
        if (first) {
            stop = cm_fail(err, CM_EMALFORMED,
                           "%s: not an Enedis export: it should start with "
                           "'Identifiant PRM;'",
                           src->name);
            break;
        }
        if (strcmp(rec.f[0], "Periode") == 0) {
            stop = en_flush(k, &s, s.last_step);
            s.mode = EN_SKIP; /* A calendar section */
        } else if (strcmp(rec.f[0], "Horodate") == 0) {
            if (s.mode == EN_CURVE || s.mode == EN_INDEX)
                stop = en_columns(src, k, &s, &rec, err);
        } else if (s.mode == EN_CURVE)
            stop = en_curve_row(k, &s, &rec);
        else if (s.mode == EN_INDEX)
            stop = en_index_row(k, &s, &rec);
        if (stop != CM_OK)
            break;
    }
    if (stop == CM_OK && rc == 0) {
        stop = en_flush(k, &s, s.last_step);
        if (stop == CM_OK && first)
            stop = cm_fail(err, CM_EMALFORMED, "%s: empty file", src->name);
    }
    csv_free(c);
    if (stop != CM_OK)
        return stop;
    return rc < 0 ? err->code : CM_OK;
}
