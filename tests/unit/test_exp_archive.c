/*
** test_exp_archive.c -- zip and tar.gz downloads: two builds from the
** same members give the same bytes (and sha256), a FILE member gives
** the same archive as bytes in memory, libarchive's reader finds every
** member with its size, content, mtime, owner and mode, and a
** Frictionless-style check passes: datapackage.json parses, each
** resource's bytes and sha256 match its file, the CSV row count and
** header match, SHA256SUMS matches every member.
*/
#include <archive.h>
#include <archive_entry.h>
#include <yajl/yajl_tree.h>

#include "../t.h"
#include "exp.h"

#define T_MTIME 946684800 /* 2000-01-01T00:00:00Z */
#define T_NROWS 50

struct t_member {
    char   name[64];
    char  *data;
    size_t len;
};

struct t_pkg { /* The five members, built once */
    struct cm_buf    csv, dp, sums;
    struct exp_entry e[5];
};

static const char t_readme[] = "# Électricité par commune\n\nLicence "
                               "Ouverte 2.0.\n";
static const char t_disclosure[] = "{\"rules\":{\"min_sites\":3},"
                                   "\"suppressed\":{\"C\":1,\"D\":1}}\n";

/* Build the members as the publisher would, in unsorted order. */
static void
t_pkg_build(struct t_pkg *p)
{
    static const char *sectors[] = {"education", "sport", NULL};
    struct exp_sink    s;
    struct exp_writer  w;
    struct cm_err      err;
    char               hex[EXP_SHA256_HEX + 1], period[16];

    cm_buf_init(&p->csv);
    exp_sink_init_buf(&s, &p->csv);
    exp_csv_begin(&w, &s, 0);
    for (int i = 0; i < T_NROWS; i++) {
        struct exp_obs o = {period,
                            "commune",
                            "56121",
                            sectors[i % 3],
                            "electricity",
                            i * 0.5,
                            i % 7 == 0,
                            "kWh",
                            i % 7 == 0 ? 2 : 12,
                            i % 7 == 0 ? 'C' : 'A'};

        snprintf(period, sizeof(period), "2024-%02d", 1 + i % 12);
        o.territory = i % 2 ? "56121" : "a \"quoted\",\nname";
        exp_csv_row(&w, &o);
    }
    ASSERT_EQ(exp_csv_end(&w, &err), CM_OK);
    exp_sink_digest(&s, hex);

    struct exp_package  pkg = {"electricity-commune-month",
                               "Consommation d'électricité par commune",
                               NULL,
                               "1",
                               "2000-01-01T00:00:00Z",
                               "etalab-2.0",
                               "https://www.etalab.gouv.fr/licence-ouverte",
                               "Licence Ouverte 2.0"};
    struct exp_resource res = {"data", "data.csv", "csv", "text/csv", s.bytes,
                               hex,    1,          0,     1};
    cm_buf_init(&p->dp);
    ASSERT_EQ(exp_datapackage_json(&pkg, &res, 1, &p->dp, &err), CM_OK);

    p->e[0] = (struct exp_entry){"disclosure.json", t_disclosure,
                                 strlen(t_disclosure), NULL, NULL};
    p->e[1] =
        (struct exp_entry){"data.csv", p->csv.data, p->csv.len, NULL, NULL};
    p->e[2] =
        (struct exp_entry){"README.md", t_readme, strlen(t_readme), NULL, NULL};
    p->e[3] = (struct exp_entry){"datapackage.json", p->dp.data, p->dp.len,
                                 NULL, NULL};
    cm_buf_init(&p->sums);
    ASSERT_EQ(exp_sha256sums(p->e, 4, &p->sums, &err), CM_OK);
    p->e[4] =
        (struct exp_entry){"SHA256SUMS", p->sums.data, p->sums.len, NULL, NULL};
}

static void
t_pkg_clear(struct t_pkg *p)
{
    cm_buf_clear(&p->csv);
    cm_buf_clear(&p->dp);
    cm_buf_clear(&p->sums);
}

