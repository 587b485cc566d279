/*
** sbx_data.c -- the 'cm' table a sandboxed script reads published data
** through: cm.datasets, cm.columns, cm.rows, cm.aggregate, cm.sql, and
** the reference factors (cm.factor, cm.factors), on the worker's
** read-only store_sandbox.h connection. Every row handed to
** the script is charged to the run's instruction budget, and SQLite's
** progress handler charges the work of a query and stops it at the
** deadline, so no query nor loop of queries outlives the run's limits.
** Statements live in userdata with a C __gc (scripts may not set __gc,
** C may): an error that longjmps out of a function leaks nothing.
*/
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "sbx.h"
#include "store_sandbox.h"

#define SBX_DATA_ROW_COST 8     /* Instructions per row, plus 1 per cell */
#define SBX_DATA_SQL_EVERY 1000 /* SQLite VM steps between two checks */
#define SBX_DATA_SQL_COST 100   /* Instructions charged per check */
/* Statements open at once: each holds SQLite memory the Lua budget does
** not see, so a script keeping iterators alive is stopped early. */
#define SBX_DATA_CURSORS_MAX 64
#define SBX_DATA_CURSOR "sbx.cursor"

struct sbx_data {
    struct store_sbx *db;       /* NULL: this run has no store */
    lua_State        *L;        /* The thread stepping a statement now */
    int64_t           rows_max; /* lua.output_rows, for cm.sql */
    int               ncursors;
};

struct sbx_cursor {
    struct store_sbx_cur *cur; /* NULL once finished */
    struct sbx_data      *d;
};

static int
sbx_data_progress(void *ctx)
{
    struct sbx_data *d = ctx;

    return sbx_lua_poll(d->L, SBX_DATA_SQL_COST);
}

static struct sbx_data *
sbx_data_get(lua_State *L, const char *fn)
{
    struct sbx_data *d = lua_touserdata(L, lua_upvalueindex(1));

    if (d->db == NULL)
        luaL_error(L,
                   "%s: this run has no data store (consometer lua run "
                   "--db PATH)",
                   fn);
    return d;
}

static void
sbx_cursor_close(struct sbx_cursor *c)
{
    if (c->cur == NULL)
        return;
    store_sbx_cur_free(c->cur);
    c->cur = NULL;
    c->d->ncursors--;
}

static int
sbx_cursor_gc(lua_State *L)
{
    sbx_cursor_close(luaL_checkudata(L, 1, SBX_DATA_CURSOR));
    return 0;
}

/* A new cursor userdata on the stack, empty: fill ->cur next. */
static struct sbx_cursor *
sbx_cursor_new(lua_State *L, struct sbx_data *d)
{
    struct sbx_cursor *c;

    if (d->ncursors >= SBX_DATA_CURSORS_MAX)
        lua_gc(L, LUA_GCCOLLECT); /* Finalizes forgotten iterators */
    if (d->ncursors >= SBX_DATA_CURSORS_MAX)
        luaL_error(L, "too many cm.rows iterators open at once (at most %d)",
                   SBX_DATA_CURSORS_MAX);
    c = lua_newuserdatauv(L, sizeof(*c), 0);
    c->cur = NULL;
    c->d = d;
    luaL_setmetatable(L, SBX_DATA_CURSOR);
    return c;
}

/* Raise for a failed open or step: forbidden SQL stops the run, a limit
** the progress handler tripped is re-raised, the rest is a plain error. */
static int
sbx_data_raise(lua_State *L, const char *fn, const struct cm_err *err)
{
    sbx_lua_charge(L, 0); /* Re-raises a limit tripped inside SQLite */
    if (err->code == CM_EFORBIDDEN)
        return sbx_lua_stop(L, SBX_FORBIDDEN, "%s: %s", fn, err->msg);
    return luaL_error(L, "%s: %s", fn, err->msg);
}

