/*
** sbx_lib.c -- the Lua side of the sandbox, run inside a worker process:
** a fresh lua_State with a byte-budgeted allocator, one count hook whose
** instruction budget and deadline are shared by every coroutine, and a
** reviewed whitelist of the standard library. Once any limit trips, the
** stop is sticky: the hook raises at every instruction, and each place
** that could swallow an error (pcall, xpcall, coroutine.resume/wrap, load)
** raises it again, so the run ends with that limit's code.
**
** Lua 5.4.4 (Debian) traps handled here: 'osize' is a type tag when ptr is
** NULL; xpcall message handlers and __gc run with hooks off (handlers are
** wrapped, __gc is refused); a coroutine killed by the hook keeps hooks
** off, so there is no coroutine.close and wrap never resets a thread;
** __mode is refused (use-after-free in luaV_finishset under a budget).
*/
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "jw.h"
#include "mem.h"
#include "sbx.h"

#define SBX_HOOK_EVERY 1000 /* Instructions between two hook calls */
#define SBX_JSON_DEPTH 64   /* Deepest table nesting in a result */
#define SBX_UNPACK_MAX 100000
/* Worst-case backtracking steps a pattern may imply before it is refused:
** about a minute of matching, so the hook (which cannot fire inside the
** matcher) is not left waiting on it. */
#define SBX_PATTERN_STEPS 1e11
#define SBX_CHUNK "=script" /* The script's chunk name: "script:LINE:" */
#define SBX_SEED 0x5eed     /* math.random's seed for every run */
/* Unmetered runs (lua.instructions 0): how often a timer signal arms the
** hook so that it checks the deadline, microseconds. */
#define SBX_TICK_US 5000

struct sbx_state {
    size_t        used, peak, budget; /* Live bytes of the state */
    int64_t       instr, instr_max;   /* Hook count, shared by all threads */
    int64_t       deadline_ms;        /* CLOCK_MONOTONIC */
    int           timeout_ms;         /* For messages */
    int64_t       clock;              /* os.time() */
    enum sbx_code stop;               /* SBX_OK while the run may go on */
    char          stop_msg[256];
    int           stop_line;
    int           err_line;  /* Line of the error that reached the top */
    int           unmetered; /* lua.instructions 0: no count hook */
};

/*
** Unmetered runs. Lua 5.4 takes a slower dispatch path at every
** instruction while a count hook is set, whatever its count, and that is
** most of the sandbox's cost on a compute loop. Without an instruction
** budget, the hook is off, and a timer signal arms it (lua_sethook may be
** called from a signal handler: lua.c does it for SIGINT) on the thread
** that runs, so the deadline is still checked in the script with its
** line; the hook then disarms itself. One run per worker process, so
** these are the process's own.
*/
static lua_State *volatile sbx_main_L, *volatile sbx_running_L;

static struct sbx_state *
sbx_S(lua_State *L)
{
    void *ud;

    lua_getallocf(L, &ud);
    return ud;
}

static void *
sbx_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct sbx_state *s = ud;
    void             *p;

    if (ptr == NULL)
        osize = 0; /* 5.4: osize is then the object's type */
    if (nsize == 0) {
        free(ptr);
        s->used -= osize;
        return NULL;
    }
    /* Refusing makes Lua collect and retry, then raise LUA_ERRMEM. */
    if (nsize > osize && nsize - osize > s->budget - s->used)
        return NULL;
    p = realloc(ptr, nsize);
    if (p == NULL)
        return NULL;
    s->used = s->used - osize + nsize;
    if (s->used > s->peak)
        s->peak = s->used;
    return p;
}

/* The script's current line: the innermost frame of the script chunk. */
static int
sbx_cur_line(lua_State *L)
{
    lua_Debug ar;

    for (int lv = 0; lua_getstack(L, lv, &ar); lv++)
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 &&
            strcmp(ar.source, SBX_CHUNK) == 0)
            return ar.currentline;
    return 0;
}

static void sbx_hook(lua_State *L, lua_Debug *ar);

/* Raise the sticky stop again, and make this thread's hook fire at every
** instruction so nothing it runs afterwards gets far. */
static int
sbx_reraise(lua_State *L)
{
    struct sbx_state *s = sbx_S(L);

    lua_sethook(L, sbx_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, s->stop_msg);
    return lua_error(L);
}

