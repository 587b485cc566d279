/*
** test_sbx.c -- the Lua sandbox against hostile scripts. Each case runs
** one script through sbx_run() with small limits (8 MiB, 5M instructions,
** 2 s) and checks the exact code it ends with, and, by carrying on, that
** this process survived it. Then successes: results, stats, determinism.
*/
#include <signal.h>

#include "sbx.h"
#include "../t.h"

#define SRC(s) (s), strlen(s)

struct sbx_case {
    const char   *name;
    const char   *src;
    enum sbx_code code;
    const char   *expect; /* Substring of the result JSON or message */
};

static const struct sbx_case hostile[] = {
    /* CPU: every way to keep running must end. */
    {"plain loop", "while true do end", SBX_INSTRUCTION_LIMIT, NULL},
    {"loop in coroutine",
     "local co = coroutine.create(function() while true do end end)\n"
     "coroutine.resume(co) return 1",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"loop in wrapped coroutine",
     "coroutine.wrap(function() while true do end end)()",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"resume swallows, loop again",
     "while true do\n"
     "  coroutine.resume(coroutine.create(function() while true do end "
     "end))\n"
     "end",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"loop in __index",
     "local t = setmetatable({}, {__index = function() while true do end "
     "end})\nreturn t.x",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"loop in __lt via sort",
     "local mt = {__lt = function() while true do end end}\n"
     "local t = {setmetatable({}, mt), setmetatable({}, mt)}\n"
     "table.sort(t) return 1",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"loop in gsub callback",
     "return (\"abc\"):gsub(\".\", function() while true do end end)",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"pcall swallows, loop again",
     "while true do pcall(function() while true do end end) end",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"pcall swallows, then returns",
     "local ok = pcall(function() while true do end end)\nreturn ok",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"xpcall handler loops after the limit",
     "xpcall(function() while true do end end,\n"
     "       function() while true do end end)",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"xpcall handler loops on an error",
     "xpcall(function() error('x') end, function() while true do end end)",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"__close loops while unwinding",
     "do local x <close> = setmetatable({}, {__close = function()\n"
     "  while true do end end})\n  while true do end\nend",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"__close in a killed coroutine",
     "local f = coroutine.wrap(function()\n"
     "  local x <close> = setmetatable({}, {__close = function()\n"
     "    while true do end end})\n  while true do end end)\n"
     "pcall(f) return 1",
     SBX_INSTRUCTION_LIMIT, NULL},
    {"table.move over 2^62 slots", "table.move({}, 1, 1 << 62, 1)",
     SBX_INSTRUCTION_LIMIT, NULL},
    /* Finalizers and weak tables. */
    {"__gc finalizer",
     "setmetatable({}, {__gc = function() while true do end end})",
     SBX_FORBIDDEN, "__gc"},
    {"__gc refused inside pcall",
     "pcall(setmetatable, {}, {__gc = true}) return 1", SBX_FORBIDDEN, "__gc"},
    {"weak table", "setmetatable({}, {__mode = 'k'})", SBX_FORBIDDEN, "__mode"},
    /* Memory. */
    {"string.rep huge", "return #string.rep('x', 1e9)", SBX_MEMORY_LIMIT, NULL},
    {"string.rep with huge separator", "return ('x'):rep(1e6, ('y'):rep(100))",
     SBX_MEMORY_LIMIT, NULL},
    {"doubling concatenation", "local s = 'x' while true do s = s .. s end",
     SBX_MEMORY_LIMIT, NULL},
    {"table growth",
     "local t = {} local i = 0\nwhile true do i = i + 1 t[i] = {} end",
     SBX_MEMORY_LIMIT, NULL},
    {"memory error swallowed by pcall",
     "local t = {}\nwhile true do pcall(function() t[#t + 1] = "
     "('x'):rep(1e5) .. #t end) end",
     SBX_MEMORY_LIMIT, NULL},
    {"deep recursion", "local function f(n) return f(n + 1) + 1 end\nf(1)",
     SBX_MEMORY_LIMIT, NULL},
    {"C stack through nested __index",
     "local t = setmetatable({}, {__index = function(t, k) return t[k] "
     "end})\nreturn t.x",
     SBX_RUNTIME_ERROR, "stack overflow"},
    {"C stack through nested coroutines",
     "local function f() return coroutine.wrap(f)() end\nreturn f()",
     SBX_RUNTIME_ERROR, "script:1:"},
    /* C calls the hook cannot interrupt. */
    {"pattern .-.-.-.-.-.-.-b",
     "return string.find(string.rep('a', 1e5), '.-.-.-.-.-.-.-b')",
     SBX_INSTRUCTION_LIMIT, "pattern"},
    {"pattern a?^50 a^50",
     "return string.find(string.rep('a', 50), string.rep('a?', 50) .. "
     "string.rep('a', 50))",
     SBX_INSTRUCTION_LIMIT, "pattern"},
    {"gmatch exponential", "for w in ('a'):rep(5000):gmatch('a*a*a*b') do end",
     SBX_INSTRUCTION_LIMIT, "pattern"},
    {"quadratic find killed at the deadline",
     "return string.find(string.rep('a', 4e5), 'a-b')", SBX_TIME_LIMIT, NULL},
    {"unpack too many", "return select('#', table.unpack({}, 1, 1e7))",
     SBX_RUNTIME_ERROR, "unpack"},
    /* Escapes. */
    {"load of bytecode", "return load('\\27Lua\\84\\0')", SBX_FORBIDDEN,
     "binary"},
    {"load with a reader function", "return load(function() return nil end)",
     SBX_FORBIDDEN, "string"},
    {"string.dump", "return string.dump(function() end)", SBX_RUNTIME_ERROR,
     "dump"},
    {"(''):dump", "return (''):dump()", SBX_RUNTIME_ERROR, "dump"},
    {"string metatable __index", "getmetatable('').__index = {}", SBX_FORBIDDEN,
     "string metatable"},
    {"setmetatable on the string metatable",
     "setmetatable(getmetatable(''), nil)", SBX_FORBIDDEN, "string metatable"},
    {"setmetatable on a string", "setmetatable('', {})", SBX_RUNTIME_ERROR,
     "table expected"},
    {"os.execute", "return os.execute('id')", SBX_RUNTIME_ERROR, "execute"},
    {"io.open", "return io.open('/etc/passwd')", SBX_RUNTIME_ERROR, "io"},
    {"require", "return require('os')", SBX_RUNTIME_ERROR, "require"},
    {"debug through _ENV", "local e = _ENV return e.debug.getinfo(1)",
     SBX_RUNTIME_ERROR, "debug"},
    {"package through _G", "return _G.package.loadlib", SBX_RUNTIME_ERROR,
     "package"},
    {"collectgarbage stop", "collectgarbage('stop')", SBX_FORBIDDEN,
     "collectgarbage"},
    {"randomseed from the clock", "math.randomseed()", SBX_RUNTIME_ERROR,
     "randomseed"},
    {"error with a looping __tostring",
     "error(setmetatable({}, {__tostring = function() while true do end "
     "end}))",
     SBX_RUNTIME_ERROR, "table value"},
    /* Output. */
    {"too many rows", "local t = {} for i = 1, 200000 do t[i] = i end return t",
     SBX_OUTPUT_LIMIT, "lua.output_rows"},
    {"too many bytes", "return ('x'):rep(2e6)", SBX_OUTPUT_LIMIT,
     "lua.output_bytes"},
    {"function", "return print or function() end", SBX_INVALID_OUTPUT,
     "function"},
    {"cycle", "local t = {} t.self = t return t", SBX_INVALID_OUTPUT, "cyclic"},
    {"NaN", "return {x = 0/0}", SBX_INVALID_OUTPUT, "NaN"},
    {"infinity", "return {1/0}", SBX_INVALID_OUTPUT, "infinity"},
    {"mixed keys", "return {1, 2, x = 3}", SBX_INVALID_OUTPUT, "keys"},
    {"sparse array", "return {1, nil, 3}", SBX_INVALID_OUTPUT, "keys"},
    {"coroutine", "return coroutine.create(print or type)", SBX_INVALID_OUTPUT,
     "thread"},
    {"too deep", "local t = {} for i = 1, 100 do t = {t} end return t",
     SBX_INVALID_OUTPUT, "deeper"},
    /* Errors and their lines. */
    {"syntax error", "local x = 1\nreturn x +", SBX_SYNTAX_ERROR, "near"},
    {"binary script", "\033Lua", SBX_FORBIDDEN, "binary"},
    {"runtime error", "local x\n\nreturn x.y", SBX_RUNTIME_ERROR,
     "index a nil"},
};

