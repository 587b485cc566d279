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
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

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
}

void
sbx_result_clear(struct sbx_result *res)
{
    if (res == NULL)
        return;
    free(res->json);
    res->json = NULL;
}

static int64_t
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

/* The worker: never returns. */
static void
sbx_child(int wfd, const char *src, size_t len, const struct sbx_limits *lim,
          int64_t deadline_ms)
{
    struct sbx_wire    wire = {0};
    struct sbx_outcome o;
    struct store_sbx  *db = NULL;
    struct cm_err      err;
    char               db_error[300];
    int                devnull;
    int64_t            cpu_s = lim->timeout_ms / 1000 + 2;

    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    /* stdin/stdout belong to the caller (the CLI prints its one JSON
    ** object there); stderr stays for sanitizer reports. */
    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        close(devnull);
    }
    if (wfd > 3)
        close_range(3, (unsigned) wfd - 1, 0);
    close_range((unsigned) wfd + 1, ~0u, 0);

    /* The store is opened, and read once so its -wal and -shm are open
    ** too, before RLIMIT_NOFILE drops to 0: after that nothing can be
    ** opened. A write past RLIMIT_FSIZE (SQLite growing the -shm while
    ** the server writes) must fail with EFBIG, not kill the worker. */
    signal(SIGXFSZ, SIG_IGN);
    db_error[0] = '\0';
    if (lim->store_path && store_sbx_open(lim->store_path, &db, &err) != CM_OK)
        snprintf(db_error, sizeof(db_error), "%s", err.msg);

    sbx_setlimit(RLIMIT_CORE, 0);
    sbx_setlimit(RLIMIT_FSIZE, 0);
    sbx_setlimit(RLIMIT_CPU, (rlim_t) cpu_s);
#if !defined(__SANITIZE_ADDRESS__)
    /* ASan reserves terabytes of shadow address space: no RLIMIT_AS then. */
    sbx_setlimit(RLIMIT_AS, sbx_vm_size() + (rlim_t) lim->memory_bytes * 2 +
                                (rlim_t) lim->output_bytes * 8 + (256u << 20));
#endif
    /* No new descriptor of any kind: no file, no socket, no pipe. */
    sbx_setlimit(RLIMIT_NOFILE, 0);
    sbx_seccomp();

    memset(&o, 0, sizeof(o));
    sbx_lua_run(src, len, lim, deadline_ms, db, db_error[0] ? db_error : NULL,
                &o);

    wire.magic = SBX_WIRE_MAGIC;
    wire.code = (int32_t) o.code;
    wire.line = o.line;
    wire.msg_len = (uint32_t) strlen(o.message);
    wire.instructions = o.instructions;
    wire.memory_peak = o.memory_peak;
    wire.json_len = o.json ? (uint64_t) o.json_len : 0;
    sbx_write_all(wfd, &wire, sizeof(wire));
    sbx_write_all(wfd, o.message, wire.msg_len);
    if (o.json)
        sbx_write_all(wfd, o.json, o.json_len);
    _exit(0);
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
sbx_decode(const struct cm_buf *b, struct sbx_result *res)
{
    struct sbx_wire wire;
    size_t          need;

    if (b->len < sizeof(wire))
        return -1;
    memcpy(&wire, b->data, sizeof(wire));
    if (wire.magic != SBX_WIRE_MAGIC || wire.code < 0 ||
        wire.code >= SBX_NCODES || wire.msg_len >= sizeof(res->message))
        return -1;
    need = sizeof(wire) + wire.msg_len + wire.json_len;
    if (wire.json_len > b->len || b->len != need ||
        (wire.code == SBX_OK && wire.json_len == 0))
        return -1;
    res->code = (enum sbx_code) wire.code;
    res->line = wire.line > 0 ? wire.line : 0;
    res->instructions = wire.instructions;
    res->memory_peak = wire.memory_peak;
    memcpy(res->message, b->data + sizeof(wire), wire.msg_len);
    res->message[wire.msg_len] = '\0';
    if (res->code == SBX_OK)
        res->json = cm_strndup(b->data + sizeof(wire) + wire.msg_len,
                               (size_t) wire.json_len);
    return 0;
}

enum sbx_code
sbx_run(const char *src, size_t len, const struct sbx_limits *lim,
        struct sbx_result *res)
{
    int     fds[2], status = 0, killed = 0, overflow = 0;
    int64_t start = sbx_now_ms(), kill_at;
    size_t  cap = sizeof(struct sbx_wire) + sizeof(res->message) +
                 (size_t) lim->output_bytes;
    struct cm_buf b;
    pid_t         pid;

    assert(src != NULL && lim->memory_bytes > 0 && lim->instructions > 0 &&
           lim->timeout_ms > 0 && lim->output_rows > 0 &&
           lim->output_bytes > 0);
    memset(res, 0, sizeof(*res));
    kill_at = start + lim->timeout_ms + SBX_GRACE_MS;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        sbx_set(res, SBX_RUNTIME_ERROR, "cannot create the worker pipe: %s",
                strerror(errno));
        return res->code;
    }
    fflush(NULL); /* Or the child's exit could flush our buffers twice */
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        sbx_set(res, SBX_RUNTIME_ERROR, "cannot start a worker: %s",
                strerror(errno));
        return res->code;
    }
    if (pid == 0) {
        close(fds[0]);
        sbx_child(fds[1], src, len, lim, start + lim->timeout_ms);
    }
    close(fds[1]);

    cm_buf_init(&b);
    for (;;) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int64_t       left = kill_at - sbx_now_ms();
        char          chunk[65536];
        ssize_t       n;
        int           pr;

        if (left <= 0) {
            killed = 1;
            break;
        }
        pr = poll(&pfd, 1, (int) left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0) {
            killed = 1;
            break;
        }
        n = read(fds[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (b.len + (size_t) n > cap) {
            overflow = 1;
            break;
        }
        cm_buf_add(&b, chunk, (size_t) n);
    }
    if (killed || overflow)
        kill(pid, SIGKILL);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    res->wall_ms = sbx_now_ms() - start;

    if (killed)
        sbx_set(res, SBX_TIME_LIMIT,
                "script exceeded lua.timeout_ms (%d ms) and was killed",
                lim->timeout_ms);
    else if (overflow)
        sbx_set(res, SBX_OUTPUT_LIMIT,
                "result exceeds lua.output_bytes (%lld bytes)",
                (long long) lim->output_bytes);
    else if (WIFSIGNALED(status) &&
             (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
        sbx_set(res, SBX_TIME_LIMIT, "script exceeded its CPU time limit");
    else if (WIFSIGNALED(status))
        sbx_set(res, SBX_RUNTIME_ERROR, "the worker died of signal %d (%s)",
                WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
             sbx_decode(&b, res) != 0)
        sbx_set(res, SBX_RUNTIME_ERROR,
                "the worker exited without a result (status %d)",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    cm_buf_clear(&b);
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
