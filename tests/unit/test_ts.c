/*
** test_ts.c -- civil dates, strict ISO 8601 and format parsing, and
** Europe/Paris local time around the summer-time switches.
*/
#include <time.h>

#include <stdint.h>

#include "../t.h"
#include "ts.h"

/* Parse 'iso', convert with tz_paris and fold, and format back as UTC;
** the error message instead when either step fails. */
static const char *
utc_of(const char *iso, int tz_paris, enum ts_fold fold)
{
    static char     out[300];
    struct ts_civil c;
    struct cm_err   err;
    int64_t         t;

    if (ts_parse_iso(iso, strlen(iso), &c, &err) != CM_OK ||
        ts_to_utc(&c, tz_paris, fold, &t, &err) != CM_OK) {
        snprintf(out, sizeof(out), "error: %s", err.msg);
        return out;
    }
    ts_format_utc(t, out);
    return out;
}

static int64_t
utc_seconds(const char *iso)
{
    struct ts_civil c;
    struct cm_err   err;
    int64_t         t = 0;

    ASSERT_EQ(ts_parse_iso(iso, strlen(iso), &c, &err), CM_OK);
    ASSERT_EQ(ts_to_utc(&c, 0, TS_FOLD_ERROR, &t, &err), CM_OK);
    return t;
}

static void
test_days(void)
{
    int y, m, d;

    ASSERT_EQ(ts_days_from_civil(1970, 1, 1), 0);
    ASSERT_EQ(ts_days_from_civil(1969, 12, 31), -1);
    ASSERT_EQ(ts_days_from_civil(2000, 3, 1), 11017);
    ASSERT_EQ(ts_days_from_civil(2024, 2, 29), 19782);
    ASSERT_EQ(ts_days_from_civil(1, 1, 1), -719162);
    ASSERT_EQ(ts_days_from_civil(9999, 12, 31), 2932896);
    /* Every day from year 0 to 9999 goes there and back, one day apart */
    for (int64_t n = ts_days_from_civil(0, 1, 1); n <= 2932896; n++) {
        ts_civil_from_days(n, &y, &m, &d);
        if (ts_days_from_civil(y, m, d) != n) {
            fprintf(stderr, "day %lld -> %d-%d-%d\n", (long long) n, y, m, d);
            ASSERT(0);
        }
    }
    ts_civil_from_days(-1, &y, &m, &d);
    ASSERT(y == 1969 && m == 12 && d == 31);
    ts_civil_from_days(19782, &y, &m, &d);
    ASSERT(y == 2024 && m == 2 && d == 29);
}

static void
test_valid(void)
{
    struct ts_civil c = {2024, 2, 29, 23, 59, 59, 0, 0};

    ASSERT(ts_civil_valid(&c));
    c.year = 2023;
    ASSERT(!ts_civil_valid(&c));
    c.year = 1900; /* Divisible by 100: not leap */
    ASSERT(!ts_civil_valid(&c));
    c.year = 2000; /* Divisible by 400: leap */
    ASSERT(ts_civil_valid(&c));
    c.second = 60; /* No leap seconds in UTC seconds since 1970 */
    ASSERT(!ts_civil_valid(&c));
    c.second = 0;
    c.month = 4, c.day = 31;
    ASSERT(!ts_civil_valid(&c));
    c.day = 30;
    ASSERT(ts_civil_valid(&c));
    c.month = 0;
    ASSERT(!ts_civil_valid(&c));
}

