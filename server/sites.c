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

/* A bad row refuses the file: the message names the file and line. */
#define SITES_BAD(...)                                                         \
    do {                                                                       \
        char m_[200];                                                          \
        snprintf(m_, sizeof(m_), __VA_ARGS__);                                 \
        return cm_fail(err, CM_EINVAL, "%s: line %ld: %s", src->name,          \
                       rec->line, m_);                                         \
    } while (0)

/* Check one row and write it; col[] maps the file's columns. */
typedef int (*sites_row_fn)(struct store *st, struct imp_src *src,
                            const struct csv_rec *rec, const int *col,
                            struct cm_err *err);

/*
** The shape both registry files share: a header mapped onto cols (the
** first nreq required), then one row_fn call per row, all in one
** transaction that any error rolls back.
*/
static int
sites_file(struct store *st, struct imp_src *src, const char *const *cols,
           int nreq, sites_row_fn row_fn, int64_t *n_rows, struct cm_err *err)
{
    struct csv    *c = csv_new(src, ',', CM_IMP_LINE_MAX);
    struct csv_rec rec;
    int            col[16], ncols, rc;

    *n_rows = 0;
    rc = csv_next(c, &rec, err);
    if (rc == 0)
        rc = cm_fail(err, CM_EMALFORMED,
                     "%s: empty file: the header line is required", src->name);
    else if (rc == 1)
        rc = imp_header(src->name, &rec, cols, nreq, col, &ncols, err);
    else
        rc = err->code;
    if (rc == CM_OK && (rc = store_begin(st, err)) == CM_OK) {
        int more;

        /* csv_next() says 1, 0 or -1; row_fn() a CM_ code: kept apart,
        ** since CM_EINVAL is 1 too. */
        while ((more = csv_next(c, &rec, err)) == 1) {
            if (rec.n != ncols)
                rc = cm_fail(err, CM_EINVAL,
                             "%s: line %ld: %d fields where the header has %d",
                             src->name, rec.line, rec.n, ncols);
            else
                rc = row_fn(st, src, &rec, col, err);
            if (rc != CM_OK)
                break;
            (*n_rows)++;
        }
        if (rc == CM_OK && more < 0)
            rc = err->code;
        if (rc == CM_OK)
            rc = store_commit(st, err);
        if (rc != CM_OK) {
            store_rollback(st);
            *n_rows = 0;
        }
    }
    csv_free(c);
    return rc;
}

static int
sites_row(struct store *st, struct imp_src *src, const struct csv_rec *rec,
          const int *col, struct cm_err *err)
{
    struct store_site s;
    double            area = 0;

    memset(&s, 0, sizeof(s));
    s.site_id = rec->f[col[0]];
    s.name = rec->f[col[1]];
    s.category = rec->f[col[2]];
    s.commune_insee = rec->f[col[4]];
    s.district = rec->f[col[5]];
    s.epci = rec->f[col[6]];
    if (!*s.site_id || !*s.name || !*s.category)
        SITES_BAD("site_id, name and category are required");
    if (*rec->f[col[3]] &&
        (csv_number(rec->f[col[3]], 0, &area) != 0 || area <= 0))
        SITES_BAD("floor_area_m2 '%.32s' is not a positive number",
                  rec->f[col[3]]);
    s.floor_area_m2 = area;
    if (*s.commune_insee && !sites_digits(s.commune_insee, 5, 1))
        SITES_BAD("commune_insee '%.32s' is not a 5-character INSEE code",
                  s.commune_insee);
    if (*s.epci && !sites_digits(s.epci, 9, 0))
        SITES_BAD("epci '%.32s' is not a 9-digit SIREN", s.epci);
    if (sites_bool(rec->f[col[7]], &s.public_) != 0)
        SITES_BAD("public is '%.32s'; write true or false", rec->f[col[7]]);
    return store_site_upsert(st, &s, err);
}

int
sites_import(struct store *st, struct imp_src *src, int64_t *n_rows,
             struct cm_err *err)
{
    static const char *const cols[] = {
        "site_id",       "name",          "category",
        "floor_area_m2", "commune_insee", "district",
        "epci",          "public",        NULL};

    return sites_file(st, src, cols, 8, sites_row, n_rows, err);
}

static int
meters_row(struct store *st, struct imp_src *src, const struct csv_rec *rec,
           const int *col, struct cm_err *err)
{
    struct store_meter_def m;
    struct cm_err          e;
    int                    kind, i;
    double                 probe;

    memset(&m, 0, sizeof(m));
    m.meter_id = rec->f[col[0]];
    m.site_id = rec->f[col[1]];
    m.kind = rec->f[col[2]];
    m.source = rec->f[col[3]];
    m.source_ref = rec->f[col[4]];
    m.step = -1;
    if (!*m.meter_id || !*m.site_id)
        SITES_BAD("meter_id and site_id are required");
    if ((kind = units_kind_find(m.kind)) < 0)
        SITES_BAD("unknown kind '%.32s' (electricity, pv, gas, heat, "
                  "solar_thermal, temperature)",
                  m.kind);
    for (i = 0; sites_sources[i] && strcmp(sites_sources[i], m.source); i++)
        ;
    if (sites_sources[i] == NULL)
        SITES_BAD("unknown source '%.32s' (csv, enedis, grdf, zabbix, "
                  "fronius, emoncms, senml)",
                  m.source);
    if (strcmp(m.source, "csv") != 0 && !*m.source_ref)
        SITES_BAD("source_ref is required for source %s", m.source);
    m.unit = col[5] >= 0 && *rec->f[col[5]]
                 ? rec->f[col[5]]
                 : units_kind_unit((enum units_kind) kind);
    /* The unit must be one units.c can convert for this kind. */
    if (units_to_canonical((enum units_kind) kind, m.unit, 1, 3600, 1, &probe,
                           &e) != CM_OK)
        SITES_BAD("unit: %.180s", e.msg);
    if (col[6] >= 0 && *rec->f[col[6]] &&
        imp_parse_step(rec->f[col[6]], &m.step) != 0)
        SITES_BAD("step '%.32s' is not seconds or an ISO 8601 duration "
                  "(PT30M, PT1H, P1D)",
                  rec->f[col[6]]);
    if (col[7] >= 0 && *rec->f[col[7]] &&
        sites_bool(rec->f[col[7]], &m.counter) != 0)
        SITES_BAD("counter is '%.32s'; write true or false", rec->f[col[7]]);
    if (store_meter_upsert(st, &m, &e) != CM_OK) {
        if (e.code != CM_ENOTFOUND)
            return cm_fail(err, e.code, "%s", e.msg);
        SITES_BAD("%.180s", e.msg);
    }
    return CM_OK;
}

int
meters_import(struct store *st, struct imp_src *src, int64_t *n_rows,
              struct cm_err *err)
{
    static const char *const cols[] = {"meter_id", "site_id",    "kind",
                                       "source",   "source_ref", "unit",
                                       "step",     "counter",    NULL};

    return sites_file(st, src, cols, 5, meters_row, n_rows, err);
}
