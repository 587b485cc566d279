/*
** runq.c -- the run daemon (runq.h). One process, one thread, one store
** connection: a poll loop over its channel to the server and the answer
** pipes of its workers. It keeps as many spare workers, forked ahead and
** waiting for a script, as it may run at once, so that a run starts with
** one write; a worker that ended (whatever the way) is replaced.
*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "cfg.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "runq.h"
#include "sbx.h"
#include "store.h"
#include "store_scripts.h"

/* The daemon rescans the queue this often even when nobody pokes it. */
#define RUNQ_RESCAN_MS 1000
/* A preview larger than this is replaced by its size. */
#define RUNQ_PREVIEW_BYTES (64 * 1024)
/* Attempts at recording a run's end while the store is busy. */
#define RUNQ_FINISH_TRIES 5
/* Queued runs read per scan; more wait for the next one. */
#define RUNQ_SCAN_ROWS 256

struct runq {
    int pid;
    int fd; /* The server's end of the channel */
};

/* The server's end and the daemon, for runq_notify() and runq_alive()
** from any request thread. */
static int             runq_fd = -1;
static int             runq_pid;
static int             runq_dead; /* Reaped: it stopped by itself */
static pthread_mutex_t runq_lock = PTHREAD_MUTEX_INITIALIZER;

struct runq_slot {
    struct sbx_proc p;
    int64_t         run;     /* 0: a spare (p.pid set) or empty */
    int64_t         account; /* Whose run */
};

struct runq_daemon {
    struct store     *st;
    struct sbx_limits lim;
    int               workers, team_concurrency, preview_rows;
    struct runq_slot *slots; /* 2 * workers: running ones and spares */
    int               nslots;
    int               dirty; /* Poked since the last scan */
    int64_t           next_scan;
};

/* ---- the preview of a result ----------------------------------------- */

/* The first 'rows' entries of an array, and how many there were. */
static void
runq_preview_array(struct jw *w, yajl_val a, int rows)
{
    jw_arr_open(w);
    for (size_t i = 0; i < a->u.array.len && i < (size_t) rows; i++)
        jw_tree(w, a->u.array.values[i]);
    jw_arr_close(w);
}

/*
** What GET /api/v1/runs/{id} shows of a result: the result itself, with
** an indicator's observations (or a top-level array) cut to 'rows' and
** their count beside them; a preview still too large becomes its size.
** Computed once, when the run ends.
*/
static char *
runq_preview(const char *json, size_t len, int rows)
{
    char       ebuf[128];
    yajl_val   v = yajl_tree_parse(json, ebuf, sizeof(ebuf));
    struct jw *w = jw_new();
    char      *out;

    if (v == NULL)
        jw_null(w);
    else if (YAJL_IS_ARRAY(v) && v->u.array.len > (size_t) rows) {
        jw_obj_open(w);
        jw_key(w, "rows");
        runq_preview_array(w, v, rows);
        jw_kv_int(w, "rows_total", (int64_t) v->u.array.len);
        jw_obj_close(w);
    } else if (YAJL_IS_OBJECT(v)) {
        jw_obj_open(w);
        for (size_t i = 0; i < v->u.object.len; i++) {
            yajl_val x = v->u.object.values[i];

            jw_key(w, v->u.object.keys[i]);
            if (strcmp(v->u.object.keys[i], "observations") == 0 &&
                YAJL_IS_ARRAY(x)) {
                runq_preview_array(w, x, rows);
                jw_kv_int(w, "observations_total", (int64_t) x->u.array.len);
            } else
                jw_tree(w, x);
        }
        jw_obj_close(w);
    } else
        jw_tree(w, v);
    yajl_tree_free(v);
    out = jw_strdup(w);
    jw_free(w);
    if (out != NULL && strlen(out) > RUNQ_PREVIEW_BYTES) {
        struct jw *t = jw_new();

        free(out);
        jw_obj_open(t);
        jw_kv_bool(t, "truncated", 1);
        jw_kv_int(t, "bytes", (int64_t) len);
        jw_obj_close(t);
        out = jw_strdup(t);
        jw_free(t);
    }
    return out;
}

/* ---- workers ---------------------------------------------------------- */

