/*
** imp.c -- the import driver: one file, one transaction.
** Importers hand it normalized readings; it finds each reading's meter
** (cached: a file names few meters many times), checks the row's claims
** against the registry, turns counter indexes into interval energies,
** converts units (units.c), writes through the store and counts what
** happened. A file refused whole leaves nothing behind.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "jw.h"
#include "cm_limits.h"
#include "mem.h"
#include "store.h"
#include "units.h"

/* ---- sources ---------------------------------------------------------- */

static ssize_t
imp_file_read(void *ctx, char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, ctx);

    if (got == 0 && ferror((FILE *) ctx))
        return -1;
    return (ssize_t) got;
}

void
imp_src_file(struct imp_src *s, void *file, const char *name)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->read = imp_file_read;
    s->ctx = file;
}

static ssize_t
imp_src_raw(struct imp_src *s, char *buf, size_t n, struct cm_err *err)
{
    ssize_t got;

    if (s->ended)
        return 0;
    got = s->read(s->ctx, buf, n);
    if (got < 0) {
        cm_fail(err, CM_EIO, "%s: read error: %s", s->name, strerror(errno));
        return -1;
    }
    if (got == 0)
        s->ended = 1;
    return got;
}

ssize_t
imp_src_peek(struct imp_src *s, struct cm_err *err)
{
    while (s->npeek < IMP_PEEK && !s->ended) {
        ssize_t got =
            imp_src_raw(s, s->peek + s->npeek, IMP_PEEK - s->npeek, err);

        if (got < 0)
            return -1;
        s->npeek += (size_t) got;
    }
    return (ssize_t) s->npeek;
}

ssize_t
imp_src_read(struct imp_src *s, char *buf, size_t n, struct cm_err *err)
{
    ssize_t got;

    if (s->peek_off < s->npeek) {
        got = (ssize_t) (s->npeek - s->peek_off);
        if ((size_t) got > n)
            got = (ssize_t) n;
        memcpy(buf, s->peek + s->peek_off, (size_t) got);
        s->peek_off += (size_t) got;
    } else if ((got = imp_src_raw(s, buf, n, err)) <= 0)
        return got;
    s->total += got;
    if (s->limit > 0 && s->total > s->limit) {
        cm_fail(err, CM_ELIMIT, "%s is larger than %s (%lld bytes)", s->name,
                s->limit_setting ? s->limit_setting : "the limit",
                (long long) s->limit);
        cm_err_limit(err, s->limit_setting ? s->limit_setting : "limit",
                     s->limit);
        return -1;
    }
    return got;
}

const struct imp_format *
imp_format_find(const char *name)
{
    for (int i = 0; i < imp_nformats; i++)
        if (strcmp(imp_formats[i].name, name) == 0)
            return &imp_formats[i];
    return NULL;
}

