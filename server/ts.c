/*
** ts.c -- timestamps: civil dates and UTC seconds, strict ISO 8601 and
** strptime-like parsing, and Europe/Paris local time computed from the EU
** summer-time rule (no tz database, no TZ variable, no localtime(), so the
** result never depends on the machine the importer runs on).
**
** The date arithmetic is Howard Hinnant's days_from_civil/civil_from_days
** (http://howardhinnant.github.io/date_algorithms.html): exact for every
** proleptic Gregorian date, no tables, no loops.
*/
#include <stdio.h>
#include <string.h>

#include "ts.h"

#define TS_DAY 86400

/* The quoted input in messages: enough to recognise it, never a whole row. */
#define TS_QUOTE 40

/* Division rounding toward minus infinity: instants before 1970 belong to
** the day that starts before them, not after. */
static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
ts_days_from_civil(int y, int m, int d)
{
    int64_t  yy = (int64_t) y - (m <= 2);
    int64_t  era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned) (yy - era * 400); /* 0..399 */
    unsigned doy = (153u * (unsigned) (m > 2 ? m - 3 : m + 9) + 2) / 5 +
                   (unsigned) d - 1;                      /* 0..365 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */

    return era * 146097 + (int64_t) doe - 719468;
}

void
ts_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t  z = days + 719468;
    int64_t  era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned) (z - era * 146097); /* 0..146096 */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0..365 */
    unsigned mp = (5 * doy + 2) / 153;                      /* 0..11, Mar=0 */

    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = (int) ((int64_t) yoe + era * 400 + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int              leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 ? 28 + leap : mdays[m - 1];
}

/* The name of the first field of c out of range, or NULL. The year is
** bounded to what ISO 8601 writes in four digits, which also keeps every
** computation on it far from overflow. */
static const char *
civil_bad_field(const struct ts_civil *c)
{
    if (c->year < 0 || c->year > 9999)
        return "year";
    if (c->month < 1 || c->month > 12)
        return "month";
    if (c->day < 1 || c->day > days_in_month(c->year, c->month))
        return "day";
    if (c->hour < 0 || c->hour > 23)
        return "hour";
    if (c->minute < 0 || c->minute > 59)
        return "minute";
    if (c->second < 0 || c->second > 59)
        return "second";
    if (c->has_offset && (c->offset_s <= -TS_DAY || c->offset_s >= TS_DAY))
        return "offset";
    return NULL;
}

int
ts_civil_valid(const struct ts_civil *c)
{
    return civil_bad_field(c) == NULL;
}