static void
limits_small(struct sbx_limits *lim)
{
    sbx_limits_default(lim);
    lim->memory_bytes = 8 << 20;
    lim->instructions = 5000000;
    lim->timeout_ms = 15000; /* Only time_limit cases set it short */
    lim->output_bytes = 1 << 20;
    lim->clock = 1700000000;
}

static void
run_case(const struct sbx_case *c, const struct sbx_limits *lim)
{
    struct sbx_result res;
    enum sbx_code     code = sbx_run(c->src, strlen(c->src), lim, &res);

    if (code != c->code) {
        fprintf(stderr, "case '%s': got %s (%s, line %d), want %s\n", c->name,
                sbx_code_name(code), res.message, res.line,
                sbx_code_name(c->code));
        exit(1);
    }
    ASSERT_EQ(res.code, code);
    if (c->expect)
        ASSERT_CONTAINS(code == SBX_OK ? res.json : res.message, c->expect);
    sbx_result_clear(&res);
}

static void
test_hostile(void)
{
    struct sbx_limits lim;
    size_t            n = sizeof(hostile) / sizeof(hostile[0]);

    limits_small(&lim);
    ASSERT(n >= 30);
    for (size_t i = 0; i < n; i++) {
        /* The deadline case would take the whole 2 s: give it less. */
        lim.timeout_ms = hostile[i].code == SBX_TIME_LIMIT ? 500 : 15000;
        run_case(&hostile[i], &lim);
    }
}

