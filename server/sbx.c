/*
** sbx.c -- the Lua sandbox's process side: fork a worker, limit it, read
** its answer, kill it at the deadline. The worker runs sbx_lib.c's
** sandboxed state and writes one framed answer (a fixed header, the
** message, the result as JSON text) to a pipe. Nothing the worker does
** can reach this process: it only reads bounded bytes and reaps.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "cfg.h"
#include "jw.h"
#include "mem.h"
#include "sbx.h"
#include "store_sandbox.h"

/* The worker gets this long past timeout_ms to stop by itself, since its
** own hook stops it cleanly with a line; after that, SIGKILL. */
#define SBX_GRACE_MS 200

#define SBX_WIRE_MAGIC 0x53425831u /* "SBX1" */

static const char *const sbx_code_names[] = {
#define SBX_X_NAME(name, wire) wire,
    SBX_CODE_MAP(SBX_X_NAME)
#undef SBX_X_NAME
};

const char *
sbx_code_name(enum sbx_code code)
{
    if ((unsigned) code >= SBX_NCODES)
        return "runtime_error";
    return sbx_code_names[code];
}

void
sbx_limits_default(struct sbx_limits *lim)
{
    lim->memory_bytes = 64LL << 20;
    lim->instructions = 200000000;
    lim->timeout_ms = 10000;
    lim->output_rows = 100000;
    lim->output_bytes = 16LL << 20;
    lim->clock = 0;
    lim->store_path = NULL;
    lim->compile_only = 0;
}

void
sbx_limits_from_cfg(const struct cfg *c, struct sbx_limits *lim)
{
    sbx_limits_default(lim);
    lim->memory_bytes = (int64_t) c->lua_memory_mb << 20;
    lim->instructions = c->lua_instructions;
    lim->timeout_ms = c->lua_timeout_ms;
    lim->output_rows = c->lua_output_rows;
    lim->output_bytes = c->lua_output_bytes;
}

void
sbx_result_clear(struct sbx_result *res)
{
    if (res == NULL)
        return;
    free(res->json);
    res->json = NULL;
}

int64_t
sbx_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sbx_setlimit(int resource, rlim_t n)
{
    struct rlimit rl = {n, n};

    /* Failing to lower a limit is not fatal: the parent's deadline and
    ** the in-state budgets still hold. */
    (void) setrlimit(resource, &rl);
}

#if !defined(__SANITIZE_ADDRESS__)
/* Virtual memory already mapped, bytes: RLIMIT_AS must leave room for it,
** since a server's threads and libraries are inherited by the fork. */
static rlim_t
sbx_vm_size(void)
{
    FILE         *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;

    if (f == NULL)
        return 0;
    if (fscanf(f, "%lu", &pages) != 1)
        pages = 0;
    fclose(f);
    return (rlim_t) pages * (rlim_t) sysconf(_SC_PAGESIZE);
}
#endif

/*
** A seccomp deny list, no libseccomp needed: the worker may not make
** sockets, run programs, fork, trace or signal other processes. With
** RLIMIT_NOFILE at 0 it cannot open anything either. This is for a
** script that breaks Lua's memory safety (Debian's 5.4.4 has known
** bugs); a script that does not can reach none of these calls anyway.
*/
#if defined(__x86_64__)
#define SBX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SBX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef SBX_AUDIT_ARCH
#define SBX_DENY(nr)                                                           \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                           \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

