/*
** exp_version.c -- a published dataset version in each download format:
** csv, json and ndjson stream its observations from the store; zip and
** tar.gz hold data.csv with datapackage.json, README.md, the disclosure
** report and SHA256SUMS, so the archive explains and checks itself.
**
** Everything is derived from the version alone (rows, manifest, report,
** published_at as every member's mtime), so the same version always
** gives the same bytes: the publisher records each format's size and
** sha256 (exp_version_describe) before anyone asks for the file, and the
** download cache (dl.c) checks what it builds against that record.
**
** Memory stays bounded whatever the number of rows: an archive's
** data.csv is written to a temporary file first (its size and hash go
** into datapackage.json and SHA256SUMS, which the archive holds beside
** it), then copied into the archive in chunks.
*/
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "ds_manifest.h"
#include "exp.h"
#include "sdc.h"
#include "store.h"

/* Per enum exp_format: file extension and media type offered. */
static const struct {
    const char *ext, *media;
} vfmt[EXP_NFORMATS] = {
    {"csv", "text/csv; charset=utf-8"}, {"json", "application/json"},
    {"ndjson", "application/x-ndjson"}, {"zip", "application/zip"},
    {"tar.gz", "application/gzip"},     {"fr.csv", "text/csv; charset=utf-8"},
};

static int
vformat_fail(const char *format, struct cm_err *err)
{
    cm_fail(err, CM_EINVAL,
            "unknown format '%.40s': use one of " EXP_FORMATS_TEXT,
            format ? format : "");
    cm_err_what(err, "param", "format");
    return err->code;
}

/* A sink that only counts and hashes: describe() keeps no bytes. */
static int
vdiscard(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    (void) ctx, (void) p, (void) n, (void) err;
    return CM_OK;
}

/* Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
static int
vmtime(const char *published_at, int64_t *out, struct cm_err *err)
{
    struct tm   tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(published_at, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0))
        return cm_fail(err, CM_EINVAL,
                       "published_at '%.40s' is not a UTC time "
                       "YYYY-MM-DDTHH:MM:SSZ",
                       published_at);
    *out = (int64_t) timegm(&tm);
    return CM_OK;
}

/* ---- One pass over the rows ---------------------------------------- */

/* Feeds every row of the version to up to three table writers at once,
** so describe() reads the store once for csv, json and ndjson. */
struct vpass {
    struct exp_writer w[4];
    int               nw;
    int64_t           rows;
    int64_t           n_a, n_c, n_d; /* Cells by status */
};

static int
vpass_row(void *ctx, const struct exp_obs *o, const char *extra,
          struct cm_err *err)
{
    struct vpass *p = ctx;

    for (int i = 0; i < p->nw; i++) {
        exp_table_row(&p->w[i], o, extra);
        if (p->w[i].sink->err.code != CM_OK) {
            *err = p->w[i].sink->err;
            return err->code;
        }
    }
    p->rows++;
    p->n_c += o->status == 'C';
    p->n_d += o->status == 'D';
    p->n_a += o->status != 'C' && o->status != 'D';
    return CM_OK;
}

/* Run the pass (writers begun) and end every writer. */
static int
vpass_run(struct store *st, const struct store_version *v, struct vpass *p,
          struct cm_err *err)
{
    int rc = store_obs_each(st, v->id, vpass_row, p, err);

    for (int i = 0; i < p->nw; i++) {
        struct cm_err e;

        if (exp_table_end(&p->w[i], &e) != CM_OK && rc == CM_OK) {
            *err = e;
            rc = e.code;
        }
    }
    if (rc == CM_OK && p->rows != v->n_observations)
        rc = cm_fail(err, CM_EINTERNAL,
                     "%s version %" PRId64 " has %" PRId64
                     " stored rows, its record says %" PRId64,
                     v->slug, v->number, p->rows, v->n_observations);
    return rc;
}

/* ---- Archive members ----------------------------------------------- */

struct vparts {
    FILE            *csv; /* data.csv, in a temporary file */
    uint64_t         csv_bytes;
    char             csv_sha[EXP_SHA256_HEX + 1];
    char             readme_sha[EXP_SHA256_HEX + 1];
    char             disclosure_sha[EXP_SHA256_HEX + 1];
    struct vpass     pass;
    struct cm_buf    readme, dp, disclosure, sums;
    struct exp_entry e[5]; /* The members, SHA256SUMS last */
    size_t           n;
    int64_t          mtime;
};

