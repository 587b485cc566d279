/*
** units.h -- the one vocabulary of kinds, their canonical units, and every
** conversion into them. A reading in the store is in its kind's canonical
** unit: kWh for energies (over [start, start + step)), degC for
** temperatures (instantaneous, step 0 allowed).
**
** Conversions are explicit: Wh, kWh, MWh -> kWh; an average power in W or
** kW over a step -> kWh (W x step_h / 1000); m3 of gas -> kWh only with a
** conversion coefficient (kWh/m3) given by the source. Values must be
** finite; energies must not be negative.
*/
#ifndef CM_UNITS_H
#define CM_UNITS_H

#include <stdint.h>

#include "err.h"

enum units_kind {
    UNITS_ELECTRICITY, /* consumption */
    UNITS_PV,          /* production */
    UNITS_GAS,
    UNITS_HEAT,
    UNITS_SOLAR_THERMAL,
    UNITS_TEMPERATURE,
    UNITS_NKINDS
};

/* The kind named 'name' ("electricity"), or -1. */
int         units_kind_find(const char *name);
const char *units_kind_name(enum units_kind k);
const char *units_kind_unit(enum units_kind k); /* "kWh" or "degC" */
int         units_kind_is_energy(enum units_kind k);

/*
** Convert 'value' in 'unit' over 'step' seconds into the canonical unit of
** 'kind', into *out. 'coeff' is the kWh/m3 of gas volumes (0: none given).
** CM_EINVAL, naming the unit, for a unit that does not fit the kind (W for
** a temperature), a power without a step, m3 without a coefficient, a
** value that is not finite, or a negative energy.
*/
int units_to_canonical(enum units_kind kind, const char *unit, double value,
                       int64_t step, double coeff, double *out,
                       struct cm_err *err);

#endif /* CM_UNITS_H */
