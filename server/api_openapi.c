/*
** api_openapi.c -- GET /api/v1/openapi.json: OpenAPI 3.0.3 of every route,
*built from
** the routing table and the table of route documentation below.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>
#include <yajl/yajl_tree.h>

#include "api.h"
#include "auth.h"
#include "ds_manifest.h"
#include "exp.h" /* exp_columns, exp_formats */
#include "http.h"
#include "imp.h" /* imp_formats: the values of ingest's ?format= */
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "text.h"

#include "api_harvest.h"

/* ---- OpenAPI 3.0.3 ---------------------------------------------------- */
/*
** The document is generated from the routing table the server runs
** (http_routes), so it can neither list a route that does not exist nor
** miss one. What the table cannot say -- what a route does, what each
** parameter means, what it answers -- comes from oa_routes[] (keyed by
** method + pattern) and oa_params[] (keyed by name, optionally by
** pattern) below. A route or parameter with no entry is still emitted,
** with the route's one-line summary only: no "description", and
** "x-undocumented": true. tests/http/test_harvest.c walks routes[] and
** fails on any such operation or parameter, so a route added to
** routes.c fails the tests until it is documented here.
*/

#define OA_CACHED 0x01    /* Published data: strong ETag, 304 */
#define OA_CKAN 0x02      /* CKAN's shape; its errors carry CKAN's keys too */
#define OA_RANGE 0x04     /* Range and If-Range: 206, 416 */
#define OA_BODY_ARGS 0x08 /* Its body is a JSON object of the GET's params */

struct oa_route {        /* What one route does */
    const char *method;  /* As in routes.c */
    const char *pattern; /* As in routes.c */
    const char *tag;     /* Group in the document */
    const char *description;
    const char *media;  /* Media types of the 200 body, '|'-separated */
    const char *schema; /* components/schemas name of the 200 body, or NULL */
    const char *errors; /* Statuses it may answer besides 200: "400,404" */
    unsigned    flags;  /* OA_* */
    const char *body;   /* What the request body is, if it reads one */
};

enum oa_max { OA_NOMAX, OA_PAGE_MAX };            /* The bound of an integer */
enum oa_enum { OA_STATIC, OA_IMPORT, OA_EXPORT }; /* Where values come from */

struct oa_param {         /* One query or path parameter */
    const char  *pattern; /* The route it documents; NULL: any route */
    const char  *name;
    const char  *type;     /* "string" or "integer" */
    int          required; /* Path parameters always are */
    const char  *enums;    /* OA_STATIC: "csv|json", or NULL */
    enum oa_enum enum_from;
    int64_t      min; /* Integers: smallest value; -1: none */
    enum oa_max  max;
    const char  *def; /* Default as text; "@page": api.page_default */
    const char  *description;
};

#define DS "/api/v1/datasets"