static void
vparts_clear(struct vparts *p)
{
    if (p->csv != NULL)
        fclose(p->csv);
    cm_buf_clear(&p->readme);
    cm_buf_clear(&p->dp);
    cm_buf_clear(&p->disclosure);
    cm_buf_clear(&p->sums);
}

/* A string member of object o (a path of up to two keys), or NULL. */
static const char *
vjson_str(yajl_val o, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    yajl_val    v = yajl_tree_get(o, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

/* The disclosure rules, in plain words: the manifest's policy first,
** then the sentences of the report, then what this version withheld. */
static void
readme_disclosure(struct cm_buf *b, const struct ds_manifest *m,
                  const struct store_version *v, const struct vpass *pass)
{
    static const char *const rules[][2] = {{"primary", "Primary"},
                                           {"secondary", "Secondary"},
                                           {"margins", "Margins"},
                                           {"across", "Across datasets"},
                                           {"limits", "Limits"}};
    char                     pct[32];
    yajl_val                 rep = NULL;

    cm_buf_puts(b, "## Disclosure rules applied\n\n");
    if (m->policy == DS_OPEN) {
        cm_buf_puts(b, "Open data: each row is one public building (a site "
                       "flagged public in the registry), published as "
                       "measured. No cell is withheld.\n\n");
    } else {
        exp_fmt_double(m->max_share * 100, '.', pct);
        cm_buf_printf(b,
                      "Each cell adds up several sites. A cell is withheld "
                      "when fewer than %" PRId64 " sites contribute to it, "
                      "or when a single site makes more than %s %% of its "
                      "value (primary suppression, status C). More cells "
                      "are then withheld (secondary suppression, status D) "
                      "so that no withheld value can be worked out by "
                      "subtraction from the published cells, their totals, "
                      "or the other datasets published from the same "
                      "readings. Withheld cells stay in data.csv with an "
                      "empty value and their status.\n\n",
                      m->min_sites, pct);
        if (m->households)
            cm_buf_printf(b, "These data may concern households.%s\n\n",
                          m->min_sites >= SDC_HOUSEHOLD_MIN_SITES
                              ? " The threshold is the one the Code de "
                                "l'énergie sets for them (more than 9 "
                                "delivery points)."
                              : "");
    }
    if (v->disclosure != NULL)
        rep = yajl_tree_parse(v->disclosure, NULL, 0);
    if (vjson_str(rep, "rule", NULL) != NULL)
        cm_buf_printf(b, "- %s\n", vjson_str(rep, "rule", NULL));
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        const char *s = vjson_str(rep, "rules", rules[i][0]);

        if (s != NULL && s[0] != '\0')
            cm_buf_printf(b, "- %s: %s\n", rules[i][1], s);
    }
    yajl_tree_free(rep);
    cm_buf_printf(b,
                  "\nIn this version: %" PRId64 " cells, %" PRId64
                  " published, %" PRId64 " withheld by the primary rules "
                  "(C), %" PRId64 " by secondary suppression (D).",
                  pass->rows, pass->n_a, pass->n_c, pass->n_d);
    cm_buf_puts(b, v->disclosure != NULL
                       ? " disclosure.json holds the full report.\n"
                       : "\n");
}

static void
readme_build(struct cm_buf *b, const struct store_version *v,
             const struct ds_manifest *m, const struct exp_columns *cols,
             const struct vpass *pass)
{
    const char *lic = ds_manifest_license_title(m->license);
    const char *url = ds_manifest_license_url(m->license);
    const char *who = m->publisher ? m->publisher : "Consometer";

    cm_buf_printf(b, "# %s\n\n", m->title.fr);
    if (m->title.en != NULL)
        cm_buf_printf(b, "*%s*\n\n", m->title.en);
    if (m->description.fr != NULL)
        cm_buf_printf(b, "%s\n\n", m->description.fr);
    if (m->description.en != NULL)
        cm_buf_printf(b, "%s\n\n", m->description.en);
    cm_buf_printf(b,
                  "- Dataset: `%s`, version %" PRId64 ", published %s\n"
                  "- Publisher: %s\n"
                  "- Rows: %" PRId64 "\n"
                  "- Licence: %s (`%s`)%s%s\n\n",
                  v->slug, v->number, v->published_at, who, pass->rows, lic,
                  m->license, url ? ", " : "", url ? url : "");
    cm_buf_printf(
        b,
        "## How to cite\n\n"
        "%s (%.4s). *%s*, version %" PRId64
        " [data set]. /api/v1/datasets/%s?version=%" PRId64 ". %s.\n\n",
        who, v->published_at, m->title.fr, v->number, v->slug, v->number, lic);
    cm_buf_puts(b, "## Files\n\n"
                   "- `data.csv`: one row per cell; RFC 4180, UTF-8, comma, "
                   "CRLF. Columns: ");
    for (int i = 0; i < EXP_NCOLS; i++)
        cm_buf_printf(b, "%s`%s`", i ? ", " : "", exp_columns[i]);
    for (size_t i = 0; cols != NULL && i < cols->n; i++)
        cm_buf_printf(b, ", `%s`%s%s%s", cols->col[i].name,
                      cols->col[i].title ? " (" : "",
                      cols->col[i].title ? cols->col[i].title : "",
                      cols->col[i].title ? ")" : "");
    cm_buf_puts(b, ".\n"
                   "- `datapackage.json`: Frictionless Data Package v2: the "
                   "Table Schema, each file's size and sha256.\n");
    if (v->disclosure != NULL)
        cm_buf_puts(b, "- `disclosure.json`: the disclosure report.\n");
    cm_buf_puts(b, "- `SHA256SUMS`: check the files with "
                   "`sha256sum -c SHA256SUMS`.\n\n");
    readme_disclosure(b, m, v, pass);
}

/*
** Fill *p: data.csv into a temporary file (with the extra writers
** already begun in p->pass, if any), then the other members. On error
** the caller still calls vparts_clear().
*/
/* The README's counts from the version's disclosure report, which the
** publisher wrote from the same cells: 1 if it has them. Counting them
** in SQL costs a tenth of an archive's build on a million rows. */
static int
vcounts_from_report(const struct store_version *v, struct vpass *pass)
{
    static const char *cells[] = {"cells", NULL}, *pub[] = {"published", NULL},
                      *c[] = {"suppressed", "primary", NULL},
                      *d[] = {"suppressed", "secondary", NULL};
    yajl_val doc, x[4];
    int      ok = 0;

    if (v->disclosure == NULL ||
        (doc = yajl_tree_parse(v->disclosure, NULL, 0)) == NULL)
        return 0;
    x[0] = yajl_tree_get(doc, cells, yajl_t_number);
    x[1] = yajl_tree_get(doc, pub, yajl_t_number);
    x[2] = yajl_tree_get(doc, c, yajl_t_number);
    x[3] = yajl_tree_get(doc, d, yajl_t_number);
    if (x[0] && x[1] && x[2] && x[3] && YAJL_IS_INTEGER(x[0]) &&
        YAJL_IS_INTEGER(x[1]) && YAJL_IS_INTEGER(x[2]) &&
        YAJL_IS_INTEGER(x[3]) && YAJL_GET_INTEGER(x[0]) == v->n_observations &&
        YAJL_GET_INTEGER(x[1]) + YAJL_GET_INTEGER(x[2]) +
                YAJL_GET_INTEGER(x[3]) ==
            v->n_observations) {
        pass->rows = YAJL_GET_INTEGER(x[0]);
        pass->n_a = YAJL_GET_INTEGER(x[1]);
        pass->n_c = YAJL_GET_INTEGER(x[2]);
        pass->n_d = YAJL_GET_INTEGER(x[3]);
        ok = 1;
    }
    yajl_tree_free(doc);
    return ok;
}

/* A data.csv already written (the csv download in the cache). */
struct vcsv {
    const char *path;
    uint64_t    bytes;
    const char *sha256;
};

static int
vparts_build(struct store *st, const struct store_version *v,
             const struct exp_columns *cols, const char *csv_path,
             const struct vcsv *given, struct vparts *p, struct cm_err *err)
{
    struct exp_sink    *sink = cm_malloc(sizeof(*sink)); /* 16 KiB: heap */
    struct ds_manifest  m;
    struct exp_package  pkg;
    struct exp_resource res[3];
    char                version[24];
    size_t              nres = 0;
    int                 rc;

    memset(&m, 0, sizeof(m));
    if ((rc = vmtime(v->published_at, &p->mtime, err)) != CM_OK)
        goto done;
    if (v->manifest == NULL) {
        rc = cm_fail(err, CM_EINTERNAL, "the version has no manifest");
        goto done;
    }
    rc = ds_manifest_parse(v->manifest, strlen(v->manifest), "manifest", &m,
                           err);
    if (rc != CM_OK)
        goto done;
    if (given != NULL) {
        /* Only the counts the README gives are still needed from the
        ** store: no row is formatted again. */
        if ((p->csv = fopen(given->path, "rb")) == NULL) {
            rc = cm_fail(err, CM_EIO, "%s: %s", given->path, strerror(errno));
            goto done;
        }
        p->csv_bytes = given->bytes;
        snprintf(p->csv_sha, sizeof(p->csv_sha), "%s", given->sha256);
        if (!vcounts_from_report(v, &p->pass) &&
            (rc = store_version_counts(st, v->id, &p->pass.rows, &p->pass.n_a,
                                       &p->pass.n_c, &p->pass.n_d, err)) !=
                CM_OK)
            goto done;
    } else {
        p->csv = csv_path ? fopen(csv_path, "w+b") : tmpfile();
        if (p->csv == NULL) {
            rc = cm_fail(err, CM_EIO, "cannot create %s for data.csv: %s",
                         csv_path ? csv_path : "a temporary file",
                         strerror(errno));
            goto done;
        }
        exp_sink_init_file(sink, p->csv);
        exp_table_begin(&p->pass.w[p->pass.nw++], "csv", 0, cols, sink, err);
        if ((rc = vpass_run(st, v, &p->pass, err)) != CM_OK)
            goto done;
        if (fflush(p->csv) != 0 || ferror(p->csv)) {
            rc = cm_fail(err, CM_EIO, "writing a temporary data.csv failed");
            goto done;
        }
        p->csv_bytes = sink->bytes;
        exp_sink_digest(sink, p->csv_sha);
    }

    readme_build(&p->readme, v, &m, cols, &p->pass);
    if (v->disclosure != NULL) {
        cm_buf_puts(&p->disclosure, v->disclosure);
        if (p->disclosure.len == 0 ||
            p->disclosure.data[p->disclosure.len - 1] != '\n')
            cm_buf_add(&p->disclosure, "\n", 1);
    }

    exp_sha256_hex(p->readme.data, p->readme.len, p->readme_sha);
    exp_sha256_hex(p->disclosure.data, p->disclosure.len, p->disclosure_sha);
    res[nres++] = (struct exp_resource){.name = "data",
                                        .path = "data.csv",
                                        .format = "csv",
                                        .mediatype = "text/csv",
                                        .bytes = p->csv_bytes,
                                        .sha256 = p->csv_sha,
                                        .table = 1,
                                        .by_sector = m.by_sector};
    res[nres++] = (struct exp_resource){.name = "readme",
                                        .path = "README.md",
                                        .format = "md",
                                        .mediatype = "text/markdown",
                                        .bytes = p->readme.len,
                                        .sha256 = p->readme_sha};
    if (v->disclosure != NULL)
        res[nres++] = (struct exp_resource){.name = "disclosure",
                                            .path = "disclosure.json",
                                            .format = "json",
                                            .mediatype = "application/json",
                                            .bytes = p->disclosure.len,
                                            .sha256 = p->disclosure_sha};
    snprintf(version, sizeof(version), "%" PRId64, v->number);
    pkg = (struct exp_package){m.slug,
                               m.title.fr,
                               m.description.fr,
                               version,
                               v->published_at,
                               m.license,
                               ds_manifest_license_url(m.license),
                               ds_manifest_license_title(m.license)};
    rc = exp_datapackage_json_cols(&pkg, cols, res, nres, &p->dp, err);
    if (rc != CM_OK)
        goto done;

    p->e[p->n++] =
        (struct exp_entry){"data.csv", NULL, p->csv_bytes, p->csv, p->csv_sha};
    p->e[p->n++] = (struct exp_entry){"README.md", p->readme.data,
                                      p->readme.len, NULL, p->readme_sha};
    if (v->disclosure != NULL)
        p->e[p->n++] =
            (struct exp_entry){"disclosure.json", p->disclosure.data,
                               p->disclosure.len, NULL, p->disclosure_sha};
    p->e[p->n++] = (struct exp_entry){"datapackage.json", p->dp.data, p->dp.len,
                                      NULL, NULL};
    if ((rc = exp_sha256sums(p->e, p->n, &p->sums, err)) != CM_OK)
        goto done;
    p->e[p->n++] =
        (struct exp_entry){"SHA256SUMS", p->sums.data, p->sums.len, NULL, NULL};
done:
    ds_manifest_clear(&m);
    free(sink);
    return rc;
}

/* Write the archive of p in format onto sink (data.csv from its start). */
static int
vparts_archive(struct vparts *p, const char *format, struct exp_sink *sink,
               struct cm_err *err)
{
    if (fseek(p->csv, 0, SEEK_SET) != 0)
        return cm_fail(err, CM_EIO, "cannot rewind the temporary data.csv");
    return exp_archive_write(format, p->e, p->n, p->mtime, sink, err);
}

/* ---- Entry points --------------------------------------------------- */

int
exp_version_write(struct store *st, const struct store_version *v,
                  const char *format, struct exp_sink *sink, struct cm_err *err)
{
    int                f = exp_format_find(format);
    struct exp_columns cols;
    int                rc;

    if (f < 0)
        return vformat_fail(format, err);
    if (exp_columns_parse(v->columns, &cols, err) != CM_OK)
        return err->code;
    if (f <= EXP_NDJSON || f == EXP_CSVFR) {
        struct vpass pass;

        memset(&pass, 0, sizeof(pass));
        rc = exp_table_begin(&pass.w[pass.nw++], format, 0, &cols, sink, err);
        if (rc == CM_OK)
            rc = vpass_run(st, v, &pass, err);
    } else {
        struct vparts parts;

        memset(&parts, 0, sizeof(parts));
        rc = vparts_build(st, v, &cols, NULL, NULL, &parts, err);
        if (rc == CM_OK)
            rc = vparts_archive(&parts, format, sink, err);
        vparts_clear(&parts);
    }
    exp_columns_clear(&cols);
    return rc;
}

int
exp_version_write_archive(struct store *st, const struct store_version *v,
                          const char *format, const char *csv_path,
                          uint64_t csv_bytes, const char *csv_sha256,
                          struct exp_sink *sink, struct cm_err *err)
{
    struct vcsv        given = {csv_path, csv_bytes, csv_sha256};
    struct exp_columns cols;
    struct vparts      parts;
    int                f = exp_format_find(format), rc;

    if (f != EXP_ZIP && f != EXP_TGZ)
        return vformat_fail(format, err);
    if (exp_columns_parse(v->columns, &cols, err) != CM_OK)
        return err->code;
    memset(&parts, 0, sizeof(parts));
    rc = vparts_build(st, v, &cols, NULL, &given, &parts, err);
    if (rc == CM_OK)
        rc = vparts_archive(&parts, format, sink, err);
    vparts_clear(&parts);
    exp_columns_clear(&cols);
    return rc;
}

/* The file name of format f of v: "<slug>-v<N>.<ext>". */
static void
vname(const struct store_version *v, int f, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s-v%" PRId64 ".%s", v->slug, v->number, vfmt[f].ext);
}

/* Fill d for format f of v, from what sink saw. */
static void
vdescribe_one(const struct store_version *v, int f, struct exp_sink *sink,
              struct store_distribution *d)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->format, sizeof(d->format), "%s", exp_formats[f]);
    vname(v, f, d->name, sizeof(d->name));
    snprintf(d->media_type, sizeof(d->media_type), "%s", vfmt[f].media);
    d->bytes = (int64_t) sink->bytes;
    exp_sink_digest(sink, d->sha256);
}

