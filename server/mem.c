/*
** mem.c -- never-NULL allocation and struct cm_buf.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static void
cm_oom(size_t n)
{
    fprintf(stderr, "consometer: out of memory (%zu bytes)\n", n);
    abort();
}

void *
cm_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        cm_oom(n);
    return p;
}

void *
cm_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        cm_oom(n * size);
    return p;
}

void *
cm_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        cm_oom(n);
    return q;
}

char *
cm_strdup(const char *s)
{
    return s ? cm_strndup(s, strlen(s)) : NULL;
}

char *
cm_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char  *p = cm_malloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void
cm_buf_init(struct cm_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void
cm_buf_clear(struct cm_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    cm_buf_init(b);
}

static void
cm_buf_reserve(struct cm_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    if (b->cap == 0)
        b->cap = 256;
    while (b->cap < need)
        b->cap *= 2;
    b->data = cm_realloc(b->data, b->cap);
}

void
cm_buf_add(struct cm_buf *b, const void *p, size_t n)
{
    cm_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
cm_buf_puts(struct cm_buf *b, const char *s)
{
    cm_buf_add(b, s, strlen(s));
}

void
cm_buf_printf(struct cm_buf *b, const char *fmt, ...)
{
    va_list ap;
    int     n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    cm_buf_reserve(b, (size_t) n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
}

static uint64_t
cm_map_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char) key[i]) * 1099511628211ull;
    return h;
}

void
cm_map_init(struct cm_map *m)
{
    memset(m, 0, sizeof(*m));
}

void
cm_map_clear(struct cm_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->klen);
    free(m->vals);
    cm_map_init(m);
}

/* The slot of key, or of the empty slot where it would go. */
static size_t
cm_map_slot(const struct cm_map *m, const char *key, size_t len)
{
    size_t i = (size_t) cm_map_hash(key, len) & (m->cap - 1);

    while (m->keys[i] &&
           (m->klen[i] != len || memcmp(m->keys[i], key, len) != 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void
cm_map_grow(struct cm_map *m)
{
    struct cm_map big;

    big.cap = m->cap ? m->cap * 2 : 64;
    big.n = m->n;
    big.keys = cm_calloc(big.cap, sizeof(*big.keys));
    big.klen = cm_calloc(big.cap, sizeof(*big.klen));
    big.vals = cm_calloc(big.cap, sizeof(*big.vals));
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            size_t j = cm_map_slot(&big, m->keys[i], m->klen[i]);

            big.keys[j] = m->keys[i];
            big.klen[j] = m->klen[i];
            big.vals[j] = m->vals[i];
        }
    }
    free(m->keys);
    free(m->klen);
    free(m->vals);
    *m = big;
}

size_t
cm_map_put(struct cm_map *m, const char *key, size_t len, size_t v, int *added)
{
    size_t i;

    *added = 0;
    if ((m->n + 1) * 4 > m->cap * 3)
        cm_map_grow(m);
    i = cm_map_slot(m, key, len);
    if (m->keys[i])
        return m->vals[i];
    m->keys[i] = cm_malloc(len + 1);
    memcpy(m->keys[i], key, len);
    m->keys[i][len] = '\0';
    m->klen[i] = len;
    m->vals[i] = v;
    m->n++;
    *added = 1;
    return v;
}

int
cm_map_get(const struct cm_map *m, const char *key, size_t len, size_t *v)
{
    size_t i;

    if (m->cap == 0)
        return 0;
    i = cm_map_slot(m, key, len);
    if (m->keys[i] == NULL)
        return 0;
    *v = m->vals[i];
    return 1;
}
