/*
** dl.h -- the download files of published versions, built once and kept
** in the data folder: <store.data_dir>/cache/<slug>/v<N>/<name>. A
** version never changes, so a file, once built and checked against its
** distribution row (the size and sha256 the publisher recorded), is
** served from disk ever after. No HTTP here: the handler (api_download.c)
** passes a callback that receives the bytes of a first build as they
** are written, so the first client is served while the cache fills.
*/
#ifndef CM_DL_H
#define CM_DL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"       /* struct cm_err, CM_OK, CM_E* */
#include "exp.h"       /* exp_write_fn */
#include "cm_limits.h" /* CM_PATH_MAX */

/* Longest cache path: data_dir, then /cache/<slug>/v<N>/<file name>. */
#define DL_PATH_MAX (CM_PATH_MAX + 256)

struct store;
struct store_version;
struct store_distribution;

/* Fill out[outsz] with the cache folder of version v. */
int dl_dir(const char *data_dir, const struct store_version *v, char *out,
           size_t outsz, struct cm_err *err);

/* Fill out[outsz] with the cache path of distribution d of version v.
** CM_EINVAL if its slug or file name could leave the cache folder. */
int dl_path(const char *data_dir, const struct store_version *v,
            const struct store_distribution *d, char *out, size_t outsz,
            struct cm_err *err);

/*
** Make sure the file of distribution d of version v is in the cache
** under data_dir, and fill path[pathsz] with where it is.
**
** - Cached (present, of d->bytes): CM_OK at once, *teed 0.
** - Being built by another thread: wait for it (a mutex and a condition
**   variable per path), then as above; if that build failed, build.
** - Otherwise build it here through exp_version_write() into a temporary
**   file beside it, every chunk also handed to 'tee' (NULL: none) as it
**   is written; then *teed is 1. A tee that fails is not called again
**   and the build goes on, so a client that leaves still fills the
**   cache. The file is renamed into place only if its size and sha256
**   are those of d; else the error is logged, nothing is cached, and
**   CM_EINTERNAL is returned (the tee has had wrong bytes).
*/
int dl_ensure(struct store *st, const char *data_dir,
              const struct store_version *v, const struct store_distribution *d,
              exp_write_fn tee, void *tee_ctx, char *path, size_t pathsz,
              int *teed, struct cm_err *err);

/* Files built and cached since the process started. */
uint64_t dl_builds(void);

/* ---- download counts ------------------------------------------------ */
/*
** What the download route served, counted per UTC day, dataset and
** format (store_downloads.h) in memory under one mutex, so that no
** request of the download path waits on SQLite, and added to the store
** in one transaction when a batch is due: at the first download of a
** new UTC day, at the first one DL_STATS_FLUSH_S seconds or more after
** the last batch, and when the server stops (dl_stats_flush_path). The
** counts are the process's: one server per process, as consometer
** serve runs.
**
** Not a setting: the interval only weighs what a crash may lose (the
** last minute's counts) against one small write a minute.
*/
#define DL_STATS_FLUSH_S 60

/* Count one response that sent 'bytes' body bytes of (slug, format),
** now. When a batch is due it is written through st, the caller's
** connection outside any transaction; a failure is logged and the
** counts are kept for the next batch. */
void dl_stats_count(struct store *st, const char *slug, const char *format,
                    int64_t bytes);
/* The same at UTC time 'now' (tests walk the clock with it). */
void dl_stats_count_at(struct store *st, const char *slug, const char *format,
                       int64_t bytes, time_t now);

/* Write every count held to st now. On failure they are kept. */
int dl_stats_flush(struct store *st, struct cm_err *err);

/* At server stop, after the last request: write the counts held into
** the store at 'path' (opened and closed here). A failure is logged and
** the counts dropped, since nothing would write them later. */
void dl_stats_flush_path(const char *path, int busy_timeout_ms);

#endif /* CM_DL_H */