/* The files describe() writes into dir, and where: <name>.part first. */
struct vfiles {
    char  part[EXP_NFORMATS][4096];
    FILE *f[EXP_NFORMATS]; /* Not the csv: vparts owns that one */
    int   on;              /* dir was given */
};

static int
vfiles_open(struct vfiles *fs, const struct store_version *v, const char *dir,
            struct exp_sink *sinks, struct cm_err *err)
{
    memset(fs, 0, sizeof(*fs));
    for (int f = 0; f < EXP_NFORMATS; f++)
        exp_sink_init(&sinks[f], vdiscard, NULL);
    if (dir == NULL)
        return CM_OK;
    fs->on = 1;
    for (int f = 0; f < EXP_NFORMATS; f++) {
        char name[200];

        vname(v, f, name, sizeof(name));
        if (snprintf(fs->part[f], sizeof(fs->part[f]), "%s/%s.part", dir,
                     name) >= (int) sizeof(fs->part[f]))
            return cm_fail(err, CM_EINVAL, "download folder %.200s: too long",
                           dir);
        if (f == EXP_CSV)
            continue;
        if ((fs->f[f] = fopen(fs->part[f], "wb")) == NULL)
            return cm_fail(err, CM_EIO, "%s: %s", fs->part[f], strerror(errno));
        exp_sink_init_file(&sinks[f], fs->f[f]);
    }
    return CM_OK;
}

