/*
** ds_manifest.c -- parse and validate dataset.json, and write it back in
** canonical form. The file is small, so it is read whole and walked as a
** yajl tree; every object is first checked against its table of allowed
** keys (unknown or repeated keys are errors), then each field is read with
** one typed helper that names the field's JSON path when it fails. The
** vocabularies (licences, frequencies, themes, enums) are tables here, and
** each error lists the rows, so a message never drifts from what parses.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "ds_manifest.h"
#include "mem.h"
#include "sdc.h" /* SDC_*_MIN_SITES, SDC_BUSINESS_MAX_SHARE: one source */
#include "units.h"

#define FREQ_URI "http://publications.europa.eu/resource/authority/frequency/"
#define THEME_URI "http://publications.europa.eu/resource/authority/data-theme/"

static const struct {
    const char *id, *url, *title;
} licenses[] = {
    {"etalab-2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
     "Licence Ouverte / Open Licence version 2.0"},
    {"odbl-1.0", "https://opendatacommons.org/licenses/odbl/1-0/",
     "Open Data Commons Open Database License (ODbL) 1.0"},
    {"cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/",
     "Creative Commons Attribution 4.0 International"},
    {"cc0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/",
     "Creative Commons Zero 1.0 Universal (CC0 1.0)"},
};

static const struct {
    const char *name, *uri;
} frequencies[] = {
    {"annual", FREQ_URI "ANNUAL"}, {"monthly", FREQ_URI "MONTHLY"},
    {"weekly", FREQ_URI "WEEKLY"}, {"daily", FREQ_URI "DAILY"},
    {"hourly", FREQ_URI "HOURLY"}, {"irregular", FREQ_URI "IRREG"},
};

/* The EU data-theme vocabulary; ENER is the default. */
#define THEME(code) THEME_URI code
static const char *const themes[] = {
    THEME("AGRI"),      THEME("ECON"), THEME("EDUC"), THEME("ENER"),
    THEME("ENVI"),      THEME("GOVE"), THEME("HEAL"), THEME("INTR"),
    THEME("JUST"),      THEME("REGI"), THEME("SOCI"), THEME("TECH"),
    THEME("OP_DATPRO"), THEME("TRAN"),
};
#define THEME_ENER 3
#define THEME_CODE(i) (themes[i] + strlen(THEME_URI))

static const char *const periods[] = {"hour", "day", "month", "year"};
static const char *const territories[] = {"site", "district", "commune",
                                          "epci"};
static const char *const policies[] = {"open", "aggregated"};
static const char *const measures[] = {"sum", "mean", "min", "max", "n_sites"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The keys each object may hold, NULL-terminated. */
static const char *const top_keys[] = {
    "slug",   "title",     "description", "license",  "publisher", "contact",
    "themes", "keywords",  "spatial",     "temporal", "frequency", "kinds",
    "period", "territory", "by_sector",   "measures", "privacy",   NULL};
static const char *const text_keys[] = {"fr", "en", NULL};
static const char *const temporal_keys[] = {"start", "end", NULL};
static const char *const privacy_keys[] = {"policy", "households", "min_sites",
                                           "max_share", NULL};

struct pctx { /* One parse: where errors go and how they name the file */
    const char    *file;
    struct cm_err *err;
};

/* Fail with CM_EINVAL naming the field at 'path'. */
static int bad(struct pctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct pctx *c, const char *path, const char *fmt, ...)
{
    char    msg[192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cm_fail(c->err, CM_EINVAL, "%s: %s: %s", c->file, path, msg);
    cm_err_what(c->err, "field", path);
    return CM_EINVAL;
}

/* "a, b, c" from a table of names, for messages. */
static void
join(char *buf, size_t size, const char *const *names, size_t n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && names[i] != NULL && len < size; i++)
        len += (size_t) snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
                                 names[i]);
}

static int
find_name(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (int) i;
    return -1;
}

static void
subpath(char *buf, size_t size, const char *prefix, const char *key)
{
    snprintf(buf, size, "%s%s%s", prefix, *prefix ? "." : "", key);
}

/* Refuse keys outside 'allowed' and keys given twice (yajl keeps both). */
static int
check_keys(struct pctx *c, yajl_val obj, const char *prefix,
           const char *const *allowed)
{
    char path[64], list[256];

    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *k = obj->u.object.keys[i];
        size_t      n = 0;

        subpath(path, sizeof(path), prefix, k);
        while (allowed[n] != NULL)
            n++;
        if (find_name(k, allowed, n) < 0) {
            join(list, sizeof(list), allowed, n);
            return bad(c, path, "unknown field; allowed: %s", list);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(obj->u.object.keys[j], k) == 0)
                return bad(c, path, "given twice");
    }
    return CM_OK;
}