static const struct oa_route oa_routes[] = {
    {"GET", "/health", "system",
     "Liveness and readiness: 200 with the store's schema version, the "
     "build version and the uptime while the store answers; 503 (the "
     "error envelope) when it does not.",
     "application/json", NULL, "503", 0, NULL},
    {"GET", "/metrics", "system",
     "Prometheus text exposition format 0.0.4: requests by route and "
     "status, latency histogram, open connections, store size.",
     "text/plain", NULL, NULL, 0, NULL},
    {"GET", "/api/v1", "system",
     "The routes this server answers (method, path, summary), read from "
     "its routing table.",
     "application/json", NULL, NULL, 0, NULL},
    {"POST", "/api/v1/ingest", "ingest",
     "A data provider pushes one file of readings. The body is streamed "
     "through the importer, never held whole, up to ingest.body_max. The "
     "answer is the import summary `consometer import` prints; a file "
     "refused whole is a 422 with that summary in error.details.",
     "application/json", NULL, "400,413,415,422", 0,
     "The file of readings, in the format named by ?format= or detected "
     "from its first bytes."},
    {"GET", DS, "datasets",
     "The catalog of published datasets: full-text search (accents and "
     "case folded), facets with counts, sorting and cursor pagination "
     "(the `next` link carries the cursor).",
     "application/json", NULL, "400", OA_CACHED, NULL},
    {"GET", DS "/{slug}", "datasets",
     "One dataset: its metadata, its versions, the disclosure report of "
     "the latest, and its downloadable files (format, URL, bytes, "
     "sha256).",
     "application/json", NULL, "400,404", OA_CACHED, NULL},
    {"GET", DS "/{slug}/records", "datasets",
     "Observations of the latest or a given version, each an "
     "Observation (components/schemas): filters on every dimension "
     "(several values comma-separated), period ranges, column choice, "
     "sorting and cursor pagination that walks the whole dataset.",
     "application/json", "RecordsPage", "400,404", OA_CACHED, NULL},
    {"GET", DS "/{slug}/download", "datasets",
     "A version's data as a file: CSV (RFC 4180), JSON, NDJSON, or a zip "
     "or tar.gz archive holding the CSV, datapackage.json, README, "
     "disclosure report and SHA256SUMS. Archives are deterministic and "
     "cached; ETag is the file's sha256, and Range/If-Range resume a "
     "broken download.",
     "text/csv|application/json|application/x-ndjson|application/zip|"
     "application/gzip",
     "Observation[]", "400,404", OA_CACHED | OA_RANGE, NULL},
    {"GET", "/catalog.jsonld", "harvest",
     "The catalog as DCAT-AP 2 JSON-LD, for data.gouv.fr and other DCAT "
     "harvesters: a dcat:Catalog whose datasets have a stable "
     "dct:identifier (the dataset's URL, never a version's), bilingual "
     "titles and descriptions, themes, licence, frequency, coverage, and "
     "distributions with their byte size and spdx:checksum (sha256). A "
     "hydra:PartialCollectionView links the pages.",
     "application/ld+json", "JsonLdCatalog", "400,404", OA_CACHED, NULL},
    {"GET", "/api/3/action/package_list", "ckan",
     "CKAN's package_list: the names (slugs) of every dataset, sorted. "
     "CKAN's envelope: {help, success, result}.",
     "application/json", "CkanResponse", "400", OA_CACHED | OA_CKAN, NULL},
    {"GET", "/api/3/action/package_show", "ckan",
     "CKAN's package_show: one dataset as a package dict, its latest "
     "version's files as resources (url of that version, size, hash "
     "\"sha256:...\"). An unknown id is a 404 whose body is the error "
     "envelope with CKAN's keys too (success false, error.__type "
     "\"Not Found Error\").",
     "application/json", "CkanResponse", "400,404", OA_CACHED | OA_CKAN, NULL},
    {"GET", "/api/3/action/package_search", "ckan",
     "CKAN's package_search: datasets with every word of q in their "
     "names, titles, descriptions or keywords, offset paging with rows "
     "and start; result {count, sort, results, facets, search_facets}.",
     "application/json", "CkanResponse", "400", OA_CACHED | OA_CKAN, NULL},
    {"POST", "/api/3/action/package_list", "ckan",
     "package_list as ckanapi sends it (its default, unless get_only): "
     "the GET's parameters as a JSON object in the body. Same result, "
     "no ETag.",
     "application/json", "CkanResponse", "400,413,415", OA_CKAN | OA_BODY_ARGS,
     "The parameters of GET package_list, as a JSON object."},
    {"POST", "/api/3/action/package_show", "ckan",
     "package_show as ckanapi sends it: {\"id\": \"<slug>\"} in the "
     "body. Same result as the GET, no ETag.",
     "application/json", "CkanResponse", "400,404,413,415",
     OA_CKAN | OA_BODY_ARGS,
     "The parameters of GET package_show, as a JSON object."},
    {"POST", "/api/3/action/package_search", "ckan",
     "package_search as ckanapi sends it: the GET's parameters as a JSON "
     "object (numbers may be JSON numbers). Same result, no ETag.",
     "application/json", "CkanResponse", "400,413,415", OA_CKAN | OA_BODY_ARGS,
     "The parameters of GET package_search, as a JSON object."},
    {"GET", "/api/v1/openapi.json", "system",
     "This document: OpenAPI 3.0.3 generated from the routing table the "
     "server runs, so it lists exactly the routes that exist.",
     "application/json", NULL, NULL, OA_CACHED, NULL},
    {"POST", "/api/v1/scripts", "datathon",
     "A team saves a Lua script (at most lua.script_bytes). It is compiled "
     "at once in a sandbox worker: a syntax error is a 422 whose details "
     "give the line, and nothing is saved. The answer is the script.",
     "application/json", NULL, "400,413,415,422", 0,
     "The Lua text (text/x-lua or any text/ type, the name in ?name=), or "
     "a JSON object {\"name\", \"source\"}."},
    {"GET", "/api/v1/scripts", "datathon",
     "The team's own scripts, newest first (at most 1000), each with the "
     "status of its last run.",
     "application/json", NULL, NULL, 0, NULL},
    {"GET", "/api/v1/scripts/{id}", "datathon",
     "One of the team's scripts with its source; another team's is a 404.",
     "application/json", NULL, "404", 0, NULL},
    {"POST", "/api/v1/scripts/{id}/runs", "datathon",
     "Queue a run: 202 with the run (status queued) and its URL in "
     "Location. Runs execute in disposable sandbox workers, at most "
     "lua.workers at once and lua.team_concurrency per team. A full queue "
     "(lua.queue_max, lua.team_queue_max) or a spent daily quota "
     "(lua.team_daily_seconds) is a 429 with Retry-After.",
     "application/json", NULL, "404,429,503", 0, NULL},
    {"GET", "/api/v1/runs/{id}", "datathon",
     "One of the team's runs: status (queued, running, succeeded, "
     "failed), the error's code, message and line, the stats, a preview "
     "of the result (observations cut to lua.preview_rows) and what it "
     "was published as.",
     "application/json", NULL, "404", 0, NULL},
    {"POST", "/api/v1/scripts/{id}/publish", "datathon",
     "Publish the script's last successful run as a version of its "
     "indicator dataset (201; 200 when nothing changed). 409 when the "
     "script has no successful run or the slug belongs to someone else, "
     "422 when the result is not an indicator.",
     "application/json", NULL, "404,409,422", 0, NULL},
    {"GET", "/api/v1/indicators", "indicators",
     "Every published indicator: metadata, team (null: the platform's "
     "own), provenance (script sha256, datasets read), version and the "
     "values of its latest period.",
     "application/json", NULL, "400", OA_CACHED, NULL},
    {"GET", "/api/v1/indicators/{slug}/source", "indicators",
     "The Lua source of the script that computed the indicator's latest "
     "version (its sha256 is in the provenance).",
     "text/x-lua", NULL, "404", OA_CACHED, NULL},
    {"POST", "/api/v1/auth/login", "auth",
     "Log in to the portal with a name and password (argon2id). The "
     "answer sets an HttpOnly, SameSite=Strict session cookie (Secure "
     "over TLS) and gives the session's CSRF token, which every "
     "state-changing request made with the cookie must send in "
     "X-CSRF-Token. A wrong name or password is one 401; repeated failures "
     "of an account (auth.login_failures) or an address are a 429 with "
     "Retry-After.",
     "application/json", NULL, "400,401,413,422,429", 0,
     "A JSON object {\"name\", \"password\"}."},
    {"GET", "/api/v1/auth/me", "auth",
     "Who is calling (a token or a session): user, role, and the "
     "session's CSRF token (null for a token).",
     "application/json", NULL, NULL, 0, NULL},
    {"POST", "/api/v1/auth/logout", "auth",
     "End the calling session (its cookie is cleared); with a token, "
     "nothing to end.",
     "application/json", NULL, NULL, 0, NULL},
    {"GET", "/api/v1/practices", "registry",
     "Search the registry of practice sheets. The public searches the "
     "published sheets; with state= (drafts, in_review...) a moderator "
     "searches every sheet's working revision and an editor their own. "
     "Words are folded (accents, case, ligatures), French stop words and "
     "plurals are dropped, each word is a prefix; results are ranked "
     "(bm25: title, then tags, summary, body). Facets with counts among "
     "all results (theme, territory, territory_level, sector, status, "
     "impact); sort; cursor pages (next).",
     "application/json", NULL, "400,401,403", 0, NULL},
    {"POST", "/api/v1/practices", "registry",
     "Create a sheet, as a draft: 201 with the sheet and its first "
     "revision, Location and ETag (the revision id). The body is the "
     "document, or {\"document\", \"message\"}. A document with "
     "faults is a 422 whose details.fields names every failing field.",
     "application/json", NULL, "400,401,403,413,415,422", 0,
     "The sheet's document (see the README: the fields of a sheet)."},
    {"GET", "/api/v1/practices/{id}", "registry",
     "One sheet: metadata, the revision shown, the document, its live "
     "indicators (the latest published values of each linked dataset for "
     "the sheet's territory, against its targets), manual indicators and "
     "linked datasets. The public gets the published revision; whoever "
     "may edit the sheet gets the working one. ETag: the revision id, "
     "for If-Match.",
     "application/json", NULL, "400,404", 0, NULL},
    {"PUT", "/api/v1/practices/{id}", "registry",
     "Save a new revision of a sheet. Say which revision the edit started "
     "from (If-Match: \"<revision id>\" or base_revision): 428 without, "
     "409 with the current revision in details when another save came "
     "first. Editing a published sheet makes a draft; the public keeps "
     "the published revision until a moderator publishes the new one.",
     "application/json", NULL, "400,401,403,404,409,413,415,422,428", 0,
     "The document, or {\"document\", \"message\", \"base_revision\"}."},
    {"GET", "/api/v1/practices/{id}/revisions", "registry",
     "A sheet's revisions, newest first (the public: those that were "
     "published).",
     "application/json", NULL, "404", 0, NULL},
    {"GET", "/api/v1/practices/{id}/revisions/{rev}", "registry",
     "One revision, whole. A revision of another sheet is a 404.",
     "application/json", NULL, "400,404", 0, NULL},
    {"GET", "/api/v1/practices/{id}/revisions/{rev}/diff/{to}", "registry",
     "What changed from revision rev to revision to, field by field: "
     "added, removed or changed, with the values before and after. Both "
     "must be revisions of the sheet (404 otherwise).",
     "application/json", NULL, "404", 0, NULL},
    {"POST", "/api/v1/practices/{id}/revisions/{rev}/restore", "registry",
     "Save revision rev's document again as a new revision (history is "
     "never rewritten). If-Match or base_revision as for PUT.",
     "application/json", NULL, "400,401,403,404,409,413,415,428", 0,
     "Optional: {\"message\", \"base_revision\"}."},
    {"GET", "/api/v1/practices/{id}/history", "registry",
     "The sheet's moderation log: each transition (who, when, from, to, "
     "revision, comment). For whoever may edit the sheet.",
     "application/json", NULL, "401,403,404", 0, NULL},
    {"POST", "/api/v1/practices/{id}/submit", "registry",
     "draft -> in_review. 409 from any other state.", "application/json", NULL,
     "401,403,404,409,413,415,422", 0, "Optional: {\"comment\"}."},
    {"POST", "/api/v1/practices/{id}/withdraw", "registry",
     "in_review -> draft, by its editor or a moderator.", "application/json",
     NULL, "401,403,404,409,413,415,422", 0, "Optional: {\"comment\"}."},
    {"POST", "/api/v1/practices/{id}/publish", "registry",
     "in_review -> published (moderators, admins): the reviewed revision "
     "becomes the one the public sees, search finds and the feed "
     "announces.",
     "application/json", NULL, "401,403,404,409,413,415,422", 0,
     "Optional: {\"comment\"}."},
    {"POST", "/api/v1/practices/{id}/reject", "registry",
     "in_review -> draft with a comment saying what to change "
     "(moderators; 422 without a comment).",
     "application/json", NULL, "401,403,404,409,413,415,422", 0,
     "{\"comment\"}, required."},
    {"POST", "/api/v1/practices/{id}/archive", "registry",
     "Any state but archived -> archived (moderators): the public no "
     "longer sees the sheet.",
     "application/json", NULL, "401,403,404,409,413,415,422", 0,
     "Optional: {\"comment\"}."},
    {"POST", "/api/v1/practices/{id}/reopen", "registry",
     "archived -> draft (moderators); published again through review.",
     "application/json", NULL, "401,403,404,409,413,415,422", 0,
     "Optional: {\"comment\"}."},
    {"POST", "/api/v1/practices/{id}/reuse", "registry",
     "Reuse a published sheet: its published revision is copied into a "
     "new draft for the caller's territory, linked to its origin, whose "
     "reuses count grows. 201 with the new sheet.",
     "application/json", NULL, "401,403,404,413,415,422", 0,
     "{\"territory\": {\"level\", \"code\", \"name\"}}."},
    {"GET", "/api/v1/registry/export.json", "registry",
     "Every published sheet (its published revision, whole) in one JSON "
     "document.",
     "application/json", NULL, NULL, OA_CACHED, NULL},
    {"GET", "/api/v1/registry/export.csv", "registry",
     "Every published sheet, one CSV row each (RFC 4180): id, title, "
     "summary, territory, themes (';'-joined), sector, status, priority, "
     "impacts, dates, licence, published_at, url.",
     "text/csv", NULL, NULL, OA_CACHED, NULL},
    {"GET", "/api/v1/registry/feed.atom", "registry",
     "Atom 1.0 feed of the latest 50 publications of sheets still "
     "public, newest first.",
     "application/atom+xml", NULL, NULL, OA_CACHED, NULL},
};