/* Build one archive into *out; returns the sink's hex sha256 in hex. */
static void
t_build(const char *fmt, const struct exp_entry *e, size_t n,
        struct cm_buf *out, char hex[EXP_SHA256_HEX + 1])
{
    struct exp_sink s;
    struct cm_err   err;
    char            one[EXP_SHA256_HEX + 1];

    cm_buf_init(out);
    exp_sink_init_buf(&s, out);
    if (exp_archive_write(fmt, e, n, T_MTIME, &s, &err) != CM_OK) {
        fprintf(stderr, "%s: %s\n", fmt, err.msg);
        exit(1);
    }
    ASSERT_EQ(s.bytes, out->len);
    exp_sink_digest(&s, hex);
    exp_sha256_hex(out->data, out->len, one);
    ASSERT_STREQ(hex, one);
}

/* Read every member back with libarchive's reader, checking metadata. */
static size_t
t_read(const struct cm_buf *ar, struct t_member *m, size_t max)
{
    struct archive       *a = archive_read_new();
    struct archive_entry *ae;
    size_t                n = 0;

    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    ASSERT_EQ(archive_read_open_memory(a, ar->data, ar->len), ARCHIVE_OK);
    while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
        la_int64_t size = archive_entry_size(ae);

        ASSERT(n < max);
        snprintf(m[n].name, sizeof(m[n].name), "%s",
                 archive_entry_pathname(ae));
        ASSERT(size >= 0);
        m[n].len = (size_t) size;
        m[n].data = cm_malloc(m[n].len + 1);
        ASSERT_EQ(archive_read_data(a, m[n].data, m[n].len + 1), size);
        m[n].data[m[n].len] = '\0';
        ASSERT_EQ(archive_entry_mtime(ae), T_MTIME);
        ASSERT_EQ(archive_entry_filetype(ae), AE_IFREG);
        ASSERT_EQ(archive_entry_perm(ae), 0644);
        ASSERT_EQ(archive_entry_uid(ae), 0);
        ASSERT_EQ(archive_entry_gid(ae), 0);
        n++;
    }
    ASSERT_EQ(archive_read_free(a), ARCHIVE_OK);
    return n;
}

static const struct t_member *
t_find(const struct t_member *m, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].name, name) == 0)
            return &m[i];
    return NULL;
}