static int
runq_running(const struct runq_daemon *d, int64_t account)
{
    int n = 0;

    for (int i = 0; i < d->nslots; i++)
        if (d->slots[i].run && (account == 0 || d->slots[i].account == account))
            n++;
    return n;
}

/* Keep one spare per run that may start: a run then starts with a write. */
static void
runq_spares(struct runq_daemon *d)
{
    int spares = 0, want = d->workers - runq_running(d, 0);

    for (int i = 0; i < d->nslots; i++)
        if (!d->slots[i].run && d->slots[i].p.pid)
            spares++;
    for (int i = 0; i < d->nslots && spares < want; i++) {
        struct runq_slot *s = &d->slots[i];

        if (s->run || s->p.pid)
            continue;
        if (sbx_proc_spawn(&s->p, &d->lim) != 0) {
            cm_log(CM_LOG_ERROR, "run daemon: cannot fork a worker: %s",
                   strerror(errno));
            return;
        }
        spares++;
    }
}

static void
runq_end(struct runq_daemon *d, struct runq_slot *s, int timed_out)
{
    struct sbx_result    res;
    struct store_run_end e = {0};
    struct cm_err        err;
    char                *preview = NULL;

    sbx_proc_finish(&s->p, timed_out, &res);
    if (res.code == SBX_OK) {
        e.status = "succeeded";
        e.result = res.json;
        preview = runq_preview(res.json, strlen(res.json), d->preview_rows);
        e.preview = preview;
    } else {
        e.status = "failed";
        e.code = sbx_code_name(res.code);
        e.message = res.message;
        e.line = res.line;
    }
    e.instructions = res.instructions;
    e.memory_peak = res.memory_peak;
    e.wall_ms = res.wall_ms;
    /* The store may be busy past its timeout (a large publication holds
    ** the write lock): the run's end is worth a few more tries. */
    for (int tries = 0; tries < RUNQ_FINISH_TRIES; tries++) {
        int rc = store_run_finish(d->st, s->run, &e, &err);

        if (rc == CM_OK)
            break;
        cm_log(CM_LOG_ERROR, "run daemon: run %lld: %s", (long long) s->run,
               err.msg);
        if (rc != CM_EUNAVAIL)
            break;
    }
    free(preview);
    sbx_result_clear(&res);
    s->run = 0;
    s->account = 0;
}

struct runq_scan {
    struct runq_daemon *d;
    int64_t             run[RUNQ_SCAN_ROWS], account[RUNQ_SCAN_ROWS];
    int64_t             script[RUNQ_SCAN_ROWS];
    int                 n;
};

static int
runq_scan_row(void *ctx, int64_t run, int64_t account, int64_t script,
              struct cm_err *err)
{
    struct runq_scan *sc = ctx;

    (void) err;
    sc->script[sc->n] = script;
    sc->run[sc->n] = run;
    sc->account[sc->n++] = account;
    return CM_OK;
}

struct runq_source {
    char  *src;
    size_t len;
};

static int
runq_source_row(void *ctx, const struct store_script *s, struct cm_err *err)
{
    struct runq_source *o = ctx;

    (void) err;
    o->len = (size_t) s->bytes;
    o->src = cm_strndup(s->source ? s->source : "", o->len);
    return CM_OK;
}

/* A run that could not start: no worker could be forked. */
static void
runq_fail(struct runq_daemon *d, int64_t run)
{
    struct store_run_end e = {0};
    struct cm_err        err;

    e.status = "failed";
    e.code = "runtime_error";
    e.message = "the server could not start a worker";
    if (store_run_finish(d->st, run, &e, &err) != CM_OK)
        cm_log(CM_LOG_ERROR, "run daemon: run %lld: %s", (long long) run,
               err.msg);
}

