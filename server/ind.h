/*
** ind.h -- publishing a Lua indicator run as a dataset version.
** A script returns {indicator = {slug, title = {fr, en}, unit,
** description = {fr, en}?, method, reads = {"slug", ...}, period =
** "year"|"month"|"day"|"hour", territory = "site"|"district"|"commune"|
** "epci"}, observations = {{period, territory, sector?, value}, ...}}.
** ind_publish() validates that result (an invalid row is CM_EINVAL whose
** message names the row and field, "observations[3].value: ...") and
** writes, in one transaction, a version with origin "lua" like any other:
** its manifest (the indicator's metadata, canonical through jw; computed
** from published data only, it withholds nothing: "open" per site, at
** another level "aggregated" with thresholds of 1 site and 100 %), the
** rows in canonical order (period, territory, sector) with kind
** "indicator", the declared unit and territory level, n_sites 0 (a
** computed value, not a count of sites) and status 'A'; its provenance
** {"script_sha256", "reads": [{"slug", "version"}]} (the latest version
** of each dataset read, at publish time); its distributions through
** exp_version_describe. The version's sha256 is the canonical CSV's,
** hashed before the insert. Same manifest and same CSV as the latest
** version: nothing is written (unchanged).
*/
#ifndef CM_IND_H
#define CM_IND_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;
struct jw;

struct ind_result {
    char    slug[65];
    int64_t version;   /* New version, or the latest when unchanged */
    int     unchanged; /* Same content as the latest: nothing written */
    int64_t rows;
    char    sha256[65];        /* Of the canonical CSV */
    char    script_sha256[65]; /* Of the script's source */
};

/*
** Publish result_json (the script's return value as JSON text, as
** sbx_run gives it) of the script 'source' (len bytes). data_dir: also
** write the downloads into its cache (dl.h), or NULL.
*/
int ind_publish(struct store *st, const char *source, size_t len,
                const char *result_json, const char *data_dir,
                struct ind_result *r, struct cm_err *err);

/*
** Who publishes: a team (its account id; the dataset then belongs to it
** and no one else may publish a version of it) or the platform (team 0:
** the command line, the demo), with the run published (0: none) and
** what the audit log records.
*/
struct ind_who {
    int64_t     team;
    const char *actor;   /* Account name, or "cli" */
    const char *address; /* Client address, or NULL */
    int64_t     run;     /* script_run id marked as published, or 0 */
};

/* ind_publish() by 'who'. CM_ECONFLICT when the slug belongs to another
** team (or to the platform, for a team). The script's source is kept
** with the version (public, by its sha256). */
int ind_publish_as(struct store *st, const struct ind_who *who,
                   const char *source, size_t len, const char *result_json,
                   const char *data_dir, struct ind_result *r,
                   struct cm_err *err);

/* {"slug", "version", "unchanged", "rows", "sha256"} */
void ind_result_write_json(const struct ind_result *r, struct jw *w);

#endif /* CM_IND_H */
