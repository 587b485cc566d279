/*
** ds_manifest.h -- datasets/<slug>/dataset.json: the declaration of one
** published dataset, parsed strictly into a struct ds_manifest and written
** back as canonical JSON (defaults filled, keys in one fixed order), so the
** manifest published with a version is stable byte for byte.
**
** Strict, because a typo must never publish something else: an unknown key
** anywhere, a value of the wrong type or outside its allowed set, or a key
** given twice is an error whose err->what ("field") is the JSON path at
** fault ("privacy.min_sites", "kinds[1]"). The schema, with defaults:
**
**   slug          required; [a-z0-9-], 1..DS_SLUG_MAX, not starting with '-'
**   title         required; {"fr": required, "en": optional}, non-empty
**   description   optional; {"fr", "en"}, each optional, non-empty
**   license       "etalab-2.0" when the key is omitted; else one of
**                 etalab-2.0, odbl-1.0, cc-by-4.0, cc0-1.0. An explicit
**                 "" or null is refused: omitting means "the default",
**                 an empty value is a mistake (issue 4: "a missing
**                 licence is refused").
**   publisher, contact, spatial   optional non-empty strings (spatial: the
**                 covered area as text or a URI, e.g. an INSEE/EPCI code)
**   themes        EU data-theme codes ("ENER") or their URIs; stored as
**                 URIs; default ["ENER"]
**   keywords      optional array of non-empty strings, order kept
**   temporal      optional {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}
**                 (end optional, start <= end)
**   frequency     optional: an EU frequency URI or annual, monthly,
**                 weekly, daily, hourly, irregular; stored as the URI
**   kinds         required, non-empty, each a kind of units.h (the kinds
**                 importers produce), no repeats
**   period        required: hour | day | month | year (Europe/Paris)
**   territory     required: site | district | commune | epci
**   by_sector     boolean, default false (group by the sites' category)
**   measures      array of sum | mean | min | max | n_sites, default
**                 ["sum"]; written in that order
**   privacy       required {"policy": "open" | "aggregated", ...}
**     open        per-site data of public buildings: territory must be
**                 "site"; no other privacy key is allowed
**     aggregated  households (bool), min_sites (integer >= 1), max_share
**                 (0 < x <= 1, default 0.85). households defaults to true
**                 when any kind is an energy (units_kind_is_energy): the
**                 registry has no residential flag and any metered energy
**                 may be a home's, so the Code de l'énergie's 10 sites
**                 applies (SDC_HOUSEHOLD_MIN_SITES); a dataset of
**                 temperatures only, or one that says households: false,
**                 gets the statistical-secrecy default of 3 sites.
**
** Error codes: CM_EINVAL (a field; what_kind "field"), CM_EMALFORMED (not
** JSON, not an object, a NUL byte), CM_ELIMIT (over DS_MANIFEST_MAX, with
** err->limit), CM_ENOTFOUND or CM_EIO (the file). All but CM_EINVAL name
** the file (what_kind "path"). yajl's tree parser accepts comments, which
** the canonical form drops.
*/
#ifndef CM_DS_MANIFEST_H
#define CM_DS_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h" /* struct cm_err, CM_OK, CM_E* */
#include "jw.h"  /* struct jw */

#ifndef DS_MANIFEST_MAX
/* Largest dataset.json accepted, bytes. A real manifest is about 1 KiB;
** the whole file is held and parsed into a yajl tree (several times its
** size), so the cap keeps a mistaken or hostile file (a data file named
** dataset.json) from costing memory before it is refused. */
#define DS_MANIFEST_MAX (64 * 1024)
#endif

#define DS_SLUG_MAX 64 /* Bytes; a slug is a URL segment and a file name */

enum ds_period { DS_HOUR, DS_DAY, DS_MONTH, DS_YEAR };
enum ds_territory { DS_SITE, DS_DISTRICT, DS_COMMUNE, DS_EPCI };
enum ds_policy { DS_OPEN, DS_AGGREGATED };

enum ds_measure { /* Bits of ds_manifest.measures */
                  DS_SUM = 1 << 0,
                  DS_MEAN = 1 << 1,
                  DS_MIN = 1 << 2,
                  DS_MAX = 1 << 3,
                  DS_N_SITES = 1 << 4
};

struct ds_text { /* Bilingual text; owned, NULL when absent */
    char *fr;
    char *en;
};

struct ds_manifest { /* Owns its strings; ds_manifest_clear() frees */
    char             *slug;
    struct ds_text    title;       /* fr always set */
    struct ds_text    description; /* Both may be NULL */
    const char       *license;     /* Static: "etalab-2.0" ... */
    char             *publisher;   /* NULL when absent */
    char             *contact;     /* NULL when absent */
    unsigned          themes;      /* Bit i: row i of ds_manifest_theme_uri() */
    char            **keywords;    /* n_keywords strings, in the file's order */
    size_t            n_keywords;
    char             *spatial;        /* NULL when absent */
    char             *temporal_start; /* "YYYY-MM-DD" or NULL */
    char             *temporal_end;   /* "YYYY-MM-DD" or NULL */
    const char       *frequency;      /* Static EU frequency URI, or NULL */
    unsigned          kinds;          /* Bit (1 << enum units_kind) */
    enum ds_period    period;
    enum ds_territory territory;
    int               by_sector; /* 0 or 1 */
    unsigned          measures;  /* DS_SUM | ... , never 0 */
    enum ds_policy    policy;
    int               households; /* aggregated: 0 or 1; open: 0 */
    int64_t           min_sites;  /* aggregated: >= 1; open: 0 */
    double            max_share;  /* aggregated: (0, 1]; open: 0 */
};

/*
** Parse 'len' bytes of 'json' (need not be NUL-terminated) into *out.
** 'file' names the source in messages (NULL: "dataset.json"). Returns
** CM_OK, or a code with *err filled; on error *out is cleared, and
** ds_manifest_clear() on it is harmless either way.
*/
int ds_manifest_parse(const char *json, size_t len, const char *file,
                      struct ds_manifest *out, struct cm_err *err);

/* Read 'path' (at most DS_MANIFEST_MAX bytes) and parse it. */
int ds_manifest_load(const char *path, struct ds_manifest *out,
                     struct cm_err *err);

void ds_manifest_clear(struct ds_manifest *m); /* NULL-safe; zeroes *m */

/* The canonical document: every key with its default filled in, absent
** optional keys omitted, keys in the order of the schema above. */
void ds_manifest_write_json(const struct ds_manifest *m, struct jw *w);

/* Static names for the enums ("month", "commune", "aggregated"). */
const char *ds_period_name(enum ds_period p);
const char *ds_territory_name(enum ds_territory t);
const char *ds_policy_name(enum ds_policy p);

/* The licence's URL, for DCAT and the archives' README. */
const char *ds_manifest_license_url(const char *license);
/* Its full title ("Licence Ouverte / Open Licence version 2.0"); the id
** itself when unknown. */
const char *ds_manifest_license_title(const char *license);

/* The EU data-theme URI of bit 'i' of ds_manifest.themes, or NULL. */
const char *ds_manifest_theme_uri(int i);

#endif /* CM_DS_MANIFEST_H */
