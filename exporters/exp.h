/*
** exp.h -- the writers of the published formats, all onto one sink.
** A struct exp_sink is where bytes go (a buffer, a file, an HTTP body):
** it counts them, hashes them with SHA-256 as they pass, and keeps the
** first write error (sticky, libarchive style), so a streaming writer
** checks once at the end. Every format writes the same published
** columns (issue 4): period, territory_level, territory, sector, kind,
** value, unit, n_sites, status. Writers hold one row at a time.
**
** Recipe: exp_sink_init_buf() (or _file, or your own callback), then
** exp_<fmt>_begin(), exp_<fmt>_row() per observation, exp_<fmt>_end()
** which flushes and returns CM_OK or the first error; exp_sink_digest()
** gives the sha256 of everything written. The sink gathers small writes
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

struct exp_writer {         /* One export in progress; caller-owned */
    struct exp_sink *sink;  /* Borrowed */
    unsigned         flags; /* EXP_CSV_* */
    uint64_t         rows;  /* Rows written */
};

/* CSV (RFC 4180): UTF-8, CRLF, a header of exp_columns; a field is
** quoted when it holds the separator, '"', CR or LF; null is empty. */
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

#endif /* CM_EXP_H */