static yajl_val
get(yajl_val obj, const char *key)
{
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* A required (or present) non-empty string; *out borrows the tree. */
static int
want_str(struct pctx *c, yajl_val v, const char *path, int required,
         const char **out)
{
    *out = NULL;
    if (v == NULL)
        return required ? bad(c, path, "missing (expected a string)") : CM_OK;
    if (!YAJL_IS_STRING(v))
        return bad(c, path, "expected a string");
    if (v->u.string[0] == '\0')
        return bad(c, path, "must not be empty");
    *out = v->u.string;
    return CM_OK;
}

static int
dup_str(struct pctx *c, yajl_val v, const char *path, int required, char **out)
{
    const char *s;
    int         rc = want_str(c, v, path, required, &s);

    *out = rc == CM_OK ? cm_strdup(s) : NULL;
    return rc;
}

/* A required string from 'names'; *out is its index. */
static int
want_enum(struct pctx *c, yajl_val v, const char *path,
          const char *const *names, size_t n, int *out)
{
    const char *s;
    char        list[128];
    int         rc = want_str(c, v, path, 1, &s);

    if (rc != CM_OK)
        return rc;
    if ((*out = find_name(s, names, n)) < 0) {
        join(list, sizeof(list), names, n);
        return bad(c, path, "unknown value \"%.40s\"; allowed: %s", s, list);
    }
    return CM_OK;
}

static int
want_obj(struct pctx *c, yajl_val v, const char *path,
         const char *const *allowed)
{
    if (!YAJL_IS_OBJECT(v))
        return bad(c, path, "expected an object");
    return check_keys(c, v, path, allowed);
}

static int
want_bool(struct pctx *c, yajl_val v, const char *path, int *out)
{
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return bad(c, path, "expected a boolean (true or false)");
    *out = YAJL_IS_TRUE(v);
    return CM_OK;
}

/* The index of a name in one of the vocabularies, or -1. */
typedef int (*find_fn)(const char *s);

static int
find_kind(const char *s)
{
    return units_kind_find(s);
}

static int
find_measure(const char *s)
{
    return find_name(s, measures, NELEM(measures));
}

/* A code ("ENER") or its URI. */
static int
find_theme(const char *s)
{
    if (strncmp(s, THEME_URI, strlen(THEME_URI)) == 0)
        s += strlen(THEME_URI);
    for (size_t i = 0; i < NELEM(themes); i++)
        if (strcmp(s, THEME_CODE(i)) == 0)
            return (int) i;
    return -1;
}

/* An array of names from a vocabulary, as a bit set; repeats refused. */
static int
want_set(struct pctx *c, yajl_val v, const char *path, find_fn find,
         const char *allowed, int nonempty, unsigned *out)
{
    char item[64];

    *out = 0;
    if (!YAJL_IS_ARRAY(v))
        return bad(c, path, "expected an array of strings");
    if (nonempty && v->u.array.len == 0)
        return bad(c, path, "must not be empty; allowed: %s", allowed);
    for (size_t i = 0; i < v->u.array.len; i++) {
        const char *s;
        int         k, rc;

        snprintf(item, sizeof(item), "%s[%zu]", path, i);
        if ((rc = want_str(c, v->u.array.values[i], item, 1, &s)) != CM_OK)
            return rc;
        if ((k = find(s)) < 0)
            return bad(c, item, "unknown value \"%.40s\"; allowed: %s", s,
                       allowed);
        if (*out & (1u << k))
            return bad(c, item, "\"%.40s\" listed twice", s);
        *out |= 1u << k;
    }
    return CM_OK;
}

static int
is_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int              y, m, d;

    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    if (s[10] != '\0')
        return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400)));
}

static int
parse_text(struct pctx *c, yajl_val v, const char *path, int fr_required,
           struct ds_text *t)
{
    char p[64];
    int  rc;

    if ((rc = want_obj(c, v, path, text_keys)) != CM_OK)
        return rc;
    subpath(p, sizeof(p), path, "fr");
    if ((rc = dup_str(c, get(v, "fr"), p, fr_required, &t->fr)) != CM_OK)
        return rc;
    subpath(p, sizeof(p), path, "en");
    return dup_str(c, get(v, "en"), p, 0, &t->en);
}

