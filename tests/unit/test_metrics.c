/*
** test_metrics.c -- counters and the Prometheus text they render.
*/
#include "../t.h"
#include "metrics.h"

static void
test_render(void)
{
    const char           *labels[] = {"/health", "/metrics"};
    struct metrics       *m = metrics_new(labels, 2);
    struct metrics_gauges g = {12345, 1.5, 2, 3, 1};
    struct cm_buf         out;

    metrics_request(m, 0, 200, 150);  /* 0.15 ms */
    metrics_request(m, 0, 200, 3000); /* 3 ms */
    metrics_request(m, 1, 503, 20);
    metrics_request(m, 2, 304, 50); /* static */
    metrics_request(m, 3, 404, 50); /* unmatched */
    metrics_request(m, 99, 42, 50); /* out of range: unmatched, 599 */
    metrics_connection(m, 1);
    metrics_connection(m, 1);
    metrics_connection(m, -1);
    cm_buf_init(&out);
    metrics_render(m, &g, &out);
    ASSERT_CONTAINS(out.data,
                    "consometer_http_requests_total{route=\"/health\","
                    "status=\"200\"} 2\n");
    ASSERT_CONTAINS(out.data, "{route=\"/metrics\",status=\"503\"} 1\n");
    ASSERT_CONTAINS(out.data, "{route=\"static\",status=\"304\"} 1\n");
    ASSERT_CONTAINS(out.data, "{route=\"unmatched\",status=\"404\"} 1\n");
    ASSERT_CONTAINS(out.data, "{route=\"unmatched\",status=\"599\"} 1\n");
    /* Cumulative buckets: 4 requests at 50us or less, 5 by 250us, 6 by 5ms */
    ASSERT_CONTAINS(out.data, "_bucket{le=\"0.0001\"} 4\n");
    ASSERT_CONTAINS(out.data, "_bucket{le=\"0.00025\"} 5\n");
    ASSERT_CONTAINS(out.data, "_bucket{le=\"0.005\"} 6\n");
    ASSERT_CONTAINS(out.data, "_bucket{le=\"+Inf\"} 6\n");
    ASSERT_CONTAINS(out.data, "duration_seconds_count 6\n");
    ASSERT_CONTAINS(out.data, "consometer_http_open_connections 1\n");
    ASSERT_CONTAINS(out.data, "consometer_http_active_requests 2\n");
    ASSERT_CONTAINS(out.data, "consometer_lua_runs{status=\"queued\"} 3\n");
    ASSERT_CONTAINS(out.data, "consometer_lua_runs{status=\"running\"} 1\n");
    ASSERT_CONTAINS(out.data, "consometer_store_size_bytes 12345\n");
    ASSERT_CONTAINS(out.data, "# TYPE consometer_http_requests_total counter");
    cm_buf_clear(&out);
    metrics_free(m);
    metrics_free(NULL);
}

int
main(void)
{
    RUN(test_render);
    return 0;
}
