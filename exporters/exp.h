/*
** exp.h -- the writers of the published formats, all onto one sink.
** A struct exp_sink is where bytes go (a buffer, a file, an HTTP body):
** it counts them, hashes them with SHA-256 as they pass, and keeps the
** first write error (sticky, libarchive style), so a streaming writer
** checks once at the end. Every format writes the same published
** columns (issue 4): period, territory_level, territory, sector, kind,
** value, unit, n_sites, status, then the extra columns a version may
** declare (exp_columns). Writers hold one row at a time.
**
** Recipe: exp_sink_init_buf() (or _file, or your own callback), then
** exp_table_begin() with the format and the version's extra columns,
** exp_table_row() per observation, exp_table_end() which flushes and
** returns CM_OK or the first error; exp_sink_digest() gives the sha256
** of everything written. exp_<fmt>_begin/row/end are the same without
** extra columns. exp_version_write() does all of it for a published
** version, archives included. The sink gathers small writes
** into EXP_SINK_BUF bytes before calling back and hashing: a CSV row is
** a dozen writes, and per-write overhead would dominate.
*/
#ifndef CM_EXP_H
#define CM_EXP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#include "err.h" /* struct cm_err, CM_OK, CM_E* */
#include "mem.h" /* struct cm_buf */

#define EXP_SHA256_HEX 64        /* Hex digits of a SHA-256, without NUL */
#define EXP_SINK_BUF (16 * 1024) /* Bytes gathered before a callback */

/* ---- Sink ---------------------------------------------------------- */

/* Write n bytes; return CM_OK, or a CM_E* code with *err filled. */
typedef int (*exp_write_fn)(void *ctx, const void *p, size_t n,
                            struct cm_err *err);

struct exp_sink {
    exp_write_fn             write; /* Where bytes go */
    void                    *ctx;   /* Borrowed; passed to write */
    uint64_t                 bytes; /* Written so far (buffered included) */
    int                      hash;  /* 1 (default): keep sha; 0: skip it */
    crypto_hash_sha256_state sha;   /* Of the bytes delivered */
    struct cm_err            err;   /* First failure; code CM_OK if none */
    size_t                   used;  /* Bytes waiting in buf */
    unsigned char            buf[EXP_SINK_BUF];
};

void exp_sink_init(struct exp_sink *s, exp_write_fn write, void *ctx);
/* Append to *buf (borrowed, caller-owned and initialised). */
void exp_sink_init_buf(struct exp_sink *s, struct cm_buf *buf);
/* fwrite to f (borrowed); the caller closes it and checks fclose. */
void exp_sink_init_file(struct exp_sink *s, FILE *f);

/* Write; does nothing once the sink has failed. */
void exp_sink_write(struct exp_sink *s, const void *p, size_t n);
void exp_sink_puts(struct exp_sink *s, const char *str);
/* Deliver what is buffered. Returns CM_OK, or the sink's first error
** (copied to *err when err is not NULL). */
int exp_sink_flush(struct exp_sink *s, struct cm_err *err);
/* Flush, then fill hex with the lowercase sha256 of the bytes so far
** (NUL-ended); the sink may keep being written. Needs hash set. */
void exp_sink_digest(struct exp_sink *s, char hex[EXP_SHA256_HEX + 1]);

/* Fill hex with the sha256 of p[0..n). */
void exp_sha256_hex(const void *p, size_t n, char hex[EXP_SHA256_HEX + 1]);

/* Shortest text that reads back as v (jw_double's rule: %.15g, else
** %.17g) into buf; 'decimal' replaces the '.'. Returns the length. */
int exp_fmt_double(double v, char decimal, char buf[32]);

/* ---- Observations and row writers ---------------------------------- */

struct exp_obs {                 /* One published cell; strings borrowed */
    const char *period;          /* "2024-01", "2024-01-01T13:00:00Z"... */
    const char *territory_level; /* site, district, commune, epci... */
    const char *territory;       /* Its code: "56121" */
    const char *sector;          /* Category, or NULL when not grouped */
    const char *kind;            /* electricity, pv, gas... */
    double      value;           /* In unit; ignored when value_null */
    int         value_null;      /* Suppressed (status C or D): null */
    const char *unit;            /* Canonical unit: "kWh" */
    int64_t     n_sites;         /* Contributing sites; < 0 writes null */
    char        status;          /* 'A' published, 'C' primary, 'D' sec. */
};

/* The published column names, in order. */
#define EXP_NCOLS 9
extern const char *const exp_columns[EXP_NCOLS];

#define EXP_CSV_FR 0x1 /* ';' separator, decimal comma, UTF-8 BOM */

/* ---- Extra columns ------------------------------------------------- */
/*
** A version may declare columns after the published ones (a site's name
** and floor area in an open per-site dataset): its `columns` JSON, an
** array of {"name", "type", "title", "description"}, parsed once per
** export. Each row carries its values as the JSON object text that
** store_obs_each() hands over ({"site_name": "Mairie", ...}); the
** writers scan it with yajl's event parser (no tree per row). A key
** the version does not declare is ignored, a missing one is null.
*/
#define EXP_EXTRA_MAX 64 /* Extra columns a version may declare */