/* Keep the cursor's statement in c (from a *_open call that returned rc). */
static void
sbx_cursor_set(lua_State *L, struct sbx_cursor *c, const char *fn, int rc,
               struct store_sbx_cur *cur, const struct cm_err *err)
{
    if (rc != CM_OK)
        sbx_data_raise(L, fn, err);
    c->cur = cur;
    c->d->ncursors++;
}

/* Next row of c, charged 'cost' instructions besides SQLite's own VM
** steps (the progress handler's): 1, or 0 at the end (the statement is
** then freed). */
static int
sbx_cursor_next(lua_State *L, struct sbx_cursor *c, const char *fn, double cost)
{
    struct cm_err err;
    int           rc;

    if (c->cur == NULL)
        return 0;
    c->d->L = L;
    rc = store_sbx_step(c->cur, &err);
    if (rc < 0) {
        sbx_cursor_close(c);
        sbx_data_raise(L, fn, &err);
    }
    if (rc == 0) {
        sbx_cursor_close(c);
        return 0;
    }
    if (cost > 0)
        sbx_lua_charge(L, cost);
    return 1;
}

/* Next row of c for a row handed to the script: charged like the Lua
** that would build it. */
static int
sbx_cursor_step(lua_State *L, struct sbx_cursor *c, const char *fn)
{
    if (c->cur == NULL)
        return 0;
    return sbx_cursor_next(L, c, fn,
                           SBX_DATA_ROW_COST + store_sbx_ncols(c->cur));
}

static void
sbx_push_col(lua_State *L, struct store_sbx_cur *cur, int i)
{
    const char *s;
    size_t      len;

    switch (store_sbx_col_type(cur, i)) {
    case STORE_SBX_INT:
        lua_pushinteger(L, store_sbx_col_int(cur, i));
        break;
    case STORE_SBX_REAL:
        lua_pushnumber(L, store_sbx_col_real(cur, i));
        break;
    case STORE_SBX_TEXT:
        s = store_sbx_col_text(cur, i, &len);
        lua_pushlstring(L, s, len);
        break;
    default:
        lua_pushnil(L);
    }
}

/* The dataset_version.id of arguments (slug, [version]) at 'arg'. */
static int64_t
sbx_data_version(lua_State *L, struct sbx_data *d, int arg, const char *fn)
{
    const char   *slug = luaL_checkstring(L, arg);
    lua_Integer   number = luaL_optinteger(L, arg + 1, 0);
    int64_t       id;
    struct cm_err err;

    d->L = L;
    if (store_sbx_version_id(d->db, slug, number, &id, &err) != CM_OK)
        sbx_data_raise(L, fn, &err);
    if (id == 0 && number > 0)
        luaL_error(L, "%s: dataset '%s' has no published version %d", fn, slug,
                   (int) number);
    if (id == 0)
        luaL_error(L, "%s: no published dataset '%s'", fn, slug);
    return id;
}