/* Records in an RFC 4180 text (CRLF ends outside quotes), header included. */
static size_t
t_csv_records(const char *p, size_t len)
{
    size_t n = 0;
    int    quoted = 0;

    for (size_t i = 0; i < len; i++) {
        if (p[i] == '"')
            quoted = !quoted;
        else if (!quoted && p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
            n++;
    }
    return n;
}

static yajl_val
t_key(yajl_val o, const char *key, yajl_type type)
{
    const char *path[] = {key, NULL};
    yajl_val    v = yajl_tree_get(o, path, type);

    if (v == NULL) {
        fprintf(stderr, "datapackage.json: no %s of the right type\n", key);
        exit(1);
    }
    return v;
}

/* The Frictionless-style check of an archive's members. */
static void
t_frictionless(const struct t_member *m, size_t n)
{
    const struct t_member *dp = t_find(m, n, "datapackage.json");
    const struct t_member *sums = t_find(m, n, "SHA256SUMS");
    char                   ebuf[256], hex[EXP_SHA256_HEX + 1];
    char                   hash[8 + EXP_SHA256_HEX + 1], line[1024];
    yajl_val               doc, res;

    ASSERT(dp != NULL);
    doc = yajl_tree_parse(dp->data, ebuf, sizeof(ebuf));
    ASSERT(doc != NULL);
    ASSERT_STREQ(YAJL_GET_STRING(t_key(doc, "$schema", yajl_t_string)),
                 "https://datapackage.org/profiles/2.0/datapackage.json");
    ASSERT(YAJL_GET_ARRAY(t_key(doc, "licenses", yajl_t_array))->len == 1);
    res = t_key(doc, "resources", yajl_t_array);
    ASSERT(res->u.array.len >= 1);
    for (size_t i = 0; i < res->u.array.len; i++) {
        yajl_val    r = res->u.array.values[i];
        const char *path = YAJL_GET_STRING(t_key(r, "path", yajl_t_string));
        const struct t_member *f = t_find(m, n, path);
        yajl_val               fields;

        ASSERT(f != NULL);
        t_key(r, "name", yajl_t_string);
        ASSERT_EQ(YAJL_GET_INTEGER(t_key(r, "bytes", yajl_t_number)), f->len);
        exp_sha256_hex(f->data, f->len, hex);
        snprintf(hash, sizeof(hash), "sha256:%s", hex);
        ASSERT_STREQ(YAJL_GET_STRING(t_key(r, "hash", yajl_t_string)), hash);
        if (strcmp(path, "data.csv") != 0)
            continue;
        /* Table Schema: the header is the fields, rows all there. */
        fields =
            t_key(t_key(r, "schema", yajl_t_object), "fields", yajl_t_array);
        ASSERT_EQ(fields->u.array.len, EXP_NCOLS);
        line[0] = '\0';
        for (size_t k = 0; k < EXP_NCOLS; k++) {
            yajl_val    fk = fields->u.array.values[k];
            const char *name =
                YAJL_GET_STRING(t_key(fk, "name", yajl_t_string));

            ASSERT(name != NULL);
            if (k > 0)
                strcat(line, ",");
            strcat(line, name);
            t_key(fk, "type", yajl_t_string);
        }
        strcat(line, "\r\n");
        ASSERT(strncmp(f->data, line, strlen(line)) == 0);
        ASSERT_EQ(t_csv_records(f->data, f->len), 1 + T_NROWS);
    }
    yajl_tree_free(doc);

    /* SHA256SUMS names every other member with its hash. */
    ASSERT(sums != NULL);
    for (size_t i = 0; i < n; i++) {
        if (&m[i] == sums)
            continue;
        exp_sha256_hex(m[i].data, m[i].len, hex);
        snprintf(line, sizeof(line), "%s  %s\n", hex, m[i].name);
        ASSERT_CONTAINS(sums->data, line);
    }
}

static void
t_format(const char *fmt)
{
    static const char *sorted[] = {"README.md", "SHA256SUMS", "data.csv",
                                   "datapackage.json", "disclosure.json"};
    struct t_pkg       p;
    struct cm_buf      a1, a2, a3;
    char               h1[EXP_SHA256_HEX + 1], h2[EXP_SHA256_HEX + 1];
    struct t_member    m[8];
    size_t             n;
    FILE              *f;

    t_pkg_build(&p);
    t_build(fmt, p.e, 5, &a1, h1);
    t_build(fmt, p.e, 5, &a2, h2);
    ASSERT_EQ(a1.len, a2.len);
    ASSERT(memcmp(a1.data, a2.data, a1.len) == 0);
    ASSERT_STREQ(h1, h2);

    /* The data member read from a FILE: the same archive. */
    f = tmpfile();
    ASSERT(f != NULL);
    ASSERT_EQ(fwrite(p.csv.data, 1, p.csv.len, f), p.csv.len);
    rewind(f);
    p.e[1].bytes = NULL;
    p.e[1].file = f;
    t_build(fmt, p.e, 5, &a3, h2);
    ASSERT_STREQ(h1, h2);
    fclose(f);

    n = t_read(&a1, m, 8);
    ASSERT_EQ(n, 5);
    for (size_t i = 0; i < n; i++)
        ASSERT_STREQ(m[i].name, sorted[i]);
    ASSERT_EQ(t_find(m, n, "data.csv")->len, p.csv.len);
    ASSERT(memcmp(t_find(m, n, "data.csv")->data, p.csv.data, p.csv.len) == 0);
    ASSERT_STREQ(t_find(m, n, "README.md")->data, t_readme);
    ASSERT_STREQ(t_find(m, n, "disclosure.json")->data, t_disclosure);
    t_frictionless(m, n);

    if (strcmp(fmt, "tar.gz") == 0) {
        /* gzip header: magic, no FNAME flag, MTIME zero. */
        ASSERT((unsigned char) a1.data[0] == 0x1f);
        ASSERT((unsigned char) a1.data[1] == 0x8b);
        ASSERT_EQ(a1.data[3] & 0x08, 0);
        ASSERT(memcmp(a1.data + 4, "\0\0\0\0", 4) == 0);
    }
    for (size_t i = 0; i < n; i++)
        free(m[i].data);
    cm_buf_clear(&a1);
    cm_buf_clear(&a2);
    cm_buf_clear(&a3);
    t_pkg_clear(&p);
}

static void
test_zip(void)
{
    t_format("zip");
}

static void
test_tar_gz(void)
{
    t_format("tar.gz");
}

/* tar.gz is the same whatever the time zone; zip (whose MS-DOS times
** libarchive takes from localtime) is refused outside UTC. */
static void
test_time_zone(void)
{
    struct t_pkg    p;
    struct cm_buf   a, b;
    struct exp_sink s;
    struct cm_err   err;
    char            h1[EXP_SHA256_HEX + 1], h2[EXP_SHA256_HEX + 1];

    t_pkg_build(&p);
    t_build("tar.gz", p.e, 5, &a, h1);
    setenv("TZ", "Pacific/Auckland", 1);
    tzset();
    t_build("tar.gz", p.e, 5, &b, h2);
    ASSERT_STREQ(h1, h2);
    cm_buf_clear(&b);
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_archive_write("zip", p.e, 5, T_MTIME, &s, &err),
              CM_EINTERNAL);
    ASSERT_CONTAINS(err.msg, "TZ=UTC");
    ASSERT_EQ(b.len, 0); /* Nothing written */
    setenv("TZ", "UTC", 1);
    tzset();
    cm_buf_clear(&a);
    cm_buf_clear(&b);
    t_pkg_clear(&p);
}

