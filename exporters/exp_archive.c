/*
** exp_archive.c -- zip and tar.gz downloads, written with libarchive
** onto a sink, and their SHA256SUMS. Deterministic so anyone can rebuild
** a byte-identical archive and check its sha256: members sorted by
** name, one fixed mtime, uid/gid 0, no owner names, mode 0644, no gzip
** timestamp. A member may come from a FILE (the data CSV), read in
** fixed chunks, so memory stays bounded.
**
** One trap: libarchive 3.6 writes a zip member's MS-DOS time from
** localtime(), so the same archive would differ between time zones.
** Zips are therefore refused unless the process runs in UTC (main()
** sets TZ=UTC before any thread starts); tar.gz has no such field.
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "exp.h"

#define EXP_CHUNK (64 * 1024) /* Read size of FILE members, bytes */

static int
entry_cmp(const void *a, const void *b)
{
    const struct exp_entry *const *x = a, *const *y = b;

    return strcmp((*x)->name, (*y)->name);
}

/* Fill *out with pointers to entries sorted by name; CM_EINVAL on a
** repeated name. The caller frees *out. */
static int
sorted_entries(const struct exp_entry *entries, size_t n,
               const struct exp_entry ***out, struct cm_err *err)
{
    const struct exp_entry **v = cm_calloc(n ? n : 1, sizeof(*v));

    for (size_t i = 0; i < n; i++)
        v[i] = &entries[i];
    qsort(v, n, sizeof(*v), entry_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1]->name, v[i]->name) == 0) {
            cm_fail(err, CM_EINVAL, "archive member '%s' repeated", v[i]->name);
            free(v);
            return err->code;
        }
    *out = v;
    return CM_OK;
}

/* libarchive's write callback: everything goes through the sink. */
static la_ssize_t
archive_to_sink(struct archive *a, void *ctx, const void *p, size_t n)
{
    struct exp_sink *s = ctx;

    exp_sink_write(s, p, n);
    if (s->err.code != CM_OK) {
        archive_set_error(a, -1, "%s", s->err.msg);
        return -1;
    }
    return (la_ssize_t) n;
}

static int
archive_fail(struct archive *a, struct exp_sink *sink, const char *what,
             struct cm_err *err)
{
    if (sink->err.code != CM_OK) { /* The sink said why */
        *err = sink->err;
        return err->code;
    }
    return cm_fail(err, CM_EINTERNAL, "archive %s: %s", what,
                   archive_error_string(a) ? archive_error_string(a)
                                           : "failed");
}

/* CM_OK if localtime(mtime) is UTC, so zip DOS times are reproducible. */
static int
zip_tz_check(int64_t mtime, struct cm_err *err)
{
    time_t    t = (time_t) mtime;
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL || tm.tm_gmtoff != 0)
        return cm_fail(err, CM_EINTERNAL,
                       "zip: the process time zone is not UTC, so member "
                       "times would depend on it (set TZ=UTC at start-up)");
    return CM_OK;
}

/* Set the format, filter and options; CM_EINVAL for an unknown one. */
static int
archive_setup(struct archive *a, const char *format, int64_t mtime,
              struct cm_err *err)
{
    if (strcmp(format, "zip") == 0) {
        if (zip_tz_check(mtime, err) != CM_OK)
            return err->code;
        if (archive_write_set_format_zip(a) != ARCHIVE_OK)
            return cm_fail(err, CM_EINTERNAL, "zip: %s",
                           archive_error_string(a));
    } else if (strcmp(format, "tar.gz") == 0) {
        if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
            /* "!timestamp": a zero MTIME in the gzip header */
            archive_write_set_filter_option(a, "gzip", "timestamp", NULL) !=
                ARCHIVE_OK)
            return cm_fail(err, CM_EINTERNAL, "tar.gz: %s",
                           archive_error_string(a));
    } else {
        cm_fail(err, CM_EINVAL, "archive format '%s': use zip or tar.gz",
                format);
        cm_err_what(err, "param", "format");
        return err->code;
    }
    /* No padding of the last block: the archive ends where its data do. */
    archive_write_set_bytes_in_last_block(a, 1);
    return CM_OK;
}

