/*
** demo.c -- the demo federation (see demo.h): a generator of a year of
** plausible readings for the fictional public buildings of
** datasets/demo/, and the loader that imports the folder.
**
** The generator is a model, not a recording. One synthetic weather for
** the whole agglomeration (hourly outdoor temperature of an oceanic
** climate, daily cloudiness) drives every meter: electricity follows each
** building's opening hours in local time (French public holidays, the
** 2023-2024 and 2024-2025 school holidays of zone B, which holds the
** Rennes academy), gas and district heat follow degree-days (base 18 °C)
** with a setback on closed days, PV and solar thermal follow the sun's
** height over Lorient and the day's clouds. Every random draw comes from
** a fixed-seed splitmix64 stream (never rand()), one per meter seeded by
** its meter_id, so adding a meter changes no other series and two runs
** give the same bytes. Floating point goes through libm (sin, cos, exp,
** pow): another libm could move a last printed digit, never a shape.
*/
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo.h"
#include "jw.h"
#include "log.h"
#include "mem.h"
#include "sites.h"
#include "store.h"
#include "ts.h"

#define DEMO_SEED 0x436f6e736f6d6574ull /* "Consomet" */
#define DEMO_DAYS 366                   /* 2024 is a leap year */
#define DEMO_HOURS (DEMO_DAYS * 24)
#define DEMO_LAT 47.75 /* Lorient, degrees north */
#define DEMO_LON -3.37 /* degrees east */
#define DEMO_PI 3.14159265358979323846

/* ---- the territory's model ------------------------------------------ */

enum demo_use { /* Whose opening hours a building keeps */
                U_SCHOOL,
                U_TOWNHALL,
                U_LIBRARY,
                U_GYM,
                U_POOL
};

/*
** One building. The area mirrors sites.csv (the model scales with it);
** intensities are typical of French public buildings in an oceanic
** climate: schools ~30 kWh/m² of electricity a year, town halls and
** libraries ~60, pools several hundred (pumps and air handling run day
** and night). Space heating and hot water come from the site's gas or
** district-heat meter.
*/
struct demo_site {
    const char   *id;
    enum demo_use use;
    double        area;      /* m², as in sites.csv */
    double        base_wm2;  /* Electricity drawn at all hours, W/m² */
    double        occ_wm2;   /* More when fully occupied, W/m² */
    double        eheat_kwk; /* Electric heating, kW per K below 17 °C */
    double        fuel_k;    /* Space heating, kWh per m² per degree-day */
    double        dhw_kwh;   /* Hot water, kitchens: kWh per open day */
    double        pv_kwp;    /* PV peak power, kWp; 0: none */
    double        st_m2;     /* Solar thermal collectors, m²; 0: none */
};

static const struct demo_site demo_sites[] = {
    {"lorient-hotel-de-ville", U_TOWNHALL, 9200, 4.0, 12, 0, .042, 60, 36, 0},
    {"lorient-ecole-faubourg", U_SCHOOL, 2400, 2.2, 9, 0, .064, 45, 0, 0},
    {"lorient-mediatheque", U_LIBRARY, 3500, 4.5, 14, 0, .049, 15, 0, 0},
    /* Electrically heated: the shape of the real Enedis curve attached
    ** to it (about 130 MWh a year, evenings and weekends busy). */
    {"lorient-salle-polygone", U_GYM, 2800, 1.0, 5, 2.6, 0, 0, 0, 0},
    {"lanester-hotel-de-ville", U_TOWNHALL, 4600, 4.0, 12, 0, .046, 30, 0, 0},
    {"lanester-ecole-centre", U_SCHOOL, 2600, 2.2, 9, 0, .064, 50, 24, 0},
    /* The pool hall is heated all year; its water takes gas every day,
    ** less what the solar collectors give. */
    {"lanester-piscine", U_POOL, 3600, 22, 6, 0, .12, 3200, 0, 80},
    {"ploemeur-ecole-bourg", U_SCHOOL, 2000, 2.2, 9, 0, .064, 40, 18, 0},
    {"ploemeur-gymnase", U_GYM, 2200, 1.5, 6, 0, .034, 25, 0, 0},
    {"hennebont-hotel-de-ville", U_TOWNHALL, 3000, 4.0, 12, 0, .046, 20, 0, 0},
    {"hennebont-gymnase", U_GYM, 1800, 1.5, 6, 0, .034, 20, 0, 0},
    {"larmor-ecole-dunes", U_SCHOOL, 1500, 2.2, 9, 0, .064, 30, 0, 0},
    {"queven-maternelle", U_SCHOOL, 900, 2.2, 9, 0, .070, 15, 0, 0},
};

