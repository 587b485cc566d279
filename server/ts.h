/*
** ts.h -- timestamps: every time in the store is UTC seconds since 1970.
** Sources write ISO 8601 with an offset, epoch seconds or milliseconds, or
** local civil time in Europe/Paris; this module turns each into UTC with
** the real EU summer-time rules (from the last Sunday of March, 01:00 UTC,
** to the last Sunday of October, 01:00 UTC: UTC+2; otherwise UTC+1).
**
** Local times that do not exist (the hour skipped in March) are errors.
** Local times that happen twice (the hour repeated in October) are
** resolved by the caller's choice of fold: TS_FOLD_EARLIER (the first
** pass, summer time), TS_FOLD_LATER (the second, winter time), or
** TS_FOLD_ERROR. Pure functions, no allocation, no global time zone.
*/
#ifndef CM_TS_H
#define CM_TS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum ts_fold { TS_FOLD_ERROR, TS_FOLD_EARLIER, TS_FOLD_LATER };

struct ts_civil {         /* A broken-down civil time */
    int year, month, day; /* 1..12, 1..31 */
    int hour, minute, second;
    int has_offset; /* The text gave Z or an offset */
    int offset_s;   /* Seconds east of UTC, when has_offset */
};

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t ts_days_from_civil(int y, int m, int d);
void    ts_civil_from_days(int64_t days, int *y, int *m, int *d);

/* 1 if the fields form a real date and time (Feb 29 only in leap years;
** second 60 is refused). */
int ts_civil_valid(const struct ts_civil *c);

/* UTC instant of 00:00 in Europe/Paris on the local date 'days' (days
** since 1970-01-01): the start of a local day, 23, 24 or 25 h long. */
int64_t ts_paris_midnight(int64_t days);

/*
** The Europe/Paris period holding the UTC instant t, as the published
** cubes name periods: grain "year" -> "2024", "month" -> "2024-03", "day"
** -> "2024-03-15", "hour" -> "2024-03-15T10" (the repeated October hour
** gives its two passes the same name). Into out[24]; -1 for an unknown
** grain.
*/
int ts_paris_period(int64_t t, const char *grain, char out[24]);

/* The grains of published periods, coarser as they go. */
enum ts_grain { TS_GRAIN_HOUR, TS_GRAIN_DAY, TS_GRAIN_MONTH, TS_GRAIN_YEAR };

/*
** The Europe/Paris period of t as one integer: local hours or days since
** 1970, months since year 0 (12 y + m - 1), or the year. Keys order like
** the periods, and two instants share a key exactly when
** ts_paris_period() gives them the same name: the publisher groups
** millions of readings on integers, and names the groups afterwards.
*/
int64_t ts_paris_period_key(int64_t t, enum ts_grain grain);
/* The name of a key: what ts_paris_period() writes for its instants. */
void ts_paris_period_name(int64_t key, enum ts_grain grain, char out[24]);

/* UTC offset of Europe/Paris at the UTC instant t: 3600 or 7200. */
int ts_paris_offset(int64_t t);

/*
** Parse ISO 8601 "YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z|+hh:mm|+hhmm|+hh]"
** (a space may stand for the T) from s[0..n) into *out. Fractions of a
** second are dropped. Returns CM_OK or CM_EINVAL with the reason.
*/
int ts_parse_iso(const char *s, size_t n, struct ts_civil *out,
                 struct cm_err *err);

/*
** Parse s[0..n) with a strptime-like format: %Y %m %d %H %M %S, %z
** (Z, +hh:mm, +hhmm), %% and literal characters; missing fields are 0.
** For the mapped CSV importer ("%d/%m/%Y %H:%M").
*/
int ts_parse_fmt(const char *s, size_t n, const char *fmt, struct ts_civil *out,
                 struct cm_err *err);

/*
** UTC seconds of c: with its offset if it has one; otherwise as local time
** in Europe/Paris (tz_paris set) resolved with 'fold', or as UTC (tz_paris
** clear). CM_EINVAL for an invalid date, a skipped or (with
** TS_FOLD_ERROR) a repeated local time.
*/
int ts_to_utc(const struct ts_civil *c, int tz_paris, enum ts_fold fold,
              int64_t *out, struct cm_err *err);

/* "2024-03-15T10:00:00Z" into out[21]. */
void ts_format_utc(int64_t t, char out[21]);

#endif /* CM_TS_H */
