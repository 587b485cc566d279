/*
** test_units.c -- the kinds table and every conversion into canonical
** units, with the errors a source's bad unit or value must produce.
*/
#include <math.h>

#include "../t.h"
#include "units.h"

#define ASSERT_NEAR(a, b)                                                      \
    do {                                                                       \
        double t_x = (a), t_y = (b);                                           \
        if (!(fabs(t_x - t_y) <= 1e-9 * (1 + fabs(t_y)))) {                    \
            fprintf(stderr, "%s:%d: ASSERT_NEAR(%s, %s): %.17g != %.17g\n",    \
                    __FILE__, __LINE__, #a, #b, t_x, t_y);                     \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* The canonical value, asserting success. */
static double
conv(enum units_kind k, const char *unit, double v, int64_t step, double coeff)
{
    struct cm_err err;
    double        out = -12345;

    if (units_to_canonical(k, unit, v, step, coeff, &out, &err) != CM_OK) {
        fprintf(stderr, "%g %s: %s\n", v, unit, err.msg);
        ASSERT(0);
    }
    return out;
}

/* The error message, asserting failure and that *out was left alone. */
static const char *
conv_err(enum units_kind k, const char *unit, double v, int64_t step,
         double coeff)
{
    static struct cm_err err;
    double               out = -12345;

    ASSERT_EQ(units_to_canonical(k, unit, v, step, coeff, &out, &err),
              CM_EINVAL);
    ASSERT(out == -12345);
    return err.msg;
}

static void
test_kinds(void)
{
    const char *names[] = {"electricity",   "pv",         "gas", "heat",
                           "solar_thermal", "temperature"};

    for (int k = 0; k < UNITS_NKINDS; k++) {
        ASSERT_EQ(units_kind_find(names[k]), k);
        ASSERT_STREQ(units_kind_name((enum units_kind) k), names[k]);
        ASSERT_STREQ(units_kind_unit((enum units_kind) k),
                     k == UNITS_TEMPERATURE ? "degC" : "kWh");
        ASSERT_EQ(units_kind_is_energy((enum units_kind) k),
                  k != UNITS_TEMPERATURE);
    }
    ASSERT_EQ(units_kind_find("Electricity"), -1);
    ASSERT_EQ(units_kind_find("water"), -1);
    ASSERT_EQ(units_kind_find(""), -1);
    ASSERT_EQ(units_kind_find(NULL), -1);
    ASSERT_EQ(units_kind_is_energy(UNITS_NKINDS), 0);
}

static void
test_energy(void)
{
    ASSERT(conv(UNITS_ELECTRICITY, "Wh", 1500, 1800, 0) == 1.5);
    ASSERT(conv(UNITS_ELECTRICITY, "kWh", 12.25, 1800, 0) == 12.25);
    ASSERT(conv(UNITS_HEAT, "MWh", 2, 86400, 0) == 2000);
    ASSERT(conv(UNITS_PV, "Wh", 0, 900, 0) == 0);
    /* Energies need no step here: the importer decides whether one is due */
    ASSERT(conv(UNITS_GAS, "kWh", 3, 0, 0) == 3);
    ASSERT_NEAR(conv(UNITS_SOLAR_THERMAL, "Wh", 123.4, 3600, 0), 0.1234);
    /* -0 is not a negative energy, and is stored as 0 */
    ASSERT(!signbit(conv(UNITS_ELECTRICITY, "Wh", -0.0, 1800, 0)));
}

static void
test_power(void)
{
    double energy = 0, watts_sum = 0;

    ASSERT_NEAR(conv(UNITS_ELECTRICITY, "W", 1061, 1800, 0), 0.5305);
    ASSERT_NEAR(conv(UNITS_ELECTRICITY, "kW", 2, 900, 0), 0.5);
    ASSERT_NEAR(conv(UNITS_PV, "W", 3600, 3600, 0), 3.6);
    /* A day of 30-minute average powers sums to the day's energy */
    for (int i = 0; i < 48; i++) {
        double w = 250 + 37.5 * i + (i % 7) * 11.3;

        watts_sum += w;
        energy += conv(UNITS_ELECTRICITY, "W", w, 1800, 0);
    }
    ASSERT_NEAR(energy, watts_sum * 0.5 / 1000);
    ASSERT_CONTAINS(conv_err(UNITS_ELECTRICITY, "W", 1000, 0, 0),
                    "average power in W needs an interval");
    ASSERT_CONTAINS(conv_err(UNITS_HEAT, "kW", 1000, -60, 0),
                    "step must be > 0 seconds, not -60");
}

static void
test_gas(void)
{
    ASSERT_NEAR(conv(UNITS_GAS, "m3", 180, 86400, 11.29), 2032.2);
    ASSERT_NEAR(conv(UNITS_GAS, "m\xC2\xB3", 10, 86400, 10.5), 105);
    ASSERT_NEAR(conv(UNITS_GAS, "MWh", 1.5, 86400, 0), 1500);
    ASSERT_CONTAINS(conv_err(UNITS_GAS, "m3", 180, 86400, 0),
                    "needs a conversion coefficient in kWh/m3");
    ASSERT_CONTAINS(conv_err(UNITS_GAS, "m3", 180, 86400, -11.29),
                    "coefficient");
    ASSERT_CONTAINS(conv_err(UNITS_GAS, "m3", 180, 86400, NAN), "coefficient");
    ASSERT_CONTAINS(conv_err(UNITS_GAS, "m3", 180, 86400, INFINITY),
                    "coefficient");
    /* A volume is gas only, even with a coefficient */
    ASSERT_STREQ(conv_err(UNITS_HEAT, "m3", 180, 86400, 11.29),
                 "wrong unit 'm3' for heat: accepted units are Wh, kWh, MWh, "
                 "W, kW");
    ASSERT_CONTAINS(conv_err(UNITS_GAS, "m3", -1, 86400, 11.29),
                    "negative energy");
}

static void
test_temperature(void)
{
    ASSERT(conv(UNITS_TEMPERATURE, "degC", 21.5, 0, 0) == 21.5);
    ASSERT(conv(UNITS_TEMPERATURE, "\u00B0C", -7.25, 0, 0) == -7.25);
    ASSERT(conv(UNITS_TEMPERATURE, "C", -40, 3600, 0) == -40);
    ASSERT_NEAR(conv(UNITS_TEMPERATURE, "K", 293.15, 0, 0), 20);
    ASSERT_NEAR(conv(UNITS_TEMPERATURE, "K", 0, 0, 0), -273.15);
    ASSERT_STREQ(conv_err(UNITS_TEMPERATURE, "W", 20, 600, 0),
                 "wrong unit 'W' for temperature: accepted units are degC, "
                 "\xC2\xB0"
                 "C, C, K");
    ASSERT_CONTAINS(conv_err(UNITS_TEMPERATURE, "kWh", 20, 600, 0),
                    "wrong unit 'kWh'");
    ASSERT_CONTAINS(conv_err(UNITS_ELECTRICITY, "degC", 20, 600, 0),
                    "wrong unit 'degC' for electricity");
    ASSERT_CONTAINS(conv_err(UNITS_HEAT, "K", 20, 600, 0), "wrong unit 'K'");
}

static void
test_bad_values(void)
{
    ASSERT_CONTAINS(conv_err(UNITS_ELECTRICITY, "kWh", NAN, 1800, 0),
                    "not a finite number");
    ASSERT_CONTAINS(conv_err(UNITS_ELECTRICITY, "Wh", INFINITY, 1800, 0),
                    "not a finite number");
    ASSERT_CONTAINS(conv_err(UNITS_TEMPERATURE, "degC", -INFINITY, 0, 0),
                    "not a finite number");
    /* Finite in, infinite out */
    ASSERT_CONTAINS(conv_err(UNITS_HEAT, "MWh", 1e308, 3600, 0),
                    "not a finite number in kWh");
    ASSERT_STREQ(conv_err(UNITS_ELECTRICITY, "Wh", -5, 1800, 0),
                 "negative energy: -5 Wh");
    ASSERT_CONTAINS(conv_err(UNITS_PV, "W", -100, 1800, 0), "negative energy");
}

static void
test_unknown_units(void)
{
    const char *bad[] = {"kwh", "KWH", "wh",   "mwh",      "kWh ", " kWh",
                         "",    "GWh", "J",    "l",        "M3",   "degF",
                         "c",   "k",   "kW h", "m\xC2\xB2"};

    ASSERT_STREQ(conv_err(UNITS_ELECTRICITY, "kwh", 1, 1800, 0),
                 "unknown unit 'kwh' for electricity: accepted units are Wh, "
                 "kWh, MWh, W, kW");
    ASSERT_STREQ(conv_err(UNITS_GAS, "l", 1, 1800, 0),
                 "unknown unit 'l' for gas: accepted units are Wh, kWh, MWh, "
                 "W, kW, m3, m\xC2\xB3");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_CONTAINS(conv_err(UNITS_GAS, bad[i], 1, 1800, 1),
                        "unknown unit");
        ASSERT_CONTAINS(conv_err(UNITS_TEMPERATURE, bad[i], 1, 0, 0),
                        "unknown unit");
    }
    ASSERT_CONTAINS(conv_err(UNITS_HEAT, NULL, 1, 1800, 0), "unknown unit ''");
    ASSERT_CONTAINS(conv_err((enum units_kind) 42, "kWh", 1, 1800, 0),
                    "unknown kind");
}

int
main(void)
{
    RUN(test_kinds);
    RUN(test_energy);
    RUN(test_power);
    RUN(test_gas);
    RUN(test_temperature);
    RUN(test_bad_values);
    RUN(test_unknown_units);
    return 0;
}