enum demo_model { M_ELEC, M_GAS, M_HEAT, M_PV, M_SOLAR_THERMAL, M_TEMP };

static const struct {
    const char *kind, *unit;
    int64_t     step; /* s between readings */
} demo_models[] = {
    [M_ELEC] = {"electricity", "kWh", 3600},
    [M_GAS] = {"gas", "kWh", 86400},
    [M_HEAT] = {"heat", "kWh", 86400},
    [M_PV] = {"pv", "kWh", 3600},
    [M_SOLAR_THERMAL] = {"solar_thermal", "kWh", 3600},
    [M_TEMP] = {"temperature", "degC", 3600},
};

struct demo_meter {
    const char     *id;   /* As in meters.csv */
    int             site; /* Index in demo_sites */
    enum demo_model model;
};

/* The generated meters of datasets/demo/meters.csv, in its order. */
static const struct demo_meter demo_meters[] = {
    {"lorient-hotel-de-ville-elec", 0, M_ELEC},
    {"lorient-hotel-de-ville-heat", 0, M_HEAT},
    {"lorient-hotel-de-ville-pv", 0, M_PV},
    {"lorient-hotel-de-ville-temp-ext", 0, M_TEMP},
    {"lorient-ecole-faubourg-elec", 1, M_ELEC},
    {"lorient-ecole-faubourg-heat", 1, M_HEAT},
    {"lorient-mediatheque-elec", 2, M_ELEC},
    {"lorient-mediatheque-gas", 2, M_GAS},
    {"lorient-salle-polygone-elec", 3, M_ELEC},
    {"lanester-hotel-de-ville-elec", 4, M_ELEC},
    {"lanester-hotel-de-ville-gas", 4, M_GAS},
    {"lanester-ecole-centre-elec", 5, M_ELEC},
    {"lanester-ecole-centre-gas", 5, M_GAS},
    {"lanester-ecole-centre-pv", 5, M_PV},
    {"lanester-piscine-elec", 6, M_ELEC},
    {"lanester-piscine-gas", 6, M_GAS},
    {"lanester-piscine-solar-thermal", 6, M_SOLAR_THERMAL},
    {"ploemeur-ecole-bourg-elec", 7, M_ELEC},
    {"ploemeur-ecole-bourg-gas", 7, M_GAS},
    {"ploemeur-ecole-bourg-pv", 7, M_PV},
    {"ploemeur-gymnase-elec", 8, M_ELEC},
    {"ploemeur-gymnase-gas", 8, M_GAS},
    {"hennebont-hotel-de-ville-elec", 9, M_ELEC},
    {"hennebont-hotel-de-ville-gas", 9, M_GAS},
    {"hennebont-gymnase-elec", 10, M_ELEC},
    {"hennebont-gymnase-gas", 10, M_GAS},
    {"larmor-ecole-dunes-elec", 11, M_ELEC},
    {"larmor-ecole-dunes-gas", 11, M_GAS},
    {"queven-maternelle-elec", 12, M_ELEC},
    {"queven-maternelle-gas", 12, M_GAS},
};

#define DEMO_NMETERS ((int) (sizeof(demo_meters) / sizeof(demo_meters[0])))

/* ---- the calendar (local dates as YYYYMMDD) -------------------------- */

/* Public holidays (jours fériés) of 2024, and the next New Year's Day,
** which starts at 23:00 UTC on the last day. */
static const int demo_public_holidays[] = {
    20240101, 20240401, 20240501, 20240508, 20240509, 20240520,
    20240714, 20240815, 20241101, 20241111, 20241225, 20250101};

/* School holidays, zone B: first day off, last day off. The Ascension
** bridge is off too. */
static const int demo_school_holidays[][2] = {
    {20231223, 20240107}, /* Noël */
    {20240224, 20240310}, /* hiver */
    {20240420, 20240505}, /* printemps */
    {20240509, 20240512}, /* pont de l'Ascension */
    {20240706, 20240901}, /* été */
    {20241019, 20241103}, /* Toussaint */
    {20241221, 20250105}, /* Noël */
};

/* The pool's yearly draining and cleaning: closed, pumps mostly off. */
static const int demo_pool_closed[2] = {20240902, 20240915};

