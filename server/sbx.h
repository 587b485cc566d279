/*
** sbx.h -- the Lua sandbox: one untrusted script, one disposable worker.
** sbx_run() forks a worker process that runs the source in a fresh
** lua_State (budgeted allocator, shared count hook, whitelisted library)
** under rlimits, and reads back one bounded answer over a pipe. The
** caller's process survives whatever the script does: a worker that
** crashes is runtime_error, one still running at the deadline is
** SIGKILLed and reported as time_limit. With lim->store_path, the worker
** opens the store read-only before it loses the right to open files, and
** the script reads published data through the global 'cm' (sbx_data.c
** over store_sandbox.h).
**
** Recipe: 1) sbx_limits_default() or fill struct sbx_limits from cfg;
** 2) sbx_run(); 3) read *res or sbx_result_json() it; 4) sbx_result_clear().
*/
#ifndef CM_SBX_H
#define CM_SBX_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/* X(name, wire code): every way a run can end. */
#define SBX_CODE_MAP(X)                                                        \
    X(OK, "ok")                                                                \
    X(MEMORY_LIMIT, "memory_limit")                                            \
    X(INSTRUCTION_LIMIT, "instruction_limit")                                  \
    X(TIME_LIMIT, "time_limit")                                                \
    X(OUTPUT_LIMIT, "output_limit")                                            \
    X(FORBIDDEN, "forbidden")                                                  \
    X(SYNTAX_ERROR, "syntax_error")                                            \
    X(RUNTIME_ERROR, "runtime_error")                                          \
    X(INVALID_OUTPUT, "invalid_output")

enum sbx_code {
#define SBX_X_ENUM(name, wire) SBX_##name,
    SBX_CODE_MAP(SBX_X_ENUM)
#undef SBX_X_ENUM
        SBX_NCODES
};

struct sbx_limits {
    int64_t memory_bytes;     /* Live bytes of the Lua state (lua.memory_mb) */
    int64_t instructions;     /* VM instructions, all coroutines together;
                              ** 0: unmetered (no count hook: a timer arms
                              ** the hook to check the deadline) */
    int         timeout_ms;   /* Wall clock, from the fork */
    int64_t     output_rows;  /* Most entries in any one table of the result */
    int64_t     output_bytes; /* Most bytes of the result as JSON */
    int64_t     clock;      /* Run clock for os.time/os.date (Unix s); 0: now */
    const char *store_path; /* Store the cm.* functions read, read-only;
                            ** NULL: none (cm.* calls raise an error) */
    int compile_only;       /* Only compile: result true, or syntax_error */
};

struct sbx_result {
    enum sbx_code code;
    char         *json;         /* SBX_OK: the result as JSON text (owned) */
    char          message[512]; /* Otherwise: what went wrong */
    int           line;         /* Script line, 0 when unknown */
    int64_t       instructions; /* Counted by the hook, in steps of 1000 */
    int64_t       memory_peak;  /* Most live bytes of the Lua state */
    int64_t       wall_ms;      /* Fork to reap */
};

/* Defaults of the lua.* settings: 64 MiB, 2e8, 10 s, 100000, 16 MiB. */
void sbx_limits_default(struct sbx_limits *lim);

struct cfg;
/* The lua.* settings of c (store_path and clock left unset). */
void sbx_limits_from_cfg(const struct cfg *c, struct sbx_limits *lim);

/*
** Run 'src' (len bytes of Lua text; binary chunks are refused) in a new
** worker under 'lim', and fill *res. Returns res->code. Never raises a
** signal in the caller; fork or pipe failure is SBX_RUNTIME_ERROR.
*/
enum sbx_code sbx_run(const char *src, size_t len, const struct sbx_limits *lim,
                      struct sbx_result *res);