/*
** Unmetered runs (lua.instructions 0: no count hook, a timer arms it):
** every script that the instruction budget stops must still be stopped,
** now by the deadline, whatever it hides in (coroutines, metamethods,
** callbacks, pcall loops); and a normal script runs to its result.
*/
static void
test_unmetered(void)
{
    struct sbx_limits lim;
    struct sbx_result res;
    size_t            n = sizeof(hostile) / sizeof(hostile[0]), tried = 0;

    limits_small(&lim);
    lim.instructions = 0;
    for (size_t i = 0; i < n; i++) {
        enum sbx_code code;

        if (hostile[i].code != SBX_INSTRUCTION_LIMIT)
            continue;
        lim.timeout_ms = 300;
        code = sbx_run(SRC(hostile[i].src), &lim, &res);
        /* A pattern whose worst case is refused before matching (the hook
        ** cannot fire inside the matcher) is refused either way. */
        if (code != SBX_TIME_LIMIT && !(code == SBX_INSTRUCTION_LIMIT &&
                                        strstr(res.message, "backtrack"))) {
            fprintf(stderr, "unmetered '%s': got %s (%s)\n", hostile[i].name,
                    sbx_code_name(code), res.message);
            exit(1);
        }
        sbx_result_clear(&res);
        tried++;
    }
    ASSERT(tried >= 10);
    lim.timeout_ms = 15000;
    ASSERT_EQ(sbx_run(SRC("local n = 0 for i = 1, 1e6 do n = n + i end "
                          "return n"),
                      &lim, &res),
              SBX_OK);
    ASSERT_STREQ(res.json, "500000500000");
    ASSERT_EQ(res.instructions, 0);
    sbx_result_clear(&res);
}

static char *
run_ok(const char *src, const struct sbx_limits *lim, struct sbx_result *res)
{
    if (sbx_run(src, strlen(src), lim, res) != SBX_OK) {
        fprintf(stderr, "'%s': %s: %s (line %d)\n", src,
                sbx_code_name(res->code), res->message, res->line);
        exit(1);
    }
    return res->json;
}