int
imp_parse_step(const char *s, int64_t *out)
{
    char     *end;
    long long n;
    int64_t   total = 0;
    int       in_time = 0, any = 0;

    if (s[0] >= '0' && s[0] <= '9') {
        n = strtoll(s, &end, 10);
        if (*end || n < 0 || n > 366LL * 86400)
            return -1;
        *out = n;
        return 0;
    }
    if (*s++ != 'P')
        return -1;
    while (*s) {
        if (*s == 'T' && !in_time) {
            in_time = 1;
            s++;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        n = strtoll(s, &end, 10);
        if (n < 0 || n > 100000)
            return -1;
        s = end;
        if (!in_time && *s == 'D')
            total += n * 86400;
        else if (!in_time && *s == 'W')
            total += n * 7 * 86400;
        else if (in_time && *s == 'H')
            total += n * 3600;
        else if (in_time && *s == 'M')
            total += n * 60;
        else if (in_time && *s == 'S')
            total += n;
        else
            return -1; /* Months and years have no fixed length */
        s++;
        any = 1;
    }
    if (!any)
        return -1;
    *out = total;
    return 0;
}

/* ---- the sink --------------------------------------------------------- */

/* Meters remembered per file: open addressing over a table larger than
** any territory's meter count, so a file that cycles through all its
** meters hour by hour never misses. Past IMP_PROBES collisions a slot is
** reused (its counter chain restarts: rare, and reported as a baseline). */
#define IMP_CACHE 8192
#define IMP_PROBES 16

struct imp_meter {
    unsigned           hash;
    char               source[16];
    char               ref[128]; /* "" = empty slot */
    int                found;
    struct store_meter m;
    int                kind;       /* enum units_kind, or -1 */
    int                has_index;  /* Index chain state */
    int                from_store; /* The chain's last index is the store's */
    int                dirty;      /* This file moved the chain on */
    int64_t            index_t;
    double             index_v;
};

struct imp_sink {
    struct store          *st;
    struct imp_result     *res;
    const struct imp_opts *o;
    int64_t                import_id;
    struct imp_meter      *cache;  /* [IMP_CACHE] */
    int                    failed; /* A store error: stop everything */
    struct cm_err          err;
};

void
imp_reject(struct imp_sink *k, long line, const char *fmt, ...)
{
    struct imp_result *res = k->res;
    va_list            ap;

    res->stats.read++;
    res->stats.rejected++;
    if (res->nerrors >= IMP_MAX_ERRORS)
        return;
    if (res->errors == NULL)
        res->errors = cm_calloc(IMP_MAX_ERRORS, sizeof(*res->errors));
    res->errors[res->nerrors].line = line;
    va_start(ap, fmt);
    vsnprintf(res->errors[res->nerrors].message,
              sizeof(res->errors[res->nerrors].message), fmt, ap);
    va_end(ap);
    res->nerrors++;
}

static unsigned
imp_hash(const char *source, const char *ref)
{
    unsigned h = 2166136261u; /* FNV-1a over source, a separator, ref */

    while (*source)
        h = (h ^ (unsigned char) *source++) * 16777619u;
    h = (h ^ 0x1f) * 16777619u;
    while (*ref)
        h = (h ^ (unsigned char) *ref++) * 16777619u;
    return h;
}

/* Store the chain's last index for the next file. */
static int
imp_index_save(struct imp_sink *k, struct imp_meter *m)
{
    if (store_meter_index_set(k->st, m->m.id, m->index_t, m->index_v,
                              &k->err) != CM_OK) {
        k->failed = 1;
        return k->err.code;
    }
    m->dirty = 0;
    return CM_OK;
}

/* The cache slot of (source, ref), looked up in the store on a miss.
** NULL with k->failed set on a store error. */
static struct imp_meter *
imp_meter(struct imp_sink *k, const char *source, const char *ref)
{
    unsigned          h = imp_hash(source, ref);
    struct imp_meter *m = NULL;

    for (unsigned i = 0; i < IMP_PROBES; i++) {
        struct imp_meter *s = &k->cache[(h + i) % IMP_CACHE];

        if (s->ref[0] == '\0') {
            m = s;
            break;
        }
        if (s->hash == h && strcmp(s->ref, ref) == 0 &&
            strcmp(s->source, source) == 0)
            return s;
    }
    if (m == NULL) /* A crowded neighbourhood: reuse the first slot */
        m = &k->cache[h % IMP_CACHE];
    if (m->dirty && imp_index_save(k, m) != CM_OK)
        return NULL;
    memset(m, 0, sizeof(*m));
    if (store_meter_find(k->st, source, ref, &m->m, &m->found, &k->err)) {
        k->failed = 1;
        return NULL;
    }
    /* Refs longer than the slot are looked up every time, never cached. */
    if (strlen(ref) < sizeof(m->ref) && strlen(source) < sizeof(m->source)) {
        m->hash = h;
        memcpy(m->source, source, strlen(source) + 1);
        memcpy(m->ref, ref, strlen(ref) + 1);
    }
    m->kind = m->found ? units_kind_find(m->m.kind) : -1;
    /* A counter goes on from the last index an earlier file gave. */
    if (m->found && m->m.has_index) {
        m->has_index = m->from_store = 1;
        m->index_t = m->m.index_at;
        m->index_v = m->m.index_value;
    }
    return m;
}

int
imp_emit(struct imp_sink *k, const struct imp_reading *r)
{
    struct imp_meter *m;
    struct cm_err     uerr;
    enum store_put    outcome;
    double            value = r->value, canon, previous;
    const char       *unit;
    int64_t           start = r->start, step = r->step;

    if (k->failed)
        return k->err.code;
    if (r->ref == NULL || r->ref[0] == '\0') {
        imp_reject(k, r->line, "no meter identifier");
        return CM_OK;
    }
    if ((m = imp_meter(k, r->source, r->ref)) == NULL)
        return k->err.code;
    if (!m->found) {
        if (strcmp(r->source, "csv") == 0)
            imp_reject(k, r->line,
                       "unknown meter '%.64s': declare it with 'consometer "
                       "meters import'",
                       r->ref);
        else
            imp_reject(k, r->line,
                       "no meter has source '%s' and source_ref '%.64s': "
                       "declare it with 'consometer meters import'",
                       r->source, r->ref);
        return CM_OK;
    }
    if (r->site && strcmp(r->site, m->m.site_id) != 0) {
        imp_reject(k, r->line,
                   "meter '%.64s' belongs to site '%.64s', not "
                   "'%.64s'",
                   r->ref, m->m.site_id, r->site);
        return CM_OK;
    }
    if (r->kind && strcmp(r->kind, m->m.kind) != 0) {
        imp_reject(k, r->line, "meter '%.64s' measures %s, not %.32s", r->ref,
                   m->m.kind, r->kind);
        return CM_OK;
    }
    if (m->kind < 0) {
        imp_reject(k, r->line, "meter '%.64s' has an unknown kind '%s'", r->ref,
                   m->m.kind);
        return CM_OK;
    }
    unit = r->unit ? r->unit : m->m.unit;
    if ((r->flags & IMP_INDEX) || m->m.counter) {
        /* A counter: the reading is the difference with the previous
        ** index of the same meter -- in this file, or the last one an
        ** earlier file left in the store (migration 0005). */
        int first = !m->has_index;

        /* Older than what the store knows: a re-import; this file's own
        ** chain starts here. */
        if (m->from_store && r->start < m->index_t)
            first = 1;
        m->from_store = 0;
        if (!first && r->start == m->index_t && r->value == m->index_v) {
            k->res->stats.read++; /* The same index given twice */
            k->res->stats.unchanged++;
            return CM_OK;
        }
        if (!first && r->start <= m->index_t) {
            imp_reject(k, r->line, "index times go backwards");
            return CM_OK;
        }
        if (!first && r->value < m->index_v) {
            double before = m->index_v;

            m->index_t = r->start;
            m->index_v = r->value;
            m->dirty = 1;
            imp_reject(k, r->line,
                       "counter reset: the index fell from %.17g to %.17g; "
                       "the next interval starts here",
                       before, r->value);
            return CM_OK;
        }
        m->has_index = m->dirty = 1;
        start = m->index_t;
        step = r->start - m->index_t;
        value = r->value - m->index_v;
        m->index_t = r->start;
        m->index_v = r->value;
        if (first) { /* The baseline: it changes nothing */
            k->res->stats.read++;
            k->res->stats.unchanged++;
            return CM_OK;
        }
    }
    if (step == -1) {
        if (m->m.step >= 0)
            step = m->m.step;
        else if (!units_kind_is_energy(m->kind))
            step = 0;
        else {
            imp_reject(k, r->line,
                       "no interval for this energy: add a step column or "
                       "declare the step of meter '%.64s'",
                       r->ref);
            return CM_OK;
        }
    }
    if (units_to_canonical((enum units_kind) m->kind, unit, value, step,
                           r->coeff, &canon, &uerr) != CM_OK) {
        imp_reject(k, r->line, "%s", uerr.msg);
        return CM_OK;
    }
    /* A meter with a declared step gets readings of that step only: a
    ** daily total beside the half-hours it sums would count twice. */
    if (m->m.step > 0 && step != m->m.step &&
        !((r->flags & IMP_INDEX) || m->m.counter)) {
        imp_reject(k, r->line,
                   "meter '%.64s' takes readings of %lld s; this one covers "
                   "%lld s",
                   r->ref, (long long) m->m.step, (long long) step);
        return CM_OK;
    }
    if (step < 0 || (step == 0 && units_kind_is_energy(m->kind))) {
        imp_reject(k, r->line, "an energy needs an interval (step > 0)");
        return CM_OK;
    }
    if (store_reading_put(k->st, m->m.id, start, step, canon, k->import_id,
                          &outcome, &previous, &k->err)) {
        k->failed = 1;
        return k->err.code;
    }
    switch (outcome) {
    case STORE_PUT_CONFLICT:
        imp_reject(k, r->line,
                   "duplicate: an earlier row of this file gave %.17g for "
                   "the same meter and interval, this one %.17g",
                   previous, canon);
        return CM_OK;
    case STORE_PUT_INSERTED:
        k->res->stats.imported++;
        break;
    case STORE_PUT_UPDATED:
        k->res->stats.updated++;
        break;
    case STORE_PUT_UNCHANGED:
        k->res->stats.unchanged++;
        break;
    }
    k->res->stats.read++;
    return CM_OK;
}

/* ---- the run ---------------------------------------------------------- */

static void imp_stats_json(struct jw *w, const struct imp_stats *s);

static const struct imp_format *
imp_detect(struct imp_src *src)
{
    for (int i = 0; i < imp_nformats; i++)
        if (imp_formats[i].detect &&
            imp_formats[i].detect(src->peek, src->npeek))
            return &imp_formats[i];
    return NULL;
}

static void
imp_formats_list(char *out, size_t outsz)
{
    size_t n = 0;

    out[0] = '\0';
    for (int i = 0; i < imp_nformats && n < outsz; i++)
        n += (size_t) snprintf(out + n, outsz - n, "%s%s", i ? ", " : "",
                               imp_formats[i].name);
}

static int
imp_refuse(struct imp_result *res, const struct cm_err *err)
{
    res->status = err->code;
    snprintf(res->message, sizeof(res->message), "%s", err->msg);
    /* Nothing of the file stays: only what was read and rejected counts */
    res->stats.imported = res->stats.updated = res->stats.unchanged = 0;
    return err->code;
}

int
imp_run(struct store *st, struct imp_src *src, const char *format,
        const struct imp_opts *o, struct imp_result *res)
{
    const struct imp_format *fmt;
    struct imp_sink          k;
    struct cm_err            err, cerr;
    char                     list[256];
    int                      rc;

    memset(res, 0, sizeof(*res));
    snprintf(res->file, sizeof(res->file), "%s", src->name);
    if (imp_src_peek(src, &err) < 0)
        return imp_refuse(res, &err);
    if (format) {
        if ((fmt = imp_format_find(format)) == NULL) {
            imp_formats_list(list, sizeof(list));
            cm_fail(&err, CM_EMEDIA, "unknown format '%.32s' (known: %s)",
                    format, list);
            cm_err_what(&err, "param", "format");
            return imp_refuse(res, &err);
        }
    } else if ((fmt = imp_detect(src)) == NULL) {
        imp_formats_list(list, sizeof(list));
        cm_fail(&err, CM_EMALFORMED,
                "%s: %s; name its format with --format (%s)", src->name,
                src->npeek == 0 ? "the file is empty"
                                : "cannot tell the format from its content",
                list);
        return imp_refuse(res, &err);
    }
    res->format = fmt->name;

    memset(&k, 0, sizeof(k));
    k.st = st;
    k.res = res;
    k.o = o;
    if (store_cache_kib(st, CM_IMP_CACHE_KIB, &err) || store_begin(st, &err))
        return imp_refuse(res, &err);
    if (store_import_begin(st, fmt->name, fmt->name, src->name, o->actor,
                           &k.import_id, &err)) {
        store_rollback(st);
        return imp_refuse(res, &err);
    }
    k.cache = cm_calloc(IMP_CACHE, sizeof(*k.cache));
    rc = fmt->parse(src, &k, o, &err);
    if (k.failed && rc == CM_OK)
        rc = k.err.code, err = k.err;
    else if (k.failed)
        err = k.err;
    for (int i = 0; rc == CM_OK && !k.failed && i < IMP_CACHE; i++)
        if (k.cache[i].dirty && imp_index_save(&k, &k.cache[i]) != CM_OK)
            rc = k.err.code, err = k.err;
    free(k.cache);
    if (rc == CM_OK && o->strict && res->stats.rejected > 0) {
        cm_fail(&err, CM_EINVAL,
                "%s: %lld rows rejected and --strict is set: nothing was "
                "imported from it",
                src->name, (long long) res->stats.rejected);
        rc = err.code;
    }
    if (rc == CM_OK) {
        struct jw         *w = jw_new();
        char              *details;
        struct store_audit a = {o->actor, "readings.import", src->name,
                                o->address, NULL};

        jw_obj_open(w);
        jw_kv_str(w, "format", fmt->name);
        imp_stats_json(w, &res->stats);
        jw_obj_close(w);
        a.details = details = jw_strdup(w);
        jw_free(w);
        rc = store_import_finish(st, k.import_id, res->stats.read,
                                 res->stats.imported, res->stats.updated,
                                 res->stats.rejected, "done", details, &err);
        if (rc == CM_OK)
            rc = store_audit_add(st, &a, &err);
        free(details);
    }
    if (rc == CM_OK)
        rc = store_commit(st, &err);
    if (rc != CM_OK)
        store_rollback(st);
    /* Give the cache back: this connection may serve requests next. */
    store_cache_kib(st, 0, &cerr);
    if (rc != CM_OK)
        return imp_refuse(res, &err);
    return CM_OK;
}

void
imp_result_clear(struct imp_result *res)
{
    if (res == NULL)
        return;
    free(res->errors);
    res->errors = NULL;
    res->nerrors = 0;
}

static void
imp_stats_json(struct jw *w, const struct imp_stats *s)
{
    jw_kv_int(w, "rows_read", s->read);
    jw_kv_int(w, "rows_imported", s->imported);
    jw_kv_int(w, "rows_updated", s->updated);
    jw_kv_int(w, "rows_unchanged", s->unchanged);
    jw_kv_int(w, "rows_rejected", s->rejected);
}

static void
imp_errors_json(struct jw *w, const struct imp_result *res)
{
    for (int i = 0; i < res->nerrors; i++) {
        jw_obj_open(w);
        jw_kv_str(w, "file", res->file);
        jw_kv_int(w, "line", res->errors[i].line);
        jw_kv_str(w, "message", res->errors[i].message);
        jw_obj_close(w);
    }
    if (res->status != CM_OK) { /* Why the whole file was refused */
        jw_obj_open(w);
        jw_kv_str(w, "file", res->file);
        jw_key(w, "line");
        jw_null(w); /* The message gives the position */
        jw_kv_str(w, "message", res->message);
        jw_obj_close(w);
    }
}

void
imp_result_json(struct jw *w, const struct imp_result *res)
{
    jw_obj_open(w);
    jw_kv_str(w, "file", res->file);
    jw_kv_str(w, "format", res->format);
    jw_kv_str(w, "status", res->status == CM_OK ? "imported" : "rejected");
    if (res->status != CM_OK) {
        jw_kv_str(w, "code", cm_code_name((enum cm_code) res->status));
        jw_kv_str(w, "message", res->message);
    }
    imp_stats_json(w, &res->stats);
    jw_key(w, "errors");
    jw_arr_open(w);
    imp_errors_json(w, res);
    jw_arr_close(w);
    jw_obj_close(w);
}

void
imp_totals_json(struct jw *w, const struct imp_result *res, int n)
{
    struct imp_stats t = {0, 0, 0, 0, 0};
    int              refused = 0, nerr = 0;

    jw_obj_open(w);
    jw_key(w, "files");
    jw_arr_open(w);
    for (int i = 0; i < n; i++)
        imp_result_json(w, &res[i]);
    jw_arr_close(w);
    for (int i = 0; i < n; i++) {
        t.read += res[i].stats.read;
        t.imported += res[i].stats.imported;
        t.updated += res[i].stats.updated;
        t.unchanged += res[i].stats.unchanged;
        t.rejected += res[i].stats.rejected;
        refused += res[i].status != CM_OK;
    }
    jw_key(w, "total");
    jw_obj_open(w);
    jw_kv_int(w, "files", n);
    jw_kv_int(w, "files_rejected", refused);
    imp_stats_json(w, &t);
    jw_key(w, "errors");
    jw_arr_open(w);
    for (int i = 0; i < n && nerr < IMP_MAX_ERRORS; i++)
        for (int e = 0; e < res[i].nerrors && nerr < IMP_MAX_ERRORS;
             e++, nerr++) {
            jw_obj_open(w);
            jw_kv_str(w, "file", res[i].file);
            jw_kv_int(w, "line", res[i].errors[e].line);
            jw_kv_str(w, "message", res[i].errors[e].message);
            jw_obj_close(w);
        }
    jw_arr_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}
