/*
** practice.c -- a practice sheet's fields (one table: practice_fields),
** their validation, the canonical document, what search reads of it, the
** diff of two revisions and the moderation workflow (practice.h).
**
** The table drives everything: validation walks it and names every field
** that fails ("steps[2].title"), the canonical writer emits the fields in
** its order and nothing else, the diff compares its top-level fields, and
** the Markdown renderer knows which fields are Markdown from it. Adding a
** field is adding a line.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "auth.h"
#include "jw.h"
#include "md.h"
#include "mem.h"
#include "practice.h"
#include "store.h"
#include "store_practices.h"
#include "text.h"

enum pf_kind {
    PF_TEXT,     /* One line of plain text, max in characters */
    PF_PLAIN,    /* Plain text, lines allowed, max in characters */
    PF_MD,       /* The Markdown subset (md.h), max in bytes */
    PF_ENUM,     /* One of enums[] */
    PF_RATING,   /* Integer 1..3 */
    PF_DATE,     /* "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
    PF_DAY,      /* "YYYY-MM" or "YYYY-MM-DD": a step is dated closer */
    PF_YEAR,     /* Integer 1900..2100 */
    PF_AMOUNT,   /* Number >= 0 */
    PF_BOOL,     /* true or false */
    PF_URL,      /* http:// or https:// */
    PF_ID,       /* A sheet's id (integer >= 1) */
    PF_SLUG,     /* A published dataset's slug */
    PF_OBJ,      /* An object of the fields sub[] */
    PF_LIST,     /* An array of at most max items like sub[0] */
    PF_YEARS,    /* {"2026": number}: targets */
    PF_YEARS_ANY /* {"2024": number or boolean}: manual values */
};

struct pf {
    const char        *name;
    enum pf_kind       kind;
    int                required;
    int                max;
    const char *const *enums; /* PF_ENUM: NULL-terminated */
    const struct pf   *sub;   /* PF_OBJ: {NULL}-ended; PF_LIST: the item */
    const char        *def;   /* Written when absent (the licence) */
};

#define TEXT_MAX 300
#define NAME_MAX_ 200
#define MD_MAX 20000
#define LIST_TAGS 20

static const char *const themes[] = {
    "renovation", "monitoring", "renewables",         "heat_network",
    "mobility",   "lighting",   "industrial_ecology", "sobriety",
    "open_data",  "governance", "air_quality",        "water",
    NULL};
static const char *const sectors[] = {
    "public_buildings",  "residential",   "tertiary",
    "industry",          "transport",     "agriculture",
    "energy_production", "cross_cutting", NULL};
static const char *const levels[] = {"commune", "epci", "departement", "region",
                                     NULL};
static const char *const obs_levels[] = {
    "site", "district", "commune", "epci", "departement", "region", NULL};
static const char *const statuses[] = {"planned", "ongoing",   "done",
                                       "paused",  "abandoned", NULL};
static const char *const priorities[] = {"high", "medium", "low", NULL};
static const char *const licences[] = {
    "etalab-2.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0", "CC0-1.0", NULL};
static const char *const budget_kinds[] = {"investment", "operating", NULL};
static const char *const effects[] = {"increase", "decrease", NULL};