static int
parse_temporal(struct pctx *c, yajl_val v, struct ds_manifest *m)
{
    int rc;

    if ((rc = want_obj(c, v, "temporal", temporal_keys)) != CM_OK)
        return rc;
    if ((rc = dup_str(c, get(v, "start"), "temporal.start", 1,
                      &m->temporal_start)) != CM_OK ||
        (rc = dup_str(c, get(v, "end"), "temporal.end", 0, &m->temporal_end)) !=
            CM_OK)
        return rc;
    if (!is_date(m->temporal_start))
        return bad(c, "temporal.start", "expected a date YYYY-MM-DD");
    if (m->temporal_end != NULL && !is_date(m->temporal_end))
        return bad(c, "temporal.end", "expected a date YYYY-MM-DD");
    if (m->temporal_end != NULL &&
        strcmp(m->temporal_start, m->temporal_end) > 0)
        return bad(c, "temporal.end", "before temporal.start");
    return CM_OK;
}

static int
parse_frequency(struct pctx *c, yajl_val v, struct ds_manifest *m)
{
    const char *s;
    int         rc;

    if ((rc = want_str(c, v, "frequency", 0, &s)) != CM_OK || s == NULL)
        return rc;
    for (size_t i = 0; i < NELEM(frequencies); i++)
        if (strcmp(s, frequencies[i].name) == 0 ||
            strcmp(s, frequencies[i].uri) == 0) {
            m->frequency = frequencies[i].uri;
            return CM_OK;
        }
    return bad(c, "frequency",
               "unknown value \"%.40s\"; allowed: annual, monthly, weekly, "
               "daily, hourly, irregular, or their " FREQ_URI "... URIs",
               s);
}

static int
parse_license(struct pctx *c, yajl_val v, struct ds_manifest *m)
{
    const char *ids[NELEM(licenses)];
    char        list[128];

    for (size_t i = 0; i < NELEM(licenses); i++)
        ids[i] = licenses[i].id;
    join(list, sizeof(list), ids, NELEM(ids));
    if (v == NULL) { /* Omitted: the default; "" or null are refused */
        m->license = licenses[0].id;
        return CM_OK;
    }
    if (!YAJL_IS_STRING(v) || v->u.string[0] == '\0')
        return bad(c, "license",
                   "expected a licence (omit the key for the default, "
                   "etalab-2.0); allowed: %s",
                   list);
    for (size_t i = 0; i < NELEM(licenses); i++)
        if (strcmp(v->u.string, licenses[i].id) == 0) {
            m->license = licenses[i].id;
            return CM_OK;
        }
    return bad(c, "license", "unknown licence \"%.40s\"; allowed: %s",
               v->u.string, list);
}

static int
parse_keywords(struct pctx *c, yajl_val v, struct ds_manifest *m)
{
    char item[64];
    int  rc;

    if (v == NULL)
        return CM_OK;
    if (!YAJL_IS_ARRAY(v))
        return bad(c, "keywords", "expected an array of strings");
    m->keywords = cm_calloc(v->u.array.len + 1, sizeof(char *));
    for (size_t i = 0; i < v->u.array.len; i++, m->n_keywords++) {
        snprintf(item, sizeof(item), "keywords[%zu]", i);
        if ((rc = dup_str(c, v->u.array.values[i], item, 1, &m->keywords[i])) !=
            CM_OK)
            return rc;
    }
    return CM_OK;
}

/* A JSON integer: yajl sets INT_VALID even for "3.0" (it reads digits
** blindly), so the number's text must also be digits only. */
static int
is_integer(yajl_val v)
{
    return YAJL_IS_INTEGER(v) &&
           strspn(v->u.number.r, "-0123456789") == strlen(v->u.number.r);
}

