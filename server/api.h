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

#endif /* CM_API_H */