static void
test_results(void)
{
    struct sbx_limits lim;
    struct sbx_result res;
    char             *env;

    limits_small(&lim);
    ASSERT_STREQ(
        run_ok("return {b = {1, 2.5, 'x'}, a = true, c = {}}", &lim, &res),
        "{\"a\":true,\"b\":[1,2.5,\"x\"],\"c\":[]}");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("return nil", &lim, &res), "null");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("return 'caf\\u{E9}', 2", &lim, &res),
                 "\"caf\xc3\xa9\"");
    sbx_result_clear(&res);
    /* The C-call guards answer at once instead of looping. */
    ASSERT_STREQ(run_ok("return #string.rep('', math.maxinteger)", &lim, &res),
                 "0");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("return load('return 1 + 1')()", &lim, &res), "2");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("return select(2, load('return +'))", &lim, &res),
                 "\"[string \\\"return +\\\"]:1: unexpected symbol near '+'\"");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("local n = 0\n"
                        "for _, k in ipairs({'io', 'os', 'debug', 'package', "
                        "'require', 'dofile', 'loadfile', 'print'}) do\n"
                        "  if rawget(_G, k) == nil and rawget(_ENV, k) == nil "
                        "then n = n + 1 end\n"
                        "end return n",
                        &lim, &res),
                 "7"); /* All but os, which is the pure-time one */
    sbx_result_clear(&res);
    /* A near-full budget of garbage does not make string.rep refuse. */
    ASSERT_STREQ(run_ok("for i = 1, 40 do local s = ('x'):rep(1 << 20) end\n"
                        "return #('y'):rep(3 << 20)",
                        &lim, &res),
                 "3145728");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("return collectgarbage('count') > 0", &lim, &res),
                 "true");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("return ('%5.1f'):format(3.14159):upper()", &lim, &res),
                 "\"  3.1\"");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("local ok, e = pcall(error, 'boom', 0)\n"
                        "return {ok = ok, e = e}",
                        &lim, &res),
                 "{\"e\":\"boom\",\"ok\":false}");
    sbx_result_clear(&res);
    ASSERT_STREQ(run_ok("local co = coroutine.wrap(function(a)\n"
                        "  local b = coroutine.yield(a + 1) return b * 2 end)\n"
                        "return {co(1), co(10)}",
                        &lim, &res),
                 "[2,20]");
    sbx_result_clear(&res);

    /* Exactly what is reachable. */
    env = run_ok("local names = {}\n"
                 "for k in pairs(_G) do names[#names + 1] = k end\n"
                 "for _, lib in ipairs({'string', 'table', 'os', "
                 "'coroutine'}) do\n"
                 "  for k in pairs(_G[lib]) do names[#names + 1] = lib .. "
                 "'.' .. k end\n"
                 "end\n"
                 "table.sort(names) return table.concat(names, ' ')",
                 &lim, &res);
    ASSERT(strstr(env, " io ") == NULL && strstr(env, "debug") == NULL &&
           strstr(env, "package") == NULL && strstr(env, "require") == NULL &&
           strstr(env, "dofile") == NULL && strstr(env, "loadfile") == NULL &&
           strstr(env, "string.dump") == NULL &&
           strstr(env, "coroutine.close") == NULL &&
           strstr(env, "os.execute") == NULL &&
           strstr(env, "os.getenv") == NULL && strstr(env, "os.exit") == NULL);
    ASSERT_CONTAINS(env, "os.clock os.date os.difftime os.time");
    sbx_result_clear(&res);
}

