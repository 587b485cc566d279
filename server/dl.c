/*
** dl.c -- the download cache: each distribution of a published version
** is built once into <store.data_dir>/cache/<slug>/v<N>/<name> and then
** served from disk. Concurrent first requests for one file must not
** build it twice: the first registers a job for the path, the others
** wait on the job's condition variable and find the file when it is
** done. A build writes to a temporary file and renames it into place
** only once its size and sha256 match the distribution row, so a
** reader never sees a partial or a wrong file under the final name.
**
** It also keeps the download counts (dl.h): a short table in memory
** that the download path adds to under a mutex, handed to the store in
** batches by whichever request finds one due.
*/
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "store_downloads.h"

/* A build in progress, found by path; freed by the last one to leave. */
struct dl_job {
    struct dl_job *next;
    char          *path;
    int            waiters; /* Threads waiting on cond */
    int            done;    /* The builder has finished (either way) */
    pthread_cond_t cond;
};

static pthread_mutex_t       dl_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dl_job        *dl_jobs; /* Builds in progress, under dl_mu */
static atomic_uint_least64_t dl_nbuilds;

uint64_t
dl_builds(void)
{
    return atomic_load(&dl_nbuilds);
}

/* 1 if s is safe as one path segment: no '/', no leading '.', not empty. */
static int
dl_segment_ok(const char *s)
{
    return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL;
}

int
dl_dir(const char *data_dir, const struct store_version *v, char *out,
       size_t outsz, struct cm_err *err)
{
    int n;

    if (!dl_segment_ok(v->slug))
        return cm_fail(err, CM_EINVAL, "'%.64s' is not a plain folder name",
                       v->slug);
    n = snprintf(out, outsz, "%s/cache/%s/v%" PRId64, data_dir, v->slug,
                 v->number);
    if (n < 0 || (size_t) n >= outsz)
        return cm_fail(err, CM_EINVAL, "the cache folder of '%s' is too long",
                       v->slug);
    return CM_OK;
}

int
dl_path(const char *data_dir, const struct store_version *v,
        const struct store_distribution *d, char *out, size_t outsz,
        struct cm_err *err)
{
    int n;

    if (!dl_segment_ok(v->slug) || !dl_segment_ok(d->name))
        return cm_fail(err, CM_EINVAL,
                       "download '%.64s' of '%.64s' is not a plain file name",
                       d->name, v->slug);
    n = snprintf(out, outsz, "%s/cache/%s/v%" PRId64 "/%s", data_dir, v->slug,
                 v->number, d->name);
    if (n < 0 || (size_t) n >= outsz)
        return cm_fail(err, CM_EINVAL, "the cache path of '%s' is too long",
                       d->name);
    return CM_OK;
}

/* 1 if path holds the complete file (its size is the row's). A file of
** another size is not ours to serve (a crash between rename and
** write-back): it is removed and built again. */
static int
dl_cached(const char *path, int64_t bytes)
{
    struct stat sb;

    if (stat(path, &sb) != 0)
        return 0;
    if ((int64_t) sb.st_size == bytes)
        return 1;
    cm_log(CM_LOG_WARN,
           "download cache %s: %lld bytes, expected %" PRId64
           "; building it again",
           path, (long long) sb.st_size, bytes);
    unlink(path);
    return 0;
}

/* What the build's sink writes to: the temporary file and the tee. */
struct dl_out {
    FILE        *f;
    exp_write_fn tee;
    void        *tee_ctx;
};

static int
dl_out_write(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    struct dl_out *o = ctx;
    struct cm_err  ignored;

    if (fwrite(p, 1, n, o->f) != n)
        return cm_fail(err, CM_EIO, "writing the download cache: %s",
                       strerror(errno));
    /* The client is a guest of the build: if it fails (it went away),
    ** stop feeding it and finish the file for the next ones. */
    if (o->tee != NULL && o->tee(o->tee_ctx, p, n, &ignored) != CM_OK)
        o->tee = NULL;
    return CM_OK;
}

