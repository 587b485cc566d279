/*
** imp_mapped.c -- "mapped" CSV: any delimited export, described by a small
** mapping file (consometer import --format mapped --mapping FILE), for the
** systems that have no importer of their own. Never detected: only
** --format mapped says a file is one. French exports use ';' and a decimal
** comma:
**
**   # mapping of the school's heat meter export
**   separator = ;            # ';' (default), ',' or 'tab'
**   decimal = ,              # '.' (default) or ','
**   time_column = Date       # header name of the time column
**   time_format = %d/%m/%Y %H:%M   # ts_parse_fmt() codes, or 'iso'
**   time_zone = Europe/Paris # of times without an offset (default), or UTC
**   ambiguous = error        # the hour repeated in October, see below
**   value_column = Index (kWh)
**   unit = kWh               # what the values are in
**   meter = school-heat      # a meter_id (source csv), or instead:
**   # source = zabbix / source_ref = 23296
**   kind = heat              # optional: checked against the registry
**   step = PT1H              # optional: else the meter's declared step
**   timestamp_marks = start  # 'start' (default) or 'end' of the interval
**   counter = no             # 'yes': values are a cumulative index
**
** One 'key = value' a line; '#' starts a comment at the start of a line or
** after a space. Unknown or repeated keys, missing required ones
** (time_column, value_column, unit, and meter or source + source_ref) and
** bad values refuse the import with the mapping file's name and line
** (CM_EMALFORMED, like any unusable file: exit status 2, HTTP 422).
**
** Times. A local time in the hour skipped in March is rejected with its
** line. One in the hour repeated in October (02:00-02:59 on the last
** Sunday) is resolved as 'ambiguous' says:
**   error    (default) rejected, because guessing would silently put an
**            hour of energy in the wrong place;
**   earlier  summer time (UTC+2), the first pass;
**   later    winter time (UTC+1), the second pass;
**   order    the file lists both passes in time order: summer time, unless
**            that would not come after the previous row's time -- then it
**            is the second pass, winter time.
** With earlier or later, an export that lists both passes puts them on the
** same instants: the second pass is then a duplicate, unchanged if its
** value is the same (that half of the hour is lost) and rejected if not.
** Rows with an empty value are not rows to import: skipped, uncounted.
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "ts.h"

struct map {
    char         sep;
    int          decimal_comma;
    char         time_column[128];
    char         time_format[64]; /* "" = ISO 8601 */
    int          tz_paris;
    enum ts_fold fold;
    char         value_column[128];
    char         unit[16];
    char         kind[32];
    char         meter[128];
    char         source[16];
    char         source_ref[128];
    int          order; /* ambiguous = order */
    int64_t      step;  /* -1: the meter's */
    int          marks_end;
    int          counter;
};

/* Every key a mapping may give, in the order the comment above lists them. */
static const char *const map_keys[] = {
    "separator", "decimal",         "time_column",  "time_format",
    "time_zone", "ambiguous",       "value_column", "unit",
    "kind",      "meter",           "source",       "source_ref",
    "step",      "timestamp_marks", "counter",      NULL};

int
imp_mapped_detect(const char *p, size_t n)
{
    (void) p;
    (void) n;
    return 0; /* Any CSV could be mapped: only --format mapped says so */
}