static void sbx_trip(lua_State *L, enum sbx_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the first stop of the run (later ones keep the first). */
static void
sbx_trip(lua_State *L, enum sbx_code code, const char *fmt, ...)
{
    struct sbx_state *s = sbx_S(L);
    va_list           ap;

    if (s->stop != SBX_OK)
        return;
    s->stop = code;
    s->stop_line = sbx_cur_line(L);
    va_start(ap, fmt);
    vsnprintf(s->stop_msg, sizeof(s->stop_msg), fmt, ap);
    va_end(ap);
}

#define SBX_STOP(L, code, ...)                                                 \
    (sbx_trip((L), (code), __VA_ARGS__), sbx_reraise(L))

static void
sbx_trip_memory(lua_State *L)
{
    sbx_trip(L, SBX_MEMORY_LIMIT, "script exceeded lua.memory_mb (%zu bytes)",
             sbx_S(L)->budget);
}

static void
sbx_hook(lua_State *L, lua_Debug *ar)
{
    struct sbx_state *s = sbx_S(L);

    (void) ar;
    if (s->stop == SBX_OK && s->unmetered) {
        if (sbx_now_ms() >= s->deadline_ms)
            SBX_STOP(L, SBX_TIME_LIMIT,
                     "script exceeded lua.timeout_ms (%d ms)", s->timeout_ms);
        lua_sethook(L, NULL, 0, 0); /* Until the next tick arms it */
        return;
    }
    if (s->stop == SBX_OK) {
        s->instr += SBX_HOOK_EVERY;
        if (s->instr > s->instr_max)
            SBX_STOP(L, SBX_INSTRUCTION_LIMIT,
                     "script exceeded lua.instructions (%lld)",
                     (long long) s->instr_max);
        if (sbx_now_ms() >= s->deadline_ms)
            SBX_STOP(L, SBX_TIME_LIMIT,
                     "script exceeded lua.timeout_ms (%d ms)", s->timeout_ms);
        return;
    }
    sbx_reraise(L);
}

/* Charge work a C function does without the hook (table.move, sort). */
static void
sbx_charge(lua_State *L, double steps)
{
    struct sbx_state *s = sbx_S(L);

    if (s->stop != SBX_OK)
        sbx_reraise(L);
    if (steps > (double) (s->instr_max - s->instr))
        SBX_STOP(L, SBX_INSTRUCTION_LIMIT,
                 "script exceeded lua.instructions (%lld)",
                 (long long) s->instr_max);
    s->instr += (int64_t) steps;
    if (sbx_now_ms() >= s->deadline_ms)
        SBX_STOP(L, SBX_TIME_LIMIT, "script exceeded lua.timeout_ms (%d ms)",
                 s->timeout_ms);
}

void
sbx_lua_charge(lua_State *L, double steps)
{
    sbx_charge(L, steps);
}

int
sbx_lua_poll(lua_State *L, int64_t steps)
{
    struct sbx_state *s = sbx_S(L);

    if (s->stop != SBX_OK)
        return 1;
    s->instr += steps;
    if (s->instr > s->instr_max)
        sbx_trip(L, SBX_INSTRUCTION_LIMIT,
                 "script exceeded lua.instructions (%lld)",
                 (long long) s->instr_max);
    else if (sbx_now_ms() >= s->deadline_ms)
        sbx_trip(L, SBX_TIME_LIMIT, "script exceeded lua.timeout_ms (%d ms)",
                 s->timeout_ms);
    return s->stop != SBX_OK;
}

int
sbx_lua_stop(lua_State *L, enum sbx_code code, const char *fmt, ...)
{
    char    msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return SBX_STOP(L, code, "%s", msg);
}

/* Whether 'need' more bytes fit the budget, after collecting the garbage
** if they do not: as the allocator's emergency collection would. */
static int
sbx_room(lua_State *L, double need)
{
    struct sbx_state *s = sbx_S(L);

    if (need <= (double) (s->budget - s->used))
        return 1;
    lua_gc(L, LUA_GCCOLLECT);
    return need <= (double) (s->budget - s->used);
}

/* Call the wrapped original (upvalue 1) with this call's arguments. */
static int
sbx_call_orig(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- base ---- */

static int
sbx_finishpcall(lua_State *L, int status, lua_KContext extra)
{
    struct sbx_state *s = sbx_S(L);

    if (status == LUA_ERRMEM)
        sbx_trip_memory(L);
    if (s->stop != SBX_OK)
        return sbx_reraise(L);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int) extra;
}

static int
sbx_pcall(lua_State *L)
{
    int status;

    if (sbx_S(L)->stop != SBX_OK)
        return sbx_reraise(L);
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    status =
        lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, sbx_finishpcall);
    return sbx_finishpcall(L, status, 0);
}

