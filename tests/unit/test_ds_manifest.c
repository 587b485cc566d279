/*
** test_ds_manifest.c -- dataset.json: issue 4's minimal manifest parses
** with its defaults filled, every bad input is refused with err.what naming
** the JSON path at fault, and the canonical JSON round-trips to the same
** struct with the same bytes.
*/
#include "../t.h"
#include "ds_manifest.h"
#include "jw.h"
#include "mem.h"
#include "units.h"

#define FIX CM_SOURCE_DIR "/tests/fixtures/manifests/"

/* Issue 4's minimal form, verbatim (tests/fixtures/manifests/minimal.json
** holds the same text for ds_manifest_load). */
static const char minimal[] =
    "{\n"
    "  \"slug\": \"electricity-commune-month\",\n"
    "  \"title\": {\"fr\": \"Consommation d'\xc3\xa9lectricit\xc3\xa9 par "
    "commune et par mois\", \"en\": \"Electricity consumption by commune "
    "and month\"},\n"
    "  \"description\": {\"fr\": \"\xe2\x80\xa6\", \"en\": "
    "\"\xe2\x80\xa6\"},\n"
    "  \"license\": \"etalab-2.0\",\n"
    "  \"kinds\": [\"electricity\"],\n"
    "  \"period\": \"month\",\n"
    "  \"territory\": \"commune\",\n"
    "  \"by_sector\": true,\n"
    "  \"privacy\": {\"policy\": \"aggregated\", \"min_sites\": 3, "
    "\"max_share\": 0.85}\n"
    "}\n";

/* 'minimal' with the first 'from' replaced by 'to' (static storage). */
static const char *
variant(const char *from, const char *to)
{
    static char out[4096];
    const char *at = strstr(minimal, from);

    ASSERT(at != NULL);
    snprintf(out, sizeof(out), "%.*s%s%s", (int) (at - minimal), minimal, to,
             at + strlen(from));
    return out;
}

/* 'minimal' with the line of top-level 'key' replaced by 'line'. */
static const char *
replace_line(const char *key, const char *line)
{
    static char out[4096];
    char        from[64];
    const char *at, *end;

    snprintf(from, sizeof(from), "\n  \"%s\"", key);
    ASSERT((at = strstr(minimal, from)) != NULL);
    end = strchr(at + 1, '\n');
    snprintf(out, sizeof(out), "%.*s%s%s", (int) (at + 1 - minimal), minimal,
             line, end + 1);
    return out;
}

/* 'minimal' with two edits. */
static const char *
variant2(const char *f1, const char *t1, const char *f2, const char *t2)
{
    static char out[4096];
    char        once[4096];
    const char *at;

    snprintf(once, sizeof(once), "%s", variant(f1, t1));
    at = strstr(once, f2);
    ASSERT(at != NULL);
    snprintf(out, sizeof(out), "%.*s%s%s", (int) (at - once), once, t2,
             at + strlen(f2));
    return out;
}

static void
parse_ok(const char *json, struct ds_manifest *m)
{
    struct cm_err err;

    if (ds_manifest_parse(json, strlen(json), "t.json", m, &err) != CM_OK) {
        fprintf(stderr, "unexpected error: %s\n", err.msg);
        ASSERT(0);
    }
}

/* The parse fails with 'code' and err.what == 'what'; *m is left empty. */
static void
refused(const char *json, int code, const char *what)
{
    struct ds_manifest m;
    struct cm_err      err;

    memset(&m, 0x5a, sizeof(m));
    ASSERT_EQ(ds_manifest_parse(json, strlen(json), "t.json", &m, &err), code);
    ASSERT_STREQ(err.what, what);
    ASSERT_STREQ(err.what_kind, code == CM_EINVAL ? "field" : "path");
    ASSERT(m.slug == NULL && m.title.fr == NULL && m.keywords == NULL);
    ds_manifest_clear(&m);
}

/* The canonical JSON of *m, as a new string. */
static char *
canon(const struct ds_manifest *m)
{
    struct jw    *w = jw_new();
    struct cm_err err;
    const char   *s;
    size_t        n;
    char         *copy;

    ds_manifest_write_json(m, w);
    ASSERT_EQ(jw_result(w, &s, &n, &err), CM_OK);
    copy = cm_strndup(s, n);
    jw_free(w);
    return copy;
}