/*
** A worker forked ahead of its run, for callers that keep several at
** once (the run queue, runq.c). sbx_proc_spawn() forks it: it opens the
** store, drops its rights and waits for a script, so that starting a run
** is one write. sbx_proc_send() starts the run; the caller polls
** p->out_fd and calls sbx_proc_read() when it is readable until it
** returns 1 (the worker is done), or reaches p->kill_at; then
** sbx_proc_finish() reaps it and fills *res. sbx_proc_discard() kills
** and reaps one that will not be used. sbx_run() is these in a row.
*/
struct sbx_proc {
    int               pid;    /* 0: none */
    int               job_fd; /* Write end: the script goes there */
    int               out_fd; /* Read end: the answer comes from there */
    int64_t           started_ms, kill_at; /* CLOCK_MONOTONIC, ms */
    int               overflow;            /* The answer passed its cap */
    struct sbx_limits lim;                 /* As spawned (store_path kept) */
    struct cm_buf     out;                 /* The answer so far */
    size_t            cap;                 /* Most bytes it may have */
};

/* 0, or -1 with errno (fork or pipe failed). */
int sbx_proc_spawn(struct sbx_proc *p, const struct sbx_limits *lim);
/* Hand the script to the worker and start its clock. 'clock' is the run
** clock of os.time (0: now). 0, or -1 when the worker is gone. */
int sbx_proc_send(struct sbx_proc *p, const char *src, size_t len,
                  int64_t clock);
/* Read what the worker wrote: 1 when it has closed its end (or its
** answer passed lim.output_bytes), 0 when more may come. */
int  sbx_proc_read(struct sbx_proc *p);
void sbx_proc_finish(struct sbx_proc *p, int timed_out, struct sbx_result *res);
void sbx_proc_discard(struct sbx_proc *p); /* NULL-safe; p->pid 0 is none */
int64_t sbx_now_ms(void);                  /* CLOCK_MONOTONIC, ms */

void        sbx_result_clear(struct sbx_result *res); /* NULL-safe */
const char *sbx_code_name(enum sbx_code code);        /* "memory_limit" */

/*
** The CLI's one JSON object, as a new string (free() it):
** {"result": R, "stats": {...}} or {"error": {"code", "message", "line"}}.
*/
char *sbx_result_json(const struct sbx_result *res);

/* -- Between sbx.c (the process) and sbx_lib.c (the Lua state) only. -- */

struct sbx_outcome { /* What the worker reports */
    enum sbx_code code;
    char          message[512];
    int           line;
    int64_t       instructions;
    int64_t       memory_peak;
    char         *json; /* SBX_OK: the result (malloc'd) */
    size_t        json_len;
};

struct sbx_wire { /* Header of the worker's answer on the pipe */
    uint32_t magic;
    int32_t  code;
    int32_t  line;
    uint32_t msg_len; /* Then msg_len bytes of message */
    int64_t  instructions;
    int64_t  memory_peak;
    uint64_t json_len; /* Then json_len bytes of result */
};

struct lua_State;
struct store_sbx;

/* Run the script in a fresh state in this (worker) process; the hook
** stops it at deadline_ms on the CLOCK_MONOTONIC clock. 'db' is the
** worker's read-only store (NULL: none), 'db_error' why it is missing
** when lim->store_path was given but could not be opened. */
void sbx_lua_run(const char *src, size_t len, const struct sbx_limits *lim,
                 int64_t deadline_ms, struct store_sbx *db,
                 const char *db_error, struct sbx_outcome *out);

/* -- Between sbx_lib.c (the budgets) and sbx_data.c (the cm table). -- */

/* Charge 'steps' instructions done in C; raises (longjmp) when the run
** is, or now becomes, stopped by a limit. */
void sbx_lua_charge(struct lua_State *L, double steps);
/* The same without raising, for callbacks that must return (SQLite's
** progress handler): 1 when the run must stop. */
int sbx_lua_poll(struct lua_State *L, int64_t steps);
/* Stop the run with 'code' (sticky, like every limit); never returns. */
int sbx_lua_stop(struct lua_State *L, enum sbx_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set the global 'cm' (sbx_data.c); rows_max bounds cm.sql's rows. */
void sbx_data_open(struct lua_State *L, struct store_sbx *db, int64_t rows_max);

#endif /* CM_SBX_H */