struct demo_day {
    int ymd;     /* Local date, YYYYMMDD */
    int doy;     /* Days since 1 January 2024, local */
    int month;   /* 1..12 */
    int wd;      /* 0 Monday .. 6 Sunday */
    int holiday; /* Public holiday */
    int school;  /* School holiday (zone B) */
};

static void
demo_day_of(int64_t days, struct demo_day *d)
{
    int y, m, md;
    int n;

    ts_civil_from_days(days, &y, &m, &md);
    d->ymd = y * 10000 + m * 100 + md;
    d->doy = (int) (days - ts_days_from_civil(DEMO_YEAR, 1, 1));
    d->month = m;
    d->wd = (int) (((days % 7) + 10) % 7); /* 1970-01-01 was a Thursday */
    d->holiday = d->school = 0;
    n = (int) (sizeof(demo_public_holidays) / sizeof(demo_public_holidays[0]));
    for (int i = 0; i < n; i++)
        d->holiday |= demo_public_holidays[i] == d->ymd;
    n = (int) (sizeof(demo_school_holidays) / sizeof(demo_school_holidays[0]));
    for (int i = 0; i < n; i++)
        d->school |= d->ymd >= demo_school_holidays[i][0] &&
                     d->ymd <= demo_school_holidays[i][1];
}

static int
demo_pool_is_closed(const struct demo_day *d)
{
    return d->ymd == 20240101 || d->ymd == 20240501 || d->ymd == 20241225 ||
           d->ymd == 20250101 ||
           (d->ymd >= demo_pool_closed[0] && d->ymd <= demo_pool_closed[1]);
}

/* The conventional heating season, 1 October to 20 May: boilers of the
** schools and offices are off outside it. */
static int
demo_heating_season(const struct demo_day *d)
{
    return d->ymd % 10000 <= 520 || d->ymd % 10000 >= 1001;
}

/*
** How occupied a building is during the local hour 'h' of day d: 0
** (closed: only what runs day and night) to 1 (fully open). The first
** and last hours are partial: staff arrive before the public, cleaning
** follows it.
*/
static double
demo_occupancy(enum demo_use use, const struct demo_day *d, int h)
{
    int summer = d->month == 7 || d->month == 8;

    switch (use) {
    case U_SCHOOL: {
        static const double day[24] = {
            [7] = .35, [8] = .9, [9] = 1,  [10] = 1,  [11] = 1,   [12] = .85,
            [13] = 1,  [14] = 1, [15] = 1, [16] = .8, [17] = .45, [18] = .25};
        if (d->wd >= 5 || d->holiday || d->school)
            return 0;
        if (d->wd == 2) /* Wednesday: mornings only */
            return h >= 8 && h <= 11 ? 1 : h == 7 || h == 12 ? .3 : 0;
        return day[h];
    }
    case U_TOWNHALL: {
        static const double day[24] = {
            [7] = .15, [8] = .6, [9] = 1,  [10] = 1, [11] = 1,  [12] = .7,
            [13] = 1,  [14] = 1, [15] = 1, [16] = 1, [17] = .6, [18] = .25};
        double f = d->month == 8 ? .7 : 1; /* Staff on leave */

        if (d->holiday || d->wd == 6)
            return 0;
        if (d->wd == 5) /* Saturday morning: registry office, weddings */
            return h >= 9 && h <= 11 ? .3 * f : 0;
        return day[h] * f;
    }
    case U_LIBRARY: {
        /* Tuesday to Saturday; staff work behind closed doors before
        ** the afternoon openings. */
        double f = summer ? .85 : 1;
        int    open = 0, close = 0;

        if (d->holiday || d->wd == 0 || d->wd == 6)
            return 0;
        if (d->wd == 2 || d->wd == 5)
            open = 10, close = d->wd == 5 ? 17 : 18;
        else
            open = 13, close = d->wd == 4 ? 19 : 18;
        if (h >= open && h < close)
            return f;
        if (h == open - 1 || (open == 13 && h >= 9 && h < 12))
            return .35 * f;
        return 0;
    }
    case U_GYM:
        /* Pupils in the daytime of school days, clubs in the evening and
        ** at weekends; clubs pause in July and August. */
        if (d->holiday)
            return 0;
        if (d->wd <= 4) {
            if (!d->school && ((h >= 8 && h <= 11) || (h >= 13 && h <= 15)))
                return .6;
            if (h >= 17 && h <= 21)
                return summer ? .25 : 1;
            if (h == 22 || h == 16)
                return summer ? 0 : .3;
            return 0;
        }
        if (d->wd == 5)
            return h >= 9 && h <= 17 ? (summer ? .2 : .8) : 0;
        return h >= 9 && h <= 12 && !summer ? .6 : 0; /* Sunday matches */
    case U_POOL:
        if (demo_pool_is_closed(d))
            return 0;
        if (d->school || d->holiday || d->wd >= 5) {
            /* Open to the public all day (Sunday: mornings) */
            int last = d->wd == 6 ? 12 : 18;

            return h >= 10 && h <= last ? 1 : h == 9 ? .3 : 0;
        }
        if (d->wd == 2)
            return h >= 10 && h <= 18 ? 1 : h == 9 ? .3 : 0;
        if ((h >= 9 && h <= 11) || (h >= 13 && h <= 15))
            return .7; /* School swimming lessons */
        if (h == 12)
            return .8; /* Lunchtime swimmers */
        if (h >= 17 && h <= 19)
            return 1;
        return h == 8 || h == 16 ? .3 : 0;
    }
    return 0;
}

