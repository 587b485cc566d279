/*
** fuzz_query.c -- libFuzzer target for query_parse(), which decodes the
** query string of every request: bytes any client controls, on every
** route. Under ASan/UBSan it looks for crashes, overflows and leaks, and
** it checks the promises of query.h against a small model of
** application/x-www-form-urlencoded written here, on top of the decoder
** and UTF-8 check of fuzz_util.h:
**   - query_parse() succeeds exactly when the model does, and then holds
**     the same pairs in the same order, each key and value valid UTF-8,
**     NUL-free up to its decoded length;
**   - on error *q is empty, and the code is CM_ELIMIT only for more than
**     CM_MAX_QUERY_ARGS pairs, CM_EMALFORMED only for a bad pair;
**   - query_get() gives the first value of a key, query_check_keys()
**     accepts exactly the keys listed, and query_clear() may be repeated.
** The input is used as a NUL-terminated copy, as CivetWeb hands it over
** (an empty input stands for "no query string": NULL). See README.md.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "query.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the model expects: the pairs, or which error is allowed. */
struct model {
    int    npairs; /* Non-empty '&'-separated pairs, all of them */
    int    bad;    /* A bad pair among the first CM_MAX_QUERY_ARGS */
    int    n;      /* Pairs decoded (the first CM_MAX_QUERY_ARGS) */
    char  *key[CM_MAX_QUERY_ARGS];
    char  *val[CM_MAX_QUERY_ARGS];
    size_t klen[CM_MAX_QUERY_ARGS];
    size_t vlen[CM_MAX_QUERY_ARGS];
    char  *buf;
};

static int
model_text(const char *s, size_t n, char **out, size_t *outlen, char **pos)
{
    long len = fz_pct_decode(s, n, 1, *pos);

    if (len < 0 || !fz_utf8_valid(*pos, (size_t) len))
        return -1;
    *out = *pos;
    *outlen = (size_t) len;
    *pos += (size_t) len + 1;
    return 0;
}

static void
model_parse(const char *qs, struct model *m)
{
    size_t len = strlen(qs);
    char  *pos;

    memset(m, 0, sizeof(*m));
    m->buf = pos = malloc(2 * len + 2); /* A flag's "" costs one more byte */
    FZ_CHECK(m->buf != NULL);
    for (const char *p = qs; *p;) {
        const char *amp = strchr(p, '&');
        size_t      plen = amp ? (size_t) (amp - p) : strlen(p);
        const char *eq = memchr(p, '=', plen);
        size_t      klen = eq ? (size_t) (eq - p) : plen;

        if (plen > 0 && ++m->npairs <= CM_MAX_QUERY_ARGS && !m->bad) {
            int i = m->n;

            if (klen == 0 ||
                model_text(p, klen, &m->key[i], &m->klen[i], &pos) != 0)
                m->bad = 1;
            else if (eq == NULL) {
                *pos = '\0';
                m->val[i] = pos++;
                m->vlen[i] = 0;
                m->n++;
            } else if (model_text(eq + 1, plen - klen - 1, &m->val[i],
                                  &m->vlen[i], &pos) != 0)
                m->bad = 1;
            else
                m->n++;
        }
        p += plen;
        if (*p == '&')
            p++;
    }
}

static const char *
model_get(const struct model *m, const char *key)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    return NULL;
}

/*
** One decoded string: exactly the model's bytes, NUL-terminated. Where it
** lives is query.c's business (ASan watches the bounds); all strings are
** checked after parsing is done, so one overwriting another shows here.
*/
static void
check_text(const char *s, const char *want, size_t wantlen)
{
    FZ_CHECK(memchr(s, '\0', wantlen) == NULL);
    FZ_CHECK(s[wantlen] == '\0');
    FZ_CHECK(memcmp(s, want, wantlen) == 0);
    FZ_CHECK(cm_utf8_valid(s, wantlen));
    FZ_CHECK(fz_utf8_valid(s, wantlen));
}

static void
check_get(const struct query *q, const struct model *m, const char *key)
{
    const char *got = query_get(q, key);
    const char *want = model_get(m, key);

    FZ_CHECK((got == NULL) == (want == NULL));
    FZ_CHECK(got == NULL || strcmp(got, want) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char         *qs = malloc(size + 1);
    struct query  q;
    struct cm_err err;
    struct model  m;
    int           rc, only_allowed = 1;

    FZ_CHECK(qs != NULL);
    memcpy(qs, data, size);
    qs[size] = '\0';
    model_parse(qs, &m);
    memset(&err, 0, sizeof(err));
    rc = query_parse(size ? qs : NULL, &q, &err);
    if (rc != CM_OK) {
        FZ_CHECK(rc == (int) err.code);
        FZ_CHECK(q.n == 0 && q.buf == NULL);
        FZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        if (rc == CM_ELIMIT)
            FZ_CHECK(m.npairs > CM_MAX_QUERY_ARGS);
        else
            FZ_CHECK(rc == CM_EMALFORMED && m.bad);
        FZ_CHECK(query_get(&q, "limit") == NULL);
        FZ_CHECK(query_check_keys(&q, "limit,after", &err) == CM_OK);
        query_clear(&q); /* Harmless on an emptied query */
        free(m.buf);
        free(qs);
        return 0;
    }
    FZ_CHECK(!m.bad && m.npairs <= CM_MAX_QUERY_ARGS);
    FZ_CHECK(q.n == m.n);
    for (int i = 0; i < q.n; i++) {
        check_text(q.key[i], m.key[i], m.klen[i]);
        check_text(q.val[i], m.val[i], m.vlen[i]);
        FZ_CHECK(q.key[i][0] != '\0');
        if (strcmp(q.key[i], "limit") != 0 && strcmp(q.key[i], "after") != 0)
            only_allowed = 0;
    }

    check_get(&q, &m, "limit");
    check_get(&q, &m, "after");
    check_get(&q, &m, "");
    if (q.n > 0) {
        check_get(&q, &m, m.key[0]);
        check_get(&q, &m, m.key[q.n - 1]);
        check_get(&q, &m, m.val[q.n - 1]);
    }

    memset(&err, 0, sizeof(err));
    rc = query_check_keys(&q, "limit,after", &err);
    FZ_CHECK((rc == CM_OK) == only_allowed);
    FZ_CHECK(rc == CM_OK || (rc == CM_EINVAL && err.code == CM_EINVAL));
    rc = query_check_keys(&q, NULL, &err);
    FZ_CHECK((rc == CM_OK) == (q.n == 0));

    query_clear(&q);
    FZ_CHECK(q.n == 0 && q.buf == NULL);
    query_clear(&q);
    free(m.buf);
    free(qs);
    return 0;
}