static const struct oa_param oa_params[] = {
    /* Path parameters */
    {NULL, "slug", "string", 1, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "The dataset's name: lowercase letters, digits and '-', as listed "
     "by the catalog."},
    /* The catalog as DCAT */
    {"/catalog.jsonld", "page", "integer", 0, NULL, OA_STATIC, 1, OA_NOMAX, "1",
     "Page number, from 1; hydra:next and hydra:last link the others."},
    {"/catalog.jsonld", "page_size", "integer", 0, NULL, OA_STATIC, 1,
     OA_PAGE_MAX, "@page", "Datasets per page, at most api.page_max."},
    /* CKAN */
    {"/api/3/action/package_list", "limit", "integer", 0, NULL, OA_STATIC, 1,
     OA_PAGE_MAX, NULL,
     "Names to return, at most api.page_max; all when "
     "absent."},
    {"/api/3/action/package_list", "offset", "integer", 0, NULL, OA_STATIC, 0,
     OA_NOMAX, "0", "Names to skip."},
    {"/api/3/action/package_show", "id", "string", 1, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "The dataset's name (slug); a package's id and name are the same."},
    {"/api/3/action/package_search", "q", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "Words to find, accents and case folded (\"electricite\" finds "
     "\"Électricité\"); every word must match. Empty or *:* matches all."},
    {"/api/3/action/package_search", "rows", "integer", 0, NULL, OA_STATIC, 0,
     OA_PAGE_MAX, "10", "Results to return, at most api.page_max."},
    {"/api/3/action/package_search", "start", "integer", 0, NULL, OA_STATIC, 0,
     OA_NOMAX, "0", "Results to skip."},
    {"/api/3/action/package_search", "sort", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, CKAN_SORT_DEFAULT,
     "Up to 4 of 'FIELD asc|desc', comma-separated; FIELD is name, id, "
     "title, title_string, metadata_modified, metadata_created or score "
     "(every result scores the same)."},
    {"/api/3/action/package_search", "fq", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "Only metadata_modified:[FROM TO UNTIL] (ISO 8601 dates or UTC times, or "
     "*), as CKAN harvesters send it; any other filter is a 400."},
    /* Ingest */
    {"/api/v1/ingest", "format", "string", 0, NULL, OA_IMPORT, -1, OA_NOMAX,
     NULL,
     "The file's format; detected from its first bytes when absent. 415 "
     "for a format not listed."},
    {"/api/v1/ingest", "strict", "string", 0, "true|false", OA_STATIC, -1,
     OA_NOMAX, "false", "true: any bad row refuses the whole file (422)."},
    {"/api/v1/ingest", "name", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "The upload's file name (1 to 128 characters, no '/'), for the "
     "summary and the audit log; emoncms reads its feed id there."},
    /* Datasets, records, downloads */
    {DS "/{slug}/download", "format", "string", 0, NULL, OA_EXPORT, -1,
     OA_NOMAX, "csv", "The file's format; 400 with the list for any other."},
    {NULL, "version", "integer", 0, NULL, OA_STATIC, 1, OA_NOMAX, NULL,
     "A version number; the latest when absent. 404 if it does not "
     "exist."},
    {NULL, "q", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Words to find in titles, descriptions and keywords, accents and "
     "case folded."},
    {NULL, "limit", "integer", 0, NULL, OA_STATIC, 1, OA_PAGE_MAX, "@page",
     "Items per page, at most api.page_max (400 above it)."},
    {NULL, "cursor", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "The opaque cursor of the previous page's next link; a forged or "
     "stale one is a 400."},
    {DS, "sort", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "slug, title, published, or relevance (with q), '-' before it for "
     "descending; default relevance with q, else slug."},
    {NULL, "sort", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "A column to sort by, '-' before it for descending; default: the "
     "version's row order."},
    {NULL, "period", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these periods, comma-separated, in the period column's form "
     "(2024, 2024-03, 2024-03-15...)."},
    {NULL, "fields", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Columns to return, comma-separated (default: all)."},
    {NULL, "period_from", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "First period included, in the period column's form (2024, "
     "2024-03, 2024-03-15...)."},
    {NULL, "period_to", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Last period included, in the period column's form."},
    {NULL, "territory", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these territory codes (INSEE, SIREN or site id), "
     "comma-separated."},
    {NULL, "territory_level", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these territory levels (site, district, commune, epci), "
     "comma-separated."},
    {NULL, "sector", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these sectors (building categories), comma-separated."},
    {NULL, "kind", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these kinds (electricity, gas, pv...), comma-separated."},
    {NULL, "status", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only these observation statuses (A, C, D), comma-separated."},
    {NULL, "theme", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only datasets of these EU data themes (ENER...), comma-separated."},
    {NULL, "license", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Only datasets under these licences (etalab-2.0...), "
     "comma-separated."},
    /* The datathon */
    {"/api/v1/scripts", "name", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX,
     "script.lua", "The script's name, when the body is Lua text."},
    {"/api/v1/scripts/{id}", "id", "integer", 1, NULL, OA_STATIC, 1, OA_NOMAX,
     NULL, "The script's id."},
    {"/api/v1/scripts/{id}/runs", "id", "integer", 1, NULL, OA_STATIC, 1,
     OA_NOMAX, NULL, "The script's id."},
    {"/api/v1/scripts/{id}/publish", "id", "integer", 1, NULL, OA_STATIC, 1,
     OA_NOMAX, NULL, "The script's id."},
    {"/api/v1/runs/{id}", "id", "integer", 1, NULL, OA_STATIC, 1, OA_NOMAX,
     NULL, "The run's id."},
    {"/api/v1/indicators", "sort", "string", 0, "gallery|recent|title|team",
     OA_STATIC, -1, OA_NOMAX, "gallery",
     "Order: gallery (the platform's indicators, then the teams', by "
     "slug), recent (last published first), title, team."},
    {"/api/v1/indicators/{slug}/source", "slug", "string", 1, NULL, OA_STATIC,
     -1, OA_NOMAX, NULL, "The indicator's slug."},
    {NULL, "id", "integer", 1, NULL, OA_STATIC, 1, OA_NOMAX, NULL,
     "The sheet's id."},
    {NULL, "rev", "integer", 1, NULL, OA_STATIC, 1, OA_NOMAX, NULL,
     "A revision's id (as listed by .../revisions)."},
    {NULL, "to", "integer", 1, NULL, OA_STATIC, 1, OA_NOMAX, NULL,
     "The revision compared to rev."},
    {"/api/v1/practices/{id}", "revision", "string", 0, "current|published",
     OA_STATIC, -1, OA_NOMAX, "current",
     "current: the working revision (for whoever may edit the sheet; the "
     "public always gets the published one); published: the public one."},
    {NULL, "render", "string", 0, "html", OA_STATIC, -1, OA_NOMAX, NULL,
     "html: add \"html\", the Markdown fields rendered as safe HTML "
     "(everything outside the subset escaped)."},
    {"/api/v1/practices", "q", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX, NULL,
     "Words to find (at most 500 bytes), accents and case folded, each a "
     "prefix; no character is search syntax."},
    {"/api/v1/practices", "theme", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX,
     NULL,
     "Only sheets with one of these themes (comma-separated): renovation, "
     "monitoring, renewables, heat_network, mobility, lighting, "
     "industrial_ecology, sobriety, open_data, governance, air_quality, "
     "water."},
    {"/api/v1/practices", "territory", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "Only sheets of these territories (INSEE or SIREN codes, "
     "comma-separated)."},
    {"/api/v1/practices", "territory_level", "string", 0, NULL, OA_STATIC, -1,
     OA_NOMAX, NULL,
     "Only sheets of territories of these levels: commune, epci, "
     "departement, region."},
    {"/api/v1/practices", "sector", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX,
     NULL, "Only sheets of these sectors (comma-separated)."},
    {"/api/v1/practices", "status", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX,
     NULL,
     "Only actions in these statuses: planned, ongoing, done, paused, "
     "abandoned."},
    {"/api/v1/practices", "impact", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX,
     NULL,
     "Only sheets rated so: energy:3, ghg:2, air_quality:1... "
     "(comma-separated)."},
    {"/api/v1/practices", "state", "string", 0, NULL, OA_STATIC, -1, OA_NOMAX,
     NULL,
     "Search working revisions in these states (draft, in_review, "
     "published, archived): moderators every sheet, editors theirs; 401 "
     "without an account."},
    {"/api/v1/practices", "sort", "string", 0, "relevance|recent|title|reuses",
     OA_STATIC, -1, OA_NOMAX, "relevance",
     "relevance (with q; else recent), recent (last published or saved "
     "first), title, reuses (most reused first)."},
    {"/api/v1/practices", "limit", "integer", 0, NULL, OA_STATIC, 1, OA_NOMAX,
     "20",
     "Sheets per page: registry.page_default, at most "
     "registry.page_max (100)."},
};

#undef DS

/* The published columns (exp_columns), as the Observation schema. */
static const struct {
    const char *name, *type, *enums, *description;
    int         nullable;
} oa_columns[] = {
    {"period", "string", NULL,
     "Period start in Europe/Paris: YYYY, YYYY-MM, YYYY-MM-DD or an hour", 0},
    {"territory_level", "string",
     "site|district|commune|epci|department|"
     "region",
     "Kind of territory", 0},
    {"territory", "string", NULL, "Territory code (INSEE, SIREN or site id)",
     0},
    {"sector", "string", NULL,
     "Building category; null when the dataset is not grouped by sector", 1},
    {"kind", "string", NULL, "Energy or measure: electricity, gas, pv...", 0},
    {"value", "number", NULL, "Value in unit; null when suppressed", 1},
    {"unit", "string", NULL, "Canonical unit: kWh, m3, degC...", 0},
    {"n_sites", "integer", NULL, "Number of contributing sites", 1},
    {"status", "string", "A|C|D",
     "SDMX observation status: A published, C suppressed (primary rule), "
     "D suppressed (secondary, so that C cannot be recomputed)",
     0},
};
_Static_assert(NELEM(oa_columns) == EXP_NCOLS,
               "every published column is described");

static const struct oa_route *
oa_route_doc(const struct route *r)
{
    for (size_t i = 0; i < NELEM(oa_routes); i++)
        if (!strcmp(oa_routes[i].method, r->method) &&
            !strcmp(oa_routes[i].pattern, r->pattern))
            return &oa_routes[i];
    return NULL;
}

/* The entry for 'name' on 'pattern': the route's own, else the shared. */
static const struct oa_param *
oa_param_doc(const char *pattern, const char *name, size_t len)
{
    const struct oa_param *shared = NULL;

    for (size_t i = 0; i < NELEM(oa_params); i++) {
        const struct oa_param *p = &oa_params[i];

        if (strlen(p->name) != len || strncmp(p->name, name, len) != 0)
            continue;
        if (p->pattern && !strcmp(p->pattern, pattern))
            return p;
        if (p->pattern == NULL && shared == NULL)
            shared = p;
    }
    return shared;
}

/* Values separated by '|', as a JSON array. */
static void
oa_enum(struct jw *w, const char *values)
{
    jw_key(w, "enum");
    jw_arr_open(w);
    while (*values) {
        size_t n = strcspn(values, "|");

        jw_strn(w, values, n);
        values += n + (values[n] == '|');
    }
    jw_arr_close(w);
}

/* "$ref": "#/components/schemas/<name>", inside an open object. */
static void
oa_schema_ref_value(struct jw *w, const char *name)
{
    char ref[96];

    snprintf(ref, sizeof(ref), "#/components/schemas/%s", name);
    jw_kv_str(w, "$ref", ref);
}

static void
oa_schema_ref(struct jw *w, const char *name)
{
    jw_key(w, "schema");
    jw_obj_open(w);
    oa_schema_ref_value(w, name);
    jw_obj_close(w);
}

static void
oa_parameter(struct jw *w, struct req *rq, const struct route *r,
             const char *name, size_t len, int in_path)
{
    const struct oa_param *p = oa_param_doc(r->pattern, name, len);

    jw_obj_open(w);
    jw_key(w, "name");
    jw_strn(w, name, len);
    jw_kv_str(w, "in", in_path ? "path" : "query");
    jw_kv_bool(w, "required", in_path || (p && p->required));
    if (p == NULL) {
        jw_kv_bool(w, "x-undocumented", 1);
        jw_key(w, "schema");
        jw_obj_open(w);
        jw_kv_str(w, "type", "string");
        jw_obj_close(w);
        jw_obj_close(w);
        return;
    }
    jw_kv_str(w, "description", p->description);
    jw_key(w, "schema");
    jw_obj_open(w);
    jw_kv_str(w, "type", p->type);
    if (p->enum_from == OA_IMPORT) {
        jw_key(w, "enum");
        jw_arr_open(w);
        for (int i = 0; i < imp_nformats; i++)
            jw_str(w, imp_formats[i].name);
        jw_arr_close(w);
    } else if (p->enum_from == OA_EXPORT) {
        jw_key(w, "enum");
        jw_arr_open(w);
        for (int i = 0; i < EXP_NFORMATS; i++)
            jw_str(w, exp_formats[i]);
        jw_arr_close(w);
    } else if (p->enums)
        oa_enum(w, p->enums);
    if (in_path && !strcmp(p->name, "slug"))
        jw_kv_str(w, "pattern", "^[a-z0-9][a-z0-9-]{0,63}$");
    if (p->min >= 0)
        jw_kv_int(w, "minimum", p->min);
    if (p->max == OA_PAGE_MAX)
        jw_kv_int(w, "maximum", rq->cfg->api_page_max);
    if (p->def && !strcmp(p->def, "@page"))
        jw_kv_int(w, "default", rq->cfg->api_page_default);
    else if (p->def && !strcmp(p->type, "integer"))
        jw_kv_int(w, "default", strtoll(p->def, NULL, 10));
    else if (p->def)
        jw_kv_str(w, "default", p->def);
    jw_obj_close(w);
    jw_obj_close(w);
}

/* What each error status means, for the responses' descriptions. */
static const char *
oa_status_text(int status)
{
    switch (status) {
    case 400:
        return "A parameter is missing, malformed or over its limit "
               "(error.details names it)";
    case 401:
        return "No token, or an unknown, revoked or expired one";
    case 403:
        return "The token's role may not use this route";
    case 404:
        return "No such dataset, version or page";
    case 405:
        return "Method not allowed (the Allow header lists those "
               "that are)";
    case 413:
        return "The body is over its limit (error.details names the "
               "setting)";
    case 415:
        return "Unsupported format";
    case 416:
        return "Range not satisfiable";
    case 422:
        return "Understood but refused whole";
    case 503:
        return "The store is not available";
    default:
        return "Error";
    }
}

/* One JSON document (not NDJSON, which is a series of them). */
static int
oa_is_json(const char *media)
{
    return !strcmp(media, "application/json") || strstr(media, "+json");
}

/* The schema of a 200 body of media type 'type': the route's schema
** for JSON ("Name[]": an array of Name), text, or bytes. */
static void
oa_body_schema(struct jw *w, const char *type, const char *schema)
{
    if (schema && oa_is_json(type)) {
        size_t n = strcspn(schema, "[");
        char   name[64];

        snprintf(name, sizeof(name), "%.*s", (int) n, schema);
        if (schema[n] == '\0') {
            oa_schema_ref(w, name);
            return;
        }
        jw_key(w, "schema");
        jw_obj_open(w);
        jw_kv_str(w, "type", "array");
        jw_key(w, "items");
        jw_obj_open(w);
        oa_schema_ref_value(w, name);
        jw_obj_close(w);
        jw_obj_close(w);
        return;
    }
    jw_key(w, "schema");
    jw_obj_open(w);
    if (oa_is_json(type))
        jw_kv_str(w, "type", "object");
    else {
        jw_kv_str(w, "type", "string");
        /* Archives are bytes; CSV and NDJSON are UTF-8 text */
        if (!strncmp(type, "application/", 12) && !strstr(type, "json"))
            jw_kv_str(w, "format", "binary");
    }
    jw_obj_close(w);
}

static void
oa_error_response(struct jw *w, int status, int ckan)
{
    char code[8];

    snprintf(code, sizeof(code), "%d", status);
    jw_key(w, code);
    jw_obj_open(w);
    jw_kv_str(w, "description", oa_status_text(status));
    jw_key(w, "content");
    jw_obj_open(w);
    jw_key(w, "application/json");
    jw_obj_open(w);
    oa_schema_ref(w, ckan ? "CkanError" : "Error");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_responses(struct jw *w, const struct route *r, const struct oa_route *d)
{
    const char *media = d && d->media ? d->media : "application/json";
    unsigned    flags = d ? d->flags : 0;

    jw_key(w, "responses");
    jw_obj_open(w);
    jw_key(w, "200");
    jw_obj_open(w);
    jw_kv_str(w, "description", r->summary ? r->summary : "OK");
    if (flags & OA_CACHED) {
        jw_key(w, "headers");
        jw_obj_open(w);
        jw_key(w, "ETag");
        jw_obj_open(w);
        jw_kv_str(w, "$ref", "#/components/headers/ETag");
        jw_obj_close(w);
        jw_obj_close(w);
    }
    jw_key(w, "content");
    jw_obj_open(w);
    while (*media) {
        size_t n = strcspn(media, "|");
        char   type[64];

        snprintf(type, sizeof(type), "%.*s", (int) n, media);
        jw_key(w, type);
        jw_obj_open(w);
        oa_body_schema(w, type, d ? d->schema : NULL);
        jw_obj_close(w);
        media += n + (media[n] == '|');
    }
    jw_obj_close(w);
    jw_obj_close(w);
    if (flags & OA_RANGE) {
        jw_key(w, "206");
        jw_obj_open(w);
        jw_kv_str(w, "description",
                  "Partial content: the bytes a Range asked for");
        jw_obj_close(w);
        oa_error_response(w, 416, 0);
    }
    if (flags & OA_CACHED) {
        jw_key(w, "304");
        jw_obj_open(w);
        jw_kv_str(w, "description",
                  "Not modified: If-None-Match named the current ETag");
        jw_obj_close(w);
    }
    if (r->roles) {
        oa_error_response(w, 401, 0);
        oa_error_response(w, 403, 0);
    }
    for (const char *e = d && d->errors ? d->errors : ""; *e;) {
        int status = atoi(e);

        oa_error_response(w, status, (flags & OA_CKAN) && status < 500);
        e += strcspn(e, ",");
        e += *e == ',';
    }
    jw_key(w, "default");
    jw_obj_open(w);
    jw_kv_str(w, "$ref", "#/components/responses/Error");
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_request_body(struct jw *w, struct req *rq, const struct route *r,
                const struct oa_route *d)
{
    const struct route *get =
        d && (d->flags & OA_BODY_ARGS) ? hv_get_route(rq, r->pattern) : NULL;

    jw_key(w, "requestBody");
    jw_obj_open(w);
    jw_kv_bool(w, "required", get == NULL);
    if (d && d->body)
        jw_kv_str(w, "description", d->body);
    jw_key(w, "content");
    jw_obj_open(w);
    jw_key(w, get ? "application/json" : "application/octet-stream");
    jw_obj_open(w);
    jw_key(w, "schema");
    jw_obj_open(w);
    if (get == NULL) {
        jw_kv_str(w, "type", "string");
        jw_kv_str(w, "format", "binary");
    } else {
        /* The GET route's query parameters, as the object's keys */
        jw_kv_str(w, "type", "object");
        jw_kv_bool(w, "additionalProperties", 0);
        jw_key(w, "properties");
        jw_obj_open(w);
        for (const char *p = get->params ? get->params : ""; *p;) {
            size_t                 n = strcspn(p, ",");
            const struct oa_param *doc = oa_param_doc(get->pattern, p, n);
            char                   name[64];

            snprintf(name, sizeof(name), "%.*s", (int) n, p);
            p += n + (p[n] == ',');
            if (n == 0)
                continue;
            jw_key(w, name);
            jw_obj_open(w);
            if (doc) {
                jw_kv_str(w, "type", doc->type);
                jw_kv_str(w, "description", doc->description);
            }
            jw_obj_close(w);
        }
        jw_obj_close(w);
    }
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

/* "GET" + "/api/v1/datasets/{slug}" -> "get_api_v1_datasets_slug". */
static void
oa_operation_id(const struct route *r, char *out, size_t outsz)
{
    size_t n = 0;

    for (const char *p = r->method; *p && n + 1 < outsz; p++)
        out[n++] = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    for (const char *p = r->pattern; *p && n + 1 < outsz; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char) (*p - 'A' + 'a') : *p;

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
        else if (out[n - 1] != '_')
            out[n++] = '_';
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
}

static void
oa_operation(struct jw *w, struct req *rq, const struct route *r)
{
    static const char *const roles[] = {"admin", "moderator", "editor", "team",
                                        "provider"};
    const struct oa_route   *d = oa_route_doc(r);
    char                     id[160], method[16];
    size_t                   k;

    for (k = 0; r->method[k] && k + 1 < sizeof(method); k++)
        method[k] = (char) (r->method[k] >= 'A' && r->method[k] <= 'Z'
                                ? r->method[k] - 'A' + 'a'
                                : r->method[k]);
    method[k] = '\0';
    oa_operation_id(r, id, sizeof(id));
    jw_key(w, method);
    jw_obj_open(w);
    jw_kv_str(w, "operationId", id);
    jw_kv_str(w, "summary", r->summary);
    jw_key(w, "tags");
    jw_arr_open(w);
    jw_str(w, d ? d->tag : "undocumented");
    jw_arr_close(w);
    if (d)
        jw_kv_str(w, "description", d->description);
    else
        jw_kv_bool(w, "x-undocumented", 1);

    jw_key(w, "parameters");
    jw_arr_open(w);
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p, '{')) {
        size_t n = strcspn(p + 1, "}");

        oa_parameter(w, rq, r, p + 1, n, 1);
        p += n + 1;
    }
    for (const char *p = r->params ? r->params : ""; *p;) {
        size_t n = strcspn(p, ",");

        if (n > 0)
            oa_parameter(w, rq, r, p, n, 0);
        p += n + (p[n] == ',');
    }
    jw_arr_close(w);

    if (r->flags & (ROUTE_BODY | ROUTE_UPLOAD))
        oa_request_body(w, rq, r, d);
    if (r->roles) {
        jw_key(w, "security");
        jw_arr_open(w);
        jw_obj_open(w);
        jw_key(w, "bearer");
        jw_arr_open(w);
        jw_arr_close(w);
        jw_obj_close(w);
        jw_arr_close(w);
        jw_key(w, "x-roles");
        jw_arr_open(w);
        for (size_t i = 0; i < NELEM(roles); i++)
            if (auth_role_bit(roles[i]) & r->roles)
                jw_str(w, roles[i]);
        jw_arr_close(w);
    }
    oa_responses(w, r, d);
    jw_obj_close(w);
}

/* The envelope every error shares; its codes are err.h's table. */
static void
oa_schema_error(struct jw *w)
{
    jw_key(w, "Error");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "The one error envelope, on every route and every status");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "error");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "error");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "code");
    jw_str(w, "message");
    jw_str(w, "details");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "code");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_key(w, "enum");
    jw_arr_open(w);
    for (int c = 1; c < CM_NCODES; c++) /* Not "ok": never an error */
        jw_str(w, cm_code_name((enum cm_code) c));
    jw_arr_close(w);
    jw_obj_close(w);
    jw_key(w, "message");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_kv_str(w, "description", "For a person; may change");
    jw_obj_close(w);
    jw_key(w, "details");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_bool(w, "nullable", 1);
    jw_kv_str(w, "description",
              "For a program: what is at fault (param, field, setting or "
              "path) and the limit that was hit; null when nothing more "
              "is known");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_schema_ckan(struct jw *w)
{
    jw_key(w, "CkanResponse");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description", "CKAN's Action API reply");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "help");
    jw_str(w, "success");
    jw_str(w, "result");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "help");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_obj_close(w);
    jw_key(w, "success");
    jw_obj_open(w);
    jw_kv_str(w, "type", "boolean");
    jw_obj_close(w);
    jw_key(w, "result");
    jw_obj_open(w);
    jw_kv_str(w, "description",
              "package_list: names; package_show: a package; "
              "package_search: {count, sort, results, facets, "
              "search_facets}");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "CkanError");
    jw_obj_open(w);
    jw_kv_str(w, "description",
              "The error envelope with CKAN's keys beside it: success "
              "false, help, and error.__type (\"Not Found Error\", "
              "\"Validation Error\")");
    jw_key(w, "allOf");
    jw_arr_open(w);
    jw_obj_open(w);
    jw_kv_str(w, "$ref", "#/components/schemas/Error");
    jw_obj_close(w);
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "help");
    jw_str(w, "success");
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    jw_key(w, "help");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_obj_close(w);
    jw_key(w, "success");
    jw_obj_open(w);
    jw_kv_str(w, "type", "boolean");
    jw_key(w, "enum");
    jw_arr_open(w);
    jw_bool(w, 0);
    jw_arr_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_arr_close(w);
    jw_obj_close(w);
}