/* 1 if the building opens at all that day (for daily fuel setback). */
static int
demo_open_day(enum demo_use use, const struct demo_day *d)
{
    for (int h = 0; h < 24; h++)
        if (demo_occupancy(use, d, h) > 0)
            return 1;
    return 0;
}

/* ---- randomness ------------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, passes BigCrush,
** and any seed is a good seed. */
static uint64_t
demo_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
demo_uniform(uint64_t *s)
{
    return (double) (demo_next(s) >> 11) * 0x1.0p-53;
}

/* About N(0, 1): the sum of four uniforms has variance 1/3. Enough for
** noise, and free of libm. */
static double
demo_gauss(uint64_t *s)
{
    double sum = 0;

    for (int i = 0; i < 4; i++)
        sum += demo_uniform(s);
    return (sum - 2) * 1.7320508075688772;
}

static uint64_t
demo_seed_of(const char *name)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a, 64 bits */

    while (*name)
        h = (h ^ (unsigned char) *name++) * 1099511628211ull;
    return DEMO_SEED ^ h;
}

/* ---- the weather ------------------------------------------------------ */

struct demo_weather {
    double temp[DEMO_HOURS]; /* Outdoor °C at the start of each UTC hour */
    double dj[DEMO_DAYS];    /* Degree-days, base 18 °C, per UTC day */
    double cloud[DEMO_DAYS]; /* Clearness: 1 clear sky .. 0.1 overcast */
};

/* 0 in late January, 1 in late July. */
static double
demo_summerness(double doy)
{
    return .5 - .5 * cos(2 * DEMO_PI * (doy - 25) / DEMO_DAYS);
}

/*
** Lorient's oceanic climate: monthly means of 6-8 °C in winter and
** 17-18 °C in July and August, days 3 to 8 °C warmer than nights (more
** when clear), weather systems that last a few days (an AR(1) anomaly of
** about 2.5 °C), clear summer days warmer and clear winter days colder.
** Degree-days: the Météo-France method, 18 - (Tn + Tx) / 2 from the
** day's extreme hourly values.
*/
static void
demo_weather_make(struct demo_weather *w)
{
    double   anom[DEMO_DAYS];
    uint64_t s = demo_seed_of("weather");
    double   a = 0;

    for (int d = 0; d < DEMO_DAYS; d++) {
        double sum = demo_summerness(d);

        a = .8 * a + 1.5 * demo_gauss(&s);
        /* Clearness: 0.5 on average in winter, 0.7 in summer */
        w->cloud[d] = .12 + .88 * pow(demo_uniform(&s), 1.3 - .8 * sum);
        anom[d] = a + 2.0 * (w->cloud[d] - .6) * sum -
                  1.5 * (w->cloud[d] - .5) * (1 - sum);
    }
    for (int h = 0; h < DEMO_HOURS; h++) {
        int    d = h / 24, hh = h % 24, i;
        double x = d + (hh - 12) / 24.0, f, an, amp;

        /* The anomaly is the day's at noon, linear in between, so that
        ** midnight is no cliff. */
        i = (int) floor(x);
        f = x - i;
        an = anom[i < 0 ? 0 : i] * (1 - f) +
             anom[i + 1 >= DEMO_DAYS ? DEMO_DAYS - 1 : i + 1] * f;
        amp = (1.5 + 4.5 * w->cloud[d]) * (.6 + .4 * demo_summerness(d)) / 2;
        w->temp[h] = 12.4 - 5.6 * cos(2 * DEMO_PI * (x - 25) / DEMO_DAYS) + an +
                     amp * cos(2 * DEMO_PI * (hh - 14) / 24.0) +
                     .25 * demo_gauss(&s);
    }
    for (int d = 0; d < DEMO_DAYS; d++) {
        double tn = w->temp[d * 24], tx = tn;

        for (int hh = 1; hh < 24; hh++) {
            tn = fmin(tn, w->temp[d * 24 + hh]);
            tx = fmax(tx, w->temp[d * 24 + hh]);
        }
        w->dj[d] = fmax(0, 18 - (tn + tx) / 2);
    }
}

