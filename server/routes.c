/*
** routes.c -- the one routing table: method + path pattern -> handler.
** Add a route by adding a line; the dispatcher (http.c) does the rest:
** 404/405 envelopes, HEAD, query parameter checks, the worker's store.
*/
#include <string.h>

#include "api.h"
#include "auth.h"
#include "http.h"

const struct route routes[] = {
    {"GET", "/health", api_health, NULL, 0, 0,
     "store reachable, schema version, build version, uptime"},
    {"GET", "/metrics", api_metrics, NULL, 0, 0,
     "Prometheus metrics: requests, latency, connections, store size"},
    {"GET", "/api/v1", api_index, NULL, 0, 0, "this list of routes"},
    {"POST", "/api/v1/ingest", api_ingest, "format,strict,name", ROUTE_UPLOAD,
     AUTH_PROVIDER, "upload readings (provider token): the import summary"},
};

const int nroutes = (int) (sizeof(routes) / sizeof(routes[0]));

int
route_match(const char *pattern, const char *path, struct req *rq)
{
    int n = 0;

    while (*pattern && *path) {
        if (*pattern == '{') {
            size_t len = strcspn(path, "/");

            if (len == 0 || n == CM_MAX_PATH_ARGS)
                return 0;
            rq->arg[n] = path;
            rq->arg_len[n++] = len;
            path += len;
            pattern = strchr(pattern, '}');
            if (pattern == NULL)
                return 0;
            pattern++;
        } else if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && *path == '\0';
}
