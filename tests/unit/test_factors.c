/*
** test_factors.c -- the reference factors of migration 0009 and how a
** script reads them: the seeded rows (the values of energy-domain.md
** section 3, each with a unit and a source), cm.factor's choice of the
** row in force in a year (the latest year not after it; a row for every
** year; none that early: nil and a message; an unknown key: an error
** naming it), cm.factors() as the whole table, and the sandbox's SQL
** reading reference_factor and download_day but never writing them.
*/
#include <signal.h>

#include <sqlite3.h>

#include "sbx.h"
#include "store.h"
#include "../t.h"

static const struct store_opts t_create = {1, 1, 5000, 0};
static char                    t_path[1200];

static void
t_fixture(void)
{
    struct store *st;
    struct cm_err err;
    sqlite3      *db;

    snprintf(t_path, sizeof(t_path), "%s/consometer.db", t_tmpdir("factors"));
    ASSERT_EQ(store_open(t_path, &t_create, &st, NULL, &err), CM_OK);
    store_close(st);
    /* One day of downloads, as dl.c would have written it. */
    ASSERT_EQ(sqlite3_open(t_path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "INSERT INTO download_day VALUES "
                           "('2026-11-30', 'energy-site-year', 'csv', 3, 900)",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
}

static enum sbx_code
t_run(const char *src, char *out, size_t cap)
{
    struct sbx_limits lim;
    struct sbx_result res;
    enum sbx_code     code;

    sbx_limits_default(&lim);
    lim.memory_bytes = 8 << 20;
    lim.timeout_ms = 30000; /* Under ASan and a loaded machine */
    lim.store_path = t_path;
    code = sbx_run(src, strlen(src), &lim, &res);
    snprintf(out, cap, "%s", code == SBX_OK ? res.json : res.message);
    sbx_result_clear(&res);
    return code;
}

#define T_EXPECT(src, code, expect)                                            \
    do {                                                                       \
        char          t_out[8192];                                             \
        enum sbx_code t_code = t_run(src, t_out, sizeof(t_out));               \
        if (t_code != (code))                                                  \
            fprintf(stderr, "%s\n=> %s: %s\n", src, sbx_code_name(t_code),     \
                    t_out);                                                    \
        ASSERT_EQ(t_code, code);                                               \
        ASSERT_CONTAINS(t_out, expect);                                        \
    } while (0)

/* The seeded table: every row has a unit and a source; the values the
** indicators use are those of energy-domain.md 3.1, 3.5 and 4. */
static void
test_seeded(void)
{
    sqlite3      *db;
    sqlite3_stmt *s;
    static const struct {
        const char *key;
        int         year; /* 0: the row for every year */
        double      value;
        const char *unit;
    } want[] = {
        {"co2.gas", 2021, 0.227, "kgCO2e/kWh PCI"},
        {"co2.gas", 2006, 0.234, "kgCO2e/kWh PCI"},
        {"co2.gas.pcs", 2021, 0.2045, "kgCO2e/kWh PCS"}, /* 0.227 / 1.11 */
        {"co2.fuel_oil", 2021, 0.324, "kgCO2e/kWh PCI"},
        {"co2.wood.logs", 2021, 0.030, "kgCO2e/kWh"},
        {"co2.wood.chips", 2021, 0.024, "kgCO2e/kWh"},
        {"co2.electricity", 2022, 0.073, "kgCO2e/kWh"},
        {"co2.electricity.heating", 2021, 0.079, "kgCO2e/kWh"},
        {"co2.heat_network", 2022, 0.112, "kgCO2e/kWh"},
        {"share.heat_network.renewable", 2022, 0.665, "ratio"},
        {"co2.car.km", 2011, 0.218, "kgCO2e/km"},
        {"co2.network.mobile", 2022, 0.0492, "kgCO2e/GB"},
        {"dju.base", 0, 18, "°C"},
        {"conv.gas.pcs_per_pci", 0, 1.11, "ratio"},
        {"efficiency.gas_boiler", 0, 0.90, "ratio"},
    };

    ASSERT_EQ(sqlite3_open(t_path, &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT count(*) FROM reference_factor "
                                 "WHERE source = '' OR unit = ''",
                                 -1, &s, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    ASSERT_EQ(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT value, unit FROM reference_factor "
                                 "WHERE key = ?1 AND coalesce(year, 0) = ?2",
                                 -1, &s, NULL),
              SQLITE_OK);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        sqlite3_bind_text(s, 1, want[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, want[i].year);
        if (sqlite3_step(s) != SQLITE_ROW)
            fprintf(stderr, "no row %s %d\n", want[i].key, want[i].year);
        ASSERT(sqlite3_column_double(s, 0) == want[i].value);
        ASSERT_STREQ((const char *) sqlite3_column_text(s, 1), want[i].unit);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    /* Two rows of one key and year are refused, the NULL year included. */
    ASSERT(sqlite3_exec(db,
                        "INSERT INTO reference_factor (key, year, value, "
                        "unit, source) VALUES ('dju.base', NULL, 17, '°C', "
                        "'x')",
                        NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_close(db);
}

static void
test_factor(void)
{
    /* In force in 2024: the 2021 row. */
    T_EXPECT("local v, u, s, y = cm.factor('co2.gas', 2024)\n"
             "return {v == 0.227, u, y, s:find('DPE 2021') ~= nil}",
             SBX_OK, "[true,\"kgCO2e/kWh PCI\",2021,true]");
    /* 2010 is before 2021: the 2006 row; 2021 itself: the 2021 row. */
    T_EXPECT("return {cm.factor('co2.gas', 2010) == 0.234,\n"
             "  cm.factor('co2.gas', 2021) == 0.227,\n"
             "  cm.factor('co2.heat_network', 2021) == 0.200,\n"
             "  cm.factor('co2.heat_network', 2030) == 0.112}",
             SBX_OK, "[true,true,true,true]");
    /* No year: the latest row. */
    T_EXPECT("return {cm.factor('co2.electricity') == 0.073,\n"
             "  select(4, cm.factor('co2.coal'))}",
             SBX_OK, "[true,2023]");
    /* A row for every year: any year, and its year is nil. */
    T_EXPECT("local v, u, s, y = cm.factor('efficiency.gas_boiler', 1990)\n"
             "return {v, u, y == nil}",
             SBX_OK, "[0.9,\"ratio\",true]");
    /* Before its first year: nil and why. */
    T_EXPECT("local v, msg = cm.factor('co2.electricity', 2020)\n"
             "return {v == nil, msg}",
             SBX_OK,
             "[true,\"reference factor 'co2.electricity' has no value for "
             "2020 or before (its first is for 2021)\"]");
    /* An unknown key is an error naming it; a bad year an argument error. */
    T_EXPECT("return cm.factor('co2.unobtainium', 2024)", SBX_RUNTIME_ERROR,
             "no reference factor 'co2.unobtainium'");
    T_EXPECT("return cm.factor('co2.gas', 'soon')", SBX_RUNTIME_ERROR,
             "bad argument #2");
}

static void
test_factors(void)
{
    /* The whole table, by key then year (the every-year rows first). */
    T_EXPECT(
        "local t = cm.factors()\n"
        "local n = 0 for _ in pairs(t) do n = n + 1 end\n"
        "local first, prev, sorted = t[1], '', true\n"
        "for _, r in ipairs(t) do\n"
        "  local k = r.key .. '\\1' .. string.format('%05d', r.year or 0)\n"
        "  if k < prev then sorted = false end prev = k end\n"
        "return {n == #t, #t >= 30, sorted, first.key, first.value,\n"
        "  first.unit, first.energy == nil, first.source ~= nil}",
        SBX_OK,
        "[true,true,true,\"co2.car.km\",0.218,\"kgCO2e/km\",true,true]");
}

static void
test_sql(void)
{
    /* The public tables of 0009 are readable ... */
    T_EXPECT("local r = cm.sql([[SELECT requests, bytes FROM download_day\n"
             "  WHERE dataset = ?1]], 'energy-site-year')\n"
             "local f = cm.sql([[SELECT count(*) AS n FROM reference_factor\n"
             "  WHERE key = 'co2.gas']])\n"
             "return {r[1].requests, r[1].bytes, f[1].n}",
             SBX_OK, "[3,900,2]");
    /* ... and never writable. */
    T_EXPECT("pcall(cm.sql, [[UPDATE reference_factor SET value = 0]])\n"
             "return 'escaped'",
             SBX_FORBIDDEN, "cm.sql");
    T_EXPECT("pcall(cm.sql, [[DELETE FROM download_day]]) return 'escaped'",
             SBX_FORBIDDEN, "cm.sql");
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    t_fixture();
    RUN(test_seeded);
    RUN(test_factor);
    RUN(test_factors);
    RUN(test_sql);
    return 0;
}