/* UTC second at which summer time starts or ends in year y: 01:00 UTC on
** the last Sunday of 'month'. */
static int64_t
paris_switch(int y, int month)
{
    int64_t last = ts_days_from_civil(y, month + 1, 1) - 1;
    int64_t wday = ((last + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */

    return (last - wday) * TS_DAY + 3600;
}

int
ts_paris_offset(int64_t t)
{
    int y, m, d;

    ts_civil_from_days(floor_div(t, TS_DAY), &y, &m, &d);
    return t >= paris_switch(y, 3) && t < paris_switch(y, 10) ? 7200 : 3600;
}

/* Cursor over s[0..n): parsers advance 'i' and never read past n. */
struct scan {
    const char *s;
    size_t      n, i;
};

/* Exactly 'ndig' digits into *v; 0 if there are fewer. */
static int
scan_digits(struct scan *sc, int ndig, int *v)
{
    *v = 0;
    for (int k = 0; k < ndig; k++, sc->i++) {
        if (sc->i >= sc->n || sc->s[sc->i] < '0' || sc->s[sc->i] > '9')
            return 0;
        *v = *v * 10 + (sc->s[sc->i] - '0');
    }
    return 1;
}

static int
scan_char(struct scan *sc, char ch)
{
    if (sc->i < sc->n && sc->s[sc->i] == ch) {
        sc->i++;
        return 1;
    }
    return 0;
}

/* Z, +hh:mm, +hhmm or +hh (and '-'), into c; 0 if malformed. */
static int
scan_offset(struct scan *sc, struct ts_civil *c)
{
    int sign, hh, mm = 0;

    if (scan_char(sc, 'Z')) {
        c->has_offset = 1;
        c->offset_s = 0;
        return 1;
    }
    if (scan_char(sc, '+'))
        sign = 1;
    else if (scan_char(sc, '-'))
        sign = -1;
    else
        return 0;
    if (!scan_digits(sc, 2, &hh))
        return 0;
    if (scan_char(sc, ':')) {
        if (!scan_digits(sc, 2, &mm))
            return 0;
    } else if (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9') {
        if (!scan_digits(sc, 2, &mm))
            return 0;
    }
    if (hh > 23 || mm > 59)
        return 0;
    c->has_offset = 1;
    c->offset_s = sign * (hh * 3600 + mm * 60);
    return 1;
}

static int
quote_len(size_t n)
{
    return n < TS_QUOTE ? (int) n : TS_QUOTE;
}

/* The error for a field out of range, naming it. */
static int
fail_range(const char *s, size_t n, const char *field, struct cm_err *err)
{
    return cm_fail(err, CM_EINVAL, "'%.*s%s': %s out of range", quote_len(n), s,
                   n > TS_QUOTE ? "..." : "", field);
}

int
ts_parse_iso(const char *s, size_t n, struct ts_civil *out, struct cm_err *err)
{
    struct scan     sc = {s, n, 0};
    struct ts_civil c = {0};
    const char     *bad;

    if (!scan_digits(&sc, 4, &c.year) || !scan_char(&sc, '-') ||
        !scan_digits(&sc, 2, &c.month) || !scan_char(&sc, '-') ||
        !scan_digits(&sc, 2, &c.day))
        goto malformed;
    if (scan_char(&sc, 'T') || scan_char(&sc, ' ')) {
        if (!scan_digits(&sc, 2, &c.hour) || !scan_char(&sc, ':') ||
            !scan_digits(&sc, 2, &c.minute))
            goto malformed;
        if (scan_char(&sc, ':')) {
            if (!scan_digits(&sc, 2, &c.second))
                goto malformed;
            if (scan_char(&sc, '.')) { /* Dropped: readings are per second */
                size_t first = sc.i;

                while (sc.i < n && s[sc.i] >= '0' && s[sc.i] <= '9')
                    sc.i++;
                if (sc.i == first)
                    goto malformed;
            }
        }
    }
    if (sc.i < n && !scan_offset(&sc, &c))
        goto malformed;
    if (sc.i != n)
        goto malformed;
    if ((bad = civil_bad_field(&c)) != NULL)
        return fail_range(s, n, bad, err);
    *out = c;
    return CM_OK;

malformed:
    return cm_fail(err, CM_EINVAL,
                   "'%.*s%s' is not an ISO 8601 time "
                   "(YYYY-MM-DDThh:mm:ss with Z or +hh:mm)",
                   quote_len(n), s, n > TS_QUOTE ? "..." : "");
}

/* The format is checked before the text: a wrong format is the mapping's
** fault, and is reported as such on the first row, whatever that row holds. */
static int
fmt_valid(const char *fmt)
{
    for (; *fmt; fmt++)
        if (*fmt == '%' && (*++fmt == '\0' || !strchr("YmdHMSz%", *fmt)))
            return 0;
    return 1;
}

int
ts_parse_fmt(const char *s, size_t n, const char *fmt, struct ts_civil *out,
             struct cm_err *err)
{
    struct scan     sc = {s, n, 0};
    struct ts_civil c = {0}, chk;
    int             has_y = 0, has_m = 0, has_d = 0, ok = 1;
    const char     *bad;

    if (!fmt_valid(fmt))
        return cm_fail(err, CM_EINVAL,
                       "time format '%.40s' has an unknown conversion "
                       "(use %%Y %%m %%d %%H %%M %%S %%z %%%%)",
                       fmt);
    for (const char *f = fmt; *f && ok; f++) {
        if (*f != '%') {
            ok = scan_char(&sc, *f);
            continue;
        }
        switch (*++f) {
        case 'Y':
            ok = has_y = scan_digits(&sc, 4, &c.year);
            break;
        case 'm':
            ok = has_m = scan_digits(&sc, 2, &c.month);
            break;
        case 'd':
            ok = has_d = scan_digits(&sc, 2, &c.day);
            break;
        case 'H':
            ok = scan_digits(&sc, 2, &c.hour);
            break;
        case 'M':
            ok = scan_digits(&sc, 2, &c.minute);
            break;
        case 'S':
            ok = scan_digits(&sc, 2, &c.second);
            break;
        case 'z':
            ok = scan_offset(&sc, &c);
            break;
        case '%':
            ok = scan_char(&sc, '%');
            break;
        default: /* Refused by fmt_valid() */
            ok = 0;
            break;
        }
    }
    if (!ok || sc.i != n)
        return cm_fail(err, CM_EINVAL,
                       "'%.*s%s' does not match the format '%.40s'",
                       quote_len(n), s, n > TS_QUOTE ? "..." : "", fmt);
    /* Check the fields the format gave; absent ones (0) get neutral values
    ** for the check only, a leap year so that %d/%m accepts 29/02. */
    chk = c;
    chk.year = has_y ? c.year : 2000;
    chk.month = has_m ? c.month : 1;
    chk.day = has_d ? c.day : 1;
    if ((bad = civil_bad_field(&chk)) != NULL)
        return fail_range(s, n, bad, err);
    *out = c;
    return CM_OK;
}

int
ts_to_utc(const struct ts_civil *c, int tz_paris, enum ts_fold fold,
          int64_t *out, struct cm_err *err)
{
    char        when[80];
    const char *bad = civil_bad_field(c);
    int64_t     local, winter, summer;
    int         w_ok, s_ok;

    /* 'when' names the time in error messages only: formatting it for
    ** every good row cost the importer 5 % of its time. */
#define TS_WHEN()                                                              \
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d", c->year,     \
             c->month, c->day, c->hour, c->minute, c->second)
    if (bad != NULL) {
        TS_WHEN();
        return cm_fail(err, CM_EINVAL, "'%s': %s out of range", when, bad);
    }
    local = ts_days_from_civil(c->year, c->month, c->day) * TS_DAY +
            c->hour * 3600 + c->minute * 60 + c->second;
    if (c->has_offset) {
        *out = local - c->offset_s;
        return CM_OK;
    }
    if (!tz_paris) {
        *out = local;
        return CM_OK;
    }
    /* The local time is either winter (UTC+1) or summer (UTC+2) time: keep
    ** each reading whose instant really has that offset. Neither is the
    ** skipped hour in March; both is the repeated hour in October. */
    winter = local - 3600;
    summer = local - 7200;
    w_ok = ts_paris_offset(winter) == 3600;
    s_ok = ts_paris_offset(summer) == 7200;
    if (!w_ok && !s_ok) {
        TS_WHEN();
        return cm_fail(err, CM_EINVAL,
                       "local time %s does not exist in Europe/Paris "
                       "(the hour skipped by summer time)",
                       when);
    }
    if (w_ok && s_ok) {
        if (fold == TS_FOLD_ERROR) {
            TS_WHEN();
            return cm_fail(err, CM_EINVAL,
                           "local time %s is ambiguous in Europe/Paris "
                           "(the hour repeated when summer time ends)",
                           when);
        }
        *out = fold == TS_FOLD_EARLIER ? summer : winter;
        return CM_OK;
    }
    *out = s_ok ? summer : winter;
    return CM_OK;
#undef TS_WHEN
}

/* Years 0000..9999 are all that fit in out[21] and all that ts_to_utc
** produces, so t is clamped to them: a bad t gives a wrong but well-formed
** time rather than a cut one. */
void
ts_format_utc(int64_t t, char out[21])
{
    const int64_t lo = -62167219200, hi = 253402300799; /* 0000..9999 */
    char          buf[64]; /* The compiler cannot see that y has 4 digits */
    int64_t       days, sec;
    int           y, m, d;

    t = t < lo ? lo : t > hi ? hi : t;
    days = floor_div(t, TS_DAY);
    sec = t - days * TS_DAY;
    ts_civil_from_days(days, &y, &m, &d);
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
             (int) (sec / 3600), (int) (sec / 60 % 60), (int) (sec % 60));
    memcpy(out, buf, 21);
}

int64_t
ts_paris_midnight(int64_t days)
{
    int64_t local = days * TS_DAY;

    /* Midnight is never skipped nor repeated (the switches are at 01:00
    ** UTC), and the instant 'local - 2 h' read as UTC is on the same side
    ** of any switch as local midnight itself, so its offset is midnight's. */
    return local - ts_paris_offset(local - 7200);
}

int
ts_paris_period(int64_t t, const char *grain, char out[24])
{
    int64_t local = t + ts_paris_offset(t);
    int64_t days = local / TS_DAY - (local % TS_DAY < 0);
    int     y, m, d;

    ts_civil_from_days(days, &y, &m, &d);
    if (strcmp(grain, "year") == 0)
        snprintf(out, 24, "%04d", y);
    else if (strcmp(grain, "month") == 0)
        snprintf(out, 24, "%04d-%02d", y, m);
    else if (strcmp(grain, "day") == 0)
        snprintf(out, 24, "%04d-%02d-%02d", y, m, d);
    else if (strcmp(grain, "hour") == 0)
        snprintf(out, 24, "%04d-%02d-%02dT%02d", y, m, d,
                 (int) ((local - days * TS_DAY) / 3600));
    else
        return -1;
    return 0;
}

/* ts_paris_offset() for a run of nearby instants: the offset holds
** between two switches, so a thread remembers the last window. The
** publisher asks it for each of millions of readings in time order. */
static int
paris_offset_cached(int64_t t)
{
    static _Thread_local int64_t lo = 1, hi = 0;
    static _Thread_local int     off;
    int                          y, m, d;
    int64_t                      spring, autumn;

    if (t >= lo && t < hi)
        return off;
    ts_civil_from_days(floor_div(t, TS_DAY), &y, &m, &d);
    spring = paris_switch(y, 3);
    autumn = paris_switch(y, 10);
    if (t < spring)
        lo = paris_switch(y - 1, 10), hi = spring, off = 3600;
    else if (t < autumn)
        lo = spring, hi = autumn, off = 7200;
    else
        lo = autumn, hi = paris_switch(y + 1, 3), off = 3600;
    return off;
}

int64_t
ts_paris_period_key(int64_t t, enum ts_grain grain)
{
    int64_t local = t + paris_offset_cached(t);
    int64_t days = floor_div(local, TS_DAY);
    int     y, m, d;

    switch (grain) {
    case TS_GRAIN_HOUR:
        return floor_div(local, 3600);
    case TS_GRAIN_DAY:
        return days;
    default:
        ts_civil_from_days(days, &y, &m, &d);
        return grain == TS_GRAIN_MONTH ? (int64_t) y * 12 + m - 1 : y;
    }
}

void
ts_paris_period_name(int64_t key, enum ts_grain grain, char out[24])
{
    int     y, m, d;
    int64_t days;

    switch (grain) {
    case TS_GRAIN_HOUR:
        days = floor_div(key, 24);
        ts_civil_from_days(days, &y, &m, &d);
        snprintf(out, 24, "%04d-%02d-%02dT%02d", y, m, d,
                 (int) (key - days * 24));
        break;
    case TS_GRAIN_DAY:
        ts_civil_from_days(key, &y, &m, &d);
        snprintf(out, 24, "%04d-%02d-%02d", y, m, d);
        break;
    case TS_GRAIN_MONTH:
        snprintf(out, 24, "%04d-%02d", (int) floor_div(key, 12),
                 (int) (key - floor_div(key, 12) * 12) + 1);
        break;
    default:
        snprintf(out, 24, "%04d", (int) key);
        break;
    }
}