/* Start the run on a spare (forking one if none is left). */
static void
runq_launch(struct runq_daemon *d, int64_t run, int64_t account,
            const struct runq_source *src)
{
    struct runq_slot *s = NULL;

    for (int i = 0; i < d->nslots && s == NULL; i++)
        if (!d->slots[i].run && d->slots[i].p.pid)
            s = &d->slots[i];
    for (int i = 0; i < d->nslots && s == NULL; i++)
        if (!d->slots[i].run && !d->slots[i].p.pid &&
            sbx_proc_spawn(&d->slots[i].p, &d->lim) == 0)
            s = &d->slots[i];
    if (s == NULL) {
        runq_fail(d, run);
        return;
    }
    /* A spare that died while it waited (its channel is closed) is
    ** replaced once; a second failure is reported by the reap. */
    if (sbx_proc_send(&s->p, src->src, src->len, 0) != 0) {
        sbx_proc_discard(&s->p);
        if (sbx_proc_spawn(&s->p, &d->lim) != 0) {
            runq_fail(d, run);
            return;
        }
        (void) sbx_proc_send(&s->p, src->src, src->len, 0);
    }
    s->run = run;
    s->account = account;
}

/* Claim and start queued runs while there is room, oldest first, skipping
** teams at their concurrency. */
static void
runq_schedule(struct runq_daemon *d)
{
    struct runq_scan sc = {d, {0}, {0}, {0}, 0};
    struct cm_err    err;

    if (runq_running(d, 0) >= d->workers)
        return;
    if (store_runs_queued(d->st, RUNQ_SCAN_ROWS, runq_scan_row, &sc, &err)) {
        cm_log(CM_LOG_ERROR, "run daemon: %s", err.msg);
        return;
    }
    for (int i = 0; i < sc.n && runq_running(d, 0) < d->workers; i++) {
        struct runq_source src = {NULL, 0};
        int                claimed = 0;

        if (runq_running(d, sc.account[i]) >= d->team_concurrency)
            continue;
        if (store_run_claim(d->st, sc.run[i], &claimed, &err) != CM_OK) {
            cm_log(CM_LOG_ERROR, "run daemon: %s", err.msg);
            return;
        }
        if (!claimed)
            continue;
        (void) store_script_get(d->st, sc.script[i], runq_source_row, &src,
                                &err);
        runq_launch(d, sc.run[i], sc.account[i], &src);
        free(src.src);
    }
}

static void
runq_shutdown(struct runq_daemon *d)
{
    struct cm_err err;
    int64_t       n = 0;

    for (int i = 0; i < d->nslots; i++)
        sbx_proc_discard(&d->slots[i].p);
    if (store_runs_requeue(d->st, &n, &err) != CM_OK)
        cm_log(CM_LOG_ERROR, "run daemon: %s", err.msg);
    else if (n > 0)
        cm_log(CM_LOG_INFO, "run daemon: %lld unfinished runs queued again",
               (long long) n);
}

static int
runq_loop(struct runq_daemon *d, int fd)
{
    struct pollfd *pfd = calloc((size_t) d->nslots + 1, sizeof(*pfd));
    int           *which = calloc((size_t) d->nslots + 1, sizeof(*which));

    if (pfd == NULL || which == NULL)
        return 1;
    for (;;) {
        int64_t now = sbx_now_ms(), wake = now + RUNQ_RESCAN_MS;
        int     n = 0, pr;

        /* Deadlines first: a worker past its own is killed, whatever it
        ** is doing, and its slot is free for the next run. */
        for (int i = 0; i < d->nslots; i++)
            if (d->slots[i].run && now >= d->slots[i].p.kill_at) {
                runq_end(d, &d->slots[i], 1);
                d->dirty = 1; /* A slot is free */
            }
        if (d->dirty || now >= d->next_scan) {
            d->dirty = 0;
            d->next_scan = now + RUNQ_RESCAN_MS;
            runq_schedule(d);
        }
        runq_spares(d);

        pfd[n].fd = fd;
        pfd[n].events = POLLIN;
        which[n++] = -1;
        for (int i = 0; i < d->nslots; i++)
            if (d->slots[i].run) {
                pfd[n].fd = d->slots[i].p.out_fd;
                pfd[n].events = POLLIN;
                which[n++] = i;
                if (d->slots[i].p.kill_at < wake)
                    wake = d->slots[i].p.kill_at;
            }
        if (d->next_scan < wake)
            wake = d->next_scan;
        now = sbx_now_ms();
        pr = poll(pfd, (nfds_t) n, wake > now ? (int) (wake - now) : 0);
        if (pr < 0 && errno != EINTR)
            break;
        for (int k = 0; pr > 0 && k < n; k++) {
            if (pfd[k].revents == 0)
                continue;
            if (which[k] < 0) {
                char    buf[256];
                ssize_t r = read(fd, buf, sizeof(buf));

                if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                    goto stop; /* The server closed its end: stop */
                d->dirty = 1;
            } else if (sbx_proc_read(&d->slots[which[k]].p)) {
                runq_end(d, &d->slots[which[k]], 0);
                d->dirty = 1; /* A slot is free */
            }
        }
    }
stop:
    free(pfd);
    free(which);
    runq_shutdown(d);
    return 0;
}

