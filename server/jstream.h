/*
** jstream.h -- streaming JSON for importers: yajl's event parser, with the
** values at chosen paths collected into small yajl_val trees and handed
** to a callback one at a time. Memory is the largest collected value, not
** the document: a year of readings in one JSON array streams through.
**
** Paths: segments separated by '.', where "name" is an object member,
** "*" any member, and a "[]" suffix (or a lone "[]") an element of the
** array there. "meter_reading.interval_reading[]" is each element of that
** array; "[]" each element of a top-level array; "Body.Data.*.Data.*"
** each channel object of a Fronius archive; "meter_reading.usage_point_id"
** one scalar.
*/
#ifndef CM_JSTREAM_H
#define CM_JSTREAM_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "err.h"
#include "imp.h"

struct jstream;

/*
** Called for each value at paths[which]; 'v' is freed when it returns.
** 'key' is the member name the value had (NULL in arrays), 'offset' the
** byte offset where the value ended. Return CM_OK to go on; anything else
** stops the parse and is returned by jstream_run().
*/
typedef int (*jstream_cb)(void *ud, int which, const char *key, yajl_val v,
                          long offset);

/* paths[] is NULL-terminated and borrowed. 'value_max' bounds the bytes
** of one collected value (a bigger one is a CM_ELIMIT error). */
struct jstream *jstream_new(const char *const *paths, jstream_cb cb, void *ud,
                            size_t value_max);
void            jstream_free(struct jstream *js); /* NULL-safe */

/*
** Parse everything src holds. CM_OK, the callback's code, or
** CM_EMALFORMED naming the byte offset (bad JSON, truncated document,
** not UTF-8), or the source's error.
*/
int jstream_run(struct jstream *js, struct imp_src *src, struct cm_err *err);

/* Helpers on collected values. */
const char *jstream_str(yajl_val obj, const char *key); /* string or NULL */
yajl_val    jstream_get(yajl_val obj, const char *key); /* member or NULL */
/* A number, or a string holding one ("540", as Zabbix and Enedis write
** them), into *out; 0 on success. */
int jstream_num(yajl_val v, double *out);

#endif /* CM_JSTREAM_H */