static int
parse_privacy(struct pctx *c, yajl_val v, struct ds_manifest *m)
{
    static const char *const extra[] = {"households", "min_sites", "max_share"};
    yajl_val                 x;
    int                      policy, rc;

    if (v == NULL)
        return bad(c, "privacy", "missing (expected an object with policy)");
    if ((rc = want_obj(c, v, "privacy", privacy_keys)) != CM_OK ||
        (rc = want_enum(c, get(v, "policy"), "privacy.policy", policies,
                        NELEM(policies), &policy)) != CM_OK)
        return rc;
    m->policy = (enum ds_policy) policy;
    if (m->policy == DS_OPEN) {
        char p[64];

        for (size_t i = 0; i < NELEM(extra); i++)
            if (get(v, extra[i]) != NULL) {
                subpath(p, sizeof(p), "privacy", extra[i]);
                return bad(c, p, "only for policy \"aggregated\"");
            }
        if (m->territory != DS_SITE)
            return bad(c, "privacy.policy",
                       "\"open\" publishes per-site data of public "
                       "buildings: territory must be \"site\", not \"%s\"",
                       ds_territory_name(m->territory));
        return CM_OK;
    }

    m->households = 0;
    for (int k = 0; k < UNITS_NKINDS; k++)
        if ((m->kinds & (1u << k)) && units_kind_is_energy(k))
            m->households = 1;
    if ((x = get(v, "households")) != NULL &&
        (rc = want_bool(c, x, "privacy.households", &m->households)) != CM_OK)
        return rc;

    m->min_sites =
        m->households ? SDC_HOUSEHOLD_MIN_SITES : SDC_BUSINESS_MIN_SITES;
    if ((x = get(v, "min_sites")) != NULL) {
        if (!is_integer(x))
            return bad(c, "privacy.min_sites", "expected an integer >= 1");
        if (YAJL_GET_INTEGER(x) < 1)
            return bad(c, "privacy.min_sites", "must be >= 1, not %lld",
                       (long long) YAJL_GET_INTEGER(x));
        m->min_sites = YAJL_GET_INTEGER(x);
    }

    m->max_share = SDC_BUSINESS_MAX_SHARE;
    if ((x = get(v, "max_share")) != NULL) {
        if (!YAJL_IS_DOUBLE(x))
            return bad(c, "privacy.max_share", "expected a number in (0, 1]");
        if (!(YAJL_GET_DOUBLE(x) > 0 && YAJL_GET_DOUBLE(x) <= 1))
            return bad(c, "privacy.max_share", "must be > 0 and <= 1, not %g",
                       YAJL_GET_DOUBLE(x));
        m->max_share = YAJL_GET_DOUBLE(x);
    }
    return CM_OK;
}