/* Write v in d's format onto sink. An archive is built around the
** cached csv download when there is one: compressing is then all the
** work, as for bsdtar, instead of formatting every row again. */
static int
dl_write(struct store *st, const struct store_version *v,
         const struct store_distribution *d, const char *dir,
         struct exp_sink *sink, struct cm_err *err)
{
    int f = exp_format_find(d->format);

    if (f == EXP_ZIP || f == EXP_TGZ) {
        struct store_distribution all[EXP_NFORMATS + 2];
        size_t                    n = 0;
        char                      csv[DL_PATH_MAX + 200];

        if (store_distribution_list(st, v->id, all, EXP_NFORMATS + 2, &n,
                                    err) != CM_OK)
            return err->code;
        for (size_t i = 0; i < n; i++)
            if (strcmp(all[i].format, "csv") == 0 &&
                snprintf(csv, sizeof(csv), "%s/%s", dir, all[i].name) <
                    (int) sizeof(csv) &&
                dl_cached(csv, all[i].bytes))
                return exp_version_write_archive(st, v, d->format, csv,
                                                 (uint64_t) all[i].bytes,
                                                 all[i].sha256, sink, err);
    }
    return exp_version_write(st, v, d->format, sink, err);
}

/* Build path from v in d's format, checked against d; see dl.h. */
static int
dl_build(struct store *st, const struct store_version *v,
         const struct store_distribution *d, const char *path, exp_write_fn tee,
         void *tee_ctx, struct cm_err *err)
{
    char             dir[DL_PATH_MAX], tmp[DL_PATH_MAX + 16];
    char             hex[EXP_SHA256_HEX + 1];
    struct exp_sink *sink;
    struct dl_out    out = {NULL, tee, tee_ctx};
    char            *slash;
    int              fd, rc;

    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/')) != NULL)
        *slash = '\0';
    if (store_prepare_dir(dir, err) != CM_OK)
        return err->code;
    snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0 || (out.f = fdopen(fd, "wb")) == NULL) {
        rc =
            cm_fail(err, CM_EIO, "download cache %s: %s", tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return rc;
    }
    sink = cm_malloc(sizeof(*sink)); /* Holds a 16 KiB buffer */
    exp_sink_init(sink, dl_out_write, &out);
    rc = dl_write(st, v, d, dir, sink, err);
    if (rc == CM_OK)
        rc = exp_sink_flush(sink, err);
    if (fclose(out.f) != 0 && rc == CM_OK)
        rc =
            cm_fail(err, CM_EIO, "download cache %s: %s", tmp, strerror(errno));
    if (rc == CM_OK) {
        exp_sink_digest(sink, hex);
        if ((int64_t) sink->bytes != d->bytes || strcmp(hex, d->sha256) != 0) {
            /* The version's bytes changed since they were published: a
            ** bug in an exporter, or a store edited by hand. Serving the
            ** file would contradict the checksum the catalog shows. */
            cm_log(CM_LOG_ERROR,
                   "download %s: built %" PRIu64 " bytes, sha256 %s; its "
                   "distribution says %" PRId64 " bytes, sha256 %s: not "
                   "cached",
                   path, sink->bytes, hex, d->bytes, d->sha256);
            rc = cm_fail(err, CM_EINTERNAL,
                         "%s does not match its published checksum", d->name);
        }
    }
    if (rc == CM_OK && rename(tmp, path) != 0)
        rc = cm_fail(err, CM_EIO, "download cache %s: %s", path,
                     strerror(errno));
    if (rc != CM_OK)
        unlink(tmp);
    else
        atomic_fetch_add(&dl_nbuilds, 1);
    free(sink);
    return rc;
}

static struct dl_job *
dl_job_find(const char *path)
{
    for (struct dl_job *j = dl_jobs; j != NULL; j = j->next)
        if (strcmp(j->path, path) == 0)
            return j;
    return NULL;
}

