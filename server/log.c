/*
** log.c -- leveled log lines on standard error.
*/
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static atomic_int cm_log_level = CM_LOG_INFO;

static const char *const cm_log_names[] = {"error", "warn", "info", "debug"};

void
cm_log_set_level(enum cm_log_level level)
{
    atomic_store(&cm_log_level, (int) level);
}

int
cm_log_enabled(enum cm_log_level level)
{
    return (int) level <=
           atomic_load_explicit(&cm_log_level, memory_order_relaxed);
}

void
cm_log(enum cm_log_level level, const char *fmt, ...)
{
    char            line[2048];
    struct timespec ts;
    struct tm       tm;
    va_list         ap;
    int             n, m;

    if (!cm_log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                 cm_log_names[level]);
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += m;
    if (n > (int) sizeof(line) - 2)
        n = (int) sizeof(line) - 2; /* Truncated: keep the newline */
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t) n) < 0)
        return; /* Nowhere left to report it */
}