/*
** Clear-sky irradiance on the panels at UTC time t, W/m²: the sun's height
** over Lorient (declination and equation of time, Spencer-style
** approximations), Haurwitz's clear-sky model for the horizontal, and a
** tilt gain for south-facing panels at about 30° (x1.5 in December, x1
** in June). 0 when the sun is down.
*/
static double
demo_sun(int64_t t)
{
    int64_t t0 = ts_days_from_civil(DEMO_YEAR, 1, 1) * 86400;
    double  doy = (double) (t - t0) / 86400.0;
    double  hours = fmod((double) t / 3600.0, 24.0);
    double  lat = DEMO_LAT * DEMO_PI / 180;
    double  b, eot, decl, omega, sinh_, ghi;

    b = 2 * DEMO_PI * (doy - 81) / 364;
    eot = 9.87 * sin(2 * b) - 7.53 * cos(b) - 1.5 * sin(b); /* minutes */
    decl = -23.44 * DEMO_PI / 180 * cos(2 * DEMO_PI * (doy + 10) / 365);
    omega = (hours + DEMO_LON / 15 + eot / 60 - 12) * 15 * DEMO_PI / 180;
    sinh_ = sin(lat) * sin(decl) + cos(lat) * cos(decl) * cos(omega);
    if (sinh_ <= 0)
        return 0;
    ghi = 1098 * sinh_ * exp(-.057 / sinh_);
    return ghi * (1.25 - .25 * cos(2 * DEMO_PI * (doy - 172) / DEMO_DAYS));
}

/*
** Solar thermal output of 'm2' collectors in the UTC hour h, kWh: a flat
** plate (optical efficiency 0.7, losses 4 W/m²K at 40 °C, pipes and
** exchanger 15 %) that gives nothing until the sun beats its losses. No
** per-meter noise, so that the pool's gas can subtract it exactly.
*/
static double
demo_solar_thermal(const struct demo_weather *w, double m2, int64_t t0, int h)
{
    double g = demo_sun(t0 + (int64_t) h * 3600 + 1800) * w->cloud[h / 24];
    double q = .7 * g - 4 * (40 - w->temp[h]);

    return q > 0 ? m2 * q * .85 / 1000 : 0;
}

/* ---- the generated CSV ------------------------------------------------ */

struct demo_gen {
    struct demo_weather *w;
    int64_t              t0;    /* 2024-01-01T00:00:00Z */
    int                  meter; /* Index in demo_meters; DEMO_NMETERS: end */
    int                  i;     /* Next reading of that meter */
    uint64_t             rng;   /* The meter's stream */
    double               ar;    /* The meter's AR(1) noise */
    int                  header;
    char                 line[192];
    size_t               len, off; /* Bytes in line, of them handed out */
};

struct demo_gen *
demo_gen_new(void)
{
    struct demo_gen *g = cm_calloc(1, sizeof(*g));

    g->w = cm_malloc(sizeof(*g->w));
    demo_weather_make(g->w);
    g->t0 = ts_days_from_civil(DEMO_YEAR, 1, 1) * 86400;
    return g;
}

void
demo_gen_free(struct demo_gen *g)
{
    if (g == NULL)
        return;
    free(g->w);
    free(g);
}

static int
demo_count(const struct demo_meter *m)
{
    return demo_models[m->model].step == 86400 ? DEMO_DAYS : DEMO_HOURS;
}