static void
dl_job_free(struct dl_job *j)
{
    pthread_cond_destroy(&j->cond);
    free(j->path);
    free(j);
}

int
dl_ensure(struct store *st, const char *data_dir, const struct store_version *v,
          const struct store_distribution *d, exp_write_fn tee, void *tee_ctx,
          char *path, size_t pathsz, int *teed, struct cm_err *err)
{
    struct dl_job *job;
    int            rc;

    *teed = 0;
    if (dl_path(data_dir, v, d, path, pathsz, err) != CM_OK)
        return err->code;
    for (;;) {
        if (dl_cached(path, d->bytes))
            return CM_OK;
        pthread_mutex_lock(&dl_mu);
        if ((job = dl_job_find(path)) != NULL) {
            job->waiters++;
            while (!job->done)
                pthread_cond_wait(&job->cond, &dl_mu);
            if (--job->waiters == 0)
                dl_job_free(job); /* Already out of the list */
            pthread_mutex_unlock(&dl_mu);
            continue; /* Cached now, unless that build failed */
        }
        /* Checked again under the lock: a build may have just finished
        ** and left the list between our first look and the lock. */
        if (dl_cached(path, d->bytes)) {
            pthread_mutex_unlock(&dl_mu);
            return CM_OK;
        }
        job = cm_calloc(1, sizeof(*job));
        job->path = cm_strdup(path);
        pthread_cond_init(&job->cond, NULL);
        job->next = dl_jobs;
        dl_jobs = job;
        pthread_mutex_unlock(&dl_mu);
        break;
    }

    *teed = tee != NULL;
    rc = dl_build(st, v, d, path, tee, tee_ctx, err);

    pthread_mutex_lock(&dl_mu);
    for (struct dl_job **pp = &dl_jobs; *pp != NULL; pp = &(*pp)->next)
        if (*pp == job) {
            *pp = job->next;
            break;
        }
    job->done = 1;
    pthread_cond_broadcast(&job->cond);
    if (job->waiters == 0)
        dl_job_free(job);
    pthread_mutex_unlock(&dl_mu);
    return rc;
}

/* ---- download counts ------------------------------------------------ */

struct dl_stats {
    pthread_mutex_t              mu;
    struct store_download_count *c; /* Counts not written yet */
    size_t                       n, cap;
    time_t                       last;     /* Last batch (or first count) */
    int64_t                      last_day; /* Its UTC day number */
    int64_t                      day_num;  /* Day of 'day' below */
    char                         day[11];  /* "YYYY-MM-DD" of day_num */
    int                          writing;  /* A request writes a batch */
};

static struct dl_stats dl_stats = {.mu = PTHREAD_MUTEX_INITIALIZER,
                                   .day_num = -1};

/* Add to the count of (day, slug, format); under dl_stats.mu. Few
** entries (datasets x formats of a minute or two): a linear search. */
static void
dl_stats_add(const char *day, const char *slug, const char *format,
             int64_t requests, int64_t bytes)
{
    struct store_download_count *e = NULL;

    for (size_t i = dl_stats.n; i-- > 0;)
        if (strcmp(dl_stats.c[i].dataset, slug) == 0 &&
            strcmp(dl_stats.c[i].format, format) == 0 &&
            strcmp(dl_stats.c[i].day, day) == 0) {
            e = &dl_stats.c[i];
            break;
        }
    if (e == NULL) {
        if (dl_stats.n == dl_stats.cap) {
            dl_stats.cap = dl_stats.cap ? dl_stats.cap * 2 : 16;
            dl_stats.c =
                cm_realloc(dl_stats.c, dl_stats.cap * sizeof(*dl_stats.c));
        }
        e = &dl_stats.c[dl_stats.n++];
        memset(e, 0, sizeof(*e));
        snprintf(e->day, sizeof(e->day), "%s", day);
        snprintf(e->dataset, sizeof(e->dataset), "%s", slug);
        snprintf(e->format, sizeof(e->format), "%s", format);
    }
    e->requests += requests;
    e->bytes += bytes;
}