/* A message handler runs before unwinding, with hooks off when the hook
** raised: once stopped, hand the error on without running script code. */
static int
sbx_msgh_guard(lua_State *L)
{
    if (sbx_S(L)->stop != SBX_OK)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int
sbx_xpcall(lua_State *L)
{
    int n = lua_gettop(L), status;

    if (sbx_S(L)->stop != SBX_OK)
        return sbx_reraise(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, sbx_msgh_guard, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, sbx_finishpcall);
    return sbx_finishpcall(L, status, 2);
}

static int
sbx_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);

    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        /* Any value marks the object for finalization, and the finalizer
        ** is looked up again at collection time: refuse the field. */
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return SBX_STOP(L, SBX_FORBIDDEN,
                            "metatables with __gc are not allowed");
        lua_pop(L, 1);
        lua_pushliteral(L, "__mode");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return SBX_STOP(L, SBX_FORBIDDEN,
                            "weak tables (__mode) are not allowed");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int
sbx_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_type(L, 1) == LUA_TSTRING)
        return SBX_STOP(L, SBX_FORBIDDEN, "the string metatable is protected");
    if (!lua_getmetatable(L, 1)) {
        lua_pushnil(L);
        return 1;
    }
    luaL_getmetafield(L, 1, "__metatable");
    return 1;
}

static int
sbx_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    int         k, b;

    if (strcmp(opt, "count") != 0)
        return SBX_STOP(L, SBX_FORBIDDEN,
                        "collectgarbage(\"%.20s\") is not allowed; only "
                        "\"count\"",
                        opt);
    k = lua_gc(L, LUA_GCCOUNT);
    b = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, (lua_Number) k + ((lua_Number) b / 1024));
    return 1;
}