/* Electricity of one hour, kWh: what runs day and night (more in the
** heating season: pumps, fans), what occupancy adds (more lighting in
** the dark months), electric heating below 17 °C with a setback when
** closed. */
static double
demo_elec(struct demo_gen *g, const struct demo_site *s, int h)
{
    int64_t         t = g->t0 + (int64_t) h * 3600;
    int64_t         local = t + ts_paris_offset(t);
    struct demo_day d;
    double          occ, base, kw, dark;
    int             season;

    demo_day_of(local / 86400, &d);
    occ = demo_occupancy(s->use, &d, (int) (local % 86400 / 3600));
    season = demo_heating_season(&d);
    base = s->base_wm2 * s->area / 1000 * (season ? 1.12 : 1);
    if (s->use == U_POOL && demo_pool_is_closed(&d))
        base *= .35; /* Drained: filtration and air handling mostly off */
    dark = 1 + .3 * (1 - demo_summerness(h / 24));
    kw = base + occ * s->occ_wm2 * s->area / 1000 * dark;
    if (s->eheat_kwk > 0 && season)
        kw += s->eheat_kwk * fmax(0, 17 - g->w->temp[h]) * (occ > 0 ? 1 : .5);
    g->ar = .8 * g->ar + .6 * demo_gauss(&g->rng);
    return kw * (1 + .05 * g->ar);
}

/* Gas or district heat of one UTC day, kWh: space heating by
** degree-days in the heating season (the pool all year), with a setback
** on closed days, plus hot water and kitchens on open days. */
static double
demo_fuel(struct demo_gen *g, const struct demo_site *s, int day)
{
    struct demo_day d;
    double          heat, dhw;
    int             open;

    demo_day_of(g->t0 / 86400 + day, &d);
    open = demo_open_day(s->use, &d);
    heat = s->fuel_k * s->area * g->w->dj[day];
    if (s->use == U_POOL) {
        double solar = 0;

        for (int hh = 0; hh < 24; hh++)
            solar += demo_solar_thermal(g->w, s->st_m2, g->t0, day * 24 + hh);
        /* Boiler efficiency 0.92: each solar kWh saves more gas */
        dhw = fmax(0, s->dhw_kwh - solar / .92);
        if (demo_pool_is_closed(&d))
            dhw *= .1, heat *= .3;
    } else {
        if (!demo_heating_season(&d))
            heat = 0;
        else if (!open)
            heat *= s->use == U_GYM || s->use == U_LIBRARY ? .6 : .55;
        dhw = open ? s->dhw_kwh : .15 * s->dhw_kwh;
    }
    return (heat + dhw) * (1 + .06 * demo_gauss(&g->rng));
}

/* PV of one hour, kWh: the panels' irradiance at mid-hour, the day's
** clouds varied hour by hour, performance ratio 0.86. */
static double
demo_pv(struct demo_gen *g, const struct demo_site *s, int h)
{
    double sun = demo_sun(g->t0 + (int64_t) h * 3600 + 1800), k;

    /* Drawn at night too: one draw per hour keeps the stream aligned */
    k = g->w->cloud[h / 24] + .12 * demo_gauss(&g->rng);
    if (sun <= 0)
        return 0;
    k = fmin(1, fmax(.05, k));
    return s->pv_kwp * sun / 1000 * k * .86;
}

/* Write the next line into g->line; 0 when there is none left. */
static int
demo_gen_next(struct demo_gen *g)
{
    const struct demo_meter *m;
    const struct demo_site  *s;
    char                     ts[21];
    double                   v = 0;
    int                      n;

    g->off = 0;
    if (!g->header) {
        g->header = 1;
        n = snprintf(g->line, sizeof(g->line),
                     "site_id,meter_id,kind,unit,timestamp,value\n");
        g->len = (size_t) n;
        return 1;
    }
    if (g->meter < DEMO_NMETERS && g->i == demo_count(&demo_meters[g->meter]))
        g->meter++, g->i = 0;
    if (g->meter >= DEMO_NMETERS) {
        g->len = 0;
        return 0;
    }
    m = &demo_meters[g->meter];
    s = &demo_sites[m->site];
    if (g->i == 0) { /* A new series: its own stream */
        g->rng = demo_seed_of(m->id);
        g->ar = 0;
    }
    switch (m->model) {
    case M_ELEC:
        v = demo_elec(g, s, g->i);
        break;
    case M_GAS:
    case M_HEAT:
        v = demo_fuel(g, s, g->i);
        break;
    case M_PV:
        v = demo_pv(g, s, g->i);
        break;
    case M_SOLAR_THERMAL:
        v = demo_solar_thermal(g->w, s->st_m2, g->t0, g->i);
        break;
    case M_TEMP:
        v = round(g->w->temp[g->i] * 10) / 10; /* A sensor's 0.1 °C */
        break;
    }
    /* Round to what is printed, then: energies are never negative, and
    ** a -0.0 would print as "-0.000". */
    v = round(v * 1000) / 1000;
    if (m->model != M_TEMP && v < 0)
        v = 0;
    if (v == 0)
        v = 0;
    ts_format_utc(g->t0 + (int64_t) g->i * demo_models[m->model].step, ts);
    n = snprintf(g->line, sizeof(g->line), "%s,%s,%s,%s,%s,%.3f\n", s->id,
                 m->id, demo_models[m->model].kind, demo_models[m->model].unit,
                 ts, v);
    g->len = (size_t) n < sizeof(g->line) ? (size_t) n : sizeof(g->line) - 1;
    g->i++;
    return 1;
}