static void
test_parse_iso(void)
{
    struct ts_civil c;
    struct cm_err   err;
    const char     *s = "2024-03-15T10:20:30.123456+01:00";

    ASSERT_EQ(ts_parse_iso(s, strlen(s), &c, &err), CM_OK);
    ASSERT(c.year == 2024 && c.month == 3 && c.day == 15);
    ASSERT(c.hour == 10 && c.minute == 20 && c.second == 30);
    ASSERT(c.has_offset && c.offset_s == 3600);

    s = "2024-03-15";
    ASSERT_EQ(ts_parse_iso(s, strlen(s), &c, &err), CM_OK);
    ASSERT(c.hour == 0 && c.minute == 0 && c.second == 0 && !c.has_offset);
    s = "2024-03-15 10:20";
    ASSERT_EQ(ts_parse_iso(s, strlen(s), &c, &err), CM_OK);
    ASSERT(c.hour == 10 && c.minute == 20 && c.second == 0);
    /* n bounds the text: what follows is not read */
    s = "2024-03-15T10:20:30Zjunk";
    ASSERT_EQ(ts_parse_iso(s, 20, &c, &err), CM_OK);
    ASSERT(c.has_offset && c.offset_s == 0);

    ASSERT_STREQ(utc_of("2024-03-15T10:00:00Z", 0, TS_FOLD_ERROR),
                 "2024-03-15T10:00:00Z");
    ASSERT_STREQ(utc_of("2024-03-15T10:00:00+01:00", 0, TS_FOLD_ERROR),
                 "2024-03-15T09:00:00Z");
    ASSERT_STREQ(utc_of("2024-07-15T10:00:00+0200", 0, TS_FOLD_ERROR),
                 "2024-07-15T08:00:00Z");
    ASSERT_STREQ(utc_of("2024-07-15T10:00:00+02", 0, TS_FOLD_ERROR),
                 "2024-07-15T08:00:00Z");
    ASSERT_STREQ(utc_of("2024-03-15T22:30:00-05:00", 0, TS_FOLD_ERROR),
                 "2024-03-16T03:30:00Z");
    ASSERT_STREQ(utc_of("2024-03-15T10:00:00+05:30", 0, TS_FOLD_ERROR),
                 "2024-03-15T04:30:00Z");
    ASSERT_STREQ(utc_of("2024-01-01T00:30:00+01:00", 0, TS_FOLD_ERROR),
                 "2023-12-31T23:30:00Z");
    /* An offset wins over tz_paris, even one that Paris never uses */
    ASSERT_STREQ(utc_of("2023-03-26T02:30:00Z", 1, TS_FOLD_ERROR),
                 "2023-03-26T02:30:00Z");
    ASSERT_STREQ(utc_of("2024-03-15T10:00:00", 0, TS_FOLD_ERROR),
                 "2024-03-15T10:00:00Z");
}

static void
test_leap_days(void)
{
    ASSERT_STREQ(utc_of("2024-02-29T12:00:00Z", 0, TS_FOLD_ERROR),
                 "2024-02-29T12:00:00Z");
    ASSERT_STREQ(utc_of("2000-02-29", 0, TS_FOLD_ERROR),
                 "2000-02-29T00:00:00Z");
    ASSERT_STREQ(utc_of("2023-02-29", 0, TS_FOLD_ERROR),
                 "error: '2023-02-29': day out of range");
    ASSERT_STREQ(utc_of("1900-02-29T00:00:00Z", 0, TS_FOLD_ERROR),
                 "error: '1900-02-29T00:00:00Z': day out of range");
    ASSERT_EQ(utc_seconds("2024-03-01") - utc_seconds("2024-02-28"), 2 * 86400);
    ASSERT_EQ(utc_seconds("2023-03-01") - utc_seconds("2023-02-28"), 86400);
}

static void
test_parse_iso_bad(void)
{
    struct ts_civil c;
    struct cm_err   err;
    const char     *range[] = {"2024-13-01",          "2024-00-10",
                               "2024-01-32",          "2024-04-31",
                               "2024-01-01T24:00:00", "2024-01-01T12:60",
                               "2024-01-01T12:00:60"};
    const char     *malformed[] = {"",
                                   "2024",
                                   "2024-01",
                                   "2024-1-01",
                                   "24-01-01",
                                   "2024-01-1",
                                   "20240101",
                                   "2024/01/01",
                                   "2024-01-01T",
                                   "2024-01-01T1:00",
                                   "2024-01-01T10",
                                   "2024-01-01T10:0",
                                   "2024-01-01T10:00:0",
                                   "2024-01-01T10:00:00.",
                                   "2024-01-01T10:00:00+1",
                                   "2024-01-01T10:00:00+01:0",
                                   "2024-01-01T10:00:00+010",
                                   "2024-01-01T10:00:00 Z",
                                   "2024-01-01T10:00:00Z ",
                                   "2024-01-01T10:00:00Zjunk",
                                   "2024-01-01T10:00:00+01:00x",
                                   "2024-01-01x",
                                   " 2024-01-01",
                                   "abcd-ef-gh",
                                   "2024-0a-01",
                                   "2024-01-01t10:00:00",
                                   "2024-01-01T10:00:00z",
                                   "2024-01-01T10.5:00",
                                   "+2024-01-01",
                                   "2024-01-01T10:00:00,5Z",
                                   "2024-01-01T12:00+24:00",
                                   "2024-01-01T12:00+01:60"};

    for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
        ASSERT_EQ(ts_parse_iso(range[i], strlen(range[i]), &c, &err),
                  CM_EINVAL);
        ASSERT_CONTAINS(err.msg, range[i]);
        ASSERT_CONTAINS(err.msg, "out of range");
    }
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        if (ts_parse_iso(malformed[i], strlen(malformed[i]), &c, &err) !=
            CM_EINVAL) {
            fprintf(stderr, "accepted: '%s'\n", malformed[i]);
            ASSERT(0);
        }
        ASSERT_CONTAINS(err.msg, "is not an ISO 8601 time");
    }
    ASSERT_EQ(ts_parse_iso("2024-01-01T12:60", 16, &c, &err), CM_EINVAL);
    ASSERT_STREQ(err.msg, "'2024-01-01T12:60': minute out of range");
    /* A long text is quoted briefly */
    ASSERT_EQ(ts_parse_iso("2024-01-01T10:00:00Z and then a whole lot more "
                           "text that nobody wants in a message",
                           82, &c, &err),
              CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "'2024-01-01T10:00:00Z and then a whole lo...'");
}