static int
sbx_load(lua_State *L)
{
    size_t      len;
    const char *chunk, *name;
    int         status;

    if (lua_type(L, 1) != LUA_TSTRING)
        /* A reader function's errors come back as nil, msg: one more way
        ** to swallow a limit, and nothing a script needs. */
        return SBX_STOP(L, SBX_FORBIDDEN, "load accepts only a string");
    chunk = lua_tolstring(L, 1, &len);
    name = luaL_optstring(L, 2, chunk);
    if (len > 0 && chunk[0] == LUA_SIGNATURE[0])
        return SBX_STOP(L, SBX_FORBIDDEN, "binary chunks are not allowed");
    status = luaL_loadbufferx(L, chunk, len, name, "t");
    if (status == LUA_ERRMEM) {
        sbx_trip_memory(L);
        return sbx_reraise(L);
    }
    if (status != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (!lua_isnone(L, 4)) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

/* ---- coroutine: one budget, no hookless close ---- */

static int
sbx_auxresume(lua_State *L, lua_State *co, int narg)
{
    struct sbx_state *s = sbx_S(L);
    int               status, nres;

    if (s->stop != SBX_OK)
        return sbx_reraise(L);
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    {
        lua_State *prev = sbx_running_L;

        sbx_running_L = co;
        status = lua_resume(co, L, narg, &nres);
        sbx_running_L = prev;
    }
    if (status == LUA_ERRMEM)
        sbx_trip_memory(L);
    if (s->stop != SBX_OK)
        return sbx_reraise(L);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static int
sbx_co_create(lua_State *L)
{
    lua_State *co;

    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (sbx_S(L)->stop != SBX_OK)
        return sbx_reraise(L);
    co = lua_newthread(L);
    if (!sbx_S(L)->unmetered)
        lua_sethook(co, sbx_hook, LUA_MASKCOUNT, SBX_HOOK_EVERY);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    return 1;
}

static int
sbx_co_resume(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    int        r;

    luaL_argexpected(L, co, 1, "coroutine");
    r = sbx_auxresume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int
sbx_co_auxwrap(lua_State *L)
{
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int        r = sbx_auxresume(L, co, lua_gettop(L));

    if (r < 0) {
        if (lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return r;
}

static int
sbx_co_wrap(lua_State *L)
{
    sbx_co_create(L);
    lua_pushcclosure(L, sbx_co_auxwrap, 1);
    return 1;
}

/* ---- string: C calls the hook cannot interrupt ---- */

static int
sbx_str_rep(lua_State *L)
{
    struct sbx_state *s = sbx_S(L);
    size_t            l, lsep;
    lua_Integer       n;
    double            total;

    luaL_checklstring(L, 1, &l);
    n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    /* rep("", 2^62) would loop 2^62 times copying nothing. */
    if (n <= 0 || (l == 0 && lsep == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    total = (double) l * (double) n + (double) lsep * (double) (n - 1);
    if (!sbx_room(L, total)) {
        sbx_trip(L, SBX_MEMORY_LIMIT,
                 "string.rep of %.0f bytes exceeds lua.memory_mb (%zu bytes)",
                 total, s->budget);
        return sbx_reraise(L);
    }
    return sbx_call_orig(L);
}

/* Repetition items (x*, x+, x-, x?) of a Lua pattern. */
static int
sbx_pattern_reps(const char *p, size_t n)
{
    size_t i = (n > 0 && p[0] == '^') ? 1 : 0;
    int    q = 0;

    while (i < n) {
        char c = p[i];

        if (c == '(' || c == ')') {
            i++;
            continue;
        }
        if (c == '%' && i + 1 < n && p[i + 1] == 'b') {
            i += 4;
            continue;
        }
        if (c == '%' && i + 1 < n && p[i + 1] == 'f') {
            i += 2;
            c = i < n ? p[i] : 0;
        } else if (c == '%') {
            i += 2;
            goto item;
        }
        if (c == '[') {
            i++;
            if (i < n && p[i] == '^')
                i++;
            if (i < n && p[i] == ']')
                i++;
            while (i < n && p[i] != ']')
                i += p[i] == '%' ? 2 : 1;
            i++;
        } else
            i++;
    item:
        if (i < n && strchr("*+-?", p[i]) != NULL) {
            q++;
            i++;
        }
    }
    return q;
}

/* Refuse a match whose worst case the hook could not interrupt:
** (subject + 1)^(repetitions + 1) backtracking steps, for two or more
** repetitions. One repetition (quadratic at worst) is left to the
** worker's deadline. */
static void
sbx_pattern_check(lua_State *L, int plain_arg)
{
    size_t      ls, lp;
    const char *p;
    int         q;

    luaL_checklstring(L, 1, &ls);
    p = luaL_checklstring(L, 2, &lp);
    if (plain_arg && lua_toboolean(L, plain_arg))
        return;
    q = sbx_pattern_reps(p, lp);
    if (q >= 2 && pow((double) ls + 1, q + 1) > SBX_PATTERN_STEPS)
        SBX_STOP(L, SBX_INSTRUCTION_LIMIT,
                 "pattern with %d repetitions over %zu bytes could "
                 "backtrack beyond lua.instructions",
                 q, ls);
}

static int
sbx_str_find(lua_State *L)
{
    sbx_pattern_check(L, 4);
    return sbx_call_orig(L);
}

static int
sbx_str_match(lua_State *L)
{
    sbx_pattern_check(L, 0);
    return sbx_call_orig(L);
}

/* ---- table: loops in C ---- */

static int
sbx_tab_concat(lua_State *L)
{
    struct sbx_state *s = sbx_S(L);
    size_t            lsep, total = 0;
    lua_Integer       i, j;

    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_optlstring(L, 2, "", &lsep);
    i = luaL_optinteger(L, 3, 1);
    j = lua_isnoneornil(L, 4) ? (lua_Integer) lua_rawlen(L, 1)
                              : luaL_checkinteger(L, 4);
    /* Plain tables only: a proxy's elements come from script code, which
    ** the hook and the allocator already bound. */
    if (!lua_getmetatable(L, 1)) {
        for (lua_Integer k = i; k <= j && total <= s->budget; k++) {
            size_t l = 0;
            int    t = lua_rawgeti(L, 1, k);

            if (t == LUA_TSTRING)
                lua_tolstring(L, -1, &l);
            else if (t == LUA_TNUMBER)
                l = 32;
            lua_pop(L, 1);
            if (t != LUA_TSTRING && t != LUA_TNUMBER)
                break; /* The original reports it */
            total += l + (k < j ? lsep : 0);
            if (k == LUA_MAXINTEGER)
                break;
        }
        if (!sbx_room(L, (double) total)) {
            sbx_trip(L, SBX_MEMORY_LIMIT,
                     "table.concat result exceeds lua.memory_mb (%zu bytes)",
                     s->budget);
            return sbx_reraise(L);
        }
    } else
        lua_pop(L, 1);
    return sbx_call_orig(L);
}

static int
sbx_tab_unpack(lua_State *L)
{
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = lua_isnoneornil(L, 3) ? (lua_Integer) luaL_len(L, 1)
                                          : luaL_checkinteger(L, 3);

    if (i <= e && (lua_Unsigned) e - (lua_Unsigned) i >= SBX_UNPACK_MAX)
        return luaL_error(L, "too many results to unpack (at most %d)",
                          SBX_UNPACK_MAX);
    return sbx_call_orig(L);
}

static int
sbx_tab_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);

    if (e >= f)
        sbx_charge(L, (double) ((lua_Unsigned) e - (lua_Unsigned) f) + 1);
    return sbx_call_orig(L);
}

static int
sbx_tab_sort(lua_State *L)
{
    lua_Integer n;

    luaL_checktype(L, 1, LUA_TTABLE);
    n = luaL_len(L, 1);
    if (n > 1)
        sbx_charge(L, (double) n * log2((double) n));
    return sbx_call_orig(L);
}

/* ---- math, os: deterministic ---- */

static int
sbx_randomseed(lua_State *L)
{
    luaL_checkinteger(L, 1); /* No argument would seed from the clock */
    return sbx_call_orig(L);
}

static int
sbx_os_time(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, sbx_S(L)->clock);
        return 1;
    }
    return sbx_call_orig(L);
}

static int
sbx_os_date(lua_State *L)
{
    if (lua_isnoneornil(L, 2)) {
        luaL_optstring(L, 1, "%c");
        lua_settop(L, 1);
        if (lua_isnil(L, 1)) {
            lua_pop(L, 1);
            lua_pushliteral(L, "%c");
        }
        lua_pushinteger(L, sbx_S(L)->clock);
    }
    return sbx_call_orig(L);
}

/* CPU time would differ run to run: seconds of a nominal 1e8
** instructions a second instead. */
static int
sbx_os_clock(lua_State *L)
{
    lua_pushnumber(L, (lua_Number) sbx_S(L)->instr / 1e8);
    return 1;
}

/* ---- opening the whitelist ---- */

/* Replace t[name] (t at the top of the stack) with f, keeping the
** original as f's upvalue. */
static void
sbx_wrap(lua_State *L, const char *name, lua_CFunction f)
{
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
}

static void
sbx_set(lua_State *L, const char *name, lua_CFunction f)
{
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, name);
}

static void
sbx_drop(lua_State *L, const char *name)
{
    lua_pushnil(L);
    lua_setfield(L, -2, name);
}

static int
sbx_open(lua_State *L)
{
    static const char *const base_drop[] = {"dofile", "loadfile", "print",
                                            "warn"};
    static const char *const co_keep[] = {"yield", "status", "running",
                                          "isyieldable"};

    /* Only these libraries are ever opened: io, os, debug and package
    ** are absent from the registry too, not just from _G. */
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    for (size_t i = 0; i < sizeof(base_drop) / sizeof(base_drop[0]); i++)
        sbx_drop(L, base_drop[i]);
    sbx_set(L, "pcall", sbx_pcall);
    sbx_set(L, "xpcall", sbx_xpcall);
    sbx_set(L, "setmetatable", sbx_setmetatable);
    sbx_set(L, "getmetatable", sbx_getmetatable);
    sbx_set(L, "collectgarbage", sbx_collectgarbage);
    sbx_set(L, "load", sbx_load);
    lua_pop(L, 1);

    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    sbx_drop(L, "dump");
    sbx_wrap(L, "rep", sbx_str_rep);
    sbx_wrap(L, "find", sbx_str_find);
    sbx_wrap(L, "match", sbx_str_match);
    sbx_wrap(L, "gmatch", sbx_str_match);
    sbx_wrap(L, "gsub", sbx_str_match);
    /* Strings share one metatable whose __index is this very table, so
    ** ("").rep is the wrapped one; __metatable hides it from scripts. */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 2);

    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    sbx_wrap(L, "concat", sbx_tab_concat);
    sbx_wrap(L, "unpack", sbx_tab_unpack);
    sbx_wrap(L, "move", sbx_tab_move);
    sbx_wrap(L, "sort", sbx_tab_sort);
    lua_pop(L, 1);

    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, SBX_SEED);
    lua_call(L, 1, 0);
    sbx_wrap(L, "randomseed", sbx_randomseed);
    lua_pop(L, 1);

    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 1);

    /* coroutine: a fresh table, so close and the stock create, resume and
    ** wrap are nowhere a script can reach. */
    lua_pushcfunction(L, luaopen_coroutine);
    lua_call(L, 0, 1);
    lua_newtable(L);
    for (size_t i = 0; i < sizeof(co_keep) / sizeof(co_keep[0]); i++) {
        lua_getfield(L, -2, co_keep[i]);
        lua_setfield(L, -2, co_keep[i]);
    }
    sbx_set(L, "create", sbx_co_create);
    sbx_set(L, "resume", sbx_co_resume);
    sbx_set(L, "wrap", sbx_co_wrap);
    lua_setglobal(L, LUA_COLIBNAME);
    lua_pop(L, 1);

    /* os: pure date/time helpers on the run clock. */
    lua_pushcfunction(L, luaopen_os);
    lua_call(L, 0, 1);
    lua_newtable(L);
    lua_getfield(L, -2, "difftime");
    lua_setfield(L, -2, "difftime");
    lua_getfield(L, -2, "time");
    lua_pushcclosure(L, sbx_os_time, 1);
    lua_setfield(L, -2, "time");
    lua_getfield(L, -2, "date");
    lua_pushcclosure(L, sbx_os_date, 1);
    lua_setfield(L, -2, "date");
    sbx_set(L, "clock", sbx_os_clock);
    lua_setglobal(L, LUA_OSLIBNAME);
    lua_pop(L, 1);

    sbx_data_open(L, lua_touserdata(L, 1), lua_tointeger(L, 2));
    return 0;
}

