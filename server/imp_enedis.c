/*
** imp_enedis.c -- Enedis SGE "historique de mesures" and consumer CSV
** exports (Linky): UTF-8 with a BOM, ';' separators, and stacked sections,
** each opened by a header block:
**
**   Identifiant PRM;Type de donnees;Date de debut;...;Unite[;Pas en minutes]
**   09111642617347;Courbe de charge;20/10/2020;02/02/2022;...;W;
**   Horodate;Valeur
**   2021-01-07T14:00:00+01:00;1061
**
** Readings go out with source "enedis" and the PRM as ref.
** - Load curves ("Courbe de charge", Horodate;Valeur): average power in W
**   over the step; the timestamp marks the END of its interval, so the
**   reading starts one step earlier. The step is "Pas en minutes" when the
**   header gives it; otherwise the gap to the previous point when it is a
**   step Enedis uses (5, 10, 15, 30 or 60 min), else the last step seen (a
**   longer gap is missing points, not a longer interval). The first point
**   of a section waits for the second to know its step. Empty values are
**   missing points: skipped, not counted.
** - Daily indexes ("Index", ... EAS T): the cumulative total EAS T in Wh
**   goes out as a counter. Enedis labels the index at the start of local
**   day D as "D T00:00+02:00" in summer but "D T23:00+01:00" in winter
**   (checked against the load curve of the same meter: the difference of
**   the rows labelled D+1 and D is the energy of local day D, 20 711 Wh
**   on 2022-01-05). So the instant is local midnight of the date written,
**   whatever the clock time; the two rows the file gives for the October
**   change day are then the same index, once.
** - Other sections (daily maximum power, supplier calendars) are not
**   energies: skipped.
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
    int64_t      pas;       /* Step from the header, s; 0 if not given */
    int64_t      step;      /* Step in use, s; 0 until known */
    int64_t      prev_end;  /* End of the previous point, 0 if none */
    int          col_total; /* EAS T column of an index section */
    /* The first point of a curve, waiting for its step */
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

static int
en_emit_curve(struct imp_sink *k, const struct en_state *s, int64_t end,
              double value, long line)
{
    struct imp_reading r;

    memset(&r, 0, sizeof(r));
    r.source = "enedis";
    r.ref = s->prm;
    r.unit = s->unit;
    r.start = end - s->step;
    r.step = s->step;
    r.value = value;
    r.line = line;
    return imp_emit(k, &r);
}

/* Flush a first point that never learnt its step. */
static void
en_end_section(struct imp_sink *k, struct en_state *s)
{
    if (s->pending)
        imp_reject(k, s->p_line,
                   "a load curve of one point: its step is unknown (give "
                   "'Pas en minutes')");
    s->pending = 0;
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
    int64_t         end;
    double          v;
    int             rc;

    if (rec->n < 2) {
        imp_reject(k, rec->line, "expected Horodate;Valeur");
        return CM_OK;
    }
    if (ts_parse_iso(rec->f[0], rec->len[0], &tc, &e) ||
        ts_to_utc(&tc, 1, TS_FOLD_ERROR, &end, &e)) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    if (!tc.has_offset) {
        imp_reject(k, rec->line, "Horodate '%.40s' has no offset", rec->f[0]);
        return CM_OK;
    }
    if (s->prev_end && end <= s->prev_end) {
        imp_reject(k, rec->line, "Horodate goes backwards");
        return CM_OK;
    }
    if (s->pas)
        s->step = s->pas;
    else if (s->prev_end && en_standard_step(end - s->prev_end))
        s->step = end - s->prev_end;
    s->prev_end = end;
    if (s->pending && s->step) { /* The first point learns its step */
        s->pending = 0;
        if ((rc = en_emit_curve(k, s, s->p_end, s->p_value, s->p_line)))
            return rc;
    }
    if (rec->len[1] == 0)
        return CM_OK; /* A missing point */
    if (csv_number(rec->f[1], 1, &v) != 0) {
        imp_reject(k, rec->line, "Valeur '%.32s' is not a number", rec->f[1]);
        return CM_OK;
    }
    if (s->step == 0) {
        s->pending = 1;
        s->p_end = end;
        s->p_value = v;
        s->p_line = rec->line;
        return CM_OK;
    }
    return en_emit_curve(k, s, end, v, rec->line);
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
    if (ts_parse_iso(rec->f[0], rec->len[0], &tc, &e)) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    tc.hour = tc.minute = tc.second = 0; /* Midnight of the date written */
    tc.has_offset = 0;
    if (ts_to_utc(&tc, 1, TS_FOLD_ERROR, &r.start, &e)) {
        imp_reject(k, rec->line, "Horodate: %s", e.msg);
        return CM_OK;
    }
    if (csv_number(rec->f[s->col_total], 1, &r.value) != 0) {
        imp_reject(k, rec->line, "EAS T '%.32s' is not a number",
                   rec->f[s->col_total]);
        return CM_OK;
    }
    r.source = "enedis";
    r.ref = s->prm;
    r.unit = s->unit;
    r.flags = IMP_INDEX;
    r.line = rec->line;
    return imp_emit(k, &r);
}

/* The two lines after "Identifiant PRM;...": values, then column names. */
static int
en_header(struct csv *c, struct imp_src *src, struct imp_sink *k,
          struct en_state *s, const struct csv_rec *names, struct cm_err *err)
{
    struct csv_rec rec;
    int            unit_col = csv_col(names, "Unite");
    int            pas_col = csv_col(names, "Pas en minutes");
    int            rc;

    en_end_section(k, s);
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
    snprintf(s->unit, sizeof(s->unit), "%s",
             unit_col >= 0 && unit_col < rec.n && rec.len[unit_col]
                 ? rec.f[unit_col]
             : s->mode == EN_INDEX ? "Wh"
                                   : "W");
    if (pas_col >= 0 && pas_col < rec.n && rec.len[pas_col]) {
        double pas;

        if (csv_number(rec.f[pas_col], 0, &pas) != 0 || pas <= 0 || pas > 1440)
            return cm_fail(err, CM_EMALFORMED,
                           "%s: line %ld: 'Pas en minutes' is '%.16s'",
                           src->name, rec.line, rec.f[pas_col]);
        s->pas = (int64_t) pas * 60;
    }
    if ((rc = csv_next(c, &rec, err)) != 1)
        goto cut;
    if (rec.n < 2 || strcmp(rec.f[0], "Horodate") != 0)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: line %ld: expected the column names "
                       "(Horodate;...)",
                       src->name, rec.line);
    if (s->mode == EN_INDEX && (s->col_total = csv_col(&rec, "EAS T")) < 0)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: line %ld: an index section without EAS T",
                       src->name, rec.line);
    return CM_OK;
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
            en_end_section(k, &s);
            s.mode = EN_SKIP; /* A calendar section */
            continue;
        }
        if (s.mode == EN_CURVE)
            stop = en_curve_row(k, &s, &rec);
        else if (s.mode == EN_INDEX)
            stop = en_index_row(k, &s, &rec);
        if (stop != CM_OK)
            break;
    }
    if (stop == CM_OK && rc == 0) {
        en_end_section(k, &s);
        if (first)
            stop = cm_fail(err, CM_EMALFORMED, "%s: empty file", src->name);
    }
    csv_free(c);
    if (stop != CM_OK)
        return stop;
    return rc < 0 ? err->code : CM_OK;
}
