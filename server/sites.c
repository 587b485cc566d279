/*
** sites.c -- import of the site and meter registry files (see sites.h).
*/
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "imp_int.h"
#include "sites.h"
#include "store.h"
#include "units.h"

/* Sources a meter may name: the formats' source systems. */
static const char *const sites_sources[] = {
    "csv", "enedis", "grdf", "zabbix", "fronius", "emoncms", "senml", NULL};

static int
sites_bool(const char *s, int *out)
{
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes"))
        *out = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int
sites_digits(const char *s, size_t n, int allow_letters)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') ||
              (allow_letters && s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

/* Read and map the header, or fill err. */
static int
sites_header(struct csv *c, struct imp_src *src, const char *const *cols,
             int nreq, int *col, int *ncols, struct cm_err *err)
{
    struct csv_rec rec;
    int            rc = csv_next(c, &rec, err);

    if (rc == 0)
        return cm_fail(err, CM_EMALFORMED,
                       "%s: empty file: the header line "
                       "is required",
                       src->name);
    if (rc < 0)
        return err->code;
    return imp_header(src->name, &rec, cols, nreq, col, ncols, err);
}

#define SITES_BAD(line, ...)                                                   \
    do {                                                                       \
        char m_[200];                                                          \
        snprintf(m_, sizeof(m_), __VA_ARGS__);                                 \
        rc = cm_fail(err, CM_EINVAL, "%s: line %ld: %s", src->name, (line),    \
                     m_);                                                      \
        goto done;                                                             \
    } while (0)

int
sites_import(struct store *st, struct imp_src *src, int64_t *n_rows,
             struct cm_err *err)
{
    static const char *const cols[] = {
        "site_id",       "name",          "category",
        "floor_area_m2", "commune_insee", "district",
        "epci",          "public",        NULL};
    struct csv    *c = csv_new(src, ',', CM_IMP_LINE_MAX);
    struct csv_rec rec;
    int            col[9], ncols, rc;

    *n_rows = 0;
    if ((rc = sites_header(c, src, cols, 8, col, &ncols, err)) != CM_OK) {
        csv_free(c);
        return rc;
    }
    if ((rc = store_begin(st, err)) != CM_OK) {
        csv_free(c);
        return rc;
    }
    while ((rc = csv_next(c, &rec, err)) == 1) {
        struct store_site s;
        double            area = 0;

        if (rec.n != ncols)
            SITES_BAD(rec.line, "%d fields where the header has %d", rec.n,
                      ncols);
        memset(&s, 0, sizeof(s));
        s.site_id = rec.f[col[0]];
        s.name = rec.f[col[1]];
        s.category = rec.f[col[2]];
        s.commune_insee = rec.f[col[4]];
        s.district = rec.f[col[5]];
        s.epci = rec.f[col[6]];
        if (!*s.site_id || !*s.name || !*s.category)
            SITES_BAD(rec.line, "site_id, name and category are required");
        if (*rec.f[col[3]] &&
            (csv_number(rec.f[col[3]], 0, &area) != 0 || area <= 0))
            SITES_BAD(rec.line,
                      "floor_area_m2 '%.32s' is not a positive "
                      "number",
                      rec.f[col[3]]);
        s.floor_area_m2 = area;
        if (*s.commune_insee && !sites_digits(s.commune_insee, 5, 1))
            SITES_BAD(rec.line,
                      "commune_insee '%.32s' is not a 5-character "
                      "INSEE code",
                      s.commune_insee);
        if (*s.epci && !sites_digits(s.epci, 9, 0))
            SITES_BAD(rec.line, "epci '%.32s' is not a 9-digit SIREN", s.epci);
        if (sites_bool(rec.f[col[7]], &s.public_) != 0)
            SITES_BAD(rec.line, "public is '%.32s'; write true or false",
                      rec.f[col[7]]);
        if ((rc = store_site_upsert(st, &s, err)) != CM_OK)
            goto done;
        (*n_rows)++;
    }
    rc = rc < 0 ? err->code : CM_OK;
done:
    if (rc == CM_OK)
        rc = store_commit(st, err);
    if (rc != CM_OK) {
        store_rollback(st);
        *n_rows = 0;
    }
    csv_free(c);
    return rc;
}

int
meters_import(struct store *st, struct imp_src *src, int64_t *n_rows,
              struct cm_err *err)
{
    static const char *const cols[] = {"meter_id", "site_id",    "kind",
                                       "source",   "source_ref", "unit",
                                       "step",     "counter",    NULL};
    struct csv              *c = csv_new(src, ',', CM_IMP_LINE_MAX);
    struct csv_rec           rec;
    int                      col[8], ncols, rc;

    *n_rows = 0;
    if ((rc = sites_header(c, src, cols, 5, col, &ncols, err)) != CM_OK) {
        csv_free(c);
        return rc;
    }
    if ((rc = store_begin(st, err)) != CM_OK) {
        csv_free(c);
        return rc;
    }
    while ((rc = csv_next(c, &rec, err)) == 1) {
        struct store_meter_def m;
        struct cm_err          e;
        int                    kind, i;
        double                 probe;

        if (rec.n != ncols)
            SITES_BAD(rec.line, "%d fields where the header has %d", rec.n,
                      ncols);
        memset(&m, 0, sizeof(m));
        m.meter_id = rec.f[col[0]];
        m.site_id = rec.f[col[1]];
        m.kind = rec.f[col[2]];
        m.source = rec.f[col[3]];
        m.source_ref = rec.f[col[4]];
        m.step = -1;
        if (!*m.meter_id || !*m.site_id)
            SITES_BAD(rec.line, "meter_id and site_id are required");
        if ((kind = units_kind_find(m.kind)) < 0)
            SITES_BAD(rec.line,
                      "unknown kind '%.32s' (electricity, pv, gas, "
                      "heat, solar_thermal, temperature)",
                      m.kind);
        for (i = 0; sites_sources[i] && strcmp(sites_sources[i], m.source); i++)
            ;
        if (sites_sources[i] == NULL)
            SITES_BAD(rec.line,
                      "unknown source '%.32s' (csv, enedis, grdf, "
                      "zabbix, fronius, emoncms, senml)",
                      m.source);
        if (strcmp(m.source, "csv") != 0 && !*m.source_ref)
            SITES_BAD(rec.line, "source_ref is required for source %s",
                      m.source);
        m.unit = col[5] >= 0 && *rec.f[col[5]]
                     ? rec.f[col[5]]
                     : units_kind_unit((enum units_kind) kind);
        /* The unit must be one units.c can convert for this kind. */
        if (units_to_canonical((enum units_kind) kind, m.unit, 1, 3600, 1,
                               &probe, &e) != CM_OK)
            SITES_BAD(rec.line, "unit: %.180s", e.msg);
        if (col[6] >= 0 && *rec.f[col[6]] &&
            imp_parse_step(rec.f[col[6]], &m.step) != 0)
            SITES_BAD(rec.line,
                      "step '%.32s' is not seconds or an ISO 8601 "
                      "duration (PT30M, PT1H, P1D)",
                      rec.f[col[6]]);
        if (col[7] >= 0 && *rec.f[col[7]] &&
            sites_bool(rec.f[col[7]], &m.counter) != 0)
            SITES_BAD(rec.line, "counter is '%.32s'; write true or false",
                      rec.f[col[7]]);
        if ((rc = store_meter_upsert(st, &m, err)) != CM_OK) {
            char why[256];

            snprintf(why, sizeof(why), "%s", err->msg);
            SITES_BAD(rec.line, "%.180s", why);
        }
        (*n_rows)++;
    }
    rc = rc < 0 ? err->code : CM_OK;
done:
    if (rc == CM_OK)
        rc = store_commit(st, err);
    if (rc != CM_OK) {
        store_rollback(st);
        *n_rows = 0;
    }
    csv_free(c);
    return rc;
}