/* cm.datasets() -> {{slug, title, version, period, territory_level,
** kinds = {...}, n_observations}, ...}, by slug. */
static int
sbx_cm_datasets(lua_State *L)
{
    struct sbx_data         *d = sbx_data_get(L, "cm.datasets");
    struct sbx_cursor       *c = sbx_cursor_new(L, d);
    struct store_sbx_cur    *cur = NULL;
    struct cm_err            err;
    int                      rc;
    static const char *const names[] = {"slug", "title", "version", "period",
                                        "territory_level"};
    lua_Integer              n = 0;

    rc = store_sbx_datasets_open(d->db, &cur, &err);
    sbx_cursor_set(L, c, "cm.datasets", rc, cur, &err);
    lua_newtable(L);
    while (sbx_cursor_step(L, c, "cm.datasets")) {
        size_t      len;
        const char *k, *e;

        lua_createtable(L, 0, 7);
        for (int i = 0; i < 5; i++) {
            sbx_push_col(L, c->cur, i);
            lua_setfield(L, -2, names[i]);
        }
        /* Kinds are names of units.h ([a-z_]), checked when published:
        ** the strings of the JSON array need no unescaping. */
        lua_newtable(L);
        k = store_sbx_col_text(c->cur, 5, &len);
        e = k + len;
        for (lua_Integer j = 1;; j++) {
            const char *q = memchr(k, '"', (size_t) (e - k)), *q2;

            if (q == NULL ||
                (q2 = memchr(q + 1, '"', (size_t) (e - q - 1))) == NULL)
                break;
            lua_pushlstring(L, q + 1, (size_t) (q2 - q - 1));
            lua_rawseti(L, -2, j);
            k = q2 + 1;
        }
        lua_setfield(L, -2, "kinds");
        sbx_push_col(L, c->cur, 6);
        lua_setfield(L, -2, "n_observations");
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* Observation columns as store_sbx_obs_open returns them. */
static const char *const sbx_obs_cols[] = {
    "period",  "territory", "sector",          "kind", "value",
    "n_sites", "status",    "territory_level", "unit"};
#define SBX_OBS_NCOLS 9
#define SBX_OBS_COLUMNS 7 /* The first 7 are cm.columns' arrays */

/* cm.columns(slug [, version]) -> {period = {...}, ..., status = {...}}. */
static int
sbx_cm_columns(lua_State *L)
{
    struct sbx_data      *d = sbx_data_get(L, "cm.columns");
    int64_t               id = sbx_data_version(L, d, 1, "cm.columns");
    struct sbx_cursor    *c = sbx_cursor_new(L, d);
    struct store_sbx_cur *cur = NULL;
    struct cm_err         err;
    int                   rc;
    int                   top;
    lua_Integer           n = 0;

    rc = store_sbx_obs_open(d->db, id, &cur, &err);
    sbx_cursor_set(L, c, "cm.columns", rc, cur, &err);
    luaL_checkstack(L, SBX_OBS_COLUMNS + 4, "cm.columns");
    top = lua_gettop(L);
    for (int i = 0; i < SBX_OBS_COLUMNS; i++)
        lua_newtable(L);
    while (sbx_cursor_step(L, c, "cm.columns")) {
        n++;
        for (int i = 0; i < SBX_OBS_COLUMNS; i++) {
            sbx_push_col(L, c->cur, i);
            lua_rawseti(L, top + 1 + i, n);
        }
    }
    lua_createtable(L, 0, SBX_OBS_COLUMNS);
    for (int i = 0; i < SBX_OBS_COLUMNS; i++) {
        lua_pushvalue(L, top + 1 + i);
        lua_setfield(L, -2, sbx_obs_cols[i]);
    }
    return 1;
}

static int
sbx_rows_next(lua_State *L)
{
    struct sbx_cursor *c = lua_touserdata(L, lua_upvalueindex(1));

    if (!sbx_cursor_step(L, c, "cm.rows")) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, SBX_OBS_NCOLS);
    for (int i = 0; i < SBX_OBS_NCOLS; i++) {
        sbx_push_col(L, c->cur, i);
        lua_setfield(L, -2, sbx_obs_cols[i]);
    }
    return 1;
}

/* cm.rows(slug [, version]) -> an iterator of row tables. */
static int
sbx_cm_rows(lua_State *L)
{
    struct sbx_data      *d = sbx_data_get(L, "cm.rows");
    int64_t               id = sbx_data_version(L, d, 1, "cm.rows");
    struct sbx_cursor    *c = sbx_cursor_new(L, d);
    struct store_sbx_cur *cur = NULL;
    struct cm_err         err;
    int                   rc;

    rc = store_sbx_obs_open(d->db, id, &cur, &err);
    sbx_cursor_set(L, c, "cm.rows", rc, cur, &err);
    lua_pushcclosure(L, sbx_rows_next, 1);
    return 1;
}

/* Push a key naming row's group (its first nby columns), equal for
** rows of the same group: kind and length before each text, so no two
** groups collide. */
static void
sbx_group_key(lua_State *L, struct store_sbx_cur *cur, int nby)
{
    luaL_Buffer b;

    luaL_buffinit(L, &b);
    for (int i = 0; i < nby; i++) {
        size_t      len = 0;
        const char *s = store_sbx_col_type(cur, i) == STORE_SBX_NULL
                            ? NULL
                            : store_sbx_col_text(cur, i, &len);

        luaL_addchar(&b, s ? 'v' : 'n');
        luaL_addlstring(&b, (const char *) &len, sizeof(len));
        if (s)
            luaL_addlstring(&b, s, len);
    }
    luaL_pushresult(&b);
}

/* ---- cm.aggregate without percentiles: one scan, grouped here ---- */

enum sbx_aggfn { SBX_SUM, SBX_MEAN, SBX_MIN, SBX_MAX, SBX_COUNT };

struct sbx_acc {        /* One group's accumulators */
    double  sum, carry; /* Neumaier's compensated sum */
    double  min, max;
    int64_t count; /* Non-null values, as SQL's count(value) */
};

struct sbx_grp { /* One group's key, for sorting */
    const char *key;
    size_t      len;
    lua_Integer idx;
};

/* SQLite's order of the group columns (text): NULL first, then bytes,
** column after column, over sbx_group_key's encoding (per column: 'n' or
** 'v', the length as a size_t, the bytes). */
static int
sbx_grp_cmp(const void *pa, const void *pb)
{
    const struct sbx_grp *a = pa, *b = pb;
    const char           *x = a->key, *y = b->key;
    const char           *xe = x + a->len, *ye = y + b->len;

    while (x < xe && y < ye) {
        size_t lx, ly;
        int    c;

        if (*x != *y)
            return *x == 'n' ? -1 : 1;
        memcpy(&lx, x + 1, sizeof(lx));
        memcpy(&ly, y + 1, sizeof(ly));
        x += 1 + sizeof(lx);
        y += 1 + sizeof(ly);
        c = memcmp(x, y, lx < ly ? lx : ly);
        if (c != 0)
            return c;
        if (lx != ly)
            return lx < ly ? -1 : 1;
        x += lx;
        y += ly;
    }
    return 0;
}

static void
sbx_acc_push(lua_State *L, const struct sbx_acc *a, enum sbx_aggfn fn,
             int integer)
{
    double v;

    if (fn == SBX_COUNT) {
        lua_pushinteger(L, (lua_Integer) a->count);
        return;
    }
    if (a->count == 0) {
        lua_pushnil(L); /* As SQL: no value, no sum, mean, min or max */
        return;
    }
    v = fn == SBX_SUM    ? a->sum + a->carry
        : fn == SBX_MEAN ? (a->sum + a->carry) / (double) a->count
        : fn == SBX_MIN  ? a->min
                         : a->max;
    if (integer && fn != SBX_MEAN)
        lua_pushinteger(L, (lua_Integer) v); /* n_sites stays an integer */
    else
        lua_pushnumber(L, v);
}

/*
** sum, mean, min, max, count of 'value' grouped by 'by': the version is
** read once in primary-key order (store_sbx_scan_open), each row's group
** found through a Lua table (key -> index), its accumulators kept in a
** userdata: memory stays under the Lua budget, time is one sequential
** read, whatever the grouping. Groups come out in SQL's ORDER BY order.
*/
static int
sbx_aggregate_scan(lua_State *L, struct sbx_data *d, int64_t id,
                   const char *const *by, int nby, const char *fn,
                   const char *value)
{
    static const char *const names[] = {"sum", "mean", "min", "max", "count"};
    struct sbx_cursor       *c;
    struct store_sbx_cur    *cur = NULL;
    struct sbx_acc          *acc = NULL;
    struct sbx_grp          *grp;
    struct cm_err            err;
    enum sbx_aggfn           f = SBX_SUM;
    lua_Integer              n = 0;
    size_t                   cap = 0;
    int                      found = 0, base, integer;

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(fn, names[k]) == 0) {
            f = (enum sbx_aggfn) k;
            found = 1;
        }
    if (!found)
        return luaL_error(L,
                          "cm.aggregate: unknown aggregate '%s' (sum, mean, "
                          "min, max, count, p0..p100)",
                          fn);
    integer = strcmp(value, "n_sites") == 0;
    c = sbx_cursor_new(L, d);
    if (store_sbx_scan_open(d->db, id, by, nby, value, &cur, &err) != CM_OK)
        sbx_data_raise(L, "cm.aggregate", &err);
    sbx_cursor_set(L, c, "cm.aggregate", CM_OK, cur, &err);
    lua_newtable(L); /* base: group key -> index */
    base = lua_gettop(L);
    lua_newtable(L); /* base+1: index -> the group's row (its columns) */
    lua_pushnil(L);  /* base+2: the accumulators' userdata */

    /* SQLite's VM steps are charged by the progress handler; a row adds
    ** only what is done here. */
    while (sbx_cursor_next(L, c, "cm.aggregate", 1 + nby)) {
        lua_Integer g;

        sbx_group_key(L, c->cur, nby);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, base) == LUA_TNUMBER) {
            g = lua_tointeger(L, -1);
            lua_pop(L, 2);
        } else {
            lua_pop(L, 1);
            g = ++n;
            lua_pushinteger(L, g);
            lua_rawset(L, base); /* key -> g; pops both */
            if ((size_t) g > cap) {
                size_t          ncap = cap ? cap * 2 : 64;
                struct sbx_acc *na =
                    lua_newuserdatauv(L, ncap * sizeof(*na), 0);

                if (cap)
                    memcpy(na, acc, cap * sizeof(*na));
                lua_replace(L, base + 2);
                acc = na;
                cap = ncap;
            }
            memset(&acc[g - 1], 0, sizeof(acc[g - 1]));
            lua_createtable(L, 0, nby + 1);
            for (int i = 0; i < nby; i++) {
                sbx_push_col(L, c->cur, i);
                lua_setfield(L, -2, by[i]);
            }
            lua_rawseti(L, base + 1, g);
        }
        if (store_sbx_col_type(c->cur, nby) != STORE_SBX_NULL) {
            struct sbx_acc *a = &acc[g - 1];
            double          v = store_sbx_col_real(c->cur, nby);
            double          t = a->sum + v;

            a->carry +=
                fabs(a->sum) >= fabs(v) ? (a->sum - t) + v : (v - t) + a->sum;
            a->sum = t;
            if (a->count == 0 || v < a->min)
                a->min = v;
            if (a->count == 0 || v > a->max)
                a->max = v;
            a->count++;
        }
    }

    /* As SQL without GROUP BY: one row, even over no observation. */
    if (nby == 0 && n == 0) {
        struct sbx_acc none = {0};

        lua_createtable(L, 1, 0);
        lua_createtable(L, 0, 1);
        sbx_acc_push(L, &none, f, integer);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, 1);
        return 1;
    }
    grp = lua_newuserdatauv(L, (size_t) (n ? n : 1) * sizeof(*grp), 0);
    {
        lua_Integer k = 0;

        lua_pushnil(L);
        while (lua_next(L, base) != 0) {
            grp[k].key = lua_tolstring(L, -2, &grp[k].len);
            grp[k].idx = lua_tointeger(L, -1);
            k++;
            lua_pop(L, 1);
        }
    }
    qsort(grp, (size_t) n, sizeof(*grp), sbx_grp_cmp);
    sbx_lua_charge(L, (double) n * 20);
    lua_createtable(L, (int) (n < INT_MAX ? n : INT_MAX), 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, base + 1, grp[i].idx);
        sbx_acc_push(L, &acc[grp[i].idx - 1], f, integer);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* Percentile p (0..100) of the n sorted values v, linear between ranks. */