static void
sbx_seccomp(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SBX_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
        /* x32 numbers would dodge the list below */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        SBX_DENY(SYS_fork),
        SBX_DENY(SYS_vfork),
#endif
        SBX_DENY(SYS_socket),
        SBX_DENY(SYS_socketpair),
        SBX_DENY(SYS_connect),
        SBX_DENY(SYS_bind),
        SBX_DENY(SYS_execve),
        SBX_DENY(SYS_execveat),
        SBX_DENY(SYS_clone),
#ifdef SYS_clone3
        SBX_DENY(SYS_clone3),
#endif
        SBX_DENY(SYS_ptrace),
        SBX_DENY(SYS_kill),
        SBX_DENY(SYS_process_vm_writev),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {(unsigned short) (sizeof(f) / sizeof(f[0])), f};

    /* Best effort, like the rlimits: the deadline still holds without. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
        (void) prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}
#else
static void
sbx_seccomp(void)
{
}
#endif

static void
sbx_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(3);
        c += w;
        n -= (size_t) w;
    }
}

/* 0 once n bytes are read, -1 at end of file or on error. */
static int
sbx_read_all(int fd, void *p, size_t n)
{
    char *c = p;

    while (n > 0) {
        ssize_t r = read(fd, c, n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t) r;
    }
    return 0;
}

struct sbx_job { /* What sbx_proc_send() writes before the source */
    uint32_t magic;
    uint32_t pad;
    uint64_t len;
    int64_t  clock;
};

struct sbx_hello { /* What sbx_proc_spawn() writes first: the limits */
    uint32_t magic;
    int32_t  timeout_ms;
    int32_t  compile_only;
    uint32_t path_len; /* Then path_len bytes of store path (0: none) */
    int64_t  memory_bytes, instructions, output_rows, output_bytes;
};

/* Descriptors of the worker: set up by posix_spawn's file actions. */
#define SBX_FD_JOB 3
#define SBX_FD_OUT 4
/* argv[1] of a worker: the constructor below recognises it. */
#define SBX_WORKER_ARG "--consometer-sandbox-worker"

/*
** The worker: a fresh exec of this very binary (/proc/self/exe), never a
** plain fork of the caller. A fork would copy the caller's memory, and
** with it the state of its libraries: SQLite keeps, per process, a record
** of each database file the process has open, with the descriptors of
** its locks and shared memory; a forked worker opening the same store
** would find the caller's record and use descriptors that are not its own
** (seen: every read failing with "locking protocol"). A fork of a server
** that has threads could also copy a lock another thread holds. An exec
** starts clean, its cost does not grow with the caller's size, and the
** worker gets ready (store open, rights dropped) before it has a script,
** so a worker spawned ahead starts a run with one write. Never returns.
*/
static void
sbx_worker(void)
{
    struct sbx_wire    wire = {0};
    struct sbx_outcome o;
    struct sbx_job     job;
    struct sbx_hello   hello;
    struct sbx_limits  run;
    struct store_sbx  *db = NULL;
    struct cm_err      err;
    char               db_error[300], path[4096], *src;
    int64_t            cpu_s;

    signal(SIGPIPE, SIG_IGN);
    /* A write past RLIMIT_FSIZE (SQLite growing the -shm while the server
    ** writes) must fail with EFBIG, not kill the worker. */
    signal(SIGXFSZ, SIG_IGN);
    if (sbx_read_all(SBX_FD_JOB, &hello, sizeof(hello)) != 0 ||
        hello.magic != SBX_WIRE_MAGIC || hello.path_len >= sizeof(path) ||
        sbx_read_all(SBX_FD_JOB, path, hello.path_len) != 0)
        _exit(6);
    path[hello.path_len] = '\0';
    sbx_limits_default(&run);
    run.memory_bytes = hello.memory_bytes;
    run.instructions = hello.instructions;
    run.timeout_ms = hello.timeout_ms;
    run.output_rows = hello.output_rows;
    run.output_bytes = hello.output_bytes;
    run.compile_only = hello.compile_only;
    run.store_path = hello.path_len ? path : NULL;
    cpu_s = run.timeout_ms / 1000 + 2;

    /* The store is opened, and read once so its -wal and -shm are open
    ** too, before RLIMIT_NOFILE drops to 0: after that nothing can be
    ** opened. */
    db_error[0] = '\0';
    if (run.store_path && store_sbx_open(run.store_path, &db, &err) != CM_OK)
        snprintf(db_error, sizeof(db_error), "%s", err.msg);

    sbx_setlimit(RLIMIT_CORE, 0);
    sbx_setlimit(RLIMIT_FSIZE, 0);
    sbx_setlimit(RLIMIT_CPU, (rlim_t) cpu_s);
#if !defined(__SANITIZE_ADDRESS__)
    /* ASan reserves terabytes of shadow address space: no RLIMIT_AS then. */
    sbx_setlimit(RLIMIT_AS, sbx_vm_size() + (rlim_t) run.memory_bytes * 2 +
                                (rlim_t) run.output_bytes * 8 + (256u << 20));
#endif
    /* No new descriptor of any kind: no file, no socket, no pipe. */
    sbx_setlimit(RLIMIT_NOFILE, 0);
    sbx_seccomp();

    /* A spare that is discarded sees the end of its channel: nothing to
    ** run, nothing to say. */
    if (sbx_read_all(SBX_FD_JOB, &job, sizeof(job)) != 0 ||
        job.magic != SBX_WIRE_MAGIC || job.len > (64u << 20))
        _exit(0);
    src = malloc((size_t) job.len + 1);
    if (src == NULL || sbx_read_all(SBX_FD_JOB, src, (size_t) job.len) != 0)
        _exit(5);
    close(SBX_FD_JOB);
    run.clock = job.clock;

    memset(&o, 0, sizeof(o));
    sbx_lua_run(src, (size_t) job.len, &run, sbx_now_ms() + run.timeout_ms, db,
                db_error[0] ? db_error : NULL, &o);

    wire.magic = SBX_WIRE_MAGIC;
    wire.code = (int32_t) o.code;
    wire.line = o.line;
    wire.msg_len = (uint32_t) strlen(o.message);
    wire.instructions = o.instructions;
    wire.memory_peak = o.memory_peak;
    wire.json_len = o.json ? (uint64_t) o.json_len : 0;
    sbx_write_all(SBX_FD_OUT, &wire, sizeof(wire));
    sbx_write_all(SBX_FD_OUT, o.message, wire.msg_len);
    if (o.json)
        sbx_write_all(SBX_FD_OUT, o.json, o.json_len);
    /* The caller has the answer at end of file: let it see that before
    ** the kernel tears this address space down. */
    close(SBX_FD_OUT);
    _exit(0);
}

/*
** Every program linking the sandbox (consometer, the tests, the fuzzers)
** becomes a worker when started with SBX_WORKER_ARG, before its main():
** glibc passes argc and argv to ELF constructors.
*/
__attribute__((constructor)) static void
sbx_worker_entry(int argc, char **argv, char **envp)
{
    (void) envp;
    if (argc >= 2 && strcmp(argv[1], SBX_WORKER_ARG) == 0)
        sbx_worker();
}

static void sbx_set(struct sbx_result *res, enum sbx_code code, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

static void
sbx_set(struct sbx_result *res, enum sbx_code code, const char *fmt, ...)
{
    va_list ap;

    res->code = code;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof(res->message), fmt, ap);
    va_end(ap);
}

/* Decode the worker's answer; 0 if it is whole and well-formed. */
static int
sbx_decode(const char *data, size_t len, struct sbx_result *res)
{
    struct sbx_wire wire;
    size_t          need;

    if (len < sizeof(wire))
        return -1;
    memcpy(&wire, data, sizeof(wire));
    if (wire.magic != SBX_WIRE_MAGIC || wire.code < 0 ||
        wire.code >= SBX_NCODES || wire.msg_len >= sizeof(res->message))
        return -1;
    need = sizeof(wire) + wire.msg_len + wire.json_len;
    if (wire.json_len > len || len != need ||
        (wire.code == SBX_OK && wire.json_len == 0))
        return -1;
    res->code = (enum sbx_code) wire.code;
    res->line = wire.line > 0 ? wire.line : 0;
    res->instructions = wire.instructions;
    res->memory_peak = wire.memory_peak;
    memcpy(res->message, data + sizeof(wire), wire.msg_len);
    res->message[wire.msg_len] = '\0';
    if (res->code == SBX_OK)
        res->json = cm_strndup(data + sizeof(wire) + wire.msg_len,
                               (size_t) wire.json_len);
    return 0;
}

/* Send all of p[0..n) on a socket; 0, or -1 when the peer is gone. */
static int
sbx_send_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t) w;
    }
    return 0;
}