/* ---- result to JSON: raw access only, no script code runs ---- */

struct sbx_out {
    struct jw               *w;
    const struct sbx_limits *lim;
    const void              *seen[SBX_JSON_DEPTH];
    int                      depth;
    int64_t                  bytes; /* Estimate; checked exactly at the end */
    enum sbx_code            code;
    char                     msg[256];
};

static int
sbx_out_fail(struct sbx_out *o, enum sbx_code code, const char *msg)
{
    if (o->code == SBX_OK) {
        o->code = code;
        snprintf(o->msg, sizeof(o->msg), "%s", msg);
    }
    return -1;
}

struct sbx_key {
    const char *s;
    size_t      len;
};

static int
sbx_key_cmp(const void *a, const void *b)
{
    const struct sbx_key *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int sbx_out_value(lua_State *L, struct sbx_out *o, int idx);

static int
sbx_out_table(lua_State *L, struct sbx_out *o, int idx)
{
    int64_t         n = 0, nint = 0, nstr = 0;
    int             array, rc = 0;
    struct sbx_key *keys;

    for (int d = 0; d < o->depth; d++)
        if (o->seen[d] == lua_topointer(L, idx))
            return sbx_out_fail(o, SBX_INVALID_OUTPUT,
                                "the result contains a cyclic table");
    if (o->depth >= SBX_JSON_DEPTH)
        return sbx_out_fail(o, SBX_INVALID_OUTPUT,
                            "the result nests tables deeper than 64");
    luaL_checkstack(L, 8, "result too deep");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        n++;
        if (lua_type(L, -2) == LUA_TSTRING)
            nstr++;
        else if (lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1)
            nint++;
        lua_pop(L, 1);
    }
    if (n > o->lim->output_rows)
        return sbx_out_fail(o, SBX_OUTPUT_LIMIT,
                            "a table of the result exceeds lua.output_rows");
    array = nstr == 0 && nint == n;
    if (array)
        for (lua_Integer i = 1; i <= n && array; i++) {
            array = lua_rawgeti(L, idx, i) != LUA_TNIL;
            lua_pop(L, 1);
        }
    if (!array && nstr != n)
        return sbx_out_fail(o, SBX_INVALID_OUTPUT,
                            "a table of the result mixes keys that are not "
                            "all strings nor 1..n");
    o->seen[o->depth++] = lua_topointer(L, idx);
    o->bytes += 2 + n;
    if (array) {
        jw_arr_open(o->w);
        for (lua_Integer i = 1; i <= n && rc == 0; i++) {
            lua_rawgeti(L, idx, i);
            rc = sbx_out_value(L, o, lua_gettop(L));
            lua_pop(L, 1);
        }
        jw_arr_close(o->w);
        o->depth--;
        return rc;
    }
    /* Sorted keys: pairs order changes with the per-state hash seed. */
    keys = malloc(sizeof(*keys) * (size_t) (n ? n : 1));
    if (keys == NULL)
        return sbx_out_fail(o, SBX_MEMORY_LIMIT, "out of memory");
    n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        /* Borrowed: the table keeps the key alive while we write. */
        keys[n].s = lua_tolstring(L, -2, &keys[n].len);
        n++;
        lua_pop(L, 1);
    }
    qsort(keys, (size_t) n, sizeof(*keys), sbx_key_cmp);
    jw_obj_open(o->w);
    for (int64_t i = 0; i < n && rc == 0; i++) {
        if (strlen(keys[i].s) != keys[i].len) {
            rc = sbx_out_fail(o, SBX_INVALID_OUTPUT,
                              "a key of the result contains a NUL byte");
            break;
        }
        o->bytes += (int64_t) keys[i].len + 4;
        jw_key(o->w, keys[i].s);
        lua_pushlstring(L, keys[i].s, keys[i].len);
        lua_rawget(L, idx);
        rc = sbx_out_value(L, o, lua_gettop(L));
        lua_pop(L, 1);
    }
    jw_obj_close(o->w);
    free(keys);
    o->depth--;
    return rc;
}