static void
oa_schema_observation(struct jw *w)
{
    jw_key(w, "Observation");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "One cell of a published dataset, with the columns every "
              "format shares; a dataset may add columns after these");
    jw_key(w, "required");
    jw_arr_open(w);
    for (int i = 0; i < EXP_NCOLS; i++)
        jw_str(w, exp_columns[i]);
    jw_arr_close(w);
    jw_key(w, "properties");
    jw_obj_open(w);
    for (int i = 0; i < EXP_NCOLS; i++) {
        size_t k = 0;

        while (k < NELEM(oa_columns) &&
               strcmp(oa_columns[k].name, exp_columns[i]) != 0)
            k++;
        jw_key(w, exp_columns[i]);
        jw_obj_open(w);
        if (k == NELEM(oa_columns)) { /* A column renamed in exp_sink.c */
            jw_kv_bool(w, "x-undocumented", 1);
            jw_obj_close(w);
            continue;
        }
        jw_kv_str(w, "type", oa_columns[k].type);
        jw_kv_str(w, "description", oa_columns[k].description);
        if (oa_columns[k].nullable)
            jw_kv_bool(w, "nullable", 1);
        if (oa_columns[k].enums)
            oa_enum(w, oa_columns[k].enums);
        if (!strcmp(oa_columns[k].name, "n_sites"))
            jw_kv_int(w, "minimum", 0);
        jw_obj_close(w);
    }
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_prop(struct jw *w, const char *name, const char *type, int nullable)
{
    jw_key(w, name);
    jw_obj_open(w);
    jw_kv_str(w, "type", type);
    if (nullable)
        jw_kv_bool(w, "nullable", 1);
    jw_obj_close(w);
}