int
sbx_proc_spawn(struct sbx_proc *p, const struct sbx_limits *lim)
{
    static char                arg0[] = "consometer-sandbox";
    static char                arg1[] = SBX_WORKER_ARG;
    char                      *argv[] = {arg0, arg1, NULL};
    int                        job[2] = {-1, -1}, out[2] = {-1, -1};
    int                        hi_job = -1, hi_out = -1, rc = -1, saved;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t          at;
    sigset_t                   none, all;
    struct sbx_hello           hello = {0};
    size_t plen = lim->store_path ? strlen(lim->store_path) : 0;
    pid_t  pid;

    assert(lim->memory_bytes > 0 && lim->instructions >= 0 &&
           lim->timeout_ms > 0 && lim->output_rows > 0 &&
           lim->output_bytes > 0);
    memset(p, 0, sizeof(*p));
    p->pid = 0;
    p->job_fd = p->out_fd = -1;
    p->lim = *lim;
    if (plen >= 4096) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* The job channel is a socket so that writes to it can use
    ** MSG_NOSIGNAL: a worker that died must not SIGPIPE its caller. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, job) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0)
        goto fail;
    /* Above the numbers the worker's channels get, so that no dup2 below
    ** is onto itself (which would keep close-on-exec). */
    hi_job = fcntl(job[0], F_DUPFD_CLOEXEC, 10);
    hi_out = fcntl(out[1], F_DUPFD_CLOEXEC, 10);
    if (hi_job < 0 || hi_out < 0)
        goto fail;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    /* stdin/stdout belong to the caller (the CLI prints its one JSON
    ** object there); stderr stays, for sanitizer reports. */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&fa, 0, 1);
    posix_spawn_file_actions_adddup2(&fa, hi_job, SBX_FD_JOB);
    posix_spawn_file_actions_adddup2(&fa, hi_out, SBX_FD_OUT);
    posix_spawn_file_actions_addclosefrom_np(&fa, SBX_FD_OUT + 1);
    /* No blocked signal and no handler of the caller's: a server blocks
    ** SIGTERM for its sigwait(), the run daemon ignores SIGINT. */
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        errno = rc;
        rc = -1;
        goto fail;
    }
    close(hi_job);
    close(hi_out);
    close(job[0]);
    close(out[1]);
    p->pid = (int) pid;
    p->job_fd = job[1];
    p->out_fd = out[0];
    p->cap = sizeof(struct sbx_wire) + 512 + (size_t) lim->output_bytes;
    cm_buf_init(&p->out);
    hello.magic = SBX_WIRE_MAGIC;
    hello.timeout_ms = lim->timeout_ms;
    hello.compile_only = lim->compile_only;
    hello.path_len = (uint32_t) plen;
    hello.memory_bytes = lim->memory_bytes;
    hello.instructions = lim->instructions;
    hello.output_rows = lim->output_rows;
    hello.output_bytes = lim->output_bytes;
    /* A worker that died at once is reported when it is sent its job. */
    if (sbx_send_all(p->job_fd, &hello, sizeof(hello)) == 0)
        (void) sbx_send_all(p->job_fd, lim->store_path, plen);
    return 0;