static int
sbx_out_value(lua_State *L, struct sbx_out *o, int idx)
{
    size_t      len;
    const char *s;
    double      d;

    if (o->bytes > o->lim->output_bytes)
        return sbx_out_fail(o, SBX_OUTPUT_LIMIT,
                            "the result exceeds lua.output_bytes");
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        jw_null(o->w);
        o->bytes += 4;
        return 0;
    case LUA_TBOOLEAN:
        jw_bool(o->w, lua_toboolean(L, idx));
        o->bytes += 5;
        return 0;
    case LUA_TNUMBER:
        o->bytes += 24;
        if (lua_isinteger(L, idx)) {
            jw_int(o->w, lua_tointeger(L, idx));
            return 0;
        }
        d = lua_tonumber(L, idx);
        if (!isfinite(d))
            return sbx_out_fail(o, SBX_INVALID_OUTPUT,
                                "the result contains NaN or an infinity");
        jw_double(o->w, d);
        return 0;
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        o->bytes += (int64_t) len + 2;
        if (o->bytes > o->lim->output_bytes)
            return sbx_out_fail(o, SBX_OUTPUT_LIMIT,
                                "the result exceeds lua.output_bytes");
        jw_strn(o->w, s, len);
        return 0;
    case LUA_TTABLE:
        return sbx_out_table(L, o, idx);
    default:
        return sbx_out_fail(o, SBX_INVALID_OUTPUT,
                            lua_type(L, idx) == LUA_TFUNCTION
                                ? "the result contains a function"
                                : "the result contains a value JSON cannot "
                                  "represent (userdata or thread)");
    }
}