struct exp_column {    /* One extra column; owns its strings */
    char *name;        /* Key in a row's object, Table Schema field name */
    char *type;        /* Table Schema type: string, number, integer,
                       ** boolean, date, datetime, year...; default string */
    char *title;       /* Or NULL */
    char *description; /* Or NULL */
};

struct exp_columns {        /* A version's extra columns, in order */
    struct exp_column *col; /* n of them; owned */
    size_t             n;
};

/*
** Fill *out from a version's `columns` JSON text (NULL or "": none).
** CM_EINVAL, naming the column, for a document that is not an array of
** objects, a name that is empty, repeated or one of exp_columns[], a
** type Table Schema does not have, or more than EXP_EXTRA_MAX columns.
** On error *out is empty; exp_columns_clear() is harmless either way.
*/
int  exp_columns_parse(const char *json, struct exp_columns *out,
                       struct cm_err *err);
void exp_columns_clear(struct exp_columns *c); /* NULL-safe */

/* One row's extra values, parsed (for the writers; see exp_table_row). */
enum exp_xtype { EXP_X_NULL, EXP_X_STRING, EXP_X_NUMBER, EXP_X_BOOL };

struct exp_extra {
    enum exp_xtype type[EXP_EXTRA_MAX]; /* Per column of the version */
    size_t         off[EXP_EXTRA_MAX];  /* Value text in buf, NUL-ended: */
    size_t         len[EXP_EXTRA_MAX];  /* unescaped string, JSON number
                                        ** or "true"/"false" */
    struct cm_buf buf;
};

/* ---- Row writers --------------------------------------------------- */

struct exp_writer {         /* One export in progress; caller-owned */
    struct exp_sink *sink;  /* Borrowed */
    unsigned         flags; /* EXP_CSV_* */
    uint64_t         rows;  /* Rows written */
    /* Set by exp_table_*; exp_<fmt>_begin() clears them. */
    const struct exp_columns *cols;   /* Extra columns, or NULL; borrowed */
    const struct exp_extra   *extra;  /* The row being written, or NULL */
    int                       format; /* EXP_CSV, EXP_JSON or EXP_NDJSON */
    int                       header; /* CSV: the header is written */
};

/* CSV (RFC 4180): UTF-8, CRLF, a header of exp_columns (and the extra
** columns' names); a field is quoted when it holds the separator, '"',
** CR or LF; null is empty. The header is written with the first row
** (or by end), so exp_table_begin() can declare extra columns. */
void exp_csv_begin(struct exp_writer *w, struct exp_sink *sink, unsigned flags);
void exp_csv_row(struct exp_writer *w, const struct exp_obs *o);
int  exp_csv_end(struct exp_writer *w, struct cm_err *err);

/* JSON: one array of objects, one object per line, each through jw. */
void exp_json_begin(struct exp_writer *w, struct exp_sink *sink);
void exp_json_row(struct exp_writer *w, const struct exp_obs *o);
int  exp_json_end(struct exp_writer *w, struct cm_err *err);

/* NDJSON: one object per line, each ended by "\n". */
void exp_ndjson_begin(struct exp_writer *w, struct exp_sink *sink);
void exp_ndjson_row(struct exp_writer *w, const struct exp_obs *o);
int  exp_ndjson_end(struct exp_writer *w, struct cm_err *err);

/* ---- Table formats by name ----------------------------------------- */

/* The download formats, in the order they are listed. */
/* csv-fr: the CSV for French spreadsheets (EXP_CSV_FR), which open a
** comma-separated, unmarked file as one column of mangled accents. */
enum exp_format { EXP_CSV, EXP_JSON, EXP_NDJSON, EXP_ZIP, EXP_TGZ, EXP_CSVFR };
#define EXP_NFORMATS 6
extern const char *const exp_formats[EXP_NFORMATS]; /* "csv" ... "tar.gz" */
#define EXP_FORMATS_TEXT                                                       \
    "csv, json, ndjson, zip, tar.gz, csv-fr" /* For messages */

/* The enum exp_format of 'name', or -1. */
int exp_format_find(const char *name);

/*
** Begin a "csv", "json" or "ndjson" export onto sink, with the extra
** columns 'cols' (borrowed until end; NULL: none) and csv flags. CM_OK,
** or CM_EINVAL (naming the param "format") for another format.
*/
int exp_table_begin(struct exp_writer *w, const char *format, unsigned flags,
                    const struct exp_columns *cols, struct exp_sink *sink,
                    struct cm_err *err);
/* One row; 'extra' is its JSON object of extra columns, or NULL. A
** malformed 'extra' fails the sink (CM_EINVAL, sticky). */
void exp_table_row(struct exp_writer *w, const struct exp_obs *o,
                   const char *extra);
int  exp_table_end(struct exp_writer *w, struct cm_err *err);

/* ---- Archives ------------------------------------------------------ */