fail:
    saved = errno;
    for (int i = 0; i < 2; i++) {
        if (job[i] >= 0)
            close(job[i]);
        if (out[i] >= 0)
            close(out[i]);
    }
    if (hi_job >= 0)
        close(hi_job);
    if (hi_out >= 0)
        close(hi_out);
    errno = saved;
    return -1;
}

int
sbx_proc_send(struct sbx_proc *p, const char *src, size_t len, int64_t clock)
{
    struct sbx_job job = {SBX_WIRE_MAGIC, 0, (uint64_t) len, clock};
    const char    *parts[2] = {(const char *) &job, src};
    size_t         sizes[2] = {sizeof(job), len};
    int            rc = 0;

    p->started_ms = sbx_now_ms();
    p->kill_at = p->started_ms + p->lim.timeout_ms + SBX_GRACE_MS;
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = sbx_send_all(p->job_fd, parts[i], sizes[i]);
    close(p->job_fd);
    p->job_fd = -1;
    return rc;
}

int
sbx_proc_read(struct sbx_proc *p)
{
    char    chunk[65536];
    ssize_t n;

    do
        n = read(p->out_fd, chunk, sizeof(chunk));
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0)
        return 1;
    if (p->out.len + (size_t) n > p->cap) {
        p->overflow = 1;
        return 1;
    }
    cm_buf_add(&p->out, chunk, (size_t) n);
    return 0;
}

static void
sbx_proc_close(struct sbx_proc *p, int *status)
{
    if (p->job_fd > 0)
        close(p->job_fd);
    if (p->out_fd > 0)
        close(p->out_fd);
    p->job_fd = p->out_fd = -1;
    *status = 0;
    while (waitpid((pid_t) p->pid, status, 0) < 0 && errno == EINTR)
        ;
    p->pid = 0;
    cm_buf_clear(&p->out);
}