/* The imp_src read callback: as many bytes as asked, line after line. */
static ssize_t
demo_gen_read(void *ctx, char *buf, size_t n)
{
    struct demo_gen *g = ctx;
    size_t           got = 0;

    while (got < n) {
        size_t k;

        if (g->off == g->len && !demo_gen_next(g))
            break;
        k = g->len - g->off;
        if (k > n - got)
            k = n - got;
        memcpy(buf + got, g->line + g->off, k);
        g->off += k;
        got += k;
    }
    return (ssize_t) got;
}

void
demo_gen_src(struct demo_gen *g, struct imp_src *src, const char *name)
{
    g->meter = g->i = g->header = 0;
    g->len = g->off = 0;
    memset(src, 0, sizeof(*src));
    src->name = name;
    src->read = demo_gen_read;
    src->ctx = g;
}

/* ---- loading the folder ----------------------------------------------- */

/* Real data, by folder: each file in it is imported with this format. */
static const struct {
    const char *folder, *format;
} demo_real[] = {
    {"enedis", "enedis"},
};

static int
demo_registry(struct store *st, const char *dir, const char *file,
              int (*import)(struct store *, struct imp_src *, int64_t *,
                            struct cm_err *),
              int64_t *n, struct cm_err *err)
{
    char           path[1024];
    FILE          *f;
    struct imp_src src;
    struct cm_err  e;
    int            rc;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if ((f = fopen(path, "rb")) == NULL) {
        cm_fail(err, CM_EINVAL, "demo.dir '%.150s': %s: %s", dir, file,
                strerror(errno));
        cm_err_what(err, "setting", "demo.dir");
        return err->code;
    }
    imp_src_file(&src, f, file);
    rc = import(st, &src, n, &e);
    fclose(f);
    if (rc != CM_OK) {
        cm_fail(err, rc, "demo.dir '%.60s': %s", dir, e.msg);
        return rc;
    }
    return CM_OK;
}

static int
demo_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Import every data file of dir/folder (sorted, so the order is the
** same everywhere) with 'format'; notes, licences (*.md) and hidden
** files are not data. */
static int
demo_real_folder(struct store *st, const char *dir, const char *folder,
                 const char *format, const struct imp_opts *o,
                 struct demo_summary *out, struct cm_err *err)
{
    char           path[1024];
    char          *names[DEMO_MAX_FILES];
    int            n = 0, rc = CM_OK;
    DIR           *dp;
    struct dirent *de;