static double
sbx_percentile(const double *v, size_t n, double p)
{
    double h = (double) (n - 1) * p / 100, lo = floor(h);
    size_t i = (size_t) lo;

    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (h - lo) * (v[i + 1] - v[i]);
}

/* cm.aggregate(slug, {by = {...}, fn = "sum", value = "value",
** version = N}) -> {{<by fields>..., value = x}, ...}, by groups. */
static int
sbx_cm_aggregate(lua_State *L)
{
    struct sbx_data      *d = sbx_data_get(L, "cm.aggregate");
    const char           *by[8], *fn, *value;
    int                   nby = 0, pct = -1, top;
    int64_t               id;
    struct sbx_cursor    *c;
    struct store_sbx_cur *cur = NULL;
    struct cm_err         err;
    lua_Integer           n = 0;

    luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_getfield(L, 2, "version"); /* 3: handed to sbx_data_version */
    lua_getfield(L, 2, "fn");      /* 4 */
    fn = lua_isnil(L, 4) ? "sum" : luaL_checkstring(L, 4);
    lua_getfield(L, 2, "value"); /* 5 */
    value = lua_isnil(L, 5) ? "value" : luaL_checkstring(L, 5);
    /* The names stay on the stack (6 ...), so nothing can collect them. */
    if (lua_getfield(L, 2, "by") == LUA_TSTRING) {
        by[nby++] = lua_tostring(L, -1);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        int t = lua_gettop(L);

        luaL_checkstack(L, 10, "cm.aggregate");
        for (lua_Integer i = 1;; i++) {
            int ty = lua_rawgeti(L, t, i);

            if (ty == LUA_TNIL) {
                lua_pop(L, 1);
                break;
            }
            if (ty != LUA_TSTRING || nby >= 8)
                return luaL_error(L, "cm.aggregate: 'by' must be at most 8 "
                                     "column names");
            by[nby++] = lua_tostring(L, -1);
        }
    } else if (!lua_isnil(L, -1))
        return luaL_error(L, "cm.aggregate: 'by' must be a column name or "
                             "an array of them");
    if (fn[0] == 'p' && fn[1] >= '0' && fn[1] <= '9') {
        char *end;
        long  p = strtol(fn + 1, &end, 10);

        if (*end || p < 0 || p > 100)
            return luaL_error(L,
                              "cm.aggregate: percentile '%s' is not "
                              "p0..p100",
                              fn);
        pct = (int) p;
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);
    id = sbx_data_version(L, d, lua_gettop(L) - 1, "cm.aggregate");
    lua_pop(L, 2);

    if (pct < 0)
        return sbx_aggregate_scan(L, d, id, by, nby, fn, value);

    c = sbx_cursor_new(L, d);
    if (store_sbx_sorted_open(d->db, id, by, nby, value, &cur, &err) != CM_OK)
        sbx_data_raise(L, "cm.aggregate", &err);
    sbx_cursor_set(L, c, "cm.aggregate", CM_OK, cur, &err);
    lua_newtable(L); /* The result */
    top = lua_gettop(L);

    /* Percentiles: values come sorted within each group; gather one
    ** group's in a userdata (so under the Lua budget), then emit it. */
    {
        double *v = NULL;
        size_t  nv = 0, cap = 0;
        int     more, have = 0;

        lua_pushnil(L); /* top+1: the current group's key */
        lua_pushnil(L); /* top+2: its output row (group fields) */
        lua_pushnil(L); /* top+3: the values' userdata */
        for (;;) {
            int same;

            more = sbx_cursor_step(L, c, "cm.aggregate");
            if (more) {
                sbx_group_key(L, c->cur, nby);
                same = have && lua_rawequal(L, -1, top + 1);
                lua_replace(L, top + 1);
            } else
                same = 0;
            if (!same && have && nv > 0) {
                lua_pushvalue(L, top + 2);
                lua_pushnumber(L, sbx_percentile(v, nv, pct));
                lua_setfield(L, -2, "value");
                lua_rawseti(L, top, ++n);
            }
            if (!more)
                break;
            if (!same) {
                lua_createtable(L, 0, nby + 1);
                for (int i = 0; i < nby; i++) {
                    sbx_push_col(L, c->cur, i);
                    lua_setfield(L, -2, by[i]);
                }
                lua_replace(L, top + 2);
                nv = 0;
                have = 1;
            }
            if (nv == cap) {
                size_t  ncap = cap ? cap * 2 : 256;
                double *nvp = lua_newuserdatauv(L, ncap * sizeof(double), 0);

                if (nv)
                    memcpy(nvp, v, nv * sizeof(double));
                lua_replace(L, top + 3);
                v = nvp;
                cap = ncap;
            }
            v[nv++] = store_sbx_col_real(c->cur, nby);
        }
        lua_settop(L, top);
    }
    return 1;
}