/* The daemon: never returns. */
static void
runq_main(const struct cfg *c, const char *store_path, int fd)
{
    struct store_opts  o = {0, 0, c->store_busy_timeout_ms, 0};
    struct runq_daemon d = {0};
    struct cm_err      err;
    sigset_t           none;
    int64_t            n = 0;
    int                rc;

    /* The server's death ends the daemon, and with it its workers (their
    ** channels close). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (store_open(store_path, &o, &d.st, NULL, &err) != CM_OK) {
        cm_log(CM_LOG_ERROR, "run daemon: %s", err.msg);
        _exit(1);
    }
    if (store_runs_requeue(d.st, &n, &err) == CM_OK && n > 0)
        cm_log(CM_LOG_INFO, "run daemon: %lld interrupted runs queued again",
               (long long) n);
    sbx_limits_from_cfg(c, &d.lim);
    d.lim.store_path = store_path;
    d.workers = c->lua_workers;
    d.team_concurrency = c->lua_team_concurrency;
    d.preview_rows = c->lua_preview_rows;
    d.nslots = 2 * d.workers;
    d.slots = calloc((size_t) d.nslots, sizeof(*d.slots));
    d.dirty = 1;
    rc = d.slots ? runq_loop(&d, fd) : 1;
    store_close(d.st);
    free(d.slots);
    _exit(rc);
}

int
runq_start(const struct cfg *c, const char *store_path, struct runq **out,
           struct cm_err *err)
{
    struct runq *q;
    int          sv[2];
    pid_t        pid;

    *out = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return cm_fail(err, CM_EINTERNAL, "run daemon: socketpair: %s",
                       strerror(errno));
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return cm_fail(err, CM_EINTERNAL, "run daemon: fork: %s",
                       strerror(errno));
    }
    if (pid == 0) {
        close(sv[0]);
        runq_main(c, store_path, sv[1]);
    }
    close(sv[1]);
    /* Pokes must never block a request thread. */
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    q = cm_calloc(1, sizeof(*q));
    q->pid = (int) pid;
    q->fd = sv[0];
    pthread_mutex_lock(&runq_lock);
    runq_fd = sv[0];
    runq_pid = (int) pid;
    runq_dead = 0;
    pthread_mutex_unlock(&runq_lock);
    *out = q;
    return CM_OK;
}

void
runq_notify(void)
{
    int fd = runq_fd;

    if (fd >= 0)
        (void) send(fd, "r", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

int
runq_alive(void)
{
    int status, alive;

    pthread_mutex_lock(&runq_lock);
    if (!runq_dead && runq_pid > 0 &&
        waitpid((pid_t) runq_pid, &status, WNOHANG) == runq_pid) {
        runq_dead = 1;
        cm_log(CM_LOG_ERROR,
               "the run daemon stopped (status %d): runs stay "
               "queued until the server restarts",
               status);
    }
    alive = runq_pid > 0 && !runq_dead;
    pthread_mutex_unlock(&runq_lock);
    return alive;
}

void
runq_stop(struct runq *q)
{
    int status, reaped;

    if (q == NULL)
        return;
    pthread_mutex_lock(&runq_lock);
    runq_fd = -1;
    reaped = runq_dead;
    runq_pid = 0;
    pthread_mutex_unlock(&runq_lock);
    close(q->fd);
    while (!reaped && waitpid((pid_t) q->pid, &status, 0) < 0 && errno == EINTR)
        ;
    free(q);
}