    snprintf(path, sizeof(path), "%s/%s", dir, folder);
    if ((dp = opendir(path)) == NULL)
        return CM_OK; /* No real data of this kind: nothing to load */
    while ((de = readdir(dp)) != NULL) {
        size_t      len = strlen(de->d_name);
        struct stat sb;
        char        file[1400];

        if (de->d_name[0] == '.' ||
            (len > 3 && !strcmp(de->d_name + len - 3, ".md")))
            continue;
        snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
        if (stat(file, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        /* Bounds both lists: a file is either loaded or skipped */
        if (out->nfiles + out->nskipped + n >= DEMO_MAX_FILES) {
            rc = cm_fail(err, CM_ELIMIT,
                         "demo.dir '%.150s': more than %d data files", dir,
                         DEMO_MAX_FILES - 1);
            break;
        }
        names[n++] = cm_strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, (size_t) n, sizeof(names[0]), demo_cmp_names);
    for (int i = 0; i < n && rc == CM_OK; i++) {
        char           name[300], file[1400];
        FILE          *f;
        struct imp_src src;

        snprintf(name, sizeof(name), "%s/%s", folder, names[i]);
        if (imp_format_find(format) == NULL) {
            /* Another feature brings this importer: say so, go on */
            struct demo_skip *sk = &out->skipped[out->nskipped++];

            snprintf(sk->file, sizeof(sk->file), "%.250s", name);
            snprintf(sk->reason, sizeof(sk->reason),
                     "this consometer has no '%s' importer: the file was "
                     "not loaded",
                     format);
            cm_log(CM_LOG_WARN, "demo: %s skipped: %s", name, sk->reason);
            continue;
        }
        snprintf(file, sizeof(file), "%s/%s", path, names[i]);
        if ((f = fopen(file, "rb")) == NULL) {
            rc = cm_fail(err, CM_EIO, "demo.dir '%.150s': %s: %s", dir, name,
                         strerror(errno));
            break;
        }
        imp_src_file(&src, f, name);
        rc = imp_run(st, &src, format, o, &out->files[out->nfiles]);
        fclose(f);
        /* imp_run copied the name into the result */
        if (rc != CM_OK)
            cm_fail(err, rc, "%s", out->files[out->nfiles].message);
        out->nfiles++;
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    return rc;
}

int
demo_load(struct store *st, const char *dir, const char *actor,
          struct demo_summary *out, struct cm_err *err)
{
    struct imp_opts  strict = {1, NULL, actor, NULL};
    struct imp_opts  lenient = {0, NULL, actor, NULL};
    struct demo_gen *g;
    struct imp_src   src;
    struct stat      sb;
    int              rc;

    memset(out, 0, sizeof(*out));
    snprintf(out->dir, sizeof(out->dir), "%s", dir);
    if ((rc = stat(dir, &sb)) != 0 || !S_ISDIR(sb.st_mode)) {
        cm_fail(err, CM_EINVAL, "demo.dir '%.200s': %s", dir,
                rc != 0 ? strerror(errno) : "not a folder");
        cm_err_what(err, "setting", "demo.dir");
        return err->code;
    }
    if ((rc = demo_registry(st, dir, "sites.csv", sites_import, &out->sites,
                            err)) != CM_OK ||
        (rc = demo_registry(st, dir, "meters.csv", meters_import, &out->meters,
                            err)) != CM_OK)
        return rc;

    /* Generated rows must all land: --strict, so a meter the generator
    ** knows and meters.csv does not refuses the file instead of leaving
    ** half a year behind. */
    g = demo_gen_new();
    demo_gen_src(g, &src, "generated-2024.csv");
    rc = imp_run(st, &src, "csv", &strict, &out->files[out->nfiles++]);
    demo_gen_free(g);
    if (rc != CM_OK)
        return cm_fail(err, rc, "%s", out->files[out->nfiles - 1].message);

    /* Real files keep whatever gaps they have: rows rejected are
    ** reported in the summary, the rest is loaded. */
    for (size_t i = 0; i < sizeof(demo_real) / sizeof(demo_real[0]); i++)
        if ((rc = demo_real_folder(st, dir, demo_real[i].folder,
                                   demo_real[i].format, &lenient, out, err)))
            return rc;
    return CM_OK;
}

void
demo_summary_clear(struct demo_summary *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->nfiles; i++)
        imp_result_clear(&s->files[i]);
    s->nfiles = 0;
}

void
demo_summary_json(struct jw *w, const struct demo_summary *s)
{
    jw_obj_open(w);
    demo_summary_fields(w, s);
    jw_obj_close(w);
}

void
demo_summary_fields(struct jw *w, const struct demo_summary *s)
{
    jw_kv_str(w, "demo_dir", s->dir);
    jw_kv_int(w, "sites", s->sites);
    jw_kv_int(w, "meters", s->meters);
    jw_key(w, "readings");
    imp_totals_json(w, s->files, s->nfiles);
    jw_key(w, "skipped");
    jw_arr_open(w);
    for (int i = 0; i < s->nskipped; i++) {
        jw_obj_open(w);
        jw_kv_str(w, "file", s->skipped[i].file);
        jw_kv_str(w, "reason", s->skipped[i].reason);
        jw_obj_close(w);
    }
    jw_arr_close(w);
}