void
sbx_proc_finish(struct sbx_proc *p, int timed_out, struct sbx_result *res)
{
    int status;

    memset(res, 0, sizeof(*res));
    if (timed_out || p->overflow)
        kill((pid_t) p->pid, SIGKILL);
    res->wall_ms = sbx_now_ms() - p->started_ms;
    if (timed_out)
        sbx_set(res, SBX_TIME_LIMIT,
                "script exceeded lua.timeout_ms (%d ms) and was killed",
                p->lim.timeout_ms);
    else if (p->overflow)
        sbx_set(res, SBX_OUTPUT_LIMIT,
                "result exceeds lua.output_bytes (%lld bytes)",
                (long long) p->lim.output_bytes);
    /* Decoded before the reap frees the buffer; the status may still
    ** overrule it below (a worker that answered, then died, is not OK). */
    else if (sbx_decode(p->out.data ? p->out.data : "", p->out.len, res) != 0)
        res->code = SBX_NCODES;
    sbx_proc_close(p, &status);
    if (timed_out || res->code == SBX_OUTPUT_LIMIT)
        return;
    if (WIFSIGNALED(status) &&
        (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)) {
        sbx_result_clear(res);
        sbx_set(res, SBX_TIME_LIMIT, "script exceeded its CPU time limit");
    } else if (WIFSIGNALED(status)) {
        sbx_result_clear(res);
        sbx_set(res, SBX_RUNTIME_ERROR, "the worker died of signal %d (%s)",
                WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
               res->code == SBX_NCODES) {
        sbx_result_clear(res);
        sbx_set(res, SBX_RUNTIME_ERROR,
                "the worker exited without a result (status %d)",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
}

void
sbx_proc_discard(struct sbx_proc *p)
{
    int status;

    if (p == NULL || p->pid <= 0)
        return;
    kill((pid_t) p->pid, SIGKILL);
    sbx_proc_close(p, &status);
}

enum sbx_code
sbx_run(const char *src, size_t len, const struct sbx_limits *lim,
        struct sbx_result *res)
{
    struct sbx_proc p;
    int             timed_out = 0;

    assert(src != NULL);
    memset(res, 0, sizeof(*res));
    if (sbx_proc_spawn(&p, lim) != 0) {
        sbx_set(res, SBX_RUNTIME_ERROR, "cannot start a worker: %s",
                strerror(errno));
        return res->code;
    }
    /* A worker gone before its script arrived is reported by the reap. */
    (void) sbx_proc_send(&p, src, len, lim->clock);
    for (;;) {
        struct pollfd pfd = {p.out_fd, POLLIN, 0};
        int64_t       left = p.kill_at - sbx_now_ms();
        int           pr;

        if (left <= 0) {
            timed_out = 1;
            break;
        }
        pr = poll(&pfd, 1, (int) left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            timed_out = 1;
            break;
        }
        if (sbx_proc_read(&p))
            break;
    }
    sbx_proc_finish(&p, timed_out, res);
    return res->code;
}

char *
sbx_result_json(const struct sbx_result *res)
{
    struct jw    *w = jw_new();
    char         *stats, *out;
    struct cm_buf b;

    if (res->code != SBX_OK) {
        jw_obj_open(w);
        jw_key(w, "error");
        jw_obj_open(w);
        jw_kv_str(w, "code", sbx_code_name(res->code));
        jw_kv_str(w, "message", res->message);
        jw_key(w, "line");
        if (res->line > 0)
            jw_int(w, res->line);
        else
            jw_null(w);
        jw_obj_close(w);
        jw_obj_close(w);
        out = jw_strdup(w);
        jw_free(w);
        return out;
    }
    jw_obj_open(w);
    jw_kv_int(w, "instructions", res->instructions);
    jw_kv_int(w, "memory_peak_bytes", res->memory_peak);
    jw_kv_int(w, "wall_ms", res->wall_ms);
    jw_obj_close(w);
    stats = jw_strdup(w);
    jw_free(w);
    if (stats == NULL)
        return NULL;
    /* The result is already JSON, written by jw in the worker; jw has no
    ** raw-value call, so the envelope is assembled around it. */
    cm_buf_init(&b);
    cm_buf_puts(&b, "{\"result\":");
    cm_buf_puts(&b, res->json ? res->json : "null");
    cm_buf_puts(&b, ",\"stats\":");
    cm_buf_puts(&b, stats);
    cm_buf_puts(&b, "}");
    free(stats);
    return b.data;
}
