/*
** t.h -- the test harness (libuv style): ASSERT macros that print the
** file, line and values and exit non-zero, RUN() that prints "ok NAME",
** and temporary folders under $CM_TEST_TMP (the build tree) or /tmp.
*/
#ifndef CM_T_H
#define CM_T_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int t_count;

#define ASSERT(c)                                                              \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s:%d: ASSERT(%s) failed\n", __FILE__, __LINE__,  \
                    #c);                                                       \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#define ASSERT_EQ(a, b)                                                        \
    do {                                                                       \
        long long t_a = (long long) (a), t_b = (long long) (b);                \
        if (t_a != t_b) {                                                      \
            fprintf(stderr, "%s:%d: ASSERT_EQ(%s, %s): %lld != %lld\n",        \
                    __FILE__, __LINE__, #a, #b, t_a, t_b);                     \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#define ASSERT_STREQ(a, b)                                                     \
    do {                                                                       \
        const char *t_a = (a), *t_b = (b);                                     \
        if (t_a == NULL || t_b == NULL || strcmp(t_a, t_b) != 0) {             \
            fprintf(stderr, "%s:%d: ASSERT_STREQ(%s, %s): \"%s\" != \"%s\"\n", \
                    __FILE__, __LINE__, #a, #b, t_a ? t_a : "(null)",          \
                    t_b ? t_b : "(null)");                                     \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                           \
    do {                                                                       \
        const char *t_h = (hay), *t_n = (needle);                              \
        if (t_h == NULL || strstr(t_h, t_n) == NULL) {                         \
            fprintf(stderr, "%s:%d: \"%s\" not found in: %s\n", __FILE__,      \
                    __LINE__, t_n, t_h ? t_h : "(null)");                      \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

#define RUN(fn)                                                                \
    do {                                                                       \
        fn();                                                                  \
        printf("ok %d %s\n", ++t_count, #fn);                                  \
        fflush(stdout);                                                        \
    } while (0)

/* A new empty folder for one test; the path is static storage. */
static inline const char *
t_tmpdir(const char *tag)
{
    static char path[1024];
    const char *base = getenv("CM_TEST_TMP");

    if (base == NULL || *base == '\0')
        base = "/tmp";
    mkdir(base, 0755);
    snprintf(path, sizeof(path), "%s/%s-XXXXXX", base, tag);
    if (mkdtemp(path) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return path;
}

/* Write 'text' to dir/name; returns the path (static storage). */
static inline const char *
t_write_file(const char *dir, const char *name, const char *text)
{
    static char path[2048];
    FILE       *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    ASSERT(f != NULL);
    ASSERT(fputs(text, f) >= 0);
    ASSERT(fclose(f) == 0);
    return path;
}

/* The whole file at 'path', NUL-terminated (free() it); *len its bytes. */
static inline char *
t_read_file(const char *path, size_t *len)
{
    FILE  *f = fopen(path, "rb");
    char  *buf = NULL;
    size_t cap = 0, n = 0, got;

    ASSERT(f != NULL);
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            ASSERT(buf != NULL);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    ASSERT(ferror(f) == 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

#endif /* CM_T_H */