static int
parse_slug(struct pctx *c, yajl_val v, struct ds_manifest *m)
{
    const char *s;
    size_t      n;
    int         rc;

    if ((rc = want_str(c, v, "slug", 1, &s)) != CM_OK)
        return rc;
    n = strlen(s);
    if (n > DS_SLUG_MAX || s[0] == '-' ||
        strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        return bad(c, "slug",
                   "\"%.40s\": expected 1 to %d of a-z, 0-9 and '-', not "
                   "starting with '-'",
                   s, DS_SLUG_MAX);
    m->slug = cm_strdup(s);
    return CM_OK;
}

/* Fields in dependency order: privacy reads kinds and territory. */
static int
parse_root(struct pctx *c, yajl_val root, struct ds_manifest *m)
{
    char     kinds_list[128];
    char     measures_list[64];
    char     themes_list[128];
    int      e, rc;
    yajl_val v;

    {
        const char *names[UNITS_NKINDS];

        for (int k = 0; k < UNITS_NKINDS; k++)
            names[k] = units_kind_name(k);
        join(kinds_list, sizeof(kinds_list), names, UNITS_NKINDS);
    }
    join(measures_list, sizeof(measures_list), measures, NELEM(measures));
    {
        const char *codes[NELEM(themes)];

        for (size_t i = 0; i < NELEM(themes); i++)
            codes[i] = THEME_CODE(i);
        join(themes_list, sizeof(themes_list), codes, NELEM(codes));
    }

    if ((rc = check_keys(c, root, "", top_keys)) != CM_OK ||
        (rc = parse_slug(c, get(root, "slug"), m)) != CM_OK)
        return rc;
    if ((v = get(root, "title")) == NULL)
        return bad(c, "title", "missing (expected {\"fr\": ..., \"en\": ...})");
    if ((rc = parse_text(c, v, "title", 1, &m->title)) != CM_OK)
        return rc;
    if ((v = get(root, "description")) != NULL &&
        (rc = parse_text(c, v, "description", 0, &m->description)) != CM_OK)
        return rc;
    if ((rc = parse_license(c, get(root, "license"), m)) != CM_OK ||
        (rc = dup_str(c, get(root, "publisher"), "publisher", 0,
                      &m->publisher)) != CM_OK ||
        (rc = dup_str(c, get(root, "contact"), "contact", 0, &m->contact)) !=
            CM_OK)
        return rc;
    m->themes = 1u << THEME_ENER;
    if ((v = get(root, "themes")) != NULL &&
        (rc = want_set(c, v, "themes", find_theme, themes_list, 1,
                       &m->themes)) != CM_OK)
        return rc;
    if ((rc = parse_keywords(c, get(root, "keywords"), m)) != CM_OK ||
        (rc = dup_str(c, get(root, "spatial"), "spatial", 0, &m->spatial)) !=
            CM_OK)
        return rc;
    if ((v = get(root, "temporal")) != NULL &&
        (rc = parse_temporal(c, v, m)) != CM_OK)
        return rc;
    if ((rc = parse_frequency(c, get(root, "frequency"), m)) != CM_OK)
        return rc;
    if ((v = get(root, "kinds")) == NULL)
        return bad(c, "kinds", "missing; allowed: %s", kinds_list);
    if ((rc = want_set(c, v, "kinds", find_kind, kinds_list, 1, &m->kinds)) !=
        CM_OK)
        return rc;
    if ((rc = want_enum(c, get(root, "period"), "period", periods,
                        NELEM(periods), &e)) != CM_OK)
        return rc;
    m->period = (enum ds_period) e;
    if ((rc = want_enum(c, get(root, "territory"), "territory", territories,
                        NELEM(territories), &e)) != CM_OK)
        return rc;
    m->territory = (enum ds_territory) e;
    if ((v = get(root, "by_sector")) != NULL &&
        (rc = want_bool(c, v, "by_sector", &m->by_sector)) != CM_OK)
        return rc;
    m->measures = DS_SUM;
    if ((v = get(root, "measures")) != NULL &&
        (rc = want_set(c, v, "measures", find_measure, measures_list, 1,
                       &m->measures)) != CM_OK)
        return rc;
    return parse_privacy(c, get(root, "privacy"), m);
}

int
ds_manifest_parse(const char *json, size_t len, const char *file,
                  struct ds_manifest *out, struct cm_err *err)
{
    struct pctx c = {file ? file : "dataset.json", err};
    char        ebuf[256];
    char       *text;
    yajl_val    root;
    int         rc;

    memset(out, 0, sizeof(*out));
    if (len > DS_MANIFEST_MAX) {
        cm_fail(err, CM_ELIMIT,
                "%s: %zu bytes, over the %d-byte cap of a "
                "dataset.json (DS_MANIFEST_MAX)",
                c.file, len, DS_MANIFEST_MAX);
        cm_err_what(err, "path", c.file);
        err->has_limit = 1;
        err->limit = DS_MANIFEST_MAX;
        return CM_ELIMIT;
    }
    if (memchr(json, '\0', len) != NULL) {
        cm_fail(err, CM_EMALFORMED, "%s: not JSON: a NUL byte", c.file);
        cm_err_what(err, "path", c.file);
        return CM_EMALFORMED;
    }
    text = cm_strndup(json, len);
    ebuf[0] = '\0';
    root = yajl_tree_parse(text, ebuf, sizeof(ebuf));
    free(text);
    if (root == NULL || !YAJL_IS_OBJECT(root)) {
        ebuf[strcspn(ebuf, "\n")] = '\0'; /* yajl's first line */
        cm_fail(err, CM_EMALFORMED, "%s: not JSON: %s", c.file,
                root ? "expected an object" : ebuf);
        cm_err_what(err, "path", c.file);
        yajl_tree_free(root);
        return CM_EMALFORMED;
    }
    rc = parse_root(&c, root, out);
    yajl_tree_free(root);
    if (rc != CM_OK)
        ds_manifest_clear(out);
    return rc;
}

int
ds_manifest_load(const char *path, struct ds_manifest *out, struct cm_err *err)
{
    FILE  *f;
    char  *data;
    size_t n;
    int    rc;

    memset(out, 0, sizeof(*out));
    if ((f = fopen(path, "rb")) == NULL) {
        rc = cm_fail(err, errno == ENOENT ? CM_ENOTFOUND : CM_EIO,
                     "%s: cannot read: %s", path, strerror(errno));
        cm_err_what(err, "path", path);
        return rc;
    }
    /* One byte over the cap is enough to know the file is too large. */
    data = cm_malloc(DS_MANIFEST_MAX + 1);
    n = fread(data, 1, DS_MANIFEST_MAX + 1, f);
    if (ferror(f)) {
        rc = cm_fail(err, CM_EIO, "%s: read error", path);
        cm_err_what(err, "path", path);
    } else {
        rc = ds_manifest_parse(data, n, path, out, err);
    }
    fclose(f);
    free(data);
    return rc;
}

void
ds_manifest_clear(struct ds_manifest *m)
{
    if (m == NULL)
        return;
    free(m->slug);
    free(m->title.fr);
    free(m->title.en);
    free(m->description.fr);
    free(m->description.en);
    free(m->publisher);
    free(m->contact);
    for (size_t i = 0; i < m->n_keywords; i++)
        free(m->keywords[i]);
    free(m->keywords);
    free(m->spatial);
    free(m->temporal_start);
    free(m->temporal_end);
    memset(m, 0, sizeof(*m));
}

static void
write_text(struct jw *w, const char *key, const struct ds_text *t)
{
    jw_key(w, key);
    jw_obj_open(w);
    if (t->fr != NULL)
        jw_kv_str(w, "fr", t->fr);
    if (t->en != NULL)
        jw_kv_str(w, "en", t->en);
    jw_obj_close(w);
}

static void
write_opt(struct jw *w, const char *key, const char *s)
{
    if (s != NULL)
        jw_kv_str(w, key, s);
}

void
ds_manifest_write_json(const struct ds_manifest *m, struct jw *w)
{
    jw_obj_open(w);
    jw_kv_str(w, "slug", m->slug);
    write_text(w, "title", &m->title);
    if (m->description.fr != NULL || m->description.en != NULL)
        write_text(w, "description", &m->description);
    jw_kv_str(w, "license", m->license);
    write_opt(w, "publisher", m->publisher);
    write_opt(w, "contact", m->contact);
    jw_key(w, "themes");
    jw_arr_open(w);
    for (int i = 0; i < (int) NELEM(themes); i++)
        if (m->themes & (1u << i))
            jw_str(w, ds_manifest_theme_uri(i));
    jw_arr_close(w);
    if (m->n_keywords > 0) {
        jw_key(w, "keywords");
        jw_arr_open(w);
        for (size_t i = 0; i < m->n_keywords; i++)
            jw_str(w, m->keywords[i]);
        jw_arr_close(w);
    }
    write_opt(w, "spatial", m->spatial);
    if (m->temporal_start != NULL) {
        jw_key(w, "temporal");
        jw_obj_open(w);
        jw_kv_str(w, "start", m->temporal_start);
        write_opt(w, "end", m->temporal_end);
        jw_obj_close(w);
    }
    write_opt(w, "frequency", m->frequency);
    jw_key(w, "kinds");
    jw_arr_open(w);
    for (int k = 0; k < UNITS_NKINDS; k++)
        if (m->kinds & (1u << k))
            jw_str(w, units_kind_name(k));
    jw_arr_close(w);
    jw_kv_str(w, "period", ds_period_name(m->period));
    jw_kv_str(w, "territory", ds_territory_name(m->territory));
    jw_kv_bool(w, "by_sector", m->by_sector);
    jw_key(w, "measures");
    jw_arr_open(w);
    for (size_t i = 0; i < NELEM(measures); i++)
        if (m->measures & (1u << i))
            jw_str(w, measures[i]);
    jw_arr_close(w);
    jw_key(w, "privacy");
    jw_obj_open(w);
    jw_kv_str(w, "policy", ds_policy_name(m->policy));
    if (m->policy == DS_AGGREGATED) {
        jw_kv_bool(w, "households", m->households);
        jw_kv_int(w, "min_sites", m->min_sites);
        jw_kv_double(w, "max_share", m->max_share);
    }
    jw_obj_close(w);
    jw_obj_close(w);
}

const char *
ds_period_name(enum ds_period p)
{
    return (unsigned) p < NELEM(periods) ? periods[p] : "unknown";
}

const char *
ds_territory_name(enum ds_territory t)
{
    return (unsigned) t < NELEM(territories) ? territories[t] : "unknown";
}

const char *
ds_policy_name(enum ds_policy p)
{
    return (unsigned) p < NELEM(policies) ? policies[p] : "unknown";
}

const char *
ds_manifest_license_url(const char *license)
{
    for (size_t i = 0; license != NULL && i < NELEM(licenses); i++)
        if (strcmp(license, licenses[i].id) == 0)
            return licenses[i].url;
    return NULL;
}

const char *
ds_manifest_license_title(const char *license)
{
    for (size_t i = 0; license != NULL && i < NELEM(licenses); i++)
        if (strcmp(license, licenses[i].id) == 0)
            return licenses[i].title;
    return license;
}

const char *
ds_manifest_theme_uri(int i)
{
    return i >= 0 && (size_t) i < NELEM(themes) ? themes[i] : NULL;
}
