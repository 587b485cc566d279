/*
** demo.h -- the demo federation of the default run (datasets/demo/): a
** fictional but plausible territory, Lorient Agglomération, with a dozen
** public buildings. Its registry is sites.csv and meters.csv; its
** readings of the calendar year 2024 come from the deterministic
** generator of this module; one real Enedis load curve (enedis/) is
** attached to one of its sites. demo_load() puts all of it into a store
** through the ordinary importers, each file in its own transaction, so
** loading it twice changes nothing the second time.
**
** The generator is a struct imp_src: it writes the canonical CSV
** (site_id,meter_id,kind,unit,timestamp,value) row by row as the importer
** reads it, never the whole file in memory. Its meters must be those of
** datasets/demo/meters.csv (demo_load imports it with --strict, so a
** meter missing there refuses the generated file).
*/
#ifndef CM_DEMO_H
#define CM_DEMO_H

#include <stdint.h>

#include "err.h"
#include "imp.h"

struct store;
struct jw;

#define DEMO_YEAR 2024    /* The generated calendar year, UTC */
#define DEMO_MAX_FILES 16 /* Files of one load (generated + real) */

/* ---- the generator ------------------------------------------------- */

struct demo_gen;

struct demo_gen *demo_gen_new(void);
void             demo_gen_free(struct demo_gen *g); /* NULL-safe */

/* Set up src to read g's CSV from its first byte ('name' is borrowed).
** Two generators, or one rewound, give the same bytes. */
void demo_gen_src(struct demo_gen *g, struct imp_src *src, const char *name);

/* ---- loading ------------------------------------------------------- */

struct demo_skip { /* A real-data file left out, and why */
    char file[256];
    char reason[200];
};

struct demo_summary {
    char              dir[512];              /* The demo folder (demo.dir) */
    int64_t           sites, meters;         /* Registry rows written */
    struct imp_result files[DEMO_MAX_FILES]; /* Generated, then real */
    int               nfiles;
    struct demo_skip  skipped[DEMO_MAX_FILES];
    int               nskipped;
};

/*
** Load the demo folder 'dir' into st: sites.csv, meters.csv, the
** generated year, then each file of the real-data folders (enedis/) with
** its importer; a folder whose importer is not in this build is skipped
** and said so in out->skipped (and in the log), not an error. 'actor' is
** recorded in the import log ("cli"). Fills *out in every case (clear it
** with demo_summary_clear). Returns CM_OK, or the first failure with err
** filled: CM_EINVAL (dir or a registry file missing or refused, naming
** demo.dir), a generated or real file refused whole (its code), or a
** store error. What was loaded before a failure stays: every file is
** its own transaction.
*/
int  demo_load(struct store *st, const char *dir, const char *actor,
               struct demo_summary *out, struct cm_err *err);
void demo_summary_clear(struct demo_summary *s); /* NULL-safe */

/* {"demo_dir","sites","meters","readings":{"files","total"},"skipped"} */
void demo_summary_json(struct jw *w, const struct demo_summary *s);
/* The same keys, inside an object the caller opened. */
void demo_summary_fields(struct jw *w, const struct demo_summary *s);

#endif /* CM_DEMO_H */
