/*
** metrics.c -- counters for GET /metrics.
** Requests are counted per (route, status) in a dense array: 500 status
** slots per route cost 4 KB each and make counting one atomic add.
*/
#include <stdatomic.h>
#include <stdlib.h>

#include "metrics.h"

#define METRICS_NSTATUS 500 /* Statuses 100..599 */

static const double metrics_buckets[] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
#define METRICS_NBUCKETS                                                       \
    ((int) (sizeof(metrics_buckets) / sizeof(metrics_buckets[0])))

struct metrics {
    const char *const *labels;
    int                n;        /* Routes; n and n+1 are static/unmatched */
    atomic_ullong     *requests; /* [(n + 2) * METRICS_NSTATUS] */
    atomic_ullong      bucket[METRICS_NBUCKETS + 1]; /* Last: +Inf */
    atomic_ullong      sum_micros;
    atomic_llong       open_connections;
};

struct metrics *
metrics_new(const char *const *labels, int n)
{
    struct metrics *m = cm_calloc(1, sizeof(*m));

    m->labels = labels;
    m->n = n;
    m->requests =
        cm_calloc((size_t) (n + 2) * METRICS_NSTATUS, sizeof(*m->requests));
    return m;
}

void
metrics_free(struct metrics *m)
{
    if (m == NULL)
        return;
    free(m->requests);
    free(m);
}

void
metrics_request(struct metrics *m, int route, int status, int64_t micros)
{
    double s = (double) micros / 1e6;
    int    b = 0;

    if (route < 0 || route > m->n + 1)
        route = m->n + 1;
    if (status < 100 || status > 599)
        status = 599;
    atomic_fetch_add_explicit(
        &m->requests[route * METRICS_NSTATUS + (status - 100)], 1,
        memory_order_relaxed);
    while (b < METRICS_NBUCKETS && s > metrics_buckets[b])
        b++;
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_micros,
                              (unsigned long long) (micros > 0 ? micros : 0),
                              memory_order_relaxed);
}

void
metrics_connection(struct metrics *m, int delta)
{
    atomic_fetch_add_explicit(&m->open_connections, delta,
                              memory_order_relaxed);
}

void
metrics_render(struct metrics *m, const struct metrics_gauges *g,
               struct cm_buf *out)
{
    unsigned long long cum = 0;

    cm_buf_puts(out, "# HELP consometer_http_requests_total HTTP requests "
                     "by route and status.\n"
                     "# TYPE consometer_http_requests_total counter\n");
    for (int r = 0; r < m->n + 2; r++) {
        const char *label = r < m->n    ? m->labels[r]
                            : r == m->n ? "static"
                                        : "unmatched";

        for (int s = 0; s < METRICS_NSTATUS; s++) {
            unsigned long long v = atomic_load_explicit(
                &m->requests[r * METRICS_NSTATUS + s], memory_order_relaxed);

            if (v)
                cm_buf_printf(out,
                              "consometer_http_requests_total{route=\"%s\","
                              "status=\"%d\"} %llu\n",
                              label, s + 100, v);
        }
    }
    cm_buf_puts(out,
                "# HELP consometer_http_request_duration_seconds Time from "
                "request line to last byte sent.\n"
                "# TYPE consometer_http_request_duration_seconds histogram\n");
    for (int b = 0; b <= METRICS_NBUCKETS; b++) {
        cum += atomic_load_explicit(&m->bucket[b], memory_order_relaxed);
        if (b < METRICS_NBUCKETS)
            cm_buf_printf(out,
                          "consometer_http_request_duration_seconds_bucket{"
                          "le=\"%g\"} %llu\n",
                          metrics_buckets[b], cum);
        else
            cm_buf_printf(out,
                          "consometer_http_request_duration_seconds_bucket{"
                          "le=\"+Inf\"} %llu\n",
                          cum);
    }
    cm_buf_printf(
        out,
        "consometer_http_request_duration_seconds_sum %.6f\n"
        "consometer_http_request_duration_seconds_count %llu\n"
        "# HELP consometer_http_open_connections Client connections open.\n"
        "# TYPE consometer_http_open_connections gauge\n"
        "consometer_http_open_connections %lld\n"
        "# HELP consometer_http_active_requests Requests being served.\n"
        "# TYPE consometer_http_active_requests gauge\n"
        "consometer_http_active_requests %d\n",
        (double) atomic_load(&m->sum_micros) / 1e6, cum,
        (long long) atomic_load(&m->open_connections), g->active_requests);
    if (g->store_bytes >= 0)
        cm_buf_printf(out,
                      "# HELP consometer_store_size_bytes Store file and WAL "
                      "on disk.\n"
                      "# TYPE consometer_store_size_bytes gauge\n"
                      "consometer_store_size_bytes %lld\n",
                      (long long) g->store_bytes);
    if (g->runs_queued >= 0)
        cm_buf_printf(out,
                      "# HELP consometer_lua_runs Datathon runs waiting "
                      "or executing.\n"
                      "# TYPE consometer_lua_runs gauge\n"
                      "consometer_lua_runs{status=\"queued\"} %lld\n"
                      "consometer_lua_runs{status=\"running\"} %lld\n",
                      (long long) g->runs_queued, (long long) g->runs_running);
    cm_buf_printf(out,
                  "# HELP consometer_uptime_seconds Time since start.\n"
                  "# TYPE consometer_uptime_seconds gauge\n"
                  "consometer_uptime_seconds %.3f\n"
                  "# HELP consometer_build_info Version of this build.\n"
                  "# TYPE consometer_build_info gauge\n"
                  "consometer_build_info{version=\"%s\"} 1\n",
                  g->uptime_s, CM_VERSION);
}