/* cm.sql(query, ...) -> {{col = value, ...}, ...}; at most
** lua.output_rows rows. */
static int
sbx_cm_sql(lua_State *L)
{
    struct sbx_data      *d = sbx_data_get(L, "cm.sql");
    const char           *sql = luaL_checkstring(L, 1);
    int                   nargs = lua_gettop(L) - 1, top;
    struct sbx_cursor    *c;
    struct store_sbx_cur *cur = NULL;
    struct cm_err         err;
    int                   rc;
    lua_Integer           n = 0;

    for (int i = 2; i <= nargs + 1; i++) {
        int t = lua_type(L, i);

        if (t != LUA_TNIL && t != LUA_TNUMBER && t != LUA_TSTRING &&
            t != LUA_TBOOLEAN)
            return luaL_argerror(L, i,
                                 "SQL parameters are nil, booleans, "
                                 "numbers or strings");
    }
    c = sbx_cursor_new(L, d);
    d->L = L;
    rc = store_sbx_query_open(d->db, sql, &cur, &err);
    sbx_cursor_set(L, c, "cm.sql", rc, cur, &err);
    if (nargs != store_sbx_nparams(c->cur))
        return luaL_error(L, "cm.sql: the query takes %d parameters, %d given",
                          store_sbx_nparams(c->cur), nargs);
    for (int i = 1; i <= nargs; i++) {
        size_t      len;
        const char *s;

        switch (lua_type(L, i + 1)) {
        case LUA_TNUMBER:
            if (lua_isinteger(L, i + 1))
                store_sbx_bind_int(c->cur, i, lua_tointeger(L, i + 1));
            else
                store_sbx_bind_real(c->cur, i, lua_tonumber(L, i + 1));
            break;
        case LUA_TBOOLEAN:
            store_sbx_bind_int(c->cur, i, lua_toboolean(L, i + 1));
            break;
        case LUA_TSTRING:
            s = lua_tolstring(L, i + 1, &len);
            store_sbx_bind_text(c->cur, i, s, len);
            break;
        default:
            store_sbx_bind_null(c->cur, i);
        }
    }
    lua_newtable(L);
    top = lua_gettop(L);
    while (sbx_cursor_step(L, c, "cm.sql")) {
        int ncols = store_sbx_ncols(c->cur);

        if (n >= d->rows_max) {
            sbx_cursor_close(c);
            return sbx_lua_stop(L, SBX_OUTPUT_LIMIT,
                                "cm.sql returned more than lua.output_rows "
                                "(%lld) rows",
                                (long long) d->rows_max);
        }
        lua_createtable(L, 0, ncols);
        for (int i = 0; i < ncols; i++) {
            const char *name = store_sbx_col_name(c->cur, i);

            sbx_push_col(L, c->cur, i);
            lua_setfield(L, -2, name ? name : "?");
        }
        lua_rawseti(L, top, ++n);
    }
    return 1;
}