static void
test_format(void)
{
    char          out[21];
    const int64_t t[] = {0,          1,          -1,           951782400,
                         1709856000, 4102444799, 253402300799, -62167219200};
    const char   *want[] = {"1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z",
                            "1969-12-31T23:59:59Z", "2000-02-29T00:00:00Z",
                            "2024-03-08T00:00:00Z", "2099-12-31T23:59:59Z",
                            "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z"};

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ts_format_utc(t[i], out);
        ASSERT_STREQ(out, want[i]);
        ASSERT_EQ(utc_seconds(out), t[i]);
    }
    /* Out of range: clamped, still 20 characters */
    ts_format_utc(INT64_MIN, out);
    ASSERT_STREQ(out, "0000-01-01T00:00:00Z");
    ts_format_utc(INT64_MAX, out);
    ASSERT_STREQ(out, "9999-12-31T23:59:59Z");
    /* Round trip every 7 hours 13 minutes 17 seconds over 1960..2110 */
    for (int64_t s = -315619200; s < 4417977600; s += 7 * 3600 + 13 * 60 + 17) {
        ts_format_utc(s, out);
        ASSERT_EQ(strlen(out), 20);
        ASSERT_EQ(utc_seconds(out), s);
    }
}

static void
test_paris_offset(void)
{
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-01-15T12:00:00Z")), 3600);
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-03-26T00:59:59Z")), 3600);
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-03-26T01:00:00Z")), 7200);
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-07-14T12:00:00Z")), 7200);
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-10-29T00:59:59Z")), 7200);
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-10-29T01:00:00Z")), 3600);
    ASSERT_EQ(ts_paris_offset(utc_seconds("2023-12-31T23:59:59Z")), 3600);

    /* A whole year hour by hour: summer exactly between the two switches */
    int64_t on = utc_seconds("2023-03-26T01:00:00Z");
    int64_t off = utc_seconds("2023-10-29T01:00:00Z");
    int     summer_hours = 0;

    for (int64_t t = utc_seconds("2023-01-01"); t < utc_seconds("2024-01-01");
         t += 3600) {
        int want = t >= on && t < off ? 7200 : 3600;

        ASSERT_EQ(ts_paris_offset(t), want);
        summer_hours += want == 7200;
    }
    ASSERT_EQ(summer_hours, 24 * 217); /* 26 March .. 29 October */
}

/* The UTC day (1..31) in 'month' of 'year' on which the offset changes. */
static int
switch_day(int year, int month, int before, int after)
{
    struct ts_civil c = {year, month, 1, 0, 0, 0, 1, 0};
    struct cm_err   err;
    int             found = 0;

    for (c.day = 1; c.day <= 31; c.day++) {
        int64_t   t;
        time_t    tt;
        struct tm tm;

        c.hour = 0, c.minute = 59, c.second = 59;
        if (ts_to_utc(&c, 0, TS_FOLD_ERROR, &t, &err) != CM_OK)
            break;
        if (ts_paris_offset(t) == before && ts_paris_offset(t + 1) == after) {
            ASSERT_EQ(found, 0);
            found = c.day;
            /* A Sunday, told by the C library, not by ts.c */
            tt = (time_t) t;
            ASSERT(gmtime_r(&tt, &tm) != NULL);
            ASSERT_EQ(tm.tm_wday, 0);
        } else {
            ASSERT_EQ(ts_paris_offset(t), ts_paris_offset(t + 1));
        }
    }
    return found;
}

