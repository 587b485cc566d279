/*
** metrics.h -- request counters and a latency histogram, rendered in the
** Prometheus text format by GET /metrics. Counting is lock-free (relaxed
** atomics), so it costs a few nanoseconds on the request path.
*/
#ifndef CM_METRICS_H
#define CM_METRICS_H

#include <stdint.h>

#include "mem.h"

struct metrics;

/* 'labels[0..n)' name the routes ("/health"); they are borrowed for the
** life of the object. Route index n is "static", n + 1 "unmatched". */
struct metrics *metrics_new(const char *const *labels, int n);
void            metrics_free(struct metrics *m); /* NULL-safe */

void metrics_request(struct metrics *m, int route, int status, int64_t micros);
void metrics_connection(struct metrics *m, int delta); /* +1 open, -1 close */

struct metrics_gauges {  /* Read by the caller at render time */
    int64_t store_bytes; /* -1: unknown */
    double  uptime_s;
    int     active_requests;
    int64_t runs_queued, runs_running; /* Lua runs; -1: unknown */
};

void metrics_render(struct metrics *m, const struct metrics_gauges *g,
                    struct cm_buf *out);

#endif /* CM_METRICS_H */