/* Close the files; when rc is CM_OK rename each into place, else (or on
** a failure here) remove them. Returns rc or the first failure. */
static int
vfiles_close(struct vfiles *fs, struct exp_sink *sinks, int rc,
             struct cm_err *err)
{
    if (!fs->on)
        return rc;
    for (int f = 0; f < EXP_NFORMATS; f++) {
        if (fs->f[f] == NULL)
            continue;
        if (rc == CM_OK)
            rc = exp_sink_flush(&sinks[f], err);
        if (fclose(fs->f[f]) != 0 && rc == CM_OK)
            rc = cm_fail(err, CM_EIO, "%s: %s", fs->part[f], strerror(errno));
    }
    for (int f = 0; f < EXP_NFORMATS; f++) {
        char   final[4096];
        size_t len = strlen(fs->part[f]);

        if (len < 5)
            continue;
        snprintf(final, sizeof(final), "%.*s", (int) len - 5, fs->part[f]);
        if (rc == CM_OK && rename(fs->part[f], final) != 0)
            rc = cm_fail(err, CM_EIO, "%s: %s", final, strerror(errno));
        if (rc != CM_OK)
            unlink(fs->part[f]);
    }
    return rc;
}

int
exp_version_describe(struct store *st, const struct store_version *v,
                     const char *dir, struct store_distribution *out,
                     size_t max, size_t *n, struct cm_err *err)
{
    /* Sinks carry a 16 KiB buffer each: on the heap, not the stack. */
    struct exp_sink   *sinks = cm_calloc(EXP_NFORMATS, sizeof(*sinks));
    struct vfiles     *fs = cm_malloc(sizeof(*fs));
    struct exp_columns cols;
    struct vparts      parts;
    int                rc;

    *n = 0;
    memset(&parts, 0, sizeof(parts));
    if (max < EXP_NFORMATS) {
        free(sinks);
        free(fs);
        return cm_fail(err, CM_EINVAL, "describe needs room for %d formats",
                       EXP_NFORMATS);
    }
    if (exp_columns_parse(v->columns, &cols, err) != CM_OK) {
        free(sinks);
        free(fs);
        return err->code;
    }
    rc = vfiles_open(fs, v, dir, sinks, err);
    /* One read of the rows: data.csv (which is also the csv download)
    ** into its file, json, ndjson and csv-fr into theirs (or only their
    ** hashes). */
    if (rc == CM_OK) {
        exp_table_begin(&parts.pass.w[parts.pass.nw++], "json", 0, &cols,
                        &sinks[EXP_JSON], err);
        exp_table_begin(&parts.pass.w[parts.pass.nw++], "ndjson", 0, &cols,
                        &sinks[EXP_NDJSON], err);
        exp_table_begin(&parts.pass.w[parts.pass.nw++], "csv-fr", 0, &cols,
                        &sinks[EXP_CSVFR], err);
        rc = vparts_build(st, v, &cols, fs->on ? fs->part[EXP_CSV] : NULL, NULL,
                          &parts, err);
    }
    for (int f = EXP_ZIP; rc == CM_OK && f <= EXP_TGZ; f++)
        rc = vparts_archive(&parts, exp_formats[f], &sinks[f], err);
    if (rc == CM_OK) {
        for (int f = 0; f < EXP_NFORMATS; f++)
            if (f != EXP_CSV)
                vdescribe_one(v, f, &sinks[f], &out[f]);
        /* The csv download is data.csv itself. */
        vdescribe_one(v, EXP_CSV, &sinks[EXP_CSV], &out[EXP_CSV]);
        out[EXP_CSV].bytes = (int64_t) parts.csv_bytes;
        memcpy(out[EXP_CSV].sha256, parts.csv_sha, sizeof(parts.csv_sha));
        *n = EXP_NFORMATS;
    }
    vparts_clear(&parts); /* Closes data.csv before it is renamed */
    rc = vfiles_close(fs, sinks, rc, err);
    if (rc != CM_OK)
        *n = 0;
    exp_columns_clear(&cols);
    free(sinks);
    free(fs);
    return rc;
}