/* cm.factor(key [, year]) -> value, unit, source, year: the reference
** factor in force in 'year' (the latest year not after it; no year: the
** latest value), its year nil when it holds for every year. nil and a
** message when the key has no value that early; an error naming the
** key when it has none at all. */
static int
sbx_cm_factor(lua_State *L)
{
    struct sbx_data      *d = sbx_data_get(L, "cm.factor");
    const char           *key = luaL_checkstring(L, 1);
    int                   has_year = !lua_isnoneornil(L, 2);
    lua_Integer           year = has_year ? luaL_checkinteger(L, 2) : 0;
    struct sbx_cursor    *c = sbx_cursor_new(L, d);
    struct store_sbx_cur *cur = NULL;
    struct cm_err         err;
    int64_t               n, first;
    int                   rc;

    d->L = L;
    rc = store_sbx_factor_open(d->db, key, has_year, year, &cur, &err);
    sbx_cursor_set(L, c, "cm.factor", rc, cur, &err);
    if (sbx_cursor_step(L, c, "cm.factor")) {
        for (int i = 0; i < 4; i++)
            sbx_push_col(L, c->cur, i);
        sbx_cursor_close(c);
        return 4;
    }
    if (store_sbx_factor_years(d->db, key, &n, &first, &err) != CM_OK)
        sbx_data_raise(L, "cm.factor", &err);
    if (n == 0)
        return luaL_error(L,
                          "cm.factor: no reference factor '%s' (cm.factors() "
                          "lists them)",
                          key);
    lua_pushnil(L);
    lua_pushfstring(L,
                    "reference factor '%s' has no value for %I or before "
                    "(its first is for %I)",
                    key, (lua_Integer) year, (lua_Integer) first);
    return 2;
}

