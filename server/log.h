/*
** log.h -- one line per event on standard error, with a UTC timestamp and
** a level. The level is the setting log.level; lines below it cost one
** comparison. Each line is written with one write(2), so lines from
** worker threads never interleave.
*/
#ifndef CM_LOG_H
#define CM_LOG_H

enum cm_log_level { CM_LOG_ERROR, CM_LOG_WARN, CM_LOG_INFO, CM_LOG_DEBUG };

void cm_log_set_level(enum cm_log_level level);
int  cm_log_enabled(enum cm_log_level level);
void cm_log(enum cm_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* CM_LOG_H */
