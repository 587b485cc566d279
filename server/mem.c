/*
** mem.c -- never-NULL allocation and struct cm_buf.
*/
#include <stdarg.h>
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