/* Take every count held (the caller writes then frees them); under mu. */
static struct store_download_count *
dl_stats_take(size_t *n)
{
    struct store_download_count *c = dl_stats.c;

    *n = dl_stats.n;
    dl_stats.c = NULL;
    dl_stats.n = dl_stats.cap = 0;
    return c;
}

/* Write the batch c[n] to st; on failure give its counts back. */
static int
dl_stats_write(struct store *st, struct store_download_count *c, size_t n,
               struct cm_err *err)
{
    int rc = store_downloads_add(st, c, n, err);

    if (rc != CM_OK) {
        pthread_mutex_lock(&dl_stats.mu);
        for (size_t i = 0; i < n; i++)
            dl_stats_add(c[i].day, c[i].dataset, c[i].format, c[i].requests,
                         c[i].bytes);
        pthread_mutex_unlock(&dl_stats.mu);
    }
    free(c);
    return rc;
}

void
dl_stats_count_at(struct store *st, const char *slug, const char *format,
                  int64_t bytes, time_t now)
{
    int64_t                      day = (int64_t) now / 86400;
    struct store_download_count *batch = NULL;
    size_t                       n = 0;
    int                          due;
    struct cm_err                err;

    pthread_mutex_lock(&dl_stats.mu);
    if (day != dl_stats.day_num) {
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(dl_stats.day, sizeof(dl_stats.day), "%Y-%m-%d", &tm);
        dl_stats.day_num = day;
    }
    dl_stats_add(dl_stats.day, slug, format, 1, bytes < 0 ? 0 : bytes);
    if (dl_stats.last == 0) {
        dl_stats.last = now;
        dl_stats.last_day = day;
    }
    due = st != NULL && !dl_stats.writing &&
          (day != dl_stats.last_day || now - dl_stats.last >= DL_STATS_FLUSH_S);
    if (due) {
        /* The next batch is an interval away even if this one fails: a
        ** busy store is not retried by every request. */
        batch = dl_stats_take(&n);
        dl_stats.writing = 1;
        dl_stats.last = now;
        dl_stats.last_day = day;
    }
    pthread_mutex_unlock(&dl_stats.mu);
    if (!due)
        return;
    if (dl_stats_write(st, batch, n, &err) != CM_OK)
        cm_log(CM_LOG_WARN, "download counts kept for the next batch: %s",
               err.msg);
    pthread_mutex_lock(&dl_stats.mu);
    dl_stats.writing = 0;
    pthread_mutex_unlock(&dl_stats.mu);
}

void
dl_stats_count(struct store *st, const char *slug, const char *format,
               int64_t bytes)
{
    dl_stats_count_at(st, slug, format, bytes, time(NULL));
}

int
dl_stats_flush(struct store *st, struct cm_err *err)
{
    struct store_download_count *batch;
    size_t                       n;

    pthread_mutex_lock(&dl_stats.mu);
    batch = dl_stats_take(&n);
    pthread_mutex_unlock(&dl_stats.mu);
    return dl_stats_write(st, batch, n, err);
}

void
dl_stats_flush_path(const char *path, int busy_timeout_ms)
{
    struct store_opts            o = {.busy_timeout_ms = busy_timeout_ms};
    struct store_download_count *batch;
    struct store                *st;
    struct cm_err                err;
    size_t                       n;

    pthread_mutex_lock(&dl_stats.mu);
    batch = dl_stats_take(&n);
    dl_stats.last = 0;
    pthread_mutex_unlock(&dl_stats.mu);
    if (n == 0) {
        free(batch);
        return;
    }
    if (store_open(path, &o, &st, NULL, &err) == CM_OK) {
        if (store_downloads_add(st, batch, n, &err) == CM_OK)
            n = 0;
        store_close(st);
    }
    if (n > 0)
        cm_log(CM_LOG_ERROR, "%zu download counts lost at stop: %s", n,
               err.msg);
    free(batch);
}
