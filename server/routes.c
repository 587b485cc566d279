/*
** routes.c -- the one routing table: method + path pattern -> handler.
** Add a route by adding a line; the dispatcher (http.c) does the rest:
** 404/405 envelopes, HEAD, query parameter checks, the worker's store.
*/
#include <string.h>

#include "api.h"
#include "auth.h"
#include "http.h"

/* Who writes sheets. */
#define PR_WRITERS (AUTH_EDITOR | AUTH_MODERATOR | AUTH_ADMIN)

const struct route routes[] = {
    {"GET", "/health", api_health, NULL, 0, 0,
     "store reachable, schema version, build version, uptime"},
    {"GET", "/metrics", api_metrics, NULL, 0, 0,
     "Prometheus metrics: requests, latency, connections, store size"},
    {"GET", "/api/v1", api_index, NULL, 0, 0, "this list of routes"},
    {"POST", "/api/v1/ingest", api_ingest, "format,strict,name", ROUTE_UPLOAD,
     AUTH_PROVIDER, "upload readings (provider token): the import summary"},
    /* api_datasets.c: the published datasets */
    {"GET", "/api/v1/datasets", api_datasets_list,
     "q,theme,kind,territory_level,license,sort,limit,cursor", 0, 0,
     "the catalog: search (q), facets, filters, sort, cursor pages"},
    {"GET", "/api/v1/datasets/{slug}", api_dataset_show, "version", 0, 0,
     "one dataset: metadata, versions, disclosure report, columns, files"},
    {"GET", "/api/v1/datasets/{slug}/records", api_dataset_records,
     "version,period,territory_level,territory,sector,kind,status,"
     "period_from,period_to,fields,sort,limit,cursor",
     0, 0, "observations of a version: filters, fields, sort, cursor pages"},
    /* api_harvest.c: harvesters (DCAT-AP, CKAN) and the API description */
    {"GET", "/catalog.jsonld", api_catalog_jsonld, "page,page_size", 0, 0,
     "the catalog as DCAT-AP 2 JSON-LD, with Hydra paging"},
    {"GET", "/api/3/action/package_list", api_ckan_package_list, "limit,offset",
     0, 0, "CKAN: the names (slugs) of every dataset"},
    {"GET", "/api/3/action/package_show", api_ckan_package_show, "id", 0, 0,
     "CKAN: one dataset as a package, its files as resources"},
    {"GET", "/api/3/action/package_search", api_ckan_package_search,
     "q,rows,start,sort,fq", 0, 0, "CKAN: search the datasets"},
    /* ...and as ckanapi calls them: POST, parameters in a JSON object */
    {"POST", "/api/3/action/package_list", api_ckan_package_list, NULL,
     ROUTE_BODY, 0, "CKAN: package_list, parameters in a JSON body"},
    {"POST", "/api/3/action/package_show", api_ckan_package_show, NULL,
     ROUTE_BODY, 0, "CKAN: package_show, parameters in a JSON body"},
    {"POST", "/api/3/action/package_search", api_ckan_package_search, NULL,
     ROUTE_BODY, 0, "CKAN: package_search, parameters in a JSON body"},
    {"GET", "/api/v1/openapi.json", api_openapi, NULL, 0, 0,
     "OpenAPI 3.0.3 description of every route"},
    /* api_download.c: a version as a file, cached, resumable */
    {"GET", "/api/v1/datasets/{slug}/download", api_download, "format,version",
     0, 0, "a version as csv, json, ndjson, zip or tar.gz (Range, ETag)"},
    /* api_auth.c: portal logins */
    {"POST", "/api/v1/auth/login", api_auth_login, NULL, ROUTE_BODY, 0,
     "log in with name and password: a session cookie and its CSRF token"},
    {"GET", "/api/v1/auth/me", api_auth_me, NULL, 0, AUTH_ANY,
     "who is calling: user, role, and the session's CSRF token"},
    {"POST", "/api/v1/auth/logout", api_auth_logout, NULL, 0, AUTH_ANY,
     "end the session (needs its CSRF token)"},
    /* api_scripts.c: datathon teams' scripts and runs, and indicators */
    {"POST", "/api/v1/scripts", api_scripts_add, "name", ROUTE_BODY, AUTH_TEAM,
     "save a Lua script (team token): compiled at once, syntax errors "
     "with their line"},
    {"GET", "/api/v1/scripts", api_scripts_list, NULL, 0, AUTH_TEAM,
     "the team's own scripts, newest first, with their last run"},
    {"GET", "/api/v1/scripts/{id}", api_script_show, NULL, 0, AUTH_TEAM,
     "one of the team's scripts, with its source"},
    {"POST", "/api/v1/scripts/{id}/runs", api_script_run, NULL, 0, AUTH_TEAM,
     "queue a run of the script: 202 and the run's URL, 429 when full"},
    {"GET", "/api/v1/runs/{id}", api_run_show, NULL, 0, AUTH_TEAM,
     "one of the team's runs: status, error and line, stats, preview"},
    {"POST", "/api/v1/scripts/{id}/publish", api_script_publish, NULL, 0,
     AUTH_TEAM,
     "publish the script's last successful run as an indicator dataset"},
    {"GET", "/api/v1/indicators", api_indicators_list, "sort", 0, 0,
     "published indicators: team, provenance, latest values (gallery)"},
    {"GET", "/api/v1/indicators/{slug}/source", api_indicator_source, NULL, 0,
     0, "the Lua source of a published indicator"},
    /* api_practices.c: the registry of practice sheets */
    {"GET", "/api/v1/practices", api_practices_search,
     "q,theme,territory,territory_level,sector,status,impact,state,sort,"
     "limit,cursor",
     ROUTE_AUTH_OPT, 0,
     "search the published sheets: folded words, facets, sort, cursor pages"},
    {"POST", "/api/v1/practices", api_practices_create, NULL, ROUTE_BODY,
     PR_WRITERS, "create a sheet (a draft): 201 with its first revision"},
    {"GET", "/api/v1/practices/{id}", api_practice_show, "render,revision",
     ROUTE_AUTH_OPT, 0,
     "one sheet with its live indicators (the public: its published one)"},
    {"PUT", "/api/v1/practices/{id}", api_practice_update, NULL, ROUTE_BODY,
     PR_WRITERS,
     "save a new revision (If-Match or base_revision; 409 when stale)"},
    {"GET", "/api/v1/practices/{id}/revisions", api_practice_revisions, NULL,
     ROUTE_AUTH_OPT, 0, "a sheet's revisions, newest first"},
    {"GET", "/api/v1/practices/{id}/revisions/{rev}", api_practice_revision,
     "render", ROUTE_AUTH_OPT, 0, "one revision of a sheet, whole"},
    {"GET", "/api/v1/practices/{id}/revisions/{rev}/diff/{to}",
     api_practice_diff, NULL, ROUTE_AUTH_OPT, 0,
     "what changed between two revisions of a sheet, field by field"},
    {"POST", "/api/v1/practices/{id}/revisions/{rev}/restore",
     api_practice_restore, NULL, ROUTE_BODY, PR_WRITERS,
     "save an old revision again, as a new revision"},
    {"GET", "/api/v1/practices/{id}/history", api_practice_history, NULL, 0,
     PR_WRITERS, "a sheet's moderation log: transitions and comments"},
    {"POST", "/api/v1/practices/{id}/submit", api_practice_transition, NULL,
     ROUTE_BODY, PR_WRITERS, "send a draft for review"},
    {"POST", "/api/v1/practices/{id}/withdraw", api_practice_transition, NULL,
     ROUTE_BODY, PR_WRITERS, "take a sheet in review back to draft"},
    {"POST", "/api/v1/practices/{id}/publish", api_practice_transition, NULL,
     ROUTE_BODY, AUTH_MODERATOR | AUTH_ADMIN,
     "publish the sheet in review (moderators)"},
    {"POST", "/api/v1/practices/{id}/reject", api_practice_transition, NULL,
     ROUTE_BODY, AUTH_MODERATOR | AUTH_ADMIN,
     "send a sheet in review back to draft, with a comment (moderators)"},
    {"POST", "/api/v1/practices/{id}/archive", api_practice_transition, NULL,
     ROUTE_BODY, AUTH_MODERATOR | AUTH_ADMIN,
     "archive a sheet: the public no longer sees it (moderators)"},
    {"POST", "/api/v1/practices/{id}/reopen", api_practice_transition, NULL,
     ROUTE_BODY, AUTH_MODERATOR | AUTH_ADMIN,
     "bring an archived sheet back as a draft (moderators)"},
    {"POST", "/api/v1/practices/{id}/reuse", api_practice_reuse, NULL,
     ROUTE_BODY, PR_WRITERS,
     "copy a published sheet into a new draft for another territory"},
    {"GET", "/api/v1/registry/export.json", api_registry_export_json, NULL, 0,
     0, "every published sheet, whole, as one JSON document"},
    {"GET", "/api/v1/registry/export.csv", api_registry_export_csv, NULL, 0, 0,
     "every published sheet, one CSV row each"},
    {"GET", "/api/v1/registry/feed.atom", api_registry_feed, NULL, 0, 0,
     "Atom 1.0 feed of the latest publications of sheets"},
};

const int nroutes = (int) (sizeof(routes) / sizeof(routes[0]));

int64_t
http_id_arg(const struct req *rq, int i)
{
    int64_t n = 0;

    if (rq->arg_len[i] == 0 || rq->arg_len[i] > 18)
        return 0;
    for (size_t k = 0; k < rq->arg_len[i]; k++) {
        char c = rq->arg[i][k];

        if (c < '0' || c > '9')
            return 0;
        n = n * 10 + (c - '0');
    }
    return n;
}

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
