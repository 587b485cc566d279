/*
** store_practices.h -- SQL of the registry (practice.h says what a sheet
** is): sheets, their append-only revisions, the moderation log, what
** search reads per view (0 public, 1 working), the live values of a
** linked indicator and the published registry for exports. Nothing here
** checks who asks: api_practices.c does.
*/
#ifndef CM_STORE_PRACTICES_H
#define CM_STORE_PRACTICES_H

#include <stdint.h>

#include "err.h"
#include "store.h"
#include "store_read.h" /* struct store_val */

struct practice_index;

struct store_practice {
    int64_t id, current_revision, published_revision;
    int64_t created_by; /* 0: the command line */
    int64_t origin, origin_revision, reuses;
    char    state[16], territory_level[16], territory_code[16];
    char    created_at[32], updated_at[32], published_at[32]; /* "" if none */
    char    origin_title[304];
};

struct store_practice_revision {
    int64_t     id, practice, number;
    const char *document; /* NULL in lists */
    const char *author, *message, *created_at, *published_at; /* May be NULL */
};

int store_practice_dataset_exists(struct store *st, const char *slug,
                                  int *found, struct cm_err *err);
int store_practice_exists(struct store *st, int64_t id, int *found,
                          struct cm_err *err);
/* The sheet titled 'title' of territory 'code' (the demo's seeds), 0 if
** none. */
int store_practice_find(struct store *st, const char *title, const char *code,
                        int64_t *id, struct cm_err *err);

/* A new sheet (no revision yet); created_by 0: the command line. */
int store_practice_add(struct store *st, const char *level, const char *code,
                       int64_t created_by, int64_t origin,
                       int64_t origin_revision, int64_t *id,
                       struct cm_err *err);
/* Append a revision and make it the working one; 'state' NULL keeps the
** sheet's state. *rev gets the revision (its document is not filled). */
int store_practice_revision_add(struct store *st, int64_t practice,
                                const char *document, const char *level,
                                const char *code, const char *author,
                                const char *message, const char *state,
                                struct store_practice_revision *rev,
                                char created_at[32], struct cm_err *err);

/* Sheet 'id' into *out; CM_ENOTFOUND if none. */
int store_practice_get(struct store *st, int64_t id, struct store_practice *out,
                       struct cm_err *err);

typedef int (*store_practice_rev_fn)(void                                 *ctx,
                                     const struct store_practice_revision *r,
                                     struct cm_err                        *err);
/* Revision 'id' to fn (with its document); CM_ENOTFOUND if none. */
int store_practice_revision_get(struct store *st, int64_t id,
                                store_practice_rev_fn fn, void *ctx,
                                struct cm_err *err);
/* A sheet's revisions, newest first (only published ones if asked). */
int store_practice_revisions_each(struct store *st, int64_t practice,
                                  int published_only, int limit,
                                  store_practice_rev_fn fn, void *ctx,
                                  struct cm_err *err);

/* Set the state; publish_revision > 0 makes that revision the public
** one, published at 'at'. */
int store_practice_state_set(struct store *st, int64_t id, const char *state,
                             int64_t publish_revision, const char *at,
                             struct cm_err *err);

struct store_practice_event {
    const char *at, *actor, *action, *from, *to, *comment;
    int64_t     revision;
};
int store_practice_event_add(struct store *st, int64_t practice,
                             const struct store_practice_event *e,
                             struct cm_err                     *err);
typedef int (*store_practice_event_fn)(void                              *ctx,
                                       const struct store_practice_event *e,
                                       struct cm_err                     *err);
int store_practice_events_each(struct store *st, int64_t practice,
                               store_practice_event_fn fn, void *ctx,
                               struct cm_err *err);

/* ---- what search reads ------------------------------------------------- */

/* Replace the sheet's row of 'view' by revision 'revision' as ix says. */
int store_practice_view_put(struct store *st, int64_t practice, int view,
                            int64_t revision, const char *state, const char *at,
                            int64_t created_by, const char *territory_code,
                            const struct practice_index *ix,
                            struct cm_err               *err);
/* Remove the sheet's row of 'view' (no row: nothing to do). */
int store_practice_view_drop(struct store *st, int64_t practice, int view,
                             struct cm_err *err);
/* The state a view row shows. */
int store_practice_view_state(struct store *st, int64_t practice, int view,
                              const char *state, struct cm_err *err);
