/*
** units.c -- the kinds of readings, their canonical units, and the one
** table of units a source may write with what each converts to. Adding a
** unit is adding a row; the error for an unknown unit lists the rows that
** fit the kind, so the message never drifts from what is accepted.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

static const struct {
    const char *name;
    const char *unit;
} kinds[UNITS_NKINDS] = {
    [UNITS_ELECTRICITY] = {"electricity", "kWh"},
    [UNITS_PV] = {"pv", "kWh"},
    [UNITS_GAS] = {"gas", "kWh"},
    [UNITS_HEAT] = {"heat", "kWh"},
    [UNITS_SOLAR_THERMAL] = {"solar_thermal", "kWh"},
    [UNITS_TEMPERATURE] = {"temperature", "degC"},
};

enum unit_class {
    U_ENERGY, /* value * mul / div kWh */
    U_POWER,  /* average over the step: value * step_h * mul / div kWh */
    U_VOLUME, /* gas only: value * coeff kWh */
    U_TEMP    /* value + add degC */
};

/* mul and div rather than one factor: 1/1000 has no exact double, and a
** single correctly rounded division keeps 1500 Wh exactly 1.5 kWh. The
** \u escapes compile to UTF-8 (GCC's and Clang's execution charset), the
** encoding importers hand us. */
static const struct {
    const char     *name; /* Case-sensitive: "mWh" would be milli */
    enum unit_class cls;
    double          mul, div, add;
} units[] = {
    /* clang-format off */
    {"Wh",      U_ENERGY, 1,    1000, 0},
    {"kWh",     U_ENERGY, 1,    1,    0},
    {"MWh",     U_ENERGY, 1000, 1,    0},
    {"W",       U_POWER,  1,    1000, 0},
    {"kW",      U_POWER,  1,    1,    0},
    {"m3",      U_VOLUME, 1,    1,    0},
    {"m\u00B3", U_VOLUME, 1,    1,    0},       /* m³ */
    {"degC",    U_TEMP,   1,    1,    0},
    {"\u00B0C", U_TEMP,   1,    1,    0},       /* °C */
    {"C",       U_TEMP,   1,    1,    0},
    {"K",       U_TEMP,   1,    1,    -273.15},
    /* clang-format on */
};

#define NUNITS (sizeof(units) / sizeof(units[0]))

int
units_kind_find(const char *name)
{
    for (int k = 0; name != NULL && k < UNITS_NKINDS; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return k;
    return -1;
}

const char *
units_kind_name(enum units_kind k)
{
    return (unsigned) k < UNITS_NKINDS ? kinds[k].name : "unknown";
}

const char *
units_kind_unit(enum units_kind k)
{
    return (unsigned) k < UNITS_NKINDS ? kinds[k].unit : "unknown";
}

int
units_kind_is_energy(enum units_kind k)
{
    return (unsigned) k < UNITS_NKINDS && k != UNITS_TEMPERATURE;
}

static int
unit_fits(enum units_kind kind, enum unit_class cls)
{
    if (kind == UNITS_TEMPERATURE)
        return cls == U_TEMP;
    return cls == U_ENERGY || cls == U_POWER ||
           (cls == U_VOLUME && kind == UNITS_GAS);
}

/* The unit is unknown or does not fit: name it and list those that do. */
static int
fail_unit(enum units_kind kind, const char *unit, int known, struct cm_err *err)
{
    char   list[128] = "";
    size_t len = 0;

    for (size_t i = 0; i < NUNITS; i++)
        if (unit_fits(kind, units[i].cls) && len < sizeof(list))
            len += (size_t) snprintf(list + len, sizeof(list) - len, "%s%s",
                                     len ? ", " : "", units[i].name);
    return cm_fail(err, CM_EINVAL,
                   "%s unit '%.32s' for %s: accepted units "
                   "are %s",
                   known ? "wrong" : "unknown", unit, kinds[kind].name, list);
}

int
units_to_canonical(enum units_kind kind, const char *unit, double value,
                   int64_t step, double coeff, double *out, struct cm_err *err)
{
    size_t i;
    double v;

    if ((unsigned) kind >= UNITS_NKINDS)
        return cm_fail(err, CM_EINVAL, "unknown kind %d", (int) kind);
    if (unit == NULL)
        unit = "";
    for (i = 0; i < NUNITS && strcmp(units[i].name, unit) != 0; i++)
        ;
    if (i == NUNITS || !unit_fits(kind, units[i].cls))
        return fail_unit(kind, unit, i < NUNITS, err);
    if (!isfinite(value))
        return cm_fail(err, CM_EINVAL, "value %g %.32s is not a finite number",
                       value, unit);
    switch (units[i].cls) {
    case U_ENERGY:
        v = value * units[i].mul / units[i].div;
        break;
    case U_POWER:
        if (step <= 0)
            return cm_fail(err, CM_EINVAL,
                           "an average power in %s needs an interval: "
                           "step must be > 0 seconds, not %lld",
                           unit, (long long) step);
        v = value * (double) step / 3600 * units[i].mul / units[i].div;
        break;
    case U_VOLUME:
        if (!(coeff > 0) || !isfinite(coeff))
            return cm_fail(err, CM_EINVAL,
                           "a gas volume in %s needs a conversion "
                           "coefficient in kWh/m3 (on the supplier's bill) "
                           "greater than 0; got %g",
                           unit, coeff);
        v = value * coeff;
        break;
    default:
        v = value + units[i].add;
        break;
    }
    /* Finite inputs can still overflow (1e308 MWh). */
    if (!isfinite(v))
        return cm_fail(err, CM_EINVAL,
                       "value %g %.32s is not a finite number in %s", value,
                       unit, kinds[kind].unit);
    if (units_kind_is_energy(kind) && v < 0)
        return cm_fail(err, CM_EINVAL, "negative energy: %g %.32s", value,
                       unit);
    *out = v + 0.0; /* -0.0 becomes 0, never "-0" in published data */
    return CM_OK;
}