static const struct pf f_step[] = {
    {"title", PF_TEXT, 1, TEXT_MAX, NULL, NULL, NULL},
    {"description", PF_MD, 0, 5000, NULL, NULL, NULL},
    {"done", PF_BOOL, 0, 0, NULL, NULL, NULL},
    {"date", PF_DAY, 0, 0, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_impacts[] = {
    {"energy", PF_RATING, 0, 0, NULL, NULL, NULL},
    {"ghg", PF_RATING, 0, 0, NULL, NULL, NULL},
    {"air_quality", PF_RATING, 0, 0, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_territory[] = {
    {"level", PF_ENUM, 1, 0, levels, NULL, NULL},
    {"code", PF_TEXT, 1, 9, NULL, NULL, NULL},
    {"name", PF_TEXT, 1, NAME_MAX_, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_person[] = {
    {"name", PF_TEXT, 1, NAME_MAX_, NULL, NULL, NULL},
    {"role", PF_TEXT, 0, NAME_MAX_, NULL, NULL, NULL},
    {"organisation", PF_TEXT, 0, NAME_MAX_, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_partner[] = {
    {"name", PF_TEXT, 1, NAME_MAX_, NULL, NULL, NULL},
    {"role", PF_TEXT, 0, NAME_MAX_, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_budget[] = {
    {"label", PF_TEXT, 1, NAME_MAX_, NULL, NULL, NULL},
    {"kind", PF_ENUM, 0, 0, budget_kinds, NULL, NULL},
    {"year", PF_YEAR, 0, 0, NULL, NULL, NULL},
    {"amount_eur", PF_AMOUNT, 0, 0, NULL, NULL, NULL},
    {"funder", PF_TEXT, 0, NAME_MAX_, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_funder[] = {
    {"name", PF_TEXT, 1, NAME_MAX_, NULL, NULL, NULL},
    {"amount_eur", PF_AMOUNT, 0, 0, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_code[] = {{"", PF_TEXT, 1, 64, NULL, NULL, NULL}};
static const struct pf f_indicator[] = {
    {"slug", PF_SLUG, 0, 64, NULL, NULL, NULL},
    {"name", PF_TEXT, 0, NAME_MAX_, NULL, NULL, NULL},
    {"label", PF_TEXT, 0, NAME_MAX_, NULL, NULL, NULL},
    {"unit", PF_TEXT, 0, 32, NULL, NULL, NULL},
    {"territory_level", PF_ENUM, 0, 0, obs_levels, NULL, NULL},
    {"territories", PF_LIST, 0, 50, NULL, f_code, NULL},
    {"effect", PF_ENUM, 0, 0, effects, NULL, NULL},
    {"values", PF_YEARS_ANY, 0, 200, NULL, NULL, NULL},
    {"targets", PF_YEARS, 0, 200, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
static const struct pf f_document[] = {
    {"title", PF_TEXT, 1, TEXT_MAX, NULL, NULL, NULL},
    {"url", PF_URL, 1, 2000, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

static const struct pf i_step[] = {{"", PF_OBJ, 1, 0, NULL, f_step, NULL}};
static const struct pf i_theme[] = {{"", PF_ENUM, 1, 0, themes, NULL, NULL}};
static const struct pf i_person[] = {{"", PF_OBJ, 1, 0, NULL, f_person, NULL}};
static const struct pf i_partner[] = {
    {"", PF_OBJ, 1, 0, NULL, f_partner, NULL}};
static const struct pf i_budget[] = {{"", PF_OBJ, 1, 0, NULL, f_budget, NULL}};
static const struct pf i_funder[] = {{"", PF_OBJ, 1, 0, NULL, f_funder, NULL}};
static const struct pf i_tag[] = {{"", PF_TEXT, 1, 64, NULL, NULL, NULL}};
static const struct pf i_id[] = {{"", PF_ID, 1, 0, NULL, NULL, NULL}};
static const struct pf i_slug[] = {{"", PF_SLUG, 1, 64, NULL, NULL, NULL}};
static const struct pf i_indicator[] = {
    {"", PF_OBJ, 1, 0, NULL, f_indicator, NULL}};
static const struct pf i_document[] = {
    {"", PF_OBJ, 1, 0, NULL, f_document, NULL}};

/* The sheet, in the order the canonical document keeps. */
static const struct pf practice_fields[] = {
    {"title", PF_TEXT, 1, TEXT_MAX, NULL, NULL, NULL},
    {"summary", PF_PLAIN, 1, 1000, NULL, NULL, NULL},
    {"territory", PF_OBJ, 1, 0, NULL, f_territory, NULL},
    {"status", PF_ENUM, 0, 0, statuses, NULL, NULL},
    {"priority", PF_ENUM, 0, 0, priorities, NULL, NULL},
    {"themes", PF_LIST, 0, 10, NULL, i_theme, NULL},
    {"sector", PF_ENUM, 0, 0, sectors, NULL, NULL},
    {"impacts", PF_OBJ, 0, 0, NULL, f_impacts, NULL},
    {"start", PF_DATE, 0, 0, NULL, NULL, NULL},
    {"end", PF_DATE, 0, 0, NULL, NULL, NULL},
    {"context", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"objectives", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"scope", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"steps", PF_LIST, 0, 100, NULL, i_step, NULL},
    {"what_was_done", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"results", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"lessons", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"transferability", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"local_specifics", PF_MD, 0, MD_MAX, NULL, NULL, NULL},
    {"people", PF_LIST, 0, 50, NULL, i_person, NULL},
    {"partners", PF_LIST, 0, 50, NULL, i_partner, NULL},
    {"budget", PF_LIST, 0, 100, NULL, i_budget, NULL},
    {"funders", PF_LIST, 0, 50, NULL, i_funder, NULL},
    {"tags", PF_LIST, 0, LIST_TAGS, NULL, i_tag, NULL},
    {"linked_practices", PF_LIST, 0, 50, NULL, i_id, NULL},
    {"datasets", PF_LIST, 0, 20, NULL, i_slug, NULL},
    {"indicators", PF_LIST, 0, 20, NULL, i_indicator, NULL},
    {"documents", PF_LIST, 0, 50, NULL, i_document, NULL},
    {"contact", PF_TEXT, 0, TEXT_MAX, NULL, NULL, NULL},
    {"licence", PF_ENUM, 0, 0, licences, NULL, "etalab-2.0"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

/* ---- validation -------------------------------------------------------- */

struct pv {
    struct store         *st;
    int64_t               self;
    struct practice_errs *errs;
    struct jw            *w; /* The canonical document being written */
};

static void pv_fail(struct pv *v, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pv_fail(struct pv *v, const char *field, const char *fmt, ...)
{
    struct practice_errs *e = v->errs;
    va_list               ap;

    if (e->n == PRACTICE_ERRS_MAX) {
        e->more++;
        return;
    }
    snprintf(e->e[e->n].field, sizeof(e->e[e->n].field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(e->e[e->n].message, sizeof(e->e[e->n].message), fmt, ap);
    va_end(ap);
    e->n++;
}

/* 1 if s holds a control character other than tab and newlines, which
** only Markdown fields may hold. */
static int
pv_has_control(const char *s, int multiline)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;

        if (c == 0x7F ||
            (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))))
            return 1;
    }
    return 0;
}

static int
pv_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* 1 if s is "YYYY", "YYYY-MM" or "YYYY-MM-DD", a real date. */
static int
pv_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t           n = strlen(s);
    int              y, m, d;

    if (!(n == 4 || n == 7 || n == 10) || !pv_digits(s, 4))
        return 0;
    y = atoi(s);
    if (y < 1900 || y > 2100)
        return 0;
    if (n == 4)
        return 1;
    if (s[4] != '-' || !pv_digits(s + 5, 2))
        return 0;
    m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    if (n == 7)
        return 1;
    if (s[7] != '-' || !pv_digits(s + 8, 2))
        return 0;
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (d < 1 || d > mdays[m - 1])
        return 0;
    return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400)));
}

/* 1 if the SIREN s (9 digits) has a valid Luhn checksum. */
static int
pv_luhn(const char *s)
{
    int sum = 0;

    for (int i = 0; i < 9; i++) {
        int d = s[8 - i] - '0';

        if (i % 2) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

/* An error message if 'code' is not a territory code of 'level'. */
static const char *
pv_territory_code(const char *level, const char *code)
{
    size_t n = strlen(code);
    int    corsica =
        n >= 2 && code[0] == '2' && (code[1] == 'A' || code[1] == 'B');

    if (strcmp(level, "commune") == 0) {
        if (n == 5 && (pv_digits(code, 2) || corsica) && pv_digits(code + 2, 3))
            return NULL;
        return "an INSEE commune code is 5 characters: 2 digits (or 2A, "
               "2B) then 3 digits, e.g. 56121";
    }
    if (strcmp(level, "epci") == 0) {
        if (n == 9 && pv_digits(code, 9) && pv_luhn(code))
            return NULL;
        return "an EPCI is named by its SIREN: 9 digits with a valid "
               "checksum, e.g. 200042174";
    }
    if (strcmp(level, "departement") == 0) {
        if ((n == 2 && (pv_digits(code, 2) || corsica)) ||
            (n == 3 && code[0] == '9' && code[1] == '7' && code[2] >= '1' &&
             code[2] <= '6'))
            return NULL;
        return "a département code is 2 digits, 2A, 2B or 971 to 976";
    }
    if (n == 2 && pv_digits(code, 2))
        return NULL;
    return "an INSEE region code is 2 digits, e.g. 53";
}

static int pv_value(struct pv *v, const struct pf *f, yajl_val x,
                    const char *path);

static void
pv_path(char *out, size_t size, const char *base, const char *name)
{
    if (name[0] == '\0') /* An empty key: named, so the client sees it */
        name = "\"\"";
    if (base[0] == '\0')
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "%s.%s", base, name);
}

/* An object of the fields fs, written in their order. Unknown keys are
** named as failures; nulls are absent. */
static void
pv_object(struct pv *v, const struct pf *fs, yajl_val x, const char *path)
{
    char sub[128];

    for (size_t i = 0; i < x->u.object.len; i++) {
        const char *k = x->u.object.keys[i];
        int         known = 0;

        for (const struct pf *f = fs; f->name; f++)
            known |= strcmp(f->name, k) == 0;
        for (size_t j = 0; j < i && known; j++)
            if (strcmp(x->u.object.keys[j], k) == 0) {
                pv_path(sub, sizeof(sub), path, k);
                pv_fail(v, sub, "given twice");
                known = 2;
            }
        if (!known) {
            pv_path(sub, sizeof(sub), path, k);
            pv_fail(v, sub, "unknown field");
        }
    }
    jw_obj_open(v->w);
    for (const struct pf *f = fs; f->name; f++) {
        const char *key[] = {f->name, NULL};
        yajl_val    fx = yajl_tree_get(x, key, yajl_t_any);

        pv_path(sub, sizeof(sub), path, f->name);
        if (fx == NULL || YAJL_IS_NULL(fx)) {
            if (f->required)
                pv_fail(v, sub, "is required");
            else if (f->def)
                jw_kv_str(v->w, f->name, f->def);
            continue;
        }
        jw_key(v->w, f->name);
        pv_value(v, f, fx, sub);
    }
    jw_obj_close(v->w);
}

/* {"2026": number, ...}, years ascending as given. */
static void
pv_years(struct pv *v, const struct pf *f, yajl_val x, const char *path)
{
    char sub[128];

    if ((int) x->u.object.len > f->max)
        pv_fail(v, path, "at most %d years", f->max);
    jw_obj_open(v->w);
    for (size_t i = 0; i < x->u.object.len; i++) {
        const char *k = x->u.object.keys[i];
        yajl_val    y = x->u.object.values[i];

        pv_path(sub, sizeof(sub), path, k);
        if (strlen(k) != 4 || !pv_digits(k, 4) || atoi(k) < 1900 ||
            atoi(k) > 2100) {
            pv_fail(v, sub, "a key is a year, 1900 to 2100");
            continue;
        }
        if (!(YAJL_IS_NUMBER(y) && isfinite(YAJL_GET_DOUBLE(y))) &&
            !(f->kind == PF_YEARS_ANY && (YAJL_IS_TRUE(y) || YAJL_IS_FALSE(y))))
            pv_fail(v, sub,
                    f->kind == PF_YEARS ? "must be a number"
                                        : "must be a number or a boolean");
        jw_key(v->w, k);
        jw_tree(v->w, y);
    }
    jw_obj_close(v->w);
}

static int
pv_value(struct pv *v, const struct pf *f, yajl_val x, const char *path)
{
    char sub[128];

    switch (f->kind) {
    case PF_TEXT:
    case PF_PLAIN:
    case PF_MD:
    case PF_URL:
    case PF_SLUG:
    case PF_ENUM:
    case PF_DATE:
    case PF_DAY:
        if (!YAJL_IS_STRING(x)) {
            pv_fail(v, path, "must be a string");
            break;
        }
        jw_str(v->w, x->u.string);
        if (f->kind == PF_ENUM) {
            int ok = 0;

            for (const char *const *e = f->enums; *e; e++)
                ok |= strcmp(*e, x->u.string) == 0;
            if (!ok) {
                char list[400] = "";

                for (const char *const *e = f->enums; *e; e++)
                    snprintf(list + strlen(list), sizeof(list) - strlen(list),
                             "%s%s", e == f->enums ? "" : ", ", *e);
                pv_fail(v, path, "must be one of: %s", list);
            }
        } else if (f->kind == PF_DATE) {
            if (!pv_date(x->u.string))
                pv_fail(v, path,
                        "a date is YYYY, YYYY-MM or YYYY-MM-DD (1900 to "
                        "2100)");
        } else if (f->kind == PF_DAY) {
            if (strlen(x->u.string) < 7 || !pv_date(x->u.string))
                pv_fail(v, path,
                        "a step's date is YYYY-MM or YYYY-MM-DD (1900 to "
                        "2100)");
        } else if (pv_has_control(x->u.string,
                                  f->kind == PF_MD || f->kind == PF_PLAIN))
            pv_fail(v, path, "holds a control character");
        else if (f->kind == PF_MD ? (int) strlen(x->u.string) > f->max
                                  : (int) cm_utf8_chars(x->u.string) > f->max)
            pv_fail(v, path, "at most %d %s", f->max,
                    f->kind == PF_MD ? "bytes" : "characters");
        else if (f->required && x->u.string[strspn(x->u.string, " \t")] == '\0')
            pv_fail(v, path, "is required (not blank)");
        else if (f->kind == PF_URL) {
            if (strncmp(x->u.string, "https://", 8) != 0 &&
                strncmp(x->u.string, "http://", 7) != 0)
                pv_fail(v, path, "a link is an http:// or https:// URL");
            else if (strpbrk(x->u.string, " \"<>\\`") != NULL)
                pv_fail(v, path, "a URL has no space, quote or angle bracket");
        } else if (f->kind == PF_SLUG && v->st != NULL) {
            int           found = 0;
            struct cm_err e2;

            if (store_practice_dataset_exists(v->st, x->u.string, &found,
                                              &e2) != CM_OK ||
                !found)
                pv_fail(v, path, "no published dataset '%.60s'", x->u.string);
        }
        break;
    case PF_RATING:
    case PF_YEAR:
    case PF_ID:
        if (!YAJL_IS_INTEGER(x)) {
            pv_fail(v, path, "must be an integer");
            break;
        }
        jw_int(v->w, x->u.number.i);
        if (f->kind == PF_RATING && (x->u.number.i < 1 || x->u.number.i > 3))
            pv_fail(v, path, "an impact is rated 1 (low) to 3 (high)");
        else if (f->kind == PF_YEAR &&
                 (x->u.number.i < 1900 || x->u.number.i > 2100))
            pv_fail(v, path, "a year is 1900 to 2100");
        else if (f->kind == PF_ID) {
            int           found = 0;
            struct cm_err e2;

            if (x->u.number.i < 1 || x->u.number.i == v->self)
                pv_fail(v, path, "a linked sheet is another sheet's id");
            else if (v->st != NULL &&
                     (store_practice_exists(v->st, x->u.number.i, &found,
                                            &e2) != CM_OK ||
                      !found))
                pv_fail(v, path, "no sheet %lld", (long long) x->u.number.i);
        }
        break;
    case PF_AMOUNT:
        if (!YAJL_IS_NUMBER(x) || !isfinite(YAJL_GET_DOUBLE(x)) ||
            YAJL_GET_DOUBLE(x) < 0) {
            pv_fail(v, path, "must be a number >= 0");
            break;
        }
        jw_tree(v->w, x);
        break;
    case PF_BOOL:
        if (!YAJL_IS_TRUE(x) && !YAJL_IS_FALSE(x)) {
            pv_fail(v, path, "must be true or false");
            break;
        }
        jw_bool(v->w, YAJL_IS_TRUE(x));
        break;
    case PF_OBJ:
        if (!YAJL_IS_OBJECT(x)) {
            pv_fail(v, path, "must be an object");
            jw_null(v->w);
            break;
        }
        pv_object(v, f->sub, x, path);
        break;
    case PF_YEARS:
    case PF_YEARS_ANY:
        if (!YAJL_IS_OBJECT(x)) {
            pv_fail(v, path, "must be an object of years");
            jw_null(v->w);
            break;
        }
        pv_years(v, f, x, path);
        break;
    case PF_LIST:
        if (!YAJL_IS_ARRAY(x)) {
            pv_fail(v, path, "must be an array");
            jw_null(v->w);
            break;
        }
        if ((int) x->u.array.len > f->max)
            pv_fail(v, path, "at most %d items", f->max);
        jw_arr_open(v->w);
        for (size_t i = 0; i < x->u.array.len && (int) i < f->max; i++) {
            yajl_val it = x->u.array.values[i];

            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            if (YAJL_IS_NULL(it)) {
                pv_fail(v, sub, "is null");
                continue;
            }
            pv_value(v, &f->sub[0], it, sub);
            /* Enumerations and ids are sets: the second copy is a slip */
            if (YAJL_IS_STRING(it) || YAJL_IS_INTEGER(it))
                for (size_t j = 0; j < i; j++) {
                    yajl_val o = x->u.array.values[j];

                    if ((YAJL_IS_STRING(it) && YAJL_IS_STRING(o) &&
                         strcmp(it->u.string, o->u.string) == 0) ||
                        (YAJL_IS_INTEGER(it) && YAJL_IS_INTEGER(o) &&
                         it->u.number.i == o->u.number.i)) {
                        pv_fail(v, sub, "given twice");
                        break;
                    }
                }
        }
        jw_arr_close(v->w);
        break;
    }
    return 0;
}

static const char *
pv_str(yajl_val root, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    yajl_val    x = yajl_tree_get(root, path, yajl_t_string);

    return x ? x->u.string : NULL;
}

/* What one field cannot say alone: the territory code against its
** level, end after start, an indicator link's two kinds. */
static void
pv_cross(struct pv *v, yajl_val root)
{
    const char *level = pv_str(root, "territory", "level");
    const char *code = pv_str(root, "territory", "code");
    const char *start = pv_str(root, "start", NULL);
    const char *end = pv_str(root, "end", NULL);
    const char *path[] = {"indicators", NULL};
    yajl_val    inds = yajl_tree_get(root, path, yajl_t_array);

    if (level && code) {
        const char *msg = NULL;

        for (const char *const *e = levels; *e; e++)
            if (strcmp(*e, level) == 0)
                msg = pv_territory_code(level, code);
        if (msg)
            pv_fail(v, "territory.code", "%s", msg);
    }
    if (start && end && pv_date(start) && pv_date(end)) {
        size_t n = strlen(start) < strlen(end) ? strlen(start) : strlen(end);

        if (strncmp(end, start, n) < 0)
            pv_fail(v, "end", "ends (%s) before it starts (%s)", end, start);
    }
    for (size_t i = 0; inds && i < inds->u.array.len; i++) {
        yajl_val    it = inds->u.array.values[i];
        char        sub[64];
        const char *slug = pv_str(it, "slug", NULL);
        const char *name = pv_str(it, "name", NULL);
        const char *k1[] = {"values", NULL}, *k2[] = {"territories", NULL};
        const char *k3[] = {"territory_level", NULL};

        if (!YAJL_IS_OBJECT(it))
            continue;
        snprintf(sub, sizeof(sub), "indicators[%zu]", i);
        if ((slug == NULL) == (name == NULL))
            pv_fail(v, sub,
                    "an indicator is either live (\"slug\" of a published "
                    "dataset) or manual (\"name\" and \"values\")");
        else if (slug && yajl_tree_get(it, k1, yajl_t_any))
            pv_fail(v, sub,
                    "a live indicator's values come from its dataset: "
                    "\"values\" is for manual ones");
        else if (name && (yajl_tree_get(it, k2, yajl_t_any) ||
                          yajl_tree_get(it, k3, yajl_t_any)))
            pv_fail(v, sub,
                    "\"territory_level\" and \"territories\" choose a live "
                    "indicator's values");
        else if (slug && (yajl_tree_get(it, k2, yajl_t_array) != NULL) !=
                             (pv_str(it, "territory_level", NULL) != NULL))
            pv_fail(v, sub,
                    "\"territory_level\" and \"territories\" go together");
    }
}

int
practice_doc_check(struct store *st, struct yajl_val_s *root, int64_t self,
                   struct practice_doc *doc, struct practice_errs *errs,
                   struct cm_err *err)
{
    struct pv   v = {st, self, errs, jw_new()};
    const char *out;
    size_t      len;

    memset(doc, 0, sizeof(*doc));
    memset(errs, 0, sizeof(*errs));
    if (root == NULL || !YAJL_IS_OBJECT(root)) {
        jw_free(v.w);
        cm_fail(err, CM_EUNPROCESSABLE, "a sheet is a JSON object");
        cm_err_what(err, "field", "document");
        return err->code;
    }
    pv_object(&v, practice_fields, root, "");
    pv_cross(&v, root);
    if (errs->n > 0) {
        jw_free(v.w);
        cm_fail(err, CM_EUNPROCESSABLE, "%s: %s%s", errs->e[0].field,
                errs->e[0].message,
                errs->n > 1 ? " (and more: see details.fields)" : "");
        cm_err_what(err, "field", errs->e[0].field);
        return err->code;
    }
    if (jw_result(v.w, &out, &len, err) != CM_OK) {
        jw_free(v.w);
        return err->code;
    }
    doc->json = cm_strndup(out, len);
    doc->len = len;
    jw_free(v.w);
    doc->m.title = pv_str(root, "title", NULL);
    doc->m.summary = pv_str(root, "summary", NULL);
    doc->m.sector = pv_str(root, "sector", NULL);
    doc->m.status = pv_str(root, "status", NULL);
    doc->m.territory_level = pv_str(root, "territory", "level");
    doc->m.territory_code = pv_str(root, "territory", "code");
    doc->m.territory_name = pv_str(root, "territory", "name");
    doc->root = root;
    return CM_OK;
}

int
practice_doc_parse(struct store *st, const char *text, size_t n, int64_t self,
                   struct practice_doc *doc, struct practice_errs *errs,
                   struct cm_err *err)
{
    char     ebuf[160];
    int      guard = cm_json_guard(text, n, CM_JSON_DEPTH_MAX);
    yajl_val root;
    char    *copy;

    memset(doc, 0, sizeof(*doc));
    memset(errs, 0, sizeof(*errs));
    if (guard == 1) {
        cm_fail(err, CM_EUNPROCESSABLE,
                "a sheet's text may not hold a NUL character (\\u0000)");
        cm_err_what(err, "field", "document");
        return err->code;
    }
    if (guard == 2)
        return cm_fail(err, CM_EMALFORMED,
                       "the JSON nests deeper than %d levels",
                       CM_JSON_DEPTH_MAX);
    copy = cm_strndup(text, n); /* yajl wants it NUL-terminated */
    root = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
    free(copy);
    if (root == NULL) {
        ebuf[strcspn(ebuf, "\n")] = '\0';
        return cm_fail(err, CM_EMALFORMED, "not JSON: %s", ebuf);
    }
    if (practice_doc_check(st, root, self, doc, errs, err) != CM_OK) {
        yajl_tree_free(root);
        doc->root = NULL;
        return err->code;
    }
    doc->owned = 1;
    return CM_OK;
}

void
practice_doc_clear(struct practice_doc *doc)
{
    if (doc->owned)
        yajl_tree_free(doc->root);
    free(doc->json);
    memset(doc, 0, sizeof(*doc));
}

void
practice_errs_details(struct jw *w, const void *arg)
{
    const struct practice_errs *e = arg;

    jw_obj_open(w);
    jw_kv_str(w, "field", e->n ? e->e[0].field : NULL);
    jw_key(w, "fields");
    jw_arr_open(w);
    for (int i = 0; i < e->n; i++) {
        jw_obj_open(w);
        jw_kv_str(w, "field", e->e[i].field);
        jw_kv_str(w, "message", e->e[i].message);
        jw_obj_close(w);
    }
    jw_arr_close(w);
    if (e->more)
        jw_kv_int(w, "more", e->more);
    jw_obj_close(w);
}

/* ---- what search reads ------------------------------------------------- */

/* Append the folded strings of x (every string it holds, recursively)
** to out, each followed by a space. */
static void
ix_strings(yajl_val x, struct cm_buf *out)
{
    if (x == NULL)
        return;
    if (YAJL_IS_STRING(x)) {
        cm_fold(x->u.string, strlen(x->u.string), out);
        cm_buf_add(out, " ", 1);
    } else if (YAJL_IS_OBJECT(x)) {
        for (size_t i = 0; i < x->u.object.len; i++)
            ix_strings(x->u.object.values[i], out);
    } else if (YAJL_IS_ARRAY(x))
        for (size_t i = 0; i < x->u.array.len; i++)
            ix_strings(x->u.array.values[i], out);
}

static char *
ix_take(struct cm_buf *b)
{
    char *s = b->data ? b->data : cm_strdup("");

    cm_buf_init(b);
    return s;
}

static void
ix_facet(struct practice_index *ix, const char *facet, const char *value)
{
    if (value == NULL || ix->nfacets == PRACTICE_FACETS_MAX)
        return;
    ix->facet[ix->nfacets] = facet;
    ix->value[ix->nfacets++] = cm_strdup(value);
}

void
practice_index_build(const struct practice_doc *doc, struct practice_index *ix)
{
    static const char *const body_fields[] = {
        "context",         "objectives", "scope",    "steps",
        "what_was_done",   "results",    "lessons",  "transferability",
        "local_specifics", "people",     "partners", "territory",
        "contact",         NULL};
    static const char *const impact_keys[] = {"energy", "ghg", "air_quality",
                                              NULL};
    yajl_val                 root = doc->root;
    struct cm_buf            b;
    struct jw               *w = jw_new();
    const char              *tk[] = {"themes", NULL}, *gk[] = {"tags", NULL};
    yajl_val                 th = yajl_tree_get(root, tk, yajl_t_array);

    memset(ix, 0, sizeof(*ix));
    cm_buf_init(&b);
    cm_fold(doc->m.title, strlen(doc->m.title), &b);
    ix->title = ix_take(&b);
    ix->title_key = cm_strdup(ix->title);
    cm_fold(doc->m.summary, strlen(doc->m.summary), &b);
    ix->summary = ix_take(&b);
    ix_strings(yajl_tree_get(root, gk, yajl_t_any), &b);
    ix_strings(th, &b);
    ix->tags = ix_take(&b);
    for (int i = 0; body_fields[i]; i++) {
        const char *k[] = {body_fields[i], NULL};

        ix_strings(yajl_tree_get(root, k, yajl_t_any), &b);
    }
    ix->body = ix_take(&b);

    for (size_t i = 0; th && i < th->u.array.len; i++)
        if (YAJL_IS_STRING(th->u.array.values[i]))
            ix_facet(ix, "theme", th->u.array.values[i]->u.string);
    ix_facet(ix, "territory", doc->m.territory_code);
    ix_facet(ix, "territory_level", doc->m.territory_level);
    ix_facet(ix, "sector", doc->m.sector);
    ix_facet(ix, "status", doc->m.status);
    for (int i = 0; impact_keys[i]; i++) {
        const char *k[] = {"impacts", impact_keys[i], NULL};
        yajl_val    r = yajl_tree_get(root, k, yajl_t_number);
        char        v[32];

        if (r && YAJL_IS_INTEGER(r)) {
            snprintf(v, sizeof(v), "%s:%lld", impact_keys[i],
                     (long long) r->u.number.i);
            ix_facet(ix, "impact", v);
        }
    }

    /* The hit: what a result list shows, from the canonical fields */
    jw_obj_open(w);
    {
        static const char *const hit_fields[] = {
            "title",  "summary", "territory", "status", "priority", "themes",
            "sector", "impacts", "start",     "end",    NULL};

        for (int i = 0; hit_fields[i]; i++) {
            const char *k[] = {hit_fields[i], NULL};
            yajl_val    x = yajl_tree_get(root, k, yajl_t_any);

            if (x != NULL && !YAJL_IS_NULL(x)) {
                jw_key(w, hit_fields[i]);
                jw_tree(w, x);
            }
        }
    }
    jw_obj_close(w);
    ix->hit = jw_strdup(w);
    jw_free(w);
}

void
practice_index_clear(struct practice_index *ix)
{
    free(ix->title);
    free(ix->summary);
    free(ix->tags);
    free(ix->body);
    free(ix->title_key);
    free(ix->hit);
    for (int i = 0; i < ix->nfacets; i++)
        free(ix->value[i]);
    memset(ix, 0, sizeof(*ix));
}

/* Words a French query drops: they are in every sheet. */
static const char *const stop_words[] = {
    "le", "la",  "les",  "de",  "des", "du",   "et",   "en", "un", "une",
    "au", "aux", "pour", "par", "sur", "dans", "avec", "ou", "a",  "the",
    "of", "and", "in",   "est", "son", "sa",   "ses",  NULL};

int
practice_fts_query(const char *q, struct cm_buf *out)
{
    struct cm_buf f;
    const char   *p;
    int           words = 0;

    cm_buf_init(&f);
    cm_fold(q, strlen(q), &f);
    p = f.data ? f.data : "";
    while (*p && words < PRACTICE_QUERY_WORDS) {
        size_t n = 0, keep;
        int    stop = 0;

        /* A word: ASCII letters and digits, and any non-ASCII byte (a
        ** letter cm_fold kept: Greek, Cyrillic...) */
        while (*p && !((unsigned char) *p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
                       (*p >= '0' && *p <= '9')))
            p++;
        while ((unsigned char) p[n] >= 0x80 || (p[n] >= 'a' && p[n] <= 'z') ||
               (p[n] >= '0' && p[n] <= '9'))
            n++;
        if (n == 0)
            break;
        for (int i = 0; stop_words[i]; i++)
            stop |=
                strlen(stop_words[i]) == n && memcmp(stop_words[i], p, n) == 0;
        keep = n;
        /* A plural: "reseaux" finds "reseau", "ecoles" finds "ecole" */
        if (keep > 3 && (p[keep - 1] == 's' || p[keep - 1] == 'x'))
            keep--;
        if (!stop && n > 1) {
            if (words++)
                cm_buf_add(out, " ", 1);
            cm_buf_add(out, "\"", 1);
            cm_buf_add(out, p, keep);
            cm_buf_add(out, "\"*", 2);
        }
        p += n;
    }
    cm_buf_clear(&f);
    return words;
}

/* ---- revisions --------------------------------------------------------- */

/* The canonical JSON of x, for comparing (owned). */
static char *
diff_text(yajl_val x)
{
    struct jw *w = jw_new();
    char      *s;

    jw_tree(w, x);
    s = jw_strdup(w);
    jw_free(w);
    return s;
}

int
practice_diff(const char *a, const char *b, struct jw *w, struct cm_err *err)
{
    char     ebuf[128];
    yajl_val ta = yajl_tree_parse(a, ebuf, sizeof(ebuf));
    yajl_val tb = yajl_tree_parse(b, ebuf, sizeof(ebuf));

    if (ta == NULL || tb == NULL) {
        yajl_tree_free(ta);
        yajl_tree_free(tb);
        return cm_fail(err, CM_EINTERNAL, "a stored revision is not JSON");
    }
    jw_arr_open(w);
    for (const struct pf *f = practice_fields; f->name; f++) {
        const char *k[] = {f->name, NULL};
        yajl_val    xa = yajl_tree_get(ta, k, yajl_t_any);
        yajl_val    xb = yajl_tree_get(tb, k, yajl_t_any);
        char       *sa, *sb;
        int         same;

        if (xa == NULL && xb == NULL)
            continue;
        sa = xa ? diff_text(xa) : NULL;
        sb = xb ? diff_text(xb) : NULL;
        same = sa && sb && strcmp(sa, sb) == 0;
        free(sa);
        free(sb);
        if (same)
            continue;
        jw_obj_open(w);
        jw_kv_str(w, "field", f->name);
        jw_kv_str(w, "change",
                  xa == NULL   ? "added"
                  : xb == NULL ? "removed"
                               : "changed");
        jw_key(w, "before");
        jw_tree(w, xa);
        jw_key(w, "after");
        jw_tree(w, xb);
        jw_obj_close(w);
    }
    jw_arr_close(w);
    yajl_tree_free(ta);
    yajl_tree_free(tb);
    return CM_OK;
}

void
practice_html(const char *doc_json, struct jw *w)
{
    char          ebuf[128];
    yajl_val      t = yajl_tree_parse(doc_json, ebuf, sizeof(ebuf));
    struct cm_buf h;

    cm_buf_init(&h);
    jw_obj_open(w);
    for (const struct pf *f = practice_fields; t && f->name; f++) {
        const char *k[] = {f->name, NULL};
        yajl_val    x = yajl_tree_get(t, k, yajl_t_any);

        if (f->kind == PF_MD && x && YAJL_IS_STRING(x)) {
            h.len = 0;
            md_render(x->u.string, strlen(x->u.string), &h);
            jw_key(w, f->name);
            jw_strn(w, h.data ? h.data : "", h.len);
        } else if (strcmp(f->name, "steps") == 0 && x && YAJL_IS_ARRAY(x)) {
            /* Each step's description, in order (null: none) */
            jw_key(w, "steps");
            jw_arr_open(w);
            for (size_t i = 0; i < x->u.array.len; i++) {
                const char *dk[] = {"description", NULL};
                yajl_val    d =
                    yajl_tree_get(x->u.array.values[i], dk, yajl_t_string);

                if (d == NULL) {
                    jw_null(w);
                    continue;
                }
                h.len = 0;
                md_render(d->u.string, strlen(d->u.string), &h);
                jw_strn(w, h.data ? h.data : "", h.len);
            }
            jw_arr_close(w);
        }
    }
    jw_obj_close(w);
    cm_buf_clear(&h);
    yajl_tree_free(t);
}

/* ---- moderation -------------------------------------------------------- */

const struct practice_transition practice_transitions[] = {
    [PRACTICE_SUBMIT] = {"submit", "draft", "in_review",
                         AUTH_EDITOR | AUTH_MODERATOR | AUTH_ADMIN, 0},
    [PRACTICE_WITHDRAW] = {"withdraw", "in_review", "draft",
                           AUTH_EDITOR | AUTH_MODERATOR | AUTH_ADMIN, 0},
    [PRACTICE_PUBLISH] = {"publish", "in_review", "published",
                          AUTH_MODERATOR | AUTH_ADMIN, 0},
    [PRACTICE_REJECT] = {"reject", "in_review", "draft",
                         AUTH_MODERATOR | AUTH_ADMIN, 1},
    [PRACTICE_ARCHIVE] = {"archive", "*", "archived",
                          AUTH_MODERATOR | AUTH_ADMIN, 0},
    [PRACTICE_REOPEN] = {"reopen", "archived", "draft",
                         AUTH_MODERATOR | AUTH_ADMIN, 0},
};

const struct practice_transition *
practice_transition_find(const char *name)
{
    for (int i = 0; i < PRACTICE_NACTIONS; i++)
        if (strcmp(practice_transitions[i].name, name) == 0)
            return &practice_transitions[i];
    return NULL;
}

/* ---- writes -------------------------------------------------------------- */

void
practice_now(char out[32])
{
    struct timespec ts;
    struct tm       tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + 19, 13, ".%03dZ", (int) (ts.tv_nsec / 1000000));
}

int
practice_index_put(struct store *st, int64_t id, int view, int64_t revision,
                   const char *state, const char *at, int64_t created_by,
                   const struct practice_doc *doc, struct cm_err *err)
{
    struct practice_index ix;
    int                   rc;

    practice_index_build(doc, &ix);
    rc = store_practice_view_put(st, id, view, revision, state, at, created_by,
                                 doc->m.territory_code, &ix, err);
    practice_index_clear(&ix);
    return rc;
}

int
practice_audit(struct store *st, const char *actor, const char *address,
               const char *action, int64_t id, struct jw *details,
               struct cm_err *err)
{
    struct store_audit a = {0};
    char               target[48], *text = details ? jw_strdup(details) : NULL;
    int                rc;

    snprintf(target, sizeof(target), "practice/%lld", (long long) id);
    a.actor = actor;
    a.action = action;
    a.target = target;
    a.address = address;
    a.details = text;
    rc = store_audit_add(st, &a, err);
    free(text);
    return rc;
}

int
practice_create(struct store *st, const struct practice_doc *doc,
                const struct practice_author *a, const char *message,
                int64_t origin, int64_t origin_revision, int64_t *id,
                struct store_practice_revision *rev, struct cm_err *err)
{
    char at[32];
    int  rc;

    rc = store_practice_add(st, doc->m.territory_level, doc->m.territory_code,
                            a->account, origin, origin_revision, id, err);
    if (rc == CM_OK)
        rc = store_practice_revision_add(
            st, *id, doc->json, doc->m.territory_level, doc->m.territory_code,
            a->name, message, NULL, rev, at, err);
    if (rc == CM_OK)
        rc = practice_index_put(st, *id, 1, rev->id, "draft", at, a->account,
                                doc, err);
    if (rc == CM_OK && origin > 0)
        rc = store_practice_reuses_inc(st, origin, err);
    if (rc == CM_OK && origin > 0) {
        struct jw *d = jw_new();

        jw_obj_open(d);
        jw_kv_int(d, "origin", origin);
        jw_obj_close(d);
        rc = practice_audit(st, a->name, a->address, "practice.reuse", *id, d,
                            err);
        jw_free(d);
    } else if (rc == CM_OK)
        rc = practice_audit(st, a->name, a->address, "practice.create", *id,
                            NULL, err);
    return rc;
}

struct practice_rev_text {
    char *document;
};

static int
practice_rev_doc(void *ctx, const struct store_practice_revision *r,
                 struct cm_err *err)
{
    (void) err;
    ((struct practice_rev_text *) ctx)->document = cm_strdup(r->document);
    return CM_OK;
}

int
practice_apply(struct store *st, const struct store_practice *p,
               const struct practice_transition *t, const char *actor,
               const char *address, const char *comment, const char *at,
               struct cm_err *err)
{
    int publish = strcmp(t->name, "publish") == 0;
    int rc;

    rc = store_practice_state_set(st, p->id, t->to,
                                  publish ? p->current_revision : 0, at, err);
    if (rc == CM_OK)
        rc = store_practice_view_state(st, p->id, 1, t->to, err);
    if (rc == CM_OK && publish) {
        struct practice_rev_text r = {NULL};
        struct practice_doc      doc;
        struct practice_errs     errs;
        char                     ebuf[128];
        yajl_val                 tree = NULL;

        rc = store_practice_revision_get(st, p->current_revision,
                                         practice_rev_doc, &r, err);
        if (rc == CM_OK)
            tree = yajl_tree_parse(r.document, ebuf, sizeof(ebuf));
        /* Indexed as stored: links are not checked again at publication */
        if (rc == CM_OK && (rc = practice_doc_check(NULL, tree, p->id, &doc,
                                                    &errs, err)) == CM_OK) {
            rc = practice_index_put(st, p->id, 0, p->current_revision,
                                    "published", at, p->created_by, &doc, err);
            practice_doc_clear(&doc);
        }
        yajl_tree_free(tree);
        free(r.document);
    } else if (rc == CM_OK && (strcmp(t->name, "archive") == 0 ||
                               strcmp(t->name, "reopen") == 0))
        rc = store_practice_view_drop(st, p->id, 0, err);
    if (rc == CM_OK) {
        struct store_practice_event e = {
            at, actor, t->name, p->state, t->to, comment, p->current_revision};

        rc = store_practice_event_add(st, p->id, &e, err);
    }
    if (rc == CM_OK) {
        struct jw *d = jw_new();
        char       action[48];

        jw_obj_open(d);
        jw_kv_str(d, "from", p->state);
        jw_kv_str(d, "to", t->to);
        jw_kv_int(d, "revision", p->current_revision);
        jw_obj_close(d);
        snprintf(action, sizeof(action), "practice.%s", t->name);
        rc = practice_audit(st, actor, address, action, p->id, d, err);
        jw_free(d);
    }
    return rc;
}

/* Publish sheet 'id' at once (its draft submitted, then published). */
static int
practice_publish_now(struct store *st, int64_t id, const char *actor,
                     struct cm_err *err)
{
    struct store_practice p;
    char                  at[32];
    int                   rc;

    practice_now(at);
    rc = store_practice_get(st, id, &p, err);
    if (rc == CM_OK)
        rc = practice_apply(st, &p, &practice_transitions[PRACTICE_SUBMIT],
                            actor, NULL, NULL, at, err);
    if (rc == CM_OK)
        rc = store_practice_get(st, id, &p, err);
    if (rc == CM_OK)
        rc = practice_apply(st, &p, &practice_transitions[PRACTICE_PUBLISH],
                            actor, NULL, NULL, at, err);
    return rc;
}

int
practice_load_file(struct store *st, const char *path, int publish,
                   int skip_existing, struct jw *ids, int *loaded, int *skipped,
                   struct cm_err *err)
{
    struct practice_author a = {0, "cli", NULL};
    struct cm_buf          text;
    char                   chunk[8192], ebuf[160];
    FILE                  *f = fopen(path, "rb");
    size_t                 got;
    yajl_val               root;
    int                    rc = CM_OK;

    if (f == NULL)
        return cm_fail(err, CM_EIO, "%s: %s", path, strerror(errno));
    cm_buf_init(&text);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        cm_buf_add(&text, chunk, got);
    fclose(f);
    if (cm_json_guard(text.data, text.len, CM_JSON_DEPTH_MAX) != 0) {
        cm_buf_clear(&text);
        return cm_fail(err, CM_EINVAL,
                       "%s: nested deeper than %d levels, or holding \\u0000",
                       path, CM_JSON_DEPTH_MAX);
    }
    root = yajl_tree_parse(text.data ? text.data : "", ebuf, sizeof(ebuf));
    cm_buf_clear(&text);
    if (root == NULL || !(YAJL_IS_OBJECT(root) || YAJL_IS_ARRAY(root))) {
        ebuf[strcspn(ebuf, "\n")] = '\0';
        yajl_tree_free(root);
        return cm_fail(err, CM_EINVAL,
                       "%s: not a JSON sheet or array of sheets%s%s", path,
                       root ? "" : ": ", root ? "" : ebuf);
    }
    for (size_t i = 0;
         rc == CM_OK && i < (YAJL_IS_ARRAY(root) ? root->u.array.len : 1);
         i++) {
        yajl_val one = YAJL_IS_ARRAY(root) ? root->u.array.values[i] : root;
        struct practice_doc            doc;
        struct practice_errs           errs;
        struct store_practice_revision rev;
        int64_t                        id = 0;

        /* Seeds link to what the demo publishes; a demo run with other
        ** datasets still loads them, their links shown as unpublished */
        if (practice_doc_check(skip_existing ? NULL : st, one, 0, &doc, &errs,
                               err) != CM_OK) {
            char msg[sizeof(err->msg)];

            snprintf(msg, sizeof(msg), "%s", err->msg);
            rc = cm_fail(err, CM_EINVAL, "%s: sheet [%zu]: %s", path, i, msg);
            break;
        }
        if (skip_existing &&
            (rc = store_practice_find(st, doc.m.title, doc.m.territory_code,
                                      &id, err)) == CM_OK &&
            id > 0) {
            (*skipped)++;
            practice_doc_clear(&doc);
            continue;
        }
        if (rc == CM_OK)
            rc = practice_create(st, &doc, &a, "loaded from a file", 0, 0, &id,
                                 &rev, err);
        if (rc == CM_OK && publish)
            rc = practice_publish_now(st, id, a.name, err);
        practice_doc_clear(&doc);
        if (rc == CM_OK) {
            (*loaded)++;
            jw_int(ids, id);
        }
    }
    yajl_tree_free(root);
    return rc;
}
