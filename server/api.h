/*
** api.h -- the HTTP handlers, one api_<area>.c per area. Each is listed in
** routes.c and follows parse -> validate -> domain -> render (STYLE 3.7).
*/
#ifndef CM_API_H
#define CM_API_H

struct req;

/* api_sys.c */
int api_health(struct req *rq);
int api_metrics(struct req *rq);
int api_index(struct req *rq);

/* api_ingest.c */
int api_ingest(struct req *rq);

/* api_datasets.c: the catalog, one dataset, its records */
int api_datasets_list(struct req *rq);
int api_dataset_show(struct req *rq);
int api_dataset_records(struct req *rq);

/* api_harvest.c: what harvesters and API tools read */
int api_catalog_jsonld(struct req *rq);
int api_ckan_package_list(struct req *rq);
int api_ckan_package_show(struct req *rq);
int api_ckan_package_search(struct req *rq);
int api_openapi(struct req *rq);

/* api_download.c: a published version as a file (dl.c caches it) */
int api_download(struct req *rq);
/* api_auth.c: portal logins (session cookie + CSRF token) */
int api_auth_login(struct req *rq);
int api_auth_me(struct req *rq);
int api_auth_logout(struct req *rq);
/* api_scripts.c: the datathon (team token) and the published indicators */
int api_scripts_add(struct req *rq);
int api_scripts_list(struct req *rq);
int api_script_show(struct req *rq);
int api_script_run(struct req *rq);
int api_script_publish(struct req *rq);
int api_run_show(struct req *rq);
int api_indicators_list(struct req *rq);
int api_indicator_source(struct req *rq);

/* api_practices.c: the registry of practice sheets */
int api_practices_search(struct req *rq);
int api_practices_create(struct req *rq);
int api_practice_show(struct req *rq);
int api_practice_update(struct req *rq);
int api_practice_revisions(struct req *rq);
int api_practice_revision(struct req *rq);
int api_practice_diff(struct req *rq);
int api_practice_restore(struct req *rq);
int api_practice_history(struct req *rq);
int api_practice_transition(struct req *rq);
int api_practice_reuse(struct req *rq);
int api_registry_export_json(struct req *rq);
int api_registry_export_csv(struct req *rq);
int api_registry_feed(struct req *rq);

#endif /* CM_API_H */