/* Protected, since lua_pushlstring may hit the budget. */
static int
sbx_out_run(lua_State *L)
{
    struct sbx_out *o = lua_touserdata(L, 1);

    sbx_out_value(L, o, 2);
    return 0;
}

/* Capture the line where an error reaching the top was raised; runs
** before unwinding, C only. */
static int
sbx_msgh(lua_State *L)
{
    sbx_S(L)->err_line = sbx_cur_line(L);
    return 1;
}

static void
sbx_fail(struct sbx_outcome *out, enum sbx_code code, int line, const char *msg)
{
    out->code = code;
    out->line = line;
    snprintf(out->message, sizeof(out->message), "%s", msg);
}

/* An error object as text, without calling __tostring. "script:N: m"
** gives N as *line and m as the message. */
static void
sbx_error_text(lua_State *L, int idx, char *buf, size_t size, int *line)
{
    const char *m = NULL, *p;
    size_t      pre = sizeof(SBX_CHUNK) - 2; /* "script" without '=' */

    if (lua_type(L, idx) == LUA_TSTRING)
        m = lua_tostring(L, idx);
    else if (lua_type(L, idx) == LUA_TNUMBER) {
        if (lua_isinteger(L, idx))
            snprintf(buf, size, "%lld", (long long) lua_tointeger(L, idx));
        else
            snprintf(buf, size, "%.17g", lua_tonumber(L, idx));
        return;
    } else {
        snprintf(buf, size, "(error object is a %s value)",
                 luaL_typename(L, idx));
        return;
    }
    if (strncmp(m, &SBX_CHUNK[1], pre) == 0 && m[pre] == ':') {
        long n = strtol(m + pre + 1, (char **) &p, 10);

        if (p != m + pre + 1 && *p == ':') {
            if (*line == 0)
                *line = (int) n;
            m = p + 1 + (p[1] == ' ');
        }
    }
    snprintf(buf, size, "%s", m);
}

static void
sbx_tick(int sig)
{
    lua_State *T = sbx_running_L ? sbx_running_L : sbx_main_L;

    (void) sig;
    if (T != NULL)
        lua_sethook(T, sbx_hook, LUA_MASKCOUNT, 1);
}