static int
str_eq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
assert_same(const struct ds_manifest *a, const struct ds_manifest *b)
{
    ASSERT(str_eq(a->slug, b->slug));
    ASSERT(str_eq(a->title.fr, b->title.fr));
    ASSERT(str_eq(a->title.en, b->title.en));
    ASSERT(str_eq(a->description.fr, b->description.fr));
    ASSERT(str_eq(a->description.en, b->description.en));
    ASSERT(str_eq(a->license, b->license));
    ASSERT(str_eq(a->publisher, b->publisher));
    ASSERT(str_eq(a->contact, b->contact));
    ASSERT_EQ(a->themes, b->themes);
    ASSERT_EQ(a->n_keywords, b->n_keywords);
    for (size_t i = 0; i < a->n_keywords; i++)
        ASSERT_STREQ(a->keywords[i], b->keywords[i]);
    ASSERT(str_eq(a->spatial, b->spatial));
    ASSERT(str_eq(a->temporal_start, b->temporal_start));
    ASSERT(str_eq(a->temporal_end, b->temporal_end));
    ASSERT(str_eq(a->frequency, b->frequency));
    ASSERT_EQ(a->kinds, b->kinds);
    ASSERT_EQ(a->period, b->period);
    ASSERT_EQ(a->territory, b->territory);
    ASSERT_EQ(a->by_sector, b->by_sector);
    ASSERT_EQ(a->measures, b->measures);
    ASSERT_EQ(a->policy, b->policy);
    ASSERT_EQ(a->households, b->households);
    ASSERT_EQ(a->min_sites, b->min_sites);
    ASSERT(a->max_share == b->max_share);
}

/* parse -> write -> parse gives the same struct; writing twice, and
** writing the reparsed struct, give the same bytes. */
static void
round_trip(const struct ds_manifest *m)
{
    struct ds_manifest again;
    char              *one = canon(m), *two = canon(m), *three;

    ASSERT_STREQ(one, two);
    parse_ok(one, &again);
    assert_same(m, &again);
    three = canon(&again);
    ASSERT_STREQ(one, three);
    ds_manifest_clear(&again);
    free(one);
    free(two);
    free(three);
}

static void
test_minimal(void)
{
    struct ds_manifest m;
    char              *json;

    parse_ok(minimal, &m);
    ASSERT_STREQ(m.slug, "electricity-commune-month");
    ASSERT_STREQ(m.title.en, "Electricity consumption by commune and month");
    ASSERT_STREQ(m.license, "etalab-2.0");
    ASSERT_EQ(m.kinds, 1u << UNITS_ELECTRICITY);
    ASSERT_EQ(m.period, DS_MONTH);
    ASSERT_EQ(m.territory, DS_COMMUNE);
    ASSERT_EQ(m.by_sector, 1);
    ASSERT_EQ(m.policy, DS_AGGREGATED);
    ASSERT_EQ(m.min_sites, 3);
    ASSERT(m.max_share == 0.85);
    /* Defaults filled */
    ASSERT_EQ(m.measures, DS_SUM);
    ASSERT_EQ(m.households, 1); /* electricity may be a home's */
    ASSERT_STREQ(ds_manifest_theme_uri(3),
                 "http://publications.europa.eu/resource/authority/"
                 "data-theme/ENER");
    ASSERT_EQ(m.themes, 1u << 3);
    ASSERT(m.frequency == NULL && m.publisher == NULL && m.n_keywords == 0);

    json = canon(&m);
    ASSERT_CONTAINS(json, "\"license\":\"etalab-2.0\"");
    ASSERT_CONTAINS(json, "\"measures\":[\"sum\"]");
    ASSERT_CONTAINS(json, "\"privacy\":{\"policy\":\"aggregated\","
                          "\"households\":true,\"min_sites\":3,"
                          "\"max_share\":0.85}");
    ASSERT(strncmp(json, "{\"slug\":", 8) == 0); /* Fixed key order */
    free(json);
    round_trip(&m);
    ds_manifest_clear(&m);
    ds_manifest_clear(&m); /* Harmless twice */
    ds_manifest_clear(NULL);
}