static void
test_paris_years(void)
{
    for (int y = 1970; y <= 2100; y++) {
        int march = switch_day(y, 3, 3600, 7200);
        int october = switch_day(y, 10, 7200, 3600);

        /* The last Sunday: within the month's last seven days */
        ASSERT(march >= 25 && march <= 31);
        ASSERT(october >= 25 && october <= 31);
    }
    ASSERT_EQ(switch_day(2023, 3, 3600, 7200), 26);
    ASSERT_EQ(switch_day(2023, 10, 7200, 3600), 29);
    ASSERT_EQ(switch_day(2024, 3, 3600, 7200), 31);
    ASSERT_EQ(switch_day(2024, 10, 7200, 3600), 27);
    ASSERT_EQ(switch_day(2025, 3, 3600, 7200), 30);
    ASSERT_EQ(switch_day(2025, 10, 7200, 3600), 26);
    ASSERT_EQ(switch_day(2000, 3, 3600, 7200), 26);
    ASSERT_EQ(switch_day(2000, 10, 7200, 3600), 29);
    ASSERT_EQ(switch_day(2100, 3, 3600, 7200), 28);
    ASSERT_EQ(switch_day(2100, 10, 7200, 3600), 31);
    ASSERT_EQ(switch_day(1970, 3, 3600, 7200), 29);
    ASSERT_EQ(switch_day(1970, 10, 7200, 3600), 25);
}

static void
test_paris_local(void)
{
    const enum ts_fold strict = TS_FOLD_ERROR;

    /* Winter and summer */
    ASSERT_STREQ(utc_of("2023-01-15T12:00:00", 1, strict),
                 "2023-01-15T11:00:00Z");
    ASSERT_STREQ(utc_of("2023-07-14T12:00:00", 1, strict),
                 "2023-07-14T10:00:00Z");
    ASSERT_STREQ(utc_of("2024-01-01", 1, strict), "2023-12-31T23:00:00Z");

    /* March: 02:00..02:59:59 local does not exist */
    ASSERT_STREQ(utc_of("2023-03-26T01:59:59", 1, strict),
                 "2023-03-26T00:59:59Z");
    ASSERT_STREQ(utc_of("2023-03-26T02:30:00", 1, strict),
                 "error: local time 2023-03-26T02:30:00 does not exist in "
                 "Europe/Paris (the hour skipped by summer time)");
    ASSERT_STREQ(utc_of("2023-03-26T02:00:00", 1, TS_FOLD_EARLIER),
                 "error: local time 2023-03-26T02:00:00 does not exist in "
                 "Europe/Paris (the hour skipped by summer time)");
    ASSERT_CONTAINS(utc_of("2023-03-26T02:59:59", 1, TS_FOLD_LATER),
                    "does not exist");
    ASSERT_STREQ(utc_of("2023-03-26T03:00:00", 1, strict),
                 "2023-03-26T01:00:00Z");

    /* October: 02:00..02:59:59 local happens twice */
    ASSERT_STREQ(utc_of("2023-10-29T01:59:00", 1, strict),
                 "2023-10-28T23:59:00Z");
    ASSERT_STREQ(utc_of("2023-10-29T02:30:00", 1, strict),
                 "error: local time 2023-10-29T02:30:00 is ambiguous in "
                 "Europe/Paris (the hour repeated when summer time ends)");
    ASSERT_STREQ(utc_of("2023-10-29T02:30:00", 1, TS_FOLD_EARLIER),
                 "2023-10-29T00:30:00Z");
    ASSERT_STREQ(utc_of("2023-10-29T02:30:00", 1, TS_FOLD_LATER),
                 "2023-10-29T01:30:00Z");
    ASSERT_STREQ(utc_of("2023-10-29T02:00:00", 1, TS_FOLD_EARLIER),
                 "2023-10-29T00:00:00Z");
    ASSERT_STREQ(utc_of("2023-10-29T02:59:59", 1, TS_FOLD_LATER),
                 "2023-10-29T01:59:59Z");
    ASSERT_STREQ(utc_of("2023-10-29T03:00:00", 1, strict),
                 "2023-10-29T02:00:00Z");

    /* Invalid dates are refused before any time-zone work */
    struct ts_civil c = {2023, 2, 29, 12, 0, 0, 0, 0};
    struct cm_err   err;
    int64_t         t;

    ASSERT_EQ(ts_to_utc(&c, 1, strict, &t, &err), CM_EINVAL);
    ASSERT_STREQ(err.msg, "'2023-02-29T12:00:00': day out of range");

    /* Every UTC hour of two years maps to a local time that maps back */
    for (t = utc_seconds("2023-01-01"); t < utc_seconds("2025-01-01");
         t += 1800) {
        int64_t back, local = t + ts_paris_offset(t);
        char    iso[21];
        int     y, m, d;

        ts_civil_from_days(local / 86400, &y, &m, &d);
        c = (struct ts_civil){
            y, m, d, (int) (local % 86400 / 3600), (int) (local % 3600 / 60),
            0, 0, 0};
        ASSERT_EQ(ts_to_utc(&c, 1,
                            ts_paris_offset(t) == 7200 ? TS_FOLD_EARLIER
                                                       : TS_FOLD_LATER,
                            &back, &err),
                  CM_OK);
        if (back != t) {
            ts_format_utc(t, iso);
            fprintf(stderr, "%s came back as %lld\n", iso, (long long) back);
            ASSERT(0);
        }
    }
}

