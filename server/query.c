/*
** query.c -- strict query-string parsing (application/x-www-form-urlencoded).
*/
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "query.h"
#include "text.h"

static int
query_bad(struct query *q, struct cm_err *err, const char *what,
          const char *frag, size_t len)
{
    query_clear(q);
    cm_fail(err, CM_EMALFORMED, "malformed query string: %s in '%.*s'", what,
            (int) (len > 64 ? 64 : len), frag);
    return err->code;
}

int
query_parse(const char *qs, struct query *q, struct cm_err *err)
{
    size_t len, o = 0;

    memset(q, 0, sizeof(*q));
    if (qs == NULL || *qs == '\0')
        return CM_OK;
    len = strlen(qs);
    /* Decoding never grows the text, and each key's '=' (or '&', or the
    ** end) leaves room for its NUL: len + 1 bytes always suffice. */
    q->buf = cm_malloc(len + 1);
    for (const char *p = qs; *p;) {
        size_t      plen = strcspn(p, "&");
        const char *eq = memchr(p, '=', plen);
        size_t      klen = eq ? (size_t) (eq - p) : plen;
        long        n;

        if (plen == 0) { /* "a=1&&b=2": tolerate empty pairs */
            p++;
            continue;
        }
        if (q->n == CM_MAX_QUERY_ARGS) {
            query_clear(q);
            cm_fail(err, CM_ELIMIT, "more than %d query parameters",
                    CM_MAX_QUERY_ARGS);
            return err->code;
        }
        if (klen == 0)
            return query_bad(q, err, "empty parameter name", p, plen);
        q->key[q->n] = q->buf + o;
        if ((n = cm_pct_decode(p, klen, 1, q->buf + o)) < 0)
            return query_bad(q, err, "bad %-escape or NUL", p, plen);
        if (!cm_utf8_valid(q->buf + o, (size_t) n))
            return query_bad(q, err, "text that is not UTF-8", p, plen);
        o += (size_t) n + 1;
        if (eq) {
            q->val[q->n] = q->buf + o;
            n = cm_pct_decode(eq + 1, plen - klen - 1, 1, q->buf + o);
            if (n < 0)
                return query_bad(q, err, "bad %-escape or NUL", p, plen);
            if (!cm_utf8_valid(q->buf + o, (size_t) n))
                return query_bad(q, err, "text that is not UTF-8", p, plen);
            o += (size_t) n + 1;
        } else /* "?flag": the value is "", the key's own NUL */
            q->val[q->n] = q->buf + o - 1;
        q->n++;
        p += plen;
        if (*p == '&')
            p++;
    }
    return CM_OK;
}

void
query_clear(struct query *q)
{
    if (q == NULL)
        return;
    free(q->buf);
    memset(q, 0, sizeof(*q));
}

const char *
query_get(const struct query *q, const char *key)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->key[i], key) == 0)
            return q->val[i];
    return NULL;
}

static int
query_allowed(const char *allowed, const char *key)
{
    size_t klen = strlen(key);

    for (const char *p = allowed; p && *p;) {
        size_t n = strcspn(p, ",");

        if (n == klen && memcmp(p, key, n) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int
query_check_keys(const struct query *q, const char *allowed, struct cm_err *err)
{
    for (int i = 0; i < q->n; i++)
        if (!query_allowed(allowed, q->key[i])) {
            cm_fail(err, CM_EINVAL,
                    "unknown parameter '%.64s' (this route accepts: %s)",
                    q->key[i], allowed && *allowed ? allowed : "none");
            cm_err_what(err, "param", q->key[i]);
            return err->code;
        }
    return CM_OK;
}