static void
test_defaults(void)
{
    struct ds_manifest m;

    /* No licence key: Licence Ouverte 2.0. */
    parse_ok(variant("  \"license\": \"etalab-2.0\",\n", ""), &m);
    ASSERT_STREQ(m.license, "etalab-2.0");
    ASSERT_STREQ(ds_manifest_license_url(m.license),
                 "https://www.etalab.gouv.fr/licence-ouverte-open-licence/");
    ds_manifest_clear(&m);

    /* Energy kinds may be a home's: 10 sites (Code de l'energie), 85 %. */
    parse_ok(variant(", \"min_sites\": 3, \"max_share\": 0.85", ""), &m);
    ASSERT_EQ(m.households, 1);
    ASSERT_EQ(m.min_sites, 10);
    ASSERT(m.max_share == 0.85);
    ds_manifest_clear(&m);

    /* households: false, or temperatures only: statistical secrecy, 3. */
    parse_ok(variant(", \"min_sites\": 3, \"max_share\": 0.85",
                     ", \"households\": false"),
             &m);
    ASSERT_EQ(m.households, 0);
    ASSERT_EQ(m.min_sites, 3);
    ds_manifest_clear(&m);
    parse_ok(variant("[\"electricity\"]", "[\"temperature\"]"), &m);
    ASSERT_EQ(m.households, 0);
    ASSERT_EQ(m.min_sites, 3); /* Given explicitly in minimal */
    ds_manifest_clear(&m);

    /* by_sector omitted: false; max_share 1 (an integer) is allowed. */
    parse_ok(variant("  \"by_sector\": true,\n", ""), &m);
    ASSERT_EQ(m.by_sector, 0);
    ds_manifest_clear(&m);
    parse_ok(variant("\"max_share\": 0.85", "\"max_share\": 1"), &m);
    ASSERT(m.max_share == 1.0);
    round_trip(&m);
    ds_manifest_clear(&m);
}

/* Every field at once, from a fixture file: vocabularies mapped to URIs,
** sets written in their table's order, keyword order kept. */
static void
test_full_file(void)
{
    struct ds_manifest m;
    struct cm_err      err;

    ASSERT_EQ(ds_manifest_load(FIX "full.json", &m, &err), CM_OK);
    ASSERT_STREQ(m.license, "odbl-1.0");
    ASSERT_STREQ(m.publisher, "Lorient Agglom\xc3\xa9ration");
    ASSERT(m.description.en == NULL && m.description.fr != NULL);
    ASSERT_EQ(m.n_keywords, 3);
    ASSERT_STREQ(m.keywords[1], "\xc3\xa9nergie");
    ASSERT_STREQ(m.frequency,
                 "http://publications.europa.eu/resource/authority/"
                 "frequency/DAILY");
    ASSERT_STREQ(m.temporal_start, "2024-01-01");
    ASSERT_STREQ(m.temporal_end, "2024-12-31");
    ASSERT_EQ(m.kinds, (1u << UNITS_GAS) | (1u << UNITS_HEAT));
    ASSERT_EQ(m.measures, DS_SUM | DS_MAX | DS_N_SITES);
    ASSERT_EQ(m.households, 0);
    ASSERT_EQ(m.min_sites, 3);
    ASSERT(m.max_share == 0.9);
    ASSERT_EQ(m.territory, DS_DISTRICT);
    round_trip(&m);
    ds_manifest_clear(&m);

    ASSERT_EQ(ds_manifest_load(FIX "minimal.json", &m, &err), CM_OK);
    {
        struct ds_manifest inl;

        parse_ok(minimal, &inl);
        assert_same(&m, &inl);
        ds_manifest_clear(&inl);
    }
    ds_manifest_clear(&m);

    ASSERT_EQ(ds_manifest_load(FIX "open-pv-site-hour.json", &m, &err), CM_OK);
    ASSERT_EQ(m.policy, DS_OPEN);
    ASSERT_EQ(m.territory, DS_SITE);
    ASSERT_EQ(m.min_sites, 0);
    ASSERT_STREQ(m.frequency, "http://publications.europa.eu/resource/"
                              "authority/frequency/IRREG");
    round_trip(&m);
    {
        char *json = canon(&m);

        ASSERT_CONTAINS(json, "\"privacy\":{\"policy\":\"open\"}}");
        free(json);
    }
    ds_manifest_clear(&m);

    ASSERT_EQ(ds_manifest_load(FIX "bad-open-commune.json", &m, &err),
              CM_EINVAL);
    ASSERT_STREQ(err.what, "privacy.policy");
    ASSERT_CONTAINS(err.msg, "bad-open-commune.json: privacy.policy:");
    ASSERT_EQ(ds_manifest_load(FIX "bad-typo.json", &m, &err), CM_EINVAL);
    ASSERT_STREQ(err.what, "privacy.min_site");
    ASSERT_CONTAINS(err.msg, "allowed: policy, households, min_sites");
    ASSERT_EQ(ds_manifest_load(FIX "no-such.json", &m, &err), CM_ENOTFOUND);
    ASSERT_STREQ(err.what_kind, "path");
}

