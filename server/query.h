/*
** query.h -- the query string of a request, decoded once, strictly: a bad
** %-escape, a NUL byte, text that is not UTF-8 or more than
** CM_MAX_QUERY_ARGS arguments is an error, not a guess.
*/
#ifndef CM_QUERY_H
#define CM_QUERY_H

#include "err.h"
#include "cm_limits.h"

struct query {
    int   n;
    char *key[CM_MAX_QUERY_ARGS]; /* Decoded; point into buf */
    char *val[CM_MAX_QUERY_ARGS]; /* "" for "?flag" */
    char *buf;                    /* Owns the decoded text */
};

/* Parse 'qs' (the part after '?', or NULL) into *q. On error *q is empty
** and query_clear() on it is harmless. */
int  query_parse(const char *qs, struct query *q, struct cm_err *err);
void query_clear(struct query *q);

/* The first value of 'key', or NULL. Borrowed from q. */
const char *query_get(const struct query *q, const char *key);

/*
** Check that every key is in 'allowed' ("limit,after"; NULL: none), so a
** misspelt parameter is an error instead of being silently ignored.
*/
int query_check_keys(const struct query *q, const char *allowed,
                     struct cm_err *err);

#endif /* CM_QUERY_H */