/* Copy one member's content; CM_OK or the error. */
static int
archive_data(struct archive *a, const struct exp_entry *e, char *chunk,
             struct cm_err *err)
{
    size_t left = e->len, k;

    if (e->bytes != NULL) {
        if (e->len > 0 && archive_write_data(a, e->bytes, e->len) < 0)
            return -1;
        return CM_OK;
    }
    while (left > 0) {
        k = fread(chunk, 1, left < EXP_CHUNK ? left : EXP_CHUNK, e->file);
        if (k == 0)
            return cm_fail(err, CM_EIO,
                           "archive member '%s': %zu bytes "
                           "missing from its file",
                           e->name, left);
        if (archive_write_data(a, chunk, k) < 0)
            return -1;
        left -= k;
    }
    return CM_OK;
}

int
exp_archive_write(const char *format, const struct exp_entry *entries, size_t n,
                  int64_t mtime, struct exp_sink *sink, struct cm_err *err)
{
    const struct exp_entry **v;
    struct archive          *a;
    struct archive_entry    *ae;
    char                    *chunk;
    int                      rc;

    if (sorted_entries(entries, n, &v, err) != CM_OK)
        return err->code;
    a = archive_write_new();
    ae = archive_entry_new();
    chunk = cm_malloc(EXP_CHUNK);
    if (a == NULL || ae == NULL) {
        rc = cm_fail(err, CM_EINTERNAL, "libarchive: out of memory");
        goto done;
    }
    if ((rc = archive_setup(a, format, mtime, err)) != CM_OK)
        goto done;
    if (archive_write_open2(a, sink, NULL, archive_to_sink, NULL, NULL) !=
        ARCHIVE_OK) {
        rc = archive_fail(a, sink, "open", err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        archive_entry_clear(ae);
        archive_entry_set_pathname(ae, v[i]->name);
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_size(ae, (la_int64_t) v[i]->len);
        archive_entry_set_mtime(ae, (time_t) mtime, 0);
        archive_entry_set_uid(ae, 0);
        archive_entry_set_gid(ae, 0);
        archive_entry_set_uname(ae, "");
        archive_entry_set_gname(ae, "");
        if (archive_write_header(a, ae) != ARCHIVE_OK) {
            rc = archive_fail(a, sink, "header", err);
            goto done;
        }
        rc = archive_data(a, v[i], chunk, err);
        if (rc < 0)
            rc = archive_fail(a, sink, "data", err);
        if (rc != CM_OK)
            goto done;
    }
    if (archive_write_close(a) != ARCHIVE_OK) {
        rc = archive_fail(a, sink, "close", err);
        goto done;
    }
    rc = exp_sink_flush(sink, err);
done:
    archive_entry_free(ae);
    archive_write_free(a); /* NULL-safe */
    free(chunk);
    free(v);
    return rc;
}

int
exp_sha256sums(const struct exp_entry *entries, size_t n, struct cm_buf *out,
               struct cm_err *err)
{
    const struct exp_entry **v;
    char                     hex[EXP_SHA256_HEX + 1];

    if (sorted_entries(entries, n, &v, err) != CM_OK)
        return err->code;
    for (size_t i = 0; i < n; i++) {
        if (v[i]->sha256 != NULL) {
            cm_buf_printf(out, "%s  %s\n", v[i]->sha256, v[i]->name);
            continue;
        }
        if (v[i]->bytes == NULL) { /* Hashing a FILE would consume it */
            cm_fail(err, CM_EINVAL,
                    "SHA256SUMS: member '%s' has neither "
                    "bytes nor sha256",
                    v[i]->name);
            free(v);
            return err->code;
        }
        exp_sha256_hex(v[i]->bytes, v[i]->len, hex);
        cm_buf_printf(out, "%s  %s\n", hex, v[i]->name);
    }
    free(v);
    return CM_OK;
}