/* Each bad input names the JSON path at fault. */
static void
test_refused(void)
{
    struct ds_manifest m;
    struct cm_err      err;

    refused(variant("\"slug\"", "\"colour\": 1, \"slug\""), CM_EINVAL,
            "colour");
    refused(variant("\"policy\"", "\"polcy\": 1, \"policy\""), CM_EINVAL,
            "privacy.polcy");
    refused(variant("\"en\": \"Electricity", "\"de\": \"x\", \"en\": \"E"),
            CM_EINVAL, "title.de");
    refused(variant("\"commune\"", "\"region\""), CM_EINVAL, "territory");
    refused(variant("\"month\"", "\"week\""), CM_EINVAL, "period");
    refused(variant("\"min_sites\": 3", "\"min_sites\": 0"), CM_EINVAL,
            "privacy.min_sites");
    refused(variant("\"min_sites\": 3", "\"min_sites\": -4"), CM_EINVAL,
            "privacy.min_sites");
    refused(variant("\"min_sites\": 3", "\"min_sites\": 3.0"), CM_EINVAL,
            "privacy.min_sites");
    refused(variant("\"min_sites\": 3", "\"min_sites\": \"3\""), CM_EINVAL,
            "privacy.min_sites");
    refused(variant("0.85", "1.5"), CM_EINVAL, "privacy.max_share");
    refused(variant("0.85", "0"), CM_EINVAL, "privacy.max_share");
    refused(variant("[\"electricity\"]", "[\"electricity\", \"steam\"]"),
            CM_EINVAL, "kinds[1]");
    refused(variant("[\"electricity\"]", "[\"gas\", \"gas\"]"), CM_EINVAL,
            "kinds[1]");
    refused(variant("[\"electricity\"]", "[]"), CM_EINVAL, "kinds");
    refused(variant("[\"electricity\"]", "\"electricity\""), CM_EINVAL,
            "kinds");
    refused(variant("  \"kinds\": [\"electricity\"],\n", ""), CM_EINVAL,
            "kinds");
    refused(variant("\"etalab-2.0\"", "\"\""), CM_EINVAL, "license");
    refused(variant("\"etalab-2.0\"", "null"), CM_EINVAL, "license");
    refused(variant("\"etalab-2.0\"", "\"MIT\""), CM_EINVAL, "license");
    refused(variant("\"electricity-commune-month\"", "\"Bad Slug\""), CM_EINVAL,
            "slug");
    refused(variant("\"electricity-commune-month\"", "\"-x\""), CM_EINVAL,
            "slug");
    refused(variant("\"electricity-commune-month\"",
                    "\"a123456789a123456789a123456789a123456789a123456789"
                    "a123456789abcde\""),
            CM_EINVAL, "slug"); /* 65 bytes */
    refused(
        variant2("{\"fr\": \"Consommation d'", "{\"en\": \"Consommation d'",
                 ", \"en\": \"Electricity consumption by commune and month\"",
                 ""),
        CM_EINVAL, "title.fr"); /* fr missing */
    refused(variant("{\"fr\": \"Consommation d'", "{\"en\": \"Consommation d'"),
            CM_EINVAL, "title.en"); /* Given twice */
    refused(variant("\"fr\": \"Consommation d'\xc3\xa9lectricit\xc3\xa9 par "
                    "commune et par mois\"",
                    "\"fr\": \"\""),
            CM_EINVAL, "title.fr");
    refused(variant("  \"title\"", "  \"titre\""), CM_EINVAL, "titre");
    refused(replace_line("title", ""), CM_EINVAL, "title");
    refused(replace_line("title", "  \"title\": \"x\",\n"), CM_EINVAL, "title");
    refused(variant("\"policy\": \"aggregated\", \"min_sites\": 3, "
                    "\"max_share\": 0.85",
                    "\"policy\": \"open\""),
            CM_EINVAL, "privacy.policy"); /* Open needs territory site */
    refused(variant2("\"commune\"", "\"site\"", "\"aggregated\"", "\"open\""),
            CM_EINVAL, "privacy.min_sites"); /* Open takes no threshold */
    refused(variant("\"aggregated\"", "\"secret\""), CM_EINVAL,
            "privacy.policy");
    refused(variant("  \"privacy\": {\"policy\": \"aggregated\", "
                    "\"min_sites\": 3, \"max_share\": 0.85}\n",
                    "  \"measures\": [\"sum\"]\n"),
            CM_EINVAL, "privacy");
    refused(
        variant("\"aggregated\", ", "\"aggregated\", \"policy\": \"open\", "),
        CM_EINVAL, "privacy.policy"); /* Given twice */
    refused(variant("\"by_sector\": true", "\"by_sector\": \"yes\""), CM_EINVAL,
            "by_sector");
    refused(variant("\"by_sector\": true", "\"by_sector\": 1"), CM_EINVAL,
            "by_sector");
    refused(variant("\"by_sector\": true", "\"measures\": [\"median\"]"),
            CM_EINVAL, "measures[0]");
    refused(variant("\"by_sector\": true", "\"themes\": [\"ENERGY\"]"),
            CM_EINVAL, "themes[0]");
    refused(variant("\"by_sector\": true", "\"keywords\": [\"a\", 2]"),
            CM_EINVAL, "keywords[1]");
    refused(variant("\"by_sector\": true", "\"frequency\": \"fortnightly\""),
            CM_EINVAL, "frequency");
    refused(variant("\"by_sector\": true",
                    "\"temporal\": {\"start\": \"2023-02-29\"}"),
            CM_EINVAL, "temporal.start");
    refused(variant("\"by_sector\": true",
                    "\"temporal\": {\"start\": \"2024-02-29\", \"end\": "
                    "\"2024-01-01\"}"),
            CM_EINVAL, "temporal.end");
    refused(variant("\"by_sector\": true", "\"publisher\": {}"), CM_EINVAL,
            "publisher");
    refused(variant("\"description\": {", "\"description\": {\"es\": \"x\", "),
            CM_EINVAL, "description.es");
    refused(variant("\"title\": {", "\"title\": ["), CM_EMALFORMED, "t.json");

    /* Not a manifest at all. */
    refused("", CM_EMALFORMED, "t.json");
    refused("slug: x", CM_EMALFORMED, "t.json");
    refused("[1, 2]", CM_EMALFORMED, "t.json");
    refused(
        variant("\"territory\": \"commune\",", "\"territory\": \"commune\""),
        CM_EMALFORMED, "t.json");
    {
        char trunc[sizeof(minimal)];

        memcpy(trunc, minimal, sizeof(minimal));
        trunc[strlen(trunc) / 2] = '\0'; /* Cut mid-document */
        refused(trunc, CM_EMALFORMED, "t.json");
    }
    ASSERT_EQ(ds_manifest_parse("{\"slug\"\0:1}", 11, NULL, &m, &err),
              CM_EMALFORMED); /* A NUL byte is never a JSON character */
    ASSERT_CONTAINS(err.msg, "dataset.json:");
}