/* The page api_datasets.c answers on /records. */
static void
oa_schema_records(struct jw *w)
{
    jw_key(w, "RecordsPage");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "One page of observations; follow next until it is null");
    jw_key(w, "properties");
    jw_obj_open(w);
    oa_prop(w, "dataset", "string", 0);
    oa_prop(w, "version", "integer", 0);
    oa_prop(w, "latest", "integer", 0);
    jw_key(w, "columns");
    jw_obj_open(w);
    jw_kv_str(w, "type", "array");
    jw_kv_str(w, "description", "The version's columns: name and type");
    jw_key(w, "items");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_key(w, "records");
    jw_obj_open(w);
    jw_kv_str(w, "type", "array");
    jw_key(w, "items");
    jw_obj_open(w);
    oa_schema_ref_value(w, "Observation");
    jw_obj_close(w);
    jw_obj_close(w);
    oa_prop(w, "count", "integer", 0);
    oa_prop(w, "limit", "integer", 0);
    oa_prop(w, "next", "string", 1);
    oa_prop(w, "links", "object", 0);
    jw_obj_close(w);
    jw_obj_close(w);
}

static void
oa_components(struct jw *w)
{
    jw_key(w, "components");
    jw_obj_open(w);

    jw_key(w, "schemas");
    jw_obj_open(w);
    oa_schema_error(w);
    oa_schema_ckan(w);
    oa_schema_observation(w);
    oa_schema_records(w);
    jw_key(w, "JsonLdCatalog");
    jw_obj_open(w);
    jw_kv_str(w, "type", "object");
    jw_kv_str(w, "description",
              "JSON-LD: @context (dcat, dct, foaf, vcard, spdx, hydra, "
              "adms, owl...) and an @graph of the dcat:Catalog and the "
              "hydra:PartialCollectionView of the page");
    jw_key(w, "required");
    jw_arr_open(w);
    jw_str(w, "@context");
    jw_str(w, "@graph");
    jw_arr_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "responses");
    jw_obj_open(w);
    jw_key(w, "Error");
    jw_obj_open(w);
    jw_kv_str(w, "description", "Any other error, in the one envelope");
    jw_key(w, "content");
    jw_obj_open(w);
    jw_key(w, "application/json");
    jw_obj_open(w);
    oa_schema_ref(w, "Error");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "headers");
    jw_obj_open(w);
    jw_key(w, "ETag");
    jw_obj_open(w);
    jw_kv_str(w, "description",
              "Strong validator of the body; send it back in If-None-Match "
              "for a 304");
    jw_key(w, "schema");
    jw_obj_open(w);
    jw_kv_str(w, "type", "string");
    jw_obj_close(w);
    jw_obj_close(w);
    jw_obj_close(w);

    jw_key(w, "securitySchemes");
    jw_obj_open(w);
    jw_key(w, "bearer");
    jw_obj_open(w);
    jw_kv_str(w, "type", "http");
    jw_kv_str(w, "scheme", "bearer");
    jw_kv_str(w, "description",
              "An API token (\"cm_\" and 43 characters), shown once when "
              "its account is made; the route's x-roles say which roles "
              "may use it");
    jw_obj_close(w);
    jw_obj_close(w);

    jw_obj_close(w);
}