struct exp_entry {      /* One archive member; everything borrowed */
    const char *name;   /* Path inside the archive: "data.csv" */
    const void *bytes;  /* The content, or NULL to read it from file */
    size_t      len;    /* Its length in bytes */
    FILE       *file;   /* When bytes is NULL: read len bytes from here,
                        ** from its current position (bounded memory) */
    const char *sha256; /* Hex sha256 of the content if known, or NULL;
                        ** exp_sha256sums needs it for a file member */
};

/*
** Write a "zip" or "tar.gz" (pax, gzip) of entries[0..n) onto sink,
** deterministically: entries sorted by name, every mtime 'mtime'
** (seconds since 1970), uid/gid 0, no owner names, mode 0644, no gzip
** timestamp. Returns CM_OK, or a CM_E* code with *err filled: CM_EINVAL
** for an unknown format or a repeated name, the sink's error, or
** CM_EINTERNAL with libarchive's message.
*/
int exp_archive_write(const char *format, const struct exp_entry *entries,
                      size_t n, int64_t mtime, struct exp_sink *sink,
                      struct cm_err *err);

/* Append to *out a SHA256SUMS file of the entries, sorted by name:
** "<hex>  <name>\n" per line, as sha256sum -c reads it. An entry's
** sha256 is used when given, else its bytes are hashed (CM_EINVAL for
** a file member without sha256). */
int exp_sha256sums(const struct exp_entry *entries, size_t n,
                   struct cm_buf *out, struct cm_err *err);

/* ---- Frictionless Data Package v2 ---------------------------------- */

struct exp_package {           /* datapackage.json metadata; borrowed */
    const char *name;          /* Lowercase id: the dataset slug */
    const char *title;         /* Human title */
    const char *description;   /* Or NULL */
    const char *version;       /* "3", or NULL */
    const char *created;       /* RFC 3339 time, or NULL */
    const char *license_name;  /* "etalab-2.0" */
    const char *license_path;  /* Its URL */
    const char *license_title; /* "Licence Ouverte / Open Licence 2.0" */
};

struct exp_resource {      /* One file of the package; borrowed */
    const char *name;      /* Resource id: "data" */
    const char *path;      /* File in the archive: "data.csv" */
    const char *format;    /* "csv", "json", "md" */
    const char *mediatype; /* "text/csv" */
    uint64_t    bytes;     /* File size */
    const char *sha256;    /* Lowercase hex of the file */
    int         table;     /* 1: published columns, with Table Schema */
    unsigned    csv_flags; /* EXP_CSV_FR for a French CSV dialect */
    int         by_sector; /* 1: sector is part of the primary key */
};

/* Append datapackage.json for res[0..n) to *out. */
int exp_datapackage_json(const struct exp_package  *pkg,
                         const struct exp_resource *res, size_t n,
                         struct cm_buf *out, struct cm_err *err);
/* The same, with the version's extra columns after the published ones
** in every table resource's schema (cols NULL: none). */
int exp_datapackage_json_cols(const struct exp_package  *pkg,
                              const struct exp_columns  *cols,
                              const struct exp_resource *res, size_t n,
                              struct cm_buf *out, struct cm_err *err);

/* ---- Published versions (exp_version.c) ---------------------------- */

struct store;
struct store_version;
struct store_distribution;

/*
** Write version v in 'format' (exp_formats[]) onto sink: the observations
** as they are stored, or a zip / tar.gz holding data.csv, datapackage.json,
** README.md, disclosure.json (when the version has a report) and
** SHA256SUMS, with every mtime the version's published_at. Same version,
** same bytes. Memory stays bounded: the observations stream from the
** store, and an archive's data.csv goes through a temporary file. CM_OK,
** or CM_EINVAL (param "format") for an unknown format, the store's or
** the sink's error, CM_EINTERNAL when the stored rows do not match
** v->n_observations.
*/
int exp_version_write(struct store *st, const struct store_version *v,
                      const char *format, struct exp_sink *sink,
                      struct cm_err *err);

/*
** The zip or tar.gz of version v around csv_path, a data.csv already
** written (the cached csv download: csv_bytes, csv_sha256 are its
** distribution's): the archive exp_version_write() would make, without
** formatting the rows again.
*/
int exp_version_write_archive(struct store *st, const struct store_version *v,
                              const char *format, const char *csv_path,
                              uint64_t csv_bytes, const char *csv_sha256,
                              struct exp_sink *sink, struct cm_err *err);

/*
** Fill out[0..*n) with one distribution per format (file name
** "<slug>-v<N>.<ext>", media type, bytes, sha256), reading the rows once.
** With dir NULL each file only goes through a hashing sink; else every
** file is also written into dir (which must exist) as <name>.part and
** renamed to <name> once all are complete, so the publisher fills the
** download cache in the same pass. The publisher calls it in its
** transaction, after the rows. max must be at least EXP_NFORMATS.
*/
int exp_version_describe(struct store *st, const struct store_version *v,
                         const char *dir, struct store_distribution *out,
                         size_t max, size_t *n, struct cm_err *err);

#endif /* CM_EXP_H */