static void
test_bad_input(void)
{
    struct exp_entry e[2] = {{"a.txt", "x", 1, NULL, NULL},
                             {"a.txt", "y", 1, NULL, NULL}};
    struct cm_buf    out;
    struct exp_sink  s;
    struct cm_err    err;

    cm_buf_init(&out);
    exp_sink_init_buf(&s, &out);
    ASSERT_EQ(exp_archive_write("rar", e, 1, T_MTIME, &s, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "zip or tar.gz");
    ASSERT_EQ(exp_archive_write("zip", e, 2, T_MTIME, &s, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "repeated");
    ASSERT_EQ(exp_sha256sums(e, 2, &out, &err), CM_EINVAL);
    e[1].name = "b.txt";
    e[1].bytes = NULL; /* A file member needs its sha256 given */
    ASSERT_EQ(exp_sha256sums(e, 2, &out, &err), CM_EINVAL);
    e[1].sha256 = "00";
    ASSERT_EQ(exp_sha256sums(e, 2, &out, &err), CM_OK);
    ASSERT_CONTAINS(out.data, "00  b.txt\n");
    cm_buf_clear(&out);
}

/* A sink that fails stops the archive with the sink's error. */
static int
t_fail_write(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    (void) ctx, (void) p, (void) n;
    return cm_fail(err, CM_EIO, "client went away");
}

static void
test_sink_error(void)
{
    struct t_pkg    p;
    struct exp_sink s;
    struct cm_err   err;

    t_pkg_build(&p);
    exp_sink_init(&s, t_fail_write, NULL);
    ASSERT_EQ(exp_archive_write("tar.gz", p.e, 5, T_MTIME, &s, &err), CM_EIO);
    ASSERT_STREQ(err.msg, "client went away");
    exp_sink_init(&s, t_fail_write, NULL);
    ASSERT_EQ(exp_archive_write("zip", p.e, 5, T_MTIME, &s, &err), CM_EIO);
    t_pkg_clear(&p);
}

int
main(void)
{
    setenv("TZ", "UTC", 1); /* As main() does: zip times are UTC */
    tzset();
    RUN(test_zip);
    RUN(test_tar_gz);
    RUN(test_time_zone);
    RUN(test_bad_input);
    RUN(test_sink_error);
    return 0;
}