static char *
map_trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s &&
           (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

static int
map_copy(char *dst, size_t dstsz, const char *v)
{
    if (strlen(v) >= dstsz || !*v)
        return -1;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* One 'key = value' of a known key; 0, or -1 for a bad value. */
static int
map_set(struct map *m, const char *key, const char *v)
{
    if (!strcmp(key, "separator")) {
        if (!strcmp(v, "tab"))
            m->sep = '\t';
        else if (!strcmp(v, ";") || !strcmp(v, ","))
            m->sep = v[0];
        else
            return -1;
    } else if (!strcmp(key, "decimal")) {
        if (strcmp(v, ".") && strcmp(v, ","))
            return -1;
        m->decimal_comma = v[0] == ',';
    } else if (!strcmp(key, "time_column"))
        return map_copy(m->time_column, sizeof(m->time_column), v);
    else if (!strcmp(key, "time_format")) {
        if (!strcmp(v, "iso"))
            m->time_format[0] = '\0';
        else
            return map_copy(m->time_format, sizeof(m->time_format), v);
    } else if (!strcmp(key, "time_zone")) {
        if (!strcmp(v, "Europe/Paris"))
            m->tz_paris = 1;
        else if (!strcmp(v, "UTC"))
            m->tz_paris = 0;
        else
            return -1;
    } else if (!strcmp(key, "ambiguous")) {
        if (!strcmp(v, "earlier"))
            m->fold = TS_FOLD_EARLIER;
        else if (!strcmp(v, "later"))
            m->fold = TS_FOLD_LATER;
        else if (!strcmp(v, "error"))
            m->fold = TS_FOLD_ERROR;
        else if (!strcmp(v, "order"))
            m->fold = TS_FOLD_EARLIER, m->order = 1;
        else
            return -1;
    } else if (!strcmp(key, "value_column"))
        return map_copy(m->value_column, sizeof(m->value_column), v);
    else if (!strcmp(key, "unit"))
        return map_copy(m->unit, sizeof(m->unit), v);
    else if (!strcmp(key, "kind"))
        return map_copy(m->kind, sizeof(m->kind), v);
    else if (!strcmp(key, "meter"))
        return map_copy(m->meter, sizeof(m->meter), v);
    else if (!strcmp(key, "source"))
        return map_copy(m->source, sizeof(m->source), v);
    else if (!strcmp(key, "source_ref"))
        return map_copy(m->source_ref, sizeof(m->source_ref), v);
    else if (!strcmp(key, "step"))
        return imp_parse_step(v, &m->step) == 0 && m->step > 0 ? 0 : -1;
    else if (!strcmp(key, "timestamp_marks")) {
        if (strcmp(v, "start") && strcmp(v, "end"))
            return -1;
        m->marks_end = !strcmp(v, "end");
    } else if (!strcmp(key, "counter")) {
        if (strcmp(v, "yes") && strcmp(v, "no"))
            return -1;
        m->counter = !strcmp(v, "yes");
    }
    return 0;
}

static int
map_load(const char *path, struct map *m, struct cm_err *err)
{
    char     line[1024];
    FILE    *f;
    int      lineno = 0;
    unsigned seen = 0; /* Bit i: map_keys[i] given */

    memset(m, 0, sizeof(*m));
    m->sep = ';';
    m->tz_paris = 1;
    m->fold = TS_FOLD_ERROR;
    m->step = -1;
    if (path == NULL)
        return cm_fail(err, CM_EMALFORMED,
                       "the mapped format needs --mapping FILE (see "
                       "'consometer import --help')");
    if ((f = fopen(path, "r")) == NULL)
        return cm_fail(err, CM_EMALFORMED, "mapping %s: %s", path,
                       strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        char *p = line, *eq, *hash, *key;
        int   i;

        if (lineno++ == 0 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
            memmove(p, p + 3, strlen(p + 3) + 1); /* Notepad's BOM */
        if (strchr(line, '\n') == NULL && !feof(f)) {
            fclose(f);
            return cm_fail(err, CM_EMALFORMED, "mapping %s:%d: line too long",
                           path, lineno);
        }
        if ((hash = strstr(line, " #")) != NULL || line[0] == '#')
            *(line[0] == '#' ? line : hash) = '\0';
        p = map_trim(line);
        if (*p == '\0')
            continue;
        if ((eq = strchr(p, '=')) == NULL) {
            fclose(f);
            return cm_fail(err, CM_EMALFORMED,
                           "mapping %s:%d: expected 'key = value'", path,
                           lineno);
        }
        *eq = '\0';
        key = map_trim(p);
        for (i = 0; map_keys[i] && strcmp(map_keys[i], key) != 0; i++)
            ;
        if (map_keys[i] == NULL || (seen & (1u << i))) {
            char list[256] = "";

            for (int j = 0; map_keys[j]; j++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list),
                         "%s%s", j ? ", " : "", map_keys[j]);
            fclose(f);
            if (map_keys[i] != NULL)
                return cm_fail(err, CM_EMALFORMED,
                               "mapping %s:%d: '%s' is given twice", path,
                               lineno, key);
            return cm_fail(err, CM_EMALFORMED,
                           "mapping %s:%d: unknown key '%.64s' (known: %s)",
                           path, lineno, key, list);
        }
        seen |= 1u << i;
        if (map_set(m, key, map_trim(eq + 1)) != 0) {
            fclose(f);
            return cm_fail(err, CM_EMALFORMED,
                           "mapping %s:%d: bad value for '%s': '%.64s'", path,
                           lineno, key, map_trim(eq + 1));
        }
    }
    if (ferror(f)) {
        fclose(f);
        return cm_fail(err, CM_EMALFORMED, "mapping %s: read error", path);
    }
    fclose(f);
    if (!m->time_column[0] || !m->value_column[0] || !m->unit[0])
        return cm_fail(err, CM_EMALFORMED,
                       "mapping %s: time_column, value_column and unit are "
                       "required",
                       path);
    if (!m->meter[0] == !(m->source[0] && m->source_ref[0]))
        return cm_fail(err, CM_EMALFORMED,
                       "mapping %s: give either meter, or source and "
                       "source_ref",
                       path);
    if (m->marks_end && m->step <= 0)
        return cm_fail(err, CM_EMALFORMED,
                       "mapping %s: timestamp_marks = end needs a step", path);
    return CM_OK;
}

/* UTC of a row's time; 'prev' is the previous row's (INT64_MIN: none). */
static int
map_time(const struct map *m, const struct ts_civil *tc, int64_t prev,
         int64_t *out, struct cm_err *e)
{
    int64_t later;

    if (ts_to_utc(tc, m->tz_paris, m->fold, out, e) != CM_OK)
        return e->code;
    /* ambiguous = order: a repeated time that would not come after the
    ** previous row is the second pass. 'later' equals *out for every
    ** time but the repeated hour. */
    if (m->order && *out <= prev &&
        ts_to_utc(tc, m->tz_paris, TS_FOLD_LATER, &later, e) == CM_OK &&
        later > prev)
        *out = later;
    return CM_OK;
}

int
imp_mapped_parse(struct imp_src *src, struct imp_sink *k,
                 const struct imp_opts *o, struct cm_err *err)
{
    struct map     m;
    struct csv    *c;
    struct csv_rec rec;
    int            tcol, vcol, rc, stop = CM_OK;
    int64_t        prev = INT64_MIN; /* Time of the previous row */

    if (map_load(o->mapping, &m, err) != CM_OK)
        return err->code;
    c = csv_new(src, m.sep, IMP_LINE_MAX);
    if ((rc = csv_next(c, &rec, err)) != 1) {
        if (rc == 0)
            cm_fail(err, CM_EMALFORMED,
                    "%s: empty file: a header line is "
                    "required",
                    src->name);
        csv_free(c);
        return err->code;
    }
    tcol = csv_col(&rec, m.time_column);
    vcol = csv_col(&rec, m.value_column);
    if (tcol < 0 || vcol < 0) {
        cm_fail(err, CM_EMALFORMED, "%s: line %ld: no column '%.64s'",
                src->name, rec.line, tcol < 0 ? m.time_column : m.value_column);
        csv_free(c);
        return err->code;
    }
    while ((rc = csv_next(c, &rec, err)) == 1) {
        struct imp_reading r;
        struct ts_civil    tc;
        struct cm_err      e;
        int                bad;

        if (rec.n <= tcol || rec.n <= vcol) {
            imp_reject(k, rec.line, "%d fields: no time or value", rec.n);
            continue;
        }
        if (rec.len[vcol] == 0)
            continue; /* No value at that time: nothing to import */
        memset(&r, 0, sizeof(r));
        bad = m.time_format[0]
                  ? ts_parse_fmt(rec.f[tcol], rec.len[tcol], m.time_format, &tc,
                                 &e)
                  : ts_parse_iso(rec.f[tcol], rec.len[tcol], &tc, &e);
        if (bad || map_time(&m, &tc, prev, &r.start, &e)) {
            imp_reject(k, rec.line, "%s: %s", m.time_column, e.msg);
            continue;
        }
        prev = r.start;
        if (csv_number(rec.f[vcol], m.decimal_comma, &r.value) != 0) {
            imp_reject(k, rec.line,
                       "%s '%.32s' is not a number (decimal "
                       "mark '%c')",
                       m.value_column, rec.f[vcol],
                       m.decimal_comma ? ',' : '.');
            continue;
        }
        r.source = m.meter[0] ? "csv" : m.source;
        r.ref = m.meter[0] ? m.meter : m.source_ref;
        r.kind = m.kind[0] ? m.kind : NULL;
        r.unit = m.unit;
        r.step = m.counter ? 0 : m.step;
        r.flags = m.counter ? IMP_INDEX : 0;
        if (m.marks_end && !m.counter)
            r.start -= m.step;
        r.line = rec.line;
        if ((stop = imp_emit(k, &r)) != CM_OK)
            break;
    }
    csv_free(c);
    if (stop != CM_OK)
        return stop;
    return rc < 0 ? err->code : CM_OK;
}