static void
test_stats_and_lines(void)
{
    struct sbx_limits lim;
    struct sbx_result res;
    char             *json;

    limits_small(&lim);
    run_ok("local s = 0 for i = 1, 100000 do s = s + i end return s", &lim,
           &res);
    ASSERT_STREQ(res.json, "5000050000");
    ASSERT(res.instructions >= 100000 && res.instructions < 1000000);
    ASSERT(res.memory_peak > 0 && res.memory_peak < (8 << 20));
    ASSERT(res.wall_ms >= 0 && res.wall_ms < 2000);
    json = sbx_result_json(&res);
    ASSERT_CONTAINS(json,
                    "{\"result\":5000050000,\"stats\":{\"instructions\":");
    ASSERT_CONTAINS(json, "\"memory_peak_bytes\":");
    ASSERT_CONTAINS(json, "\"wall_ms\":");
    free(json);
    sbx_result_clear(&res);

    ASSERT_EQ(sbx_run(SRC("local x = 1\nreturn x +"), &lim, &res),
              SBX_SYNTAX_ERROR);
    ASSERT_EQ(res.line, 2);
    json = sbx_result_json(&res);
    ASSERT_CONTAINS(json, "{\"error\":{\"code\":\"syntax_error\",\"message\":");
    ASSERT_CONTAINS(json, "\"line\":2}}");
    free(json);

    ASSERT_EQ(sbx_run(SRC("local t = {}\n\nerror({})"), &lim, &res),
              SBX_RUNTIME_ERROR);
    ASSERT_EQ(res.line, 3);
    ASSERT_EQ(sbx_run(SRC("local x\n\n\nwhile true do x = 1 end"), &lim, &res),
              SBX_INSTRUCTION_LIMIT);
    ASSERT_EQ(res.line, 4);
    ASSERT_EQ(sbx_run(SRC("\n\nsetmetatable({}, {__gc = 1})"), &lim, &res),
              SBX_FORBIDDEN);
    ASSERT_EQ(res.line, 3);
    ASSERT_EQ(sbx_run(SRC("return {}"), &lim, &res), SBX_OK);
    sbx_result_clear(&res);

    /* A killed worker has no line, and a time limit says which setting. */
    lim.timeout_ms = 300;
    ASSERT_EQ(sbx_run(SRC("return ('a'):rep(4e5):find('a-b')"), &lim, &res),
              SBX_TIME_LIMIT);
    ASSERT_EQ(res.line, 0);
    ASSERT_CONTAINS(res.message, "lua.timeout_ms");
    json = sbx_result_json(&res);
    ASSERT_CONTAINS(json, "\"line\":null");
    free(json);
}

static void
test_time_limit_in_hook(void)
{
    struct sbx_limits lim;
    struct sbx_result res;

    limits_small(&lim);
    lim.instructions = 2000000000;
    lim.timeout_ms = 300;
    ASSERT_EQ(sbx_run(SRC("while true do end"), &lim, &res), SBX_TIME_LIMIT);
    ASSERT_EQ(res.line, 1); /* Stopped by the hook, not killed */
    ASSERT(res.wall_ms >= 250 && res.wall_ms < 1500);
}

static void
test_isolation_and_determinism(void)
{
    struct sbx_limits lim;
    struct sbx_result a, b;
    const char       *rnd = "local t = {} for i = 1, 8 do t[i] = "
                            "math.random(1000000) end return t";

    limits_small(&lim);
    run_ok("leaked = 42 string.upper = nil return true", &lim, &a);
    sbx_result_clear(&a);
    ASSERT_STREQ(run_ok("return {leaked == nil, ('x'):upper()}", &lim, &a),
                 "[true,\"X\"]");
    sbx_result_clear(&a);

    run_ok(rnd, &lim, &a);
    run_ok(rnd, &lim, &b);
    ASSERT_STREQ(a.json, b.json);
    sbx_result_clear(&a);
    sbx_result_clear(&b);

    ASSERT_STREQ(run_ok("return {os.time(), os.date('!%Y-%m-%d %H:%M'),\n"
                        "  os.time({year = 2024, month = 1, day = 1, hour = "
                        "12}) > 0}",
                        &lim, &a),
                 "[1700000000,\"2023-11-14 22:13\",true]");
    sbx_result_clear(&a);
    ASSERT_STREQ(run_ok("return os.clock() == os.clock()", &lim, &a), "true");
    sbx_result_clear(&a);
}

int
main(void)
{
    /* The parent must survive with the default dispositions too. */
    signal(SIGPIPE, SIG_DFL);
    RUN(test_hostile);
    RUN(test_unmetered);
    RUN(test_results);
    RUN(test_stats_and_lines);
    RUN(test_time_limit_in_hook);
    RUN(test_isolation_and_determinism);
    return 0;
}