/* 1 if the list "a,b,c" (or a pattern's "{a}") names 'name'. */
static int
oa_names(const char *list, const char *name, int braces)
{
    size_t n = strlen(name);

    for (const char *p = list ? list : ""; *p; p++)
        if (braces
                ? (p[0] == '{' && !strncmp(p + 1, name, n) && p[n + 1] == '}')
                : ((p == list || p[-1] == ',') && !strncmp(p, name, n) &&
                   (p[n] == ',' || p[n] == '\0')))
            return 1;
    return 0;
}

/* Entries of oa_routes[] and route-bound oa_params[] that document
** nothing the server runs (a route renamed or removed): listed, so the
** test catches documentation that outlived its route. */
static void
oa_stale(struct jw *w, const struct route *t, int n)
{
    int any = 0;

    for (size_t i = 0; i < NELEM(oa_routes) + NELEM(oa_params); i++) {
        const struct oa_route *d = i < NELEM(oa_routes) ? &oa_routes[i] : NULL;
        const struct oa_param *p = d ? NULL : &oa_params[i - NELEM(oa_routes)];
        int                    live = p && p->pattern == NULL;
        char                   what[160];

        for (int k = 0; k < n && !live; k++)
            live = d ? !strcmp(t[k].method, d->method) &&
                           !strcmp(t[k].pattern, d->pattern)
                     : !strcmp(t[k].pattern, p->pattern) &&
                           (oa_names(t[k].params, p->name, 0) ||
                            oa_names(t[k].pattern, p->name, 1));
        if (live)
            continue;
        if (!any++) {
            jw_key(w, "x-stale-docs");
            jw_arr_open(w);
        }
        snprintf(what, sizeof(what), "%s %s", d ? d->method : p->name,
                 d ? d->pattern : p->pattern);
        jw_str(w, what);
    }
    if (any)
        jw_arr_close(w);
}