static void
sbx_tick_start(lua_State *L)
{
    struct sigaction sa;
    struct itimerval it = {{0, SBX_TICK_US}, {0, SBX_TICK_US}};

    sbx_main_L = L;
    sbx_running_L = NULL;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sbx_tick;
    sa.sa_flags = SA_RESTART; /* SQLite's reads must not see EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
}

static void
sbx_tick_stop(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};

    setitimer(ITIMER_REAL, &off, NULL);
    sbx_main_L = sbx_running_L = NULL;
}

void
sbx_lua_run(const char *src, size_t len, const struct sbx_limits *lim,
            int64_t deadline_ms, struct store_sbx *db, const char *db_error,
            struct sbx_outcome *out)
{
    struct sbx_state s = {0};
    struct sbx_out   o = {0};
    lua_State       *L;
    char             msg[512];
    int              status, line = 0;
    const char      *buf;
    size_t           blen;
    struct cm_err    err;

    s.budget = (size_t) lim->memory_bytes;
    s.unmetered = lim->instructions == 0;
    s.instr_max = s.unmetered ? INT64_MAX : lim->instructions;
    s.deadline_ms = deadline_ms;
    s.timeout_ms = lim->timeout_ms;
    s.clock = lim->clock ? lim->clock : (int64_t) time(NULL);
    out->code = SBX_OK;

    L = lua_newstate(sbx_alloc, &s);
    if (L == NULL) {
        sbx_fail(out, SBX_MEMORY_LIMIT, 0, "lua.memory_mb is too small");
        return;
    }
    if (db_error != NULL) {
        /* Asked for data that cannot be read: say so before running. */
        sbx_fail(out, SBX_RUNTIME_ERROR, 0, db_error);
        goto done;
    }
    lua_pushcfunction(L, sbx_open);
    lua_pushlightuserdata(L, db);
    lua_pushinteger(L, (lua_Integer) lim->output_rows);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        sbx_fail(out, SBX_MEMORY_LIMIT, 0,
                 "lua.memory_mb is too small for the library");
        goto done;
    }
    if (len > 0 && src[0] == LUA_SIGNATURE[0]) {
        sbx_fail(out, SBX_FORBIDDEN, 0, "binary chunks are not allowed");
        goto done;
    }
    status = luaL_loadbufferx(L, src, len, SBX_CHUNK, "t");
    if (status != LUA_OK) {
        sbx_error_text(L, -1, msg, sizeof(msg), &line);
        sbx_fail(out,
                 status == LUA_ERRMEM ? SBX_MEMORY_LIMIT : SBX_SYNTAX_ERROR,
                 line, msg);
        goto done;
    }
    if (lim->compile_only) {
        out->json = cm_strndup("true", 4);
        out->json_len = 4;
        goto done;
    }
    lua_pushcfunction(L, sbx_msgh);
    lua_insert(L, -2);
    if (s.unmetered)
        sbx_tick_start(L);
    else
        lua_sethook(L, sbx_hook, LUA_MASKCOUNT, SBX_HOOK_EVERY);
    status = lua_pcall(L, 0, 1, 1);
    if (s.unmetered)
        sbx_tick_stop();
    lua_sethook(L, NULL, 0, 0);
    if (s.stop != SBX_OK) {
        sbx_fail(out, s.stop, s.stop_line, s.stop_msg);
        goto done;
    }
    if (status == LUA_ERRMEM) {
        snprintf(msg, sizeof(msg), "script exceeded lua.memory_mb (%zu bytes)",
                 s.budget);
        sbx_fail(out, SBX_MEMORY_LIMIT, s.err_line, msg);
        goto done;
    }
    if (status != LUA_OK) {
        line = s.err_line;
        sbx_error_text(L, -1, msg, sizeof(msg), &line);
        sbx_fail(out, SBX_RUNTIME_ERROR, line, msg);
        goto done;
    }

    o.w = jw_new();
    o.lim = lim;
    lua_pushcfunction(L, sbx_out_run);
    lua_pushlightuserdata(L, &o);
    lua_pushvalue(L, -3);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
        sbx_out_fail(&o, SBX_MEMORY_LIMIT,
                     "script exceeded lua.memory_mb while its result was "
                     "written");
    if (o.code == SBX_OK && jw_result(o.w, &buf, &blen, &err) != CM_OK)
        sbx_out_fail(&o, SBX_INVALID_OUTPUT, err.msg);
    if (o.code == SBX_OK && (int64_t) blen > lim->output_bytes)
        sbx_out_fail(&o, SBX_OUTPUT_LIMIT,
                     "the result exceeds lua.output_bytes");
    if (o.code != SBX_OK)
        sbx_fail(out, o.code, 0, o.msg);
    else {
        out->json = malloc(blen + 1);
        if (out->json == NULL)
            sbx_fail(out, SBX_MEMORY_LIMIT, 0, "out of memory");
        else {
            memcpy(out->json, buf, blen);
            out->json[blen] = '\0';
            out->json_len = blen;
        }
    }
    jw_free(o.w);
done:
    out->instructions = s.instr;
    out->memory_peak = (int64_t) s.peak;
    /* No lua_close: the worker exits now, and closing would run __close
    ** and collection work after the limits are off. */
}
