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

/*
** A map from byte strings to size_t values (open addressing, FNV-1a),
** for the publisher's cells and keys: insert-or-find in one call.
*/
struct cm_map {
    char  **keys; /* Owned copies; NULL: empty slot */
    size_t *klen;
    size_t *vals;
    size_t  cap, n;
};
void cm_map_init(struct cm_map *m);
void cm_map_clear(struct cm_map *m);
/* The value of key[0..len); if absent, insert it with value 'v' and set
** *added. Returns the value. */
size_t cm_map_put(struct cm_map *m, const char *key, size_t len, size_t v,
                  int *added);
/* 1 and *v if key[0..len) is there, else 0. */
int cm_map_get(const struct cm_map *m, const char *key, size_t len, size_t *v);

#endif /* CM_MEM_H */
