/*
** cm_limits.h -- hard caps (sqliteLimit.h style). Each runtime limit is a
** setting in cfg.c; these are the ceilings no configuration may exceed,
** each with the reason it exists. Override at build time with -D.
*/
#ifndef CM_LIMITS_H
#define CM_LIMITS_H

/* The text of a numeric macro, for messages: CM_STR(CM_CFG_LINE_MAX). */
#define CM_STR_(x) #x
#define CM_STR(x) CM_STR_(x)

#ifndef CM_MAX_BODY
/* Largest request body ever accepted, bytes: uploads of a year of 10-min
** readings for a few hundred meters stay well under this. */
#define CM_MAX_BODY (256LL * 1024 * 1024)
#endif

#ifndef CM_MAX_THREADS
/* CivetWeb worker threads; each holds one SQLite connection. */
#define CM_MAX_THREADS 256
#endif

#ifndef CM_MAX_PAGE
/* Largest page of records one API call may return. */
#define CM_MAX_PAGE 100000
#endif

#ifndef CM_MAX_QUERY_ARGS
/* Query string arguments per request: no route takes more than a dozen. */
#define CM_MAX_QUERY_ARGS 32
#endif

#ifndef CM_MAX_PATH_ARGS
/* {name} segments in one route pattern. */
#define CM_MAX_PATH_ARGS 8
#endif

#ifndef CM_PATH_MAX
/* Longest file path held in a setting, bytes. */
#define CM_PATH_MAX 1024
#endif

#ifndef CM_CFG_LINE_MAX
/* Longest line of a configuration file, bytes. */
#define CM_CFG_LINE_MAX 4096
#endif

#ifndef CM_IMP_LINE_MAX
/* Longest line (record) of an imported text file, bytes. A longer one is
** refused without being held whole. */
#define CM_IMP_LINE_MAX (64 * 1024)
#endif

#ifndef CM_IMP_VALUE_MAX
/* Largest single JSON value an importer collects (one reading, or one
** Fronius channel of a day), bytes. */
#define CM_IMP_VALUE_MAX (16 * 1024 * 1024)
#endif

#ifndef CM_IMP_CACHE_KIB
/* SQLite page cache of a connection while it imports a file, KiB. Files
** ordered by time (every meter, hour after hour) touch the whole reading
** table: a larger cache keeps its B-tree pages in memory. The server's
** other connections keep SQLite's 2 MiB default. */
#define CM_IMP_CACHE_KIB (32 * 1024)
#endif

#endif /* CM_LIMITS_H */