/* Over DS_MANIFEST_MAX: refused as a limit before parsing, in memory and
** from a file, even when the text is otherwise a valid manifest. */
static void
test_too_large(void)
{
    struct ds_manifest m;
    struct cm_err      err;
    size_t             n = DS_MANIFEST_MAX + 1;
    char              *big = cm_malloc(n + 1);
    const char        *dir, *path;

    memset(big, ' ', n);
    memcpy(big, minimal, strlen(minimal));
    big[n] = '\0';
    ASSERT_EQ(ds_manifest_parse(big, n, "big.json", &m, &err), CM_ELIMIT);
    ASSERT_EQ(err.has_limit, 1);
    ASSERT_EQ(err.limit, DS_MANIFEST_MAX);
    ASSERT_STREQ(err.what, "big.json");
    ASSERT_CONTAINS(err.msg, "DS_MANIFEST_MAX");

    /* Exactly at the cap still parses (trailing spaces are JSON). */
    ASSERT_EQ(ds_manifest_parse(big, n - 1, "big.json", &m, &err), CM_OK);
    ds_manifest_clear(&m);

    /* Nesting as deep as the cap allows: refused by type, no crash (yajl
    ** frees its tree recursively). */
    {
        size_t depth = (DS_MANIFEST_MAX - 16) / 2;
        char  *deep = cm_malloc(2 * depth + 16);

        strcpy(deep, "{\"slug\":");
        memset(deep + 8, '[', depth);
        memset(deep + 8 + depth, ']', depth);
        strcpy(deep + 8 + 2 * depth, "}");
        refused(deep, CM_EINVAL, "slug");
        free(deep);
    }

    dir = t_tmpdir("ds_manifest");
    path = t_write_file(dir, "dataset.json", big);
    ASSERT_EQ(ds_manifest_load(path, &m, &err), CM_ELIMIT);
    ASSERT_EQ(err.limit, DS_MANIFEST_MAX);
    free(big);
}

int
main(void)
{
    RUN(test_minimal);
    RUN(test_defaults);
    RUN(test_full_file);
    RUN(test_refused);
    RUN(test_too_large);
    return 0;
}