/* cm.factors() -> {{key, year, value, unit, energy, source, note}, ...},
** by key then year: the whole reference table. */
static int
sbx_cm_factors(lua_State *L)
{
    static const char *const names[] = {"key",    "year",   "value", "unit",
                                        "energy", "source", "note"};
    struct sbx_data         *d = sbx_data_get(L, "cm.factors");
    struct sbx_cursor       *c = sbx_cursor_new(L, d);
    struct store_sbx_cur    *cur = NULL;
    struct cm_err            err;
    lua_Integer              n = 0;
    int                      rc;

    d->L = L;
    rc = store_sbx_factors_open(d->db, &cur, &err);
    sbx_cursor_set(L, c, "cm.factors", rc, cur, &err);
    lua_newtable(L);
    while (sbx_cursor_step(L, c, "cm.factors")) {
        lua_createtable(L, 0, 7);
        for (int i = 0; i < 7; i++) {
            sbx_push_col(L, c->cur, i);
            lua_setfield(L, -2, names[i]);
        }
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

void
sbx_data_open(lua_State *L, struct store_sbx *db, int64_t rows_max)
{
    static const luaL_Reg fns[] = {
        {"datasets", sbx_cm_datasets}, {"columns", sbx_cm_columns},
        {"rows", sbx_cm_rows},         {"aggregate", sbx_cm_aggregate},
        {"sql", sbx_cm_sql},           {"factor", sbx_cm_factor},
        {"factors", sbx_cm_factors},   {NULL, NULL}};
    struct sbx_data *d;

    luaL_newmetatable(L, SBX_DATA_CURSOR);
    lua_pushcfunction(L, sbx_cursor_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);

    /* The shared state is a userdata without metatable, the functions'
    ** upvalue. */
    d = lua_newuserdatauv(L, sizeof(*d), 0);
    memset(d, 0, sizeof(*d));
    /* Anchored in the registry too: cursors and SQLite's progress
    ** handler point at it even after a script drops 'cm'. */
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "sbx.data");
    d->db = db;
    d->L = L;
    d->rows_max = rows_max;
    if (db)
        store_sbx_progress(db, SBX_DATA_SQL_EVERY, sbx_data_progress, d);
    lua_newtable(L);
    lua_insert(L, -2);
    luaL_setfuncs(L, fns, 1);
    lua_setglobal(L, "cm");
}
