/*
** mem.h -- allocation that never returns NULL, and a growable byte buffer.
** Out of memory aborts the process (Redis's zmalloc): a server that has
** lost an allocation cannot keep its promises. The Lua allocator is the
** one place where NULL is a normal answer.
*/
#ifndef CM_MEM_H
#define CM_MEM_H

#include <stddef.h>

void *cm_malloc(size_t n);
void *cm_calloc(size_t n, size_t size);
void *cm_realloc(void *p, size_t n);
char *cm_strdup(const char *s);            /* NULL -> NULL */
char *cm_strndup(const char *s, size_t n); /* At most n bytes, plus NUL */

struct cm_buf { /* Caller-owned; always NUL-terminated when len > 0 */
    char  *data;
    size_t len;
    size_t cap;
};

void cm_buf_init(struct cm_buf *b);
void cm_buf_clear(struct cm_buf *b); /* Frees the bytes; NULL-safe */
void cm_buf_add(struct cm_buf *b, const void *p, size_t n);
void cm_buf_puts(struct cm_buf *b, const char *s);
void cm_buf_printf(struct cm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* CM_MEM_H */
