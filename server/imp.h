/*
** imp.h -- importing readings: the byte source, the normalized reading
** every importer produces, the table of formats, and the driver that
** writes a file's readings into the store in one transaction.
**
** An importer (imp_<format>.c) parses its format from a struct imp_src
** and, for each data row, calls imp_emit() with a normalized reading or
** imp_reject() with the reason the row is unusable. It returns CM_OK, or
** an error that rejects the whole file (not this format, truncated,
** not UTF-8...) with the position in the message. It never touches the
** store: the driver (imp.c) resolves meters, converts units, differences
** counters, counts, and commits or rolls back.
*/
#ifndef CM_IMP_H
#define CM_IMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct store;
struct jw;

/* ---- the byte source ----------------------------------------------- */

#define IMP_PEEK 4096 /* First bytes kept for format detection */

struct imp_src {
    const char *name; /* File name, or "request body"; borrowed */
    /* Read up to n bytes: >0 bytes read, 0 at the end, -1 on error. */
    ssize_t (*read)(void *ctx, char *buf, size_t n);
    void       *ctx;
    int64_t     limit;         /* Most bytes accepted, 0: no limit */
    const char *limit_setting; /* Named in the 413 when 'limit' is hit */
    int64_t     total;         /* Bytes handed out so far */
    char        peek[IMP_PEEK];
    size_t      npeek;    /* Bytes in peek */
    size_t      peek_off; /* Of them, already handed out */
    int         ended;
};

/* Set up s to read from an open FILE; 'name' is borrowed. */
void imp_src_file(struct imp_src *s, void *file, const char *name);

/* Fill s->peek with the first bytes (once); returns s->npeek or -1. */
ssize_t imp_src_peek(struct imp_src *s, struct cm_err *err);

/* Read up to n bytes: >0, 0 at the end, or -1 with err filled (read
** error, or CM_ELIMIT past s->limit). */
ssize_t imp_src_read(struct imp_src *s, char *buf, size_t n,
                     struct cm_err *err);

/* ---- the normalized reading ------------------------------------------ */

#define IMP_INDEX 0x1 /* value is a cumulative counter read at 'start' */

struct imp_reading {
    const char *source; /* "csv" (ref is a meter_id), "enedis", "grdf",
                        ** "zabbix", "fronius", "emoncms", "senml" */
    const char *ref;    /* meter_id for "csv", else the meter's source_ref */
    const char *site;   /* The site_id the row claims, or NULL */
    const char *kind;   /* The kind the row claims, or NULL */
    const char *unit;   /* Unit of 'value' as written: "W", "Wh", "kWh" ...;
                        ** NULL: the unit the registry gives the meter */
    int64_t start;      /* UTC seconds: interval start, or the instant of an
                        ** index or instantaneous value */
    int64_t step;       /* Interval length, s; 0 for instants and indexes;
                        ** -1: the meter's declared step */
    double   value;
    double   coeff; /* kWh per m3 for gas volumes, 0 if none */
    unsigned flags; /* IMP_INDEX (also implied when the registry
                    ** declares the meter a counter) */
    long line;      /* Line (or byte offset) in the file, for errors */
};

struct imp_sink;

/* Hand one reading to the driver. CM_OK to go on; anything else stops
** the file (the importer returns it as is). */
int imp_emit(struct imp_sink *k, const struct imp_reading *r);

/* Report an unusable row; the import goes on (unless --strict). */
void imp_reject(struct imp_sink *k, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parse an interval: seconds ("1800") or an ISO 8601 duration ("PT30M",
** "PT1H", "P1D", "PT10M"); 0 on success. */
int imp_parse_step(const char *s, int64_t *out);

/* ---- formats ------------------------------------------------------- */

struct imp_opts {
    int         strict;  /* Any bad row rejects the whole file */
    const char *mapping; /* Mapping file of the "mapped" format, or NULL */
    const char *actor;   /* Who imports: "cli" or the account name */
    const char *address; /* Client address, or NULL */
};

struct imp_format {
    const char *name;    /* --format / ?format= value */
    const char *summary; /* One line, for --help */
    /* 1 if the first bytes are surely this format (NULL: never guessed) */
    int (*detect)(const char *peek, size_t n);
    int (*parse)(struct imp_src *src, struct imp_sink *k,
                 const struct imp_opts *o, struct cm_err *err);
};

extern const struct imp_format imp_formats[];
extern const int               imp_nformats;

const struct imp_format *imp_format_find(const char *name);

/* ---- the driver ---------------------------------------------------- */

#define IMP_MAX_ERRORS 100 /* Errors kept per file for the summary */

struct imp_stats {
    int64_t read, imported, updated, unchanged, rejected;
};

struct imp_error {
    long line;
    char message[200];
};

struct imp_result {
    char              file[256];
    const char       *format; /* Name of the format used, or NULL */
    int               status; /* CM_OK, or why the whole file was refused */
    char              message[256]; /* Why, when status != CM_OK */
    struct imp_stats  stats;
    struct imp_error *errors; /* First IMP_MAX_ERRORS, malloc'd */
    int               nerrors;
};

/*
** Import everything src holds, in one transaction: format 'format' (NULL:
** detect it from the first bytes). Fills *res in every case. Returns
** CM_OK when the file was imported (possibly with rejected rows), or the
** code that refused it whole: CM_EMALFORMED (unusable file), CM_EINVAL
** (--strict and a bad row), CM_EMEDIA (unknown format), CM_ELIMIT (too big),
** CM_ESTORE/CM_EUNAVAIL (the store failed). Nothing of a refused file
** stays in the store.
*/
int  imp_run(struct store *st, struct imp_src *src, const char *format,
             const struct imp_opts *o, struct imp_result *res);
void imp_result_clear(struct imp_result *res);

/* The summary object of one file, and the totals of several. */
void imp_result_json(struct jw *w, const struct imp_result *res);
void imp_totals_json(struct jw *w, const struct imp_result *res, int n);

#endif /* CM_IMP_H */