int store_practice_reuses_inc(struct store *st, int64_t id, struct cm_err *err);

enum store_practice_facet {
    SPF_THEME,
    SPF_TERRITORY,
    SPF_TERRITORY_LEVEL,
    SPF_SECTOR,
    SPF_STATUS,
    SPF_IMPACT,
    SPF_N
};
extern const char *const store_practice_facets[SPF_N]; /* "theme"... */

enum store_practice_sort {
    SPS_RELEVANCE, /* bm25, best first (without q: as SPS_RECENT) */
    SPS_RECENT,    /* Published (view 0) or saved (view 1), newest first */
    SPS_TITLE,     /* Folded title */
    SPS_REUSES     /* Most reused first */
};

struct store_practice_query {
    int         view;          /* 0 public, 1 working */
    const char *fts;           /* FTS5 query (practice_fts_query) or NULL */
    const char *filter[SPF_N]; /* JSON arrays of values, or NULL */
    const char *states;        /* View 1: JSON array of states, or NULL */
    int64_t     editor;        /* View 1, an editor: their account id */
    const char *editor_territories; /* ...and their territories (JSON) */
    enum store_practice_sort sort;
    int                      limit;
    int              has_after; /* Keyset: after (after_key, after_id) */
    struct store_val after_key;
    int64_t          after_id;
};

struct store_practice_hit {
    int64_t          id, revision, reuses;
    const char      *state, *at, *hit; /* hit: JSON text */
    double           score;
    struct store_val key; /* Its sort key, for the next cursor */
};
typedef int (*store_practice_hit_fn)(void                            *ctx,
                                     const struct store_practice_hit *h,
                                     struct cm_err                   *err);
typedef int (*store_practice_count_fn)(void *ctx, const char *facet,
                                       const char *value, int64_t count,
                                       struct cm_err *err);
/* One page of hits to hit(), every facet value's count among all hits to
** count() (per facet, most frequent first), and their number in *total. */
int store_practice_search(struct store                      *st,
                          const struct store_practice_query *q,
                          store_practice_hit_fn              hit,
                          store_practice_count_fn count, void *ctx,
                          int64_t *total, struct cm_err *err);

/* ---- live indicators, exports ----------------------------------------- */

struct store_practice_live {
    int64_t          version;
    int              n; /* Rows so far, this one included */
    const char      *published_at, *title;
    const char      *period, *territory, *sector, *kind, *unit, *status;
    struct store_val value;
};
typedef int (*store_practice_live_fn)(void                             *ctx,
                                      const struct store_practice_live *l,
                                      struct cm_err                    *err);
/* The latest version's observations of dataset 'slug' at 'level' for the
** territories (JSON array), newest period first, at most 'limit'; *found
** is 0 when the dataset has no version. With no observation fn is called
** once with period NULL (the version alone). */
int store_practice_live(struct store *st, const char *slug, const char *level,
                        const char *territories, int limit,
                        store_practice_live_fn fn, void *ctx, int *found,
                        struct cm_err *err);

struct store_practice_pub {
    int64_t     id, revision, number, reuses, origin;
    const char *document, *published_at;
};
typedef int (*store_practice_pub_fn)(void                            *ctx,
                                     const struct store_practice_pub *p,
                                     struct cm_err                   *err);
/* Every public sheet (view 0), by id. */
int store_practice_published_each(struct store *st, store_practice_pub_fn fn,
                                  void *ctx, struct cm_err *err);

struct store_practice_feed {
    int64_t     practice, revision, number;
    const char *at, *actor, *document, *message;
};
typedef int (*store_practice_feed_fn)(void                             *ctx,
                                      const struct store_practice_feed *f,
                                      struct cm_err                    *err);
/* The latest 'limit' publications of sheets still public, newest first. */
int store_practice_feed_each(struct store *st, int limit,
                             store_practice_feed_fn fn, void *ctx,
                             struct cm_err *err);

/* An account's territories (JSON array text, "[]" if none) into out. */
int store_account_territories(struct store *st, int64_t account, char *out,
                              size_t size, struct cm_err *err);
int store_account_territories_set(struct store *st, int64_t account,
                                  const char *json, struct cm_err *err);

#endif /* CM_STORE_PRACTICES_H */