/* GET /api/v1/openapi.json -- see the comment above oa_routes[]. */
int
api_openapi(struct req *rq)
{
    static const char *const tags[] = {
        "datasets", "Published datasets, their records and files",
        "harvest",  "The catalog for DCAT harvesters (data.gouv.fr)",
        "ckan",     "The CKAN Action API subset CKAN and uData harvest",
        "ingest",   "Data providers push readings",
        "system",   "The server itself",
        "registry", "The regional registry of practice sheets",
        NULL};
    int                 n, status;
    const struct route *t = http_routes(rq->srv, &n);
    char                base[HV_BASE_MAX];
    struct jw          *w = jw_new();

    hv_base(rq, base, sizeof(base));
    jw_obj_open(w);
    jw_kv_str(w, "openapi", "3.0.3");
    jw_key(w, "info");
    jw_obj_open(w);
    jw_kv_str(w, "title", "Consometer API");
    jw_kv_str(w, "version", CM_VERSION);
    jw_kv_str(w, "description",
              "Open energy data of a territory: anonymised, immutable "
              "dataset versions. Every GET route also answers HEAD. "
              "Public routes send Access-Control-Allow-Origin: *. Every "
              "error, on every route, is the envelope "
              "{\"error\":{\"code\",\"message\",\"details\"}} "
              "(components/schemas/Error). Replies of published data "
              "carry a strong ETag and answer If-None-Match with 304.");
    jw_obj_close(w);
    jw_key(w, "servers");
    jw_arr_open(w);
    jw_obj_open(w);
    jw_kv_str(w, "url", base);
    jw_obj_close(w);
    jw_arr_close(w);
    jw_key(w, "tags");
    jw_arr_open(w);
    for (const char *const *p = tags; *p; p += 2) {
        jw_obj_open(w);
        jw_kv_str(w, "name", p[0]);
        jw_kv_str(w, "description", p[1]);
        jw_obj_close(w);
    }
    jw_arr_close(w);

    /* One path object per pattern, holding each of its methods. */
    jw_key(w, "paths");
    jw_obj_open(w);
    for (int i = 0; i < n; i++) {
        int seen = 0;

        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(t[j].pattern, t[i].pattern);
        if (seen)
            continue;
        jw_key(w, t[i].pattern);
        jw_obj_open(w);
        for (int j = i; j < n; j++)
            if (!strcmp(t[j].pattern, t[i].pattern))
                oa_operation(w, rq, &t[j]);
        jw_obj_close(w);
    }
    jw_obj_close(w);
    oa_components(w);
    oa_stale(w, t, n);
    jw_obj_close(w);
    status = hv_reply(rq, w, "application/json; charset=utf-8");
    jw_free(w);
    return status;
}
