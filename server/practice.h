/*
** practice.h -- the registry's practice sheets: what a sheet document may
** hold (one table of fields, practice.c), its validation naming every
** failing field, its canonical JSON (the fields in the table's order,
** nothing else: what a revision stores, so that two revisions compare
** field by field), the diff of two revisions, the moderation workflow,
** and what search needs of a revision (its folded text, facets and hit).
** The HTTP side is api_practices.c; the SQL is store_practices.c.
*/
#ifndef CM_PRACTICE_H
#define CM_PRACTICE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct jw;
struct cm_buf;
struct store;
struct yajl_val_s;

#define PRACTICE_ERRS_MAX 32 /* Failing fields reported at once */

struct practice_field_err {
    char field[96]; /* "impacts.energy", "steps[2].title" */
    char message[200];
};

struct practice_errs {
    int                       n;
    int                       more; /* Failures past PRACTICE_ERRS_MAX */
    struct practice_field_err e[PRACTICE_ERRS_MAX];
};

/* What the rest of the platform reads of a valid document (pointers into
** the parsed tree: valid while it lives). */
struct practice_meta {
    const char *title, *summary, *sector, *status;
    const char *territory_level, *territory_code, *territory_name;
};

struct practice_doc {
    struct yajl_val_s   *root; /* The parsed document */
    char                *json; /* Its canonical JSON text (owned) */
    size_t               len;
    struct practice_meta m;
    int                  owned; /* root is freed by practice_doc_clear */
};

/*
** Parse and validate the sheet document in text[0..n), checking linked
** datasets and sheets in st (NULL: not checked). On success doc holds its
** canonical JSON and meta. CM_EUNPROCESSABLE with every failing field in
** errs (err names the first), CM_EMALFORMED when it is not a JSON object.
** 'self' is the sheet's own id (0 when new): a sheet may not link itself.
*/
int practice_doc_parse(struct store *st, const char *text, size_t n,
                       int64_t self, struct practice_doc *doc,
                       struct practice_errs *errs, struct cm_err *err);
/* The same for a tree already parsed (a field of a larger body); the tree
** is borrowed, not freed by practice_doc_clear. */
int  practice_doc_check(struct store *st, struct yajl_val_s *root, int64_t self,
                        struct practice_doc *doc, struct practice_errs *errs,
                        struct cm_err *err);
void practice_doc_clear(struct practice_doc *doc);

/* Write errs as the "details" of the error envelope:
** {"field": first, "fields": [{"field", "message"}...]}. */
void practice_errs_details(struct jw *w, const void *errs);

/* ---- what search reads of a revision (store_practices.c keeps it) ---- */

#define PRACTICE_FACETS_MAX 64

struct practice_index {
    char       *title, *summary, *tags, *body; /* Folded text (owned) */
    char       *title_key;                     /* Folded title, to sort */
    char       *hit;                           /* JSON of a search hit */
    int         nfacets;
    const char *facet[PRACTICE_FACETS_MAX]; /* Static names */
    char       *value[PRACTICE_FACETS_MAX]; /* Owned */
};

void practice_index_build(const struct practice_doc *doc,
                          struct practice_index     *ix);
void practice_index_clear(struct practice_index *ix);

/*
** The FTS5 query for a user's words into out: each word folded, stop
** words and elided letters ("l'", "d'") dropped, a plural 's'/'x'
** trimmed, quoted (so no character of q is FTS syntax) and made a prefix
** ("chaud" finds "chaudière"). Returns the number of words kept (0: q
** matches everything). At most PRACTICE_QUERY_WORDS are kept.
*/
#define PRACTICE_QUERY_WORDS 16
int practice_fts_query(const char *q, struct cm_buf *out);

/* ---- revisions ------------------------------------------------------- */

/* Write the field-by-field changes from document a to b (canonical JSON
** texts) as a JSON array of {"field", "change", "before", "after"}. */
int practice_diff(const char *a, const char *b, struct jw *w,
                  struct cm_err *err);

/* Write the Markdown fields of a canonical document as safe HTML: the
** object {"context": "<p>..</p>", ...} (md.h renders each). */
void practice_html(const char *doc_json, struct jw *w);

/* ---- moderation -------------------------------------------------------- */

enum practice_action {
    PRACTICE_SUBMIT,   /* draft -> in_review (editor, moderator, admin) */
    PRACTICE_WITHDRAW, /* in_review -> draft (the same) */
    PRACTICE_PUBLISH,  /* in_review -> published (moderator, admin) */
    PRACTICE_REJECT,   /* in_review -> draft, with a comment (moderator) */
    PRACTICE_ARCHIVE,  /* any but archived, once published -> archived */
    PRACTICE_REOPEN,   /* archived -> draft (moderator, admin) */
    PRACTICE_NACTIONS
};

struct practice_transition {
    const char *name;  /* "submit": the route's last segment */
    const char *from;  /* State it starts from ("*": any but 'to') */
    const char *to;    /* State it leads to */
    unsigned    roles; /* AUTH_* bits that may */
    int         needs_comment;
};

extern const struct practice_transition practice_transitions[];

/* The transition called 'name', or NULL. */
const struct practice_transition *practice_transition_find(const char *name);

/* ---- writes (in the caller's transaction; each audited) --------------- */

struct store_practice;
struct store_practice_revision;

struct practice_author {
    int64_t     account; /* 0: the command line */
    const char *name;    /* Account name, or "cli" */
    const char *address; /* Client address, or NULL */
};

/* The moment of a write, as the store writes them. */
void practice_now(char out[32]);

/* Write the audit log's line of a write of sheet 'id', with the JSON
** document 'details' has written (NULL: none). */
int practice_audit(struct store *st, const char *actor, const char *address,
                   const char *action, int64_t id, struct jw *details,
                   struct cm_err *err);

/* Index revision 'revision' (document doc) as the sheet's 'view'. */
int practice_index_put(struct store *st, int64_t id, int view, int64_t revision,
                       const char *state, const char *at, int64_t created_by,
                       const struct practice_doc *doc, struct cm_err *err);

/* A new sheet (a draft) of document doc, its first revision *rev; from
** sheet 'origin' at revision 'origin_revision' when reused (0: not). */
int practice_create(struct store *st, const struct practice_doc *doc,
                    const struct practice_author *a, const char *message,
                    int64_t origin, int64_t origin_revision, int64_t *id,
                    struct store_practice_revision *rev, struct cm_err *err);

/* Apply transition t to sheet p (whose state t starts from): the state,
** what search reads, the moderation log and the audit log. */
int practice_apply(struct store *st, const struct store_practice *p,
                   const struct practice_transition *t, const char *actor,
                   const char *address, const char *comment, const char *at,
                   struct cm_err *err);

/*
** Load the sheets of JSON file 'path' (one document, or an array of
** them) in the caller's transaction, as 'cli': each created, and with
** 'publish' submitted and published at once. With skip_existing, a sheet
** whose title and territory are already in the registry is left as it is
** (the demo loads its seeds again without doubling them), and links to
** datasets are not checked (a demo run with other datasets shows them as
** not published). Each new id is
** appended to the array 'ids' has open; *loaded and *skipped count them.
** An invalid document fails the whole file: err names the file, the
** document's index and the field.
*/
int practice_load_file(struct store *st, const char *path, int publish,
                       int skip_existing, struct jw *ids, int *loaded,
                       int *skipped, struct cm_err *err);

#endif /* CM_PRACTICE_H */
