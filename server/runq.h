/*
** runq.h -- the queue of teams' Lua runs and the daemon that serves it.
** A run is a row of script_run: the API inserts it 'queued' (store_run_
** enqueue checks the bounds) and pokes the daemon; the daemon, a process
** of its own forked before the server starts any thread, claims queued
** runs in order, at most lua.workers at once and lua.team_concurrency
** per team, hands each to a sandbox worker forked ahead of time (sbx.h),
** kills it at its deadline and writes its end back. Request threads
** never wait for a run: they only insert a row and write one byte.
**
** Recipe: runq_start() before http_start(); runq_notify() after each run
** queued; runq_stop() after http_stop().
*/
#ifndef CM_RUNQ_H
#define CM_RUNQ_H

#include "err.h"

struct cfg;
struct runq;

/*
** Fork the daemon over the store at store_path. Call it while the
** process has one thread (the daemon forks workers and must not inherit
** another thread's locks). Runs left 'running' by a daemon that stopped
** are queued again.
*/
int runq_start(const struct cfg *c, const char *store_path, struct runq **out,
               struct cm_err *err);

/* Tell the daemon a run was queued. Never blocks; a poke lost to a full
** channel costs at most the daemon's one-second rescan. Any thread. */
void runq_notify(void);

/* 1 while the daemon runs. A request that would queue a run answers 503
** otherwise: a daemon that died is not restarted by a server that has
** threads (forking then could copy another thread's locks). */
int runq_alive(void);

/* Stop the daemon: runs still going are killed and queued again for the
** next start; spare workers end. Waits for it. NULL-safe. */
void runq_stop(struct runq *q);

#endif /* CM_RUNQ_H */
