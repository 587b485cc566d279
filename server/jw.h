/*
** jw.h -- the one JSON writer, a thin layer over yajl's generator.
** Errors are sticky (libarchive style): calls after a failure do nothing,
** and jw_result() reports the first one. Strings that are not valid
** UTF-8 are written with U+FFFD in place of each bad byte, so text from
** users or files can never make a response unwritable.
*/
#ifndef CM_JW_H
#define CM_JW_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct jw;

struct jw *jw_new(void);
void       jw_free(struct jw *w); /* NULL-safe */

void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL -> null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v); /* Shortest round-trip; NaN -> null */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);

/* Key and value in one call. */
void jw_kv_str(struct jw *w, const char *key, const char *s);
void jw_kv_int(struct jw *w, const char *key, int64_t v);
void jw_kv_double(struct jw *w, const char *key, double v);
void jw_kv_bool(struct jw *w, const char *key, int v);
/* key: v when v > 0 (an id, a line number), else null (none). */
void jw_kv_pos(struct jw *w, const char *key, int64_t v);

/* Write a yajl tree (yajl_val; NULL: null) as it is. */
struct yajl_val_s;
void jw_tree(struct jw *w, const struct yajl_val_s *v);
/* Write JSON text kept as text (the store's JSON columns): parsed, then
** written as a tree; NULL or text yajl refuses is written as null. */
void jw_json_text(struct jw *w, const char *text);

/*
** The document so far, borrowed until the next call on w. Returns CM_OK,
** or CM_EINTERNAL with *err filled if any call failed (unbalanced
** containers, a key where a value was due).
*/
int jw_result(struct jw *w, const char **out, size_t *out_len,
              struct cm_err *err);

/* The document as a new NUL-terminated string (free() it), or NULL if a
** call failed. For JSON stored as text: audit details, import reports. */
char *jw_strdup(struct jw *w);

/* The comma-separated list csv as a JSON array of its items (free() it),
** or NULL when an item is empty, longer than max_len bytes or holds a
** byte outside 'allowed' (NULL: any), or there are more than max_items.
** Filters and account settings take lists so. */
char *jw_csv_array(const char *csv, int max_items, size_t max_len,
                   const char *allowed);

#endif /* CM_JW_H */