static void
test_parse_fmt(void)
{
    struct ts_civil c;
    struct cm_err   err;
    const char     *fr = "%d/%m/%Y %H:%M";
    const char     *s = "15/03/2024 10:05";

    ASSERT_EQ(ts_parse_fmt(s, strlen(s), fr, &c, &err), CM_OK);
    ASSERT(c.year == 2024 && c.month == 3 && c.day == 15);
    ASSERT(c.hour == 10 && c.minute == 5 && c.second == 0);
    ASSERT(!c.has_offset);

    s = "2024-07-01 10:00:30 +0200 100%";
    ASSERT_EQ(
        ts_parse_fmt(s, strlen(s), "%Y-%m-%d %H:%M:%S %z 100%%", &c, &err),
        CM_OK);
    ASSERT(c.second == 30 && c.has_offset && c.offset_s == 7200);
    s = "20240701T0800Z";
    ASSERT_EQ(ts_parse_fmt(s, strlen(s), "%Y%m%dT%H%M%z", &c, &err), CM_OK);
    ASSERT(c.hour == 8 && c.has_offset && c.offset_s == 0);
    s = "-05:00";
    ASSERT_EQ(ts_parse_fmt(s, strlen(s), "%z", &c, &err), CM_OK);
    ASSERT_EQ(c.offset_s, -5 * 3600);
    /* Missing fields are 0; those present are checked alone */
    s = "29/02";
    ASSERT_EQ(ts_parse_fmt(s, strlen(s), "%d/%m", &c, &err), CM_OK);
    ASSERT(c.year == 0 && c.month == 2 && c.day == 29 && c.hour == 0);

    const char *bad[][2] = {
        {"5/03/2024 10:05", "does not match"},
        {"15/3/2024 10:05", "does not match"},
        {"15/03/24 10:05", "does not match"},
        {"15/03/2024 1:05", "does not match"},
        {"15/03/2024 10:05:00", "does not match"},
        {"15-03-2024 10:05", "does not match"},
        {"15/03/2024", "does not match"},
        {"", "does not match"},
        {"32/03/2024 10:05", "day out of range"},
        {"29/02/2023 10:05", "day out of range"},
        {"15/13/2024 10:05", "month out of range"},
        {"15/03/2024 24:00", "hour out of range"},
        {"15/03/2024 10:60", "minute out of range"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_EQ(ts_parse_fmt(bad[i][0], strlen(bad[i][0]), fr, &c, &err),
                  CM_EINVAL);
        ASSERT_CONTAINS(err.msg, bad[i][1]);
        ASSERT_CONTAINS(err.msg, bad[i][0]);
    }
    ASSERT_EQ(ts_parse_fmt("29/02/2023 10:05", 16, fr, &c, &err), CM_EINVAL);
    ASSERT_STREQ(err.msg, "'29/02/2023 10:05': day out of range");
    ASSERT_EQ(ts_parse_fmt("10:05", 5, "%H:%M %", &c, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "unknown conversion");
    ASSERT_EQ(ts_parse_fmt("10h05", 5, "%Hh%q", &c, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "'%Hh%q' has an unknown conversion");
    ASSERT_EQ(ts_parse_fmt("10%05", 5, "%H%%%M", &c, &err), CM_OK);
    ASSERT_EQ(ts_parse_fmt("10x05", 5, "%H%%%M", &c, &err), CM_EINVAL);
}

static void
test_paris_midnight(void)
{
    /* 2023-03-26 lasts 23 h, 2023-10-29 25 h, 2024-01-15 24 h */
    int64_t mar = ts_days_from_civil(2023, 3, 26);
    int64_t oct = ts_days_from_civil(2023, 10, 29);
    int64_t jan = ts_days_from_civil(2024, 1, 15);

    ASSERT_EQ(ts_paris_midnight(mar), 1679785200LL); /* 03-25T23:00Z */
    ASSERT_EQ(ts_paris_midnight(mar + 1) - ts_paris_midnight(mar), 82800);
    ASSERT_EQ(ts_paris_midnight(oct), 1698530400LL); /* 10-28T22:00Z */
    ASSERT_EQ(ts_paris_midnight(oct + 1) - ts_paris_midnight(oct), 90000);
    ASSERT_EQ(ts_paris_midnight(jan + 1) - ts_paris_midnight(jan), 86400);
    for (int64_t d = ts_days_from_civil(2020, 1, 1);
         d < ts_days_from_civil(2026, 1, 1); d++) {
        struct ts_civil c = {0};
        struct cm_err   e;
        int64_t         t;

        ts_civil_from_days(d, &c.year, &c.month, &c.day);
        ASSERT_EQ(ts_to_utc(&c, 1, TS_FOLD_ERROR, &t, &e), CM_OK);
        ASSERT_EQ(ts_paris_midnight(d), t);
    }
}

static void
test_paris_period(void)
{
    struct {
        long long   t;
        const char *grain, *want;
    } cases[] = {
        {1704063600LL, "year", "2024"}, /* 2023-12-31T23:00Z: new year */
        {1704063599LL, "year", "2023"},
        {1711843200LL, "day", "2024-03-31"},     /* 00:00Z = 01:00 CET */
        {1711846800LL, "hour", "2024-03-31T03"}, /* 01:00Z: summer time */
        {1730000000LL, "month", "2024-10"},
        {1729990800LL, "hour", "2024-10-27T02"}, /* 01:00Z: winter again */
        {1729987200LL, "hour", "2024-10-27T02"}, /* 00:00Z: first 02h */
        {0LL, "day", "1970-01-01"},
    };
    char out[24];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASSERT_EQ(ts_paris_period(cases[i].t, cases[i].grain, out), 0);
        ASSERT_STREQ(out, cases[i].want);
    }
    ASSERT_EQ(ts_paris_period(0, "week", out), -1);
}

/* Keys name exactly the periods ts_paris_period() names, order like
** them, and the offset cache gives the same answers in any order of
** instants (2023-2026 every quarter hour, then a scrambled walk). */
static void
test_paris_period_key(void)
{
    static const char *grains[] = {"hour", "day", "month", "year"};
    const int64_t      t0 = 1672531200, t1 = 1798761600; /* 2023..2027 */
    int64_t            last[4] = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN};
    uint64_t           x = 2463534242u;

    for (int pass = 0; pass < 2; pass++)
        for (int64_t i = 0; i < (t1 - t0) / 900; i++) {
            int64_t t = t0 + i * 900;

            if (pass == 1) { /* xorshift: instants in no order */
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t = t0 + (int64_t) (x % (uint64_t) (t1 - t0));
            }
            for (int g = 0; g < 4; g++) {
                char    want[24], got[24];
                int64_t k = ts_paris_period_key(t, (enum ts_grain) g);

                ASSERT_EQ(ts_paris_period(t, grains[g], want), 0);
                ts_paris_period_name(k, (enum ts_grain) g, got);
                if (strcmp(want, got) != 0) {
                    fprintf(stderr, "t=%lld %s: key %lld names %s, not %s\n",
                            (long long) t, grains[g], (long long) k, got, want);
                    exit(1);
                }
                if (pass == 0) {
                    ASSERT(k >= last[g]);
                    last[g] = k;
                }
            }
        }
}

int
main(void)
{
    RUN(test_days);
    RUN(test_valid);
    RUN(test_parse_iso);
    RUN(test_leap_days);
    RUN(test_parse_iso_bad);
    RUN(test_format);
    RUN(test_paris_offset);
    RUN(test_paris_years);
    RUN(test_paris_local);
    RUN(test_parse_fmt);
    RUN(test_paris_midnight);
    RUN(test_paris_period);
    RUN(test_paris_period_key);
    return 0;
}
