#!/usr/bin/env bash
#
# tests/bench/lua.sh -- the speed figures of issue 5 (the Lua sandbox):
# what the sandbox costs on a compute loop and to start a run, each beside
# a peer baseline measured in the same run on the same machine.
#
# Measures, in one run:
#   - a Release build (build-bench-lua/ at the repo root, incremental) of
#     consometer and of the cm_core static library;
#   1. sandbox overhead on a pure-Lua compute loop: one Lua file, valid
#      both for the sandbox (no print: it returns its result) and for a
#      plain interpreter, doing a spectral norm (N=650: function calls,
#      float arithmetic, array reads and writes) then a sieve of
#      Eratosthenes (4,000,000: integer loops, writes to a large table),
#      about 350 million VM instructions. Timed as `consometer lua run
#      --memory-mb 256 --instructions 2000000000 --timeout-ms 60000 FILE`
#      (the whole process: fork, worker, JSON answer) against `lua5.4
#      drv.lua FILE`, where drv.lua is `print((dofile(arg[1])))`. Both
#      results must be the same text. With hyperfine: 1 warm-up then RUNS
#      runs of each (-N, no shell), the ratio on the fastest run (median
#      shown too); without: best of RUNS, timed with $EPOCHREALTIME.
#      Target: overhead under 10 %. The sandbox's own figures come from
#      one more run's stats (instructions, counted by the hook in steps of
#      1000, memory peak, wall_ms from fork to reap). The same loop
#      unmetered (--instructions 0: no count hook; a timer checks the
#      deadline), against the same target. For information, the
#      same file in lua5.4 under the same kind of count hook the sandbox
#      sets (debug.sethook every 1000 instructions, empty function): Lua
#      5.4 takes its slow, hook-checking dispatch path at every
#      instruction while a count hook is on, whatever the count;
#   2. the cost of starting a sandboxed run, for `return 1`:
#      a. `consometer lua run one.lua`, START_RUNS processes (hyperfine -N,
#         or a loop), per run: process start of the CLI, configuration,
#         fork of the worker, the Lua state, the answer, process exit;
#         beside `lua5.4 -e 'return 1'` (a process starting a Lua state).
#         Information, not the target: process start is not sandbox start;
#      b. the mean of stats.wall_ms over those CLI runs: the fork-to-reap
#         time the sandbox itself reports (whole ms, so a mean of coarse
#         values);
#      c. the precise figure: a small C program (written below, compiled
#         here with cc against build-bench-lua/libcm_core.a) calling
#         sbx_run() IN_RUNS times in one process (after 20 warm-ups),
#         each call timed with CLOCK_MONOTONIC: min, median and mean in
#         microseconds. Target: median under 1 ms. Baselines in the same
#         program: fork + _exit + waitpid (the floor of any forked
#         worker) and, in process, luaL_newstate + luaL_openlibs + run
#         `return 1` + lua_close (a fresh state without a process). Then,
#         for information, sbx_run again once the program holds PARENT_MB
#         (default 256) MiB of touched heap, as a busy server would (a
#         worker is posix_spawn'ed and exec'd, so this should not grow
#         with the caller);
#      d. the start the run daemon gives a run: a worker spawned ahead
#         (exec'd, store open, rights dropped), timed from the write of
#         the script to its whole answer, and to the worker reaped.
#         Target: median under 1 ms;
#   3. a grouped sum over AGG_ROWS (10 million) published observations:
#      `cm.aggregate(slug, {by = {'territory'}, fn = 'sum'})` in a script
#      run by `consometer lua run --db STORE --instructions 2000000000
#      --timeout-ms 3600000` (whole process; cm.aggregate reads the
#      version once in primary-key order and groups in C), against the
#      GROUP BY anyone would write (SELECT territory, sum(value) FROM
#      observation WHERE version = ?1 GROUP BY territory ORDER BY
#      territory) in the sqlite3 shell on the same store file;
#      best of AGG_RUNS runs each, in turns, the results compared (groups,
#      total, largest group). Target: at most 1.5x. The store: `consometer
#      migrate`, then one dataset, one version (dataset.latest pointing to
#      it) and AGG_ROWS observations inserted by sqlite3 (recursive CTE;
#      the observation indexes dropped, then created again from their own
#      SQL, so the schema stays the migrations'), in the publisher's row
#      order: period-major, AGG_SITES territories (1000) within each
#      hour. Kept in build-bench-lua/ (bench-agg-ROWS.db, ~1.5 GB for 10M;
#      delete it to rebuild) and brought up to date by `consometer
#      migrate` at each run. For information: the query plan SQLite
#      chooses, the run's stats beside the default lua.timeout_ms and
#      lua.instructions, sqlite3 on the same query with `GROUP BY
#      +territory` (which forbids the index for the grouping: a scan of
#      the version's primary-key range and a sort), and the same sum
#      written in Lua over cm.rows (the cost of handing every row to Lua);
#   4. runs/s of a trivial script through the HTTP API: tests/bench/
#      lua_http.sh with this build (skipped when absent; a failure is
#      reported in the table, not fatal), beside `consometer lua run`
#      processes per second.
# Then a final table: figure, consometer, baseline, ratio, target.
#
# Run:   bash tests/bench/lua.sh               (from any directory; ~10 min,
#                                               more the first time, which
#                                               builds the 10M store)
#        QUICK=1 bash tests/bench/lua.sh       (smoke run: a smaller loop,
#                                               fewer runs, 1M observations;
#                                               ~1 min)
#        RUNS=10 START_RUNS=500 IN_RUNS=5000 PARENT_MB=1024 AGG_RUNS=5 \
#            bash tests/bench/lua.sh           (more samples)
#        AGG_ROWS=0 HTTP_RUNS=0 bash tests/bench/lua.sh   (skip 3 and 4)
#
# Installs nothing: it lists the tools it lacks (lua5.4, cmake, cc,
# pkg-config and the -dev packages cm_core links against) and exits 2;
# hyperfine is used when present. Not part of the test suite, and the
# figures are for the machine it runs on only: read the ratios rather than
# the absolute figures, and keep the machine otherwise idle (a parallel
# build skews them). The Lua files, the C program and its outputs go to a
# temporary folder under ${TMPDIR:-/tmp}, removed on exit.
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build-bench-lua"
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    SPECTRAL_N=200 SIEVE=500000 DEF_RUNS=3 DEF_START=50 DEF_IN=300
    DEF_AGG_ROWS=1000000 DEF_AGG_RUNS=1 DEF_HTTP_RUNS=200
else
    SPECTRAL_N=650 SIEVE=4000000 DEF_RUNS=5 DEF_START=200 DEF_IN=2000
    DEF_AGG_ROWS=10000000 DEF_AGG_RUNS=2 DEF_HTTP_RUNS=1000
fi
RUNS=${RUNS:-$DEF_RUNS}
START_RUNS=${START_RUNS:-$DEF_START}
IN_RUNS=${IN_RUNS:-$DEF_IN}
PARENT_MB=${PARENT_MB:-256}
AGG_ROWS=${AGG_ROWS:-$DEF_AGG_ROWS}
AGG_SITES=${AGG_SITES:-1000}
AGG_RUNS=${AGG_RUNS:-$DEF_AGG_RUNS}
HTTP_RUNS=${HTTP_RUNS:-$DEF_HTTP_RUNS}
for v in RUNS START_RUNS IN_RUNS AGG_SITES AGG_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] ||
        { echo "bench: $v=${!v}: expected a positive number" >&2; exit 2; }
done
for v in AGG_ROWS HTTP_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ ]] ||
        { echo "bench: $v=${!v}: expected a number (0: skip)" >&2; exit 2; }
done
[[ $PARENT_MB =~ ^[0-9]+$ ]] ||
    { echo "bench: PARENT_MB=$PARENT_MB: expected a number of MiB (0: skip)" >&2; exit 2; }
LIMITS=(--memory-mb 256 --instructions 2000000000 --timeout-ms 60000)

TMP=""

die() {
    echo "bench: $*" >&2
    exit 1
}

cleanup() {
    if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap is the one place that
# cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools ----------------------------------------------------------------

PC_MODS=(sqlite3 yajl lua5.4 libsodium libarchive)

# Lists what is missing and exits 2: this benchmark installs nothing.
check_tools() {
    local missing=() t m
    for t in lua5.4 cmake cc pkg-config sqlite3; do
        command -v "$t" >/dev/null || case $t in
            cc) missing+=("cc (gcc)") ;;
            sqlite3) [ "$AGG_ROWS" = 0 ] || missing+=("sqlite3 (the sqlite3 shell)") ;;
            *) missing+=("$t") ;;
        esac
    done
    if command -v pkg-config >/dev/null; then
        for m in "${PC_MODS[@]}"; do
            pkg-config --exists "$m" || case $m in
                sqlite3) missing+=("sqlite3 headers (libsqlite3-dev)") ;;
                yajl) missing+=("yajl headers (libyajl-dev)") ;;
                lua5.4) missing+=("lua5.4 headers (liblua5.4-dev)") ;;
                libsodium) missing+=("libsodium headers (libsodium-dev)") ;;
                libarchive) missing+=("libarchive headers (libarchive-dev)") ;;
            esac
        done
    fi
    [ -e /usr/include/civetweb.h ] || missing+=("civetweb headers (libcivetweb-dev)")
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "bench: missing tools, install them first:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 2
}

# --- helpers --------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# Seconds to milliseconds, 1 decimal.
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

HYPERFINE=0
command -v hyperfine >/dev/null && HYPERFINE=1

# Times the command "$@" (no shell) $2 times after $1 warm-ups; sets MIN
# and MEDIAN (s) and MEAN (s). With hyperfine, its figures; without,
# $EPOCHREALTIME around each run. Output is discarded; a failing run dies.
time_cmd() {
    local warm=$1 runs=$2 i t0 t1 cmd
    shift 2
    if [ "$HYPERFINE" = 1 ]; then
        # -N splits the command line shell-style: quote each word.
        cmd=$(printf '%q ' "$@")
        hyperfine -N --style none -w "$warm" -r "$runs" \
            --export-csv "$TMP/hf.csv" -- "$cmd" >"$TMP/hf.out" 2>&1 ||
            { cat "$TMP/hf.out" >&2; die "hyperfine failed on: $*"; }
        # command,mean,stddev,median,user,system,min,max (seconds)
        IFS=, read -r MEAN MEDIAN MIN < <(awk -F, 'NR == 2 {
            print $(NF - 6) "," $(NF - 4) "," $(NF - 1) }' "$TMP/hf.csv")
        return 0
    fi
    for ((i = 0; i < warm; i++)); do
        "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; die "failed: $*"; }
    done
    : >"$TMP/times"
    for ((i = 0; i < runs; i++)); do
        t0=$EPOCHREALTIME
        "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; die "failed: $*"; }
        t1=$EPOCHREALTIME
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$TMP/times"
    done
    read -r MIN MEDIAN MEAN < <(sort -g "$TMP/times" | awk '{ v[NR] = $1; s += $1 }
        END { m = (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)
              printf "%.6f %.6f %.6f\n", v[1], m, s / NR }')
}

# The integer value of "key" in a flat JSON text on stdin.
json_int() { grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

# Final table.
TABLE=()
table_row() { # figure consometer baseline ratio target verdict
    TABLE+=("$(printf '%-46s %14s %30s %7s %9s %s' "$@")")
}
verdict() { # value op threshold
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
        ok = (op == ">=" ? v >= t : v < t); print (ok ? "ok" : "MISSED") }'
}

# --- build ----------------------------------------------------------------

check_tools
mkdir -p "${TMPDIR:-/tmp}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/consometer-bench-lua.XXXXXX")

if [ "$HYPERFINE" = 1 ]; then
    TIMER="$(hyperfine --version), -N, fastest of $RUNS runs after 1 warm-up"
else
    TIMER="no hyperfine: best of $RUNS runs with \$EPOCHREALTIME"
fi
echo "consometer Lua sandbox bench, $(nproc) cores, $(lua5.4 -v 2>&1 | cut -d' ' -f1-2)," \
    "QUICK=$QUICK; timing: $TIMER"
t0=$EPOCHREALTIME
{
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
        cmake --build "$BUILD" -j2 --target consometer cm_core
} >"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "build failed"; }
t1=$EPOCHREALTIME
BIN="$BUILD/consometer"
awk -v a="$t0" -v b="$t1" -v v="$("$BIN" --version)" \
    'BEGIN { printf "build (Release, incremental): %.1f s, %s\n", b - a, v }'

# --- 1. compute loop ------------------------------------------------------

cat >"$TMP/loop.lua" <<EOF
-- Spectral norm (function calls, float arithmetic, array reads and
-- writes), then a sieve (integer loops, writes to a large table). Valid
-- for the sandbox (returns its result) and for plain lua5.4 (drv.lua).
local N, SIEVE = $SPECTRAL_N, $SIEVE
EOF
cat >>"$TMP/loop.lua" <<'EOF'
local function A(i, j)
  local ij = i + j - 1
  return 1.0 / (ij * (ij - 1) * 0.5 + i)
end
local function Av(x, y, n)
  for i = 1, n do
    local a = 0
    for j = 1, n do a = a + x[j] * A(i, j) end
    y[i] = a
  end
end
local function Atv(x, y, n)
  for i = 1, n do
    local a = 0
    for j = 1, n do a = a + x[j] * A(j, i) end
    y[i] = a
  end
end
local function AtAv(x, y, t, n) Av(x, t, n); Atv(t, y, n) end
local u, v, t = {}, {}, {}
for i = 1, N do u[i] = 1 end
for _ = 1, 10 do AtAv(u, v, t, N); AtAv(v, u, t, N) end
local vBv, vv = 0, 0
for i = 1, N do
  local ui, vi = u[i], v[i]
  vBv = vBv + ui * vi; vv = vv + vi * vi
end
local composite, primes = {}, 0
for i = 2, SIEVE do
  if not composite[i] then
    primes = primes + 1
    for j = i * i, SIEVE, i do composite[j] = true end
  end
end
return string.format("%.9f %d", math.sqrt(vBv / vv), primes)
EOF
echo 'print((dofile(arg[1])))' >"$TMP/drv.lua"
# The sandbox's kind of hook: a count hook every 1000 instructions.
echo 'debug.sethook(function() end, "", 1000) print((dofile(arg[1])))' >"$TMP/drv-hook.lua"
echo 'return 1' >"$TMP/one.lua"

echo
echo "1. compute loop: spectral norm N=$SPECTRAL_N + sieve $SIEVE, same file," \
    "consometer lua run ${LIMITS[*]} vs lua5.4"
"$BIN" lua run "${LIMITS[@]}" "$TMP/loop.lua" >"$TMP/sbx.json" 2>"$TMP/err" ||
    { cat "$TMP/sbx.json" "$TMP/err" >&2; die "consometer lua run failed on the loop"; }
lua5.4 "$TMP/drv.lua" "$TMP/loop.lua" >"$TMP/lua.out" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; die "lua5.4 failed on the loop"; }
SBX_RESULT=$(sed -n 's/^{"result":"\([^"]*\)".*/\1/p' "$TMP/sbx.json")
LUA_RESULT=$(cat "$TMP/lua.out")
[[ -n $SBX_RESULT && $SBX_RESULT == "$LUA_RESULT" ]] ||
    die "results differ: consometer $(cat "$TMP/sbx.json"), lua5.4 $LUA_RESULT"
LOOP_INSTR=$(json_int instructions <"$TMP/sbx.json")
LOOP_PEAK=$(json_int memory_peak_bytes <"$TMP/sbx.json")
LOOP_STATS_MS=$(json_int wall_ms <"$TMP/sbx.json")
printf '  result "%s" from both; stats: %s instructions, memory peak %s bytes, wall_ms %s\n' \
    "$SBX_RESULT" "$LOOP_INSTR" "$LOOP_PEAK" "$LOOP_STATS_MS"

time_cmd 1 "$RUNS" lua5.4 "$TMP/drv.lua" "$TMP/loop.lua"
LUA_MIN=$MIN LUA_MED=$MEDIAN
time_cmd 1 "$RUNS" "$BIN" lua run "${LIMITS[@]}" "$TMP/loop.lua"
SBX_MIN=$MIN SBX_MED=$MEDIAN
time_cmd 1 "$RUNS" lua5.4 "$TMP/drv-hook.lua" "$TMP/loop.lua"
HOOK_MIN=$MIN HOOK_MED=$MEDIAN
# Unmetered (lua.instructions 0): no count hook, a timer checks the deadline.
UNMET_LIMITS=(--memory-mb 256 --instructions 0 --timeout-ms 60000)
"$BIN" lua run "${UNMET_LIMITS[@]}" "$TMP/loop.lua" >"$TMP/unmet.json" 2>"$TMP/err" ||
    { cat "$TMP/unmet.json" "$TMP/err" >&2; die "unmetered run failed on the loop"; }
[[ $(sed -n 's/^{"result":"\([^"]*\)".*/\1/p' "$TMP/unmet.json") == "$LUA_RESULT" ]] ||
    die "unmetered result differs: $(cat "$TMP/unmet.json")"
time_cmd 1 "$RUNS" "$BIN" lua run "${UNMET_LIMITS[@]}" "$TMP/loop.lua"
UNMET_MIN=$MIN UNMET_MED=$MEDIAN
OVERHEAD=$(awk -v a="$SBX_MIN" -v b="$LUA_MIN" 'BEGIN { printf "%.1f", (a / b - 1) * 100 }')
printf '  %-46s %8s ms fastest  %8s ms median\n' "consometer lua run" "$(ms "$SBX_MIN")" "$(ms "$SBX_MED")"
printf '  %-46s %8s ms fastest  %8s ms median\n' "lua5.4 (baseline)" "$(ms "$LUA_MIN")" "$(ms "$LUA_MED")"
printf '  %-46s %8s ms fastest  %8s ms median  (information)\n' \
    "lua5.4 + count hook every 1000" "$(ms "$HOOK_MIN")" "$(ms "$HOOK_MED")"
printf '  %-46s %8s ms fastest  %8s ms median\n' \
    "consometer lua run --instructions 0 (unmetered)" "$(ms "$UNMET_MIN")" "$(ms "$UNMET_MED")"
printf '  sandbox overhead: %s %% (fastest against fastest); %s M instructions/s in the sandbox\n' \
    "$OVERHEAD" "$(awk -v i="$LOOP_INSTR" -v s="$SBX_MIN" 'BEGIN { printf "%.0f", i / s / 1e6 }')"

# --- 2. start -------------------------------------------------------------

echo
echo "2. starting a sandboxed run of \`return 1\`"
time_cmd 5 "$START_RUNS" "$BIN" lua run "$TMP/one.lua"
CLI_MEAN=$MEAN CLI_MED=$MEDIAN
time_cmd 5 "$START_RUNS" lua5.4 -e 'return 1'
LUAE_MEAN=$MEAN LUAE_MED=$MEDIAN
printf '  %-46s %8s ms mean  %8s ms median  (%s runs)\n' "consometer lua run one.lua, per process" \
    "$(ms "$CLI_MEAN")" "$(ms "$CLI_MED")" "$START_RUNS"
printf '  %-46s %8s ms mean  %8s ms median\n' "lua5.4 -e 'return 1', per process" \
    "$(ms "$LUAE_MEAN")" "$(ms "$LUAE_MED")"
# stats.wall_ms of the same CLI runs, apart (hyperfine discards output).
: >"$TMP/wall"
for ((i = 0; i < START_RUNS; i++)); do
    "$BIN" lua run "$TMP/one.lua" >"$TMP/one.json" 2>"$TMP/err" ||
        { cat "$TMP/one.json" "$TMP/err" >&2; die "consometer lua run one.lua failed"; }
    grep -q '^{"result":1,' "$TMP/one.json" || die "one.lua: $(cat "$TMP/one.json")"
    json_int wall_ms <"$TMP/one.json" >>"$TMP/wall"
done
read -r STATS_MEAN STATS_MAX < <(awk '{ s += $1; if ($1 > m) m = $1 }
    END { printf "%.2f %d\n", s / NR, m }' "$TMP/wall")
printf '  %-46s %8s ms mean  (max %s ms, whole ms each)\n' "stats.wall_ms (fork to reap), CLI runs" \
    "$STATS_MEAN" "$STATS_MAX"

cat >"$TMP/start.c" <<'EOF'
/* N sbx_run("return 1") in one process, each timed; baselines: fork +
** _exit + waitpid, and a fresh Lua state in process. Prints lines
** "label min median mean" in microseconds. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "sbx.h"

static int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}

static void
report(const char *label, int64_t *t, int n)
{
    double sum = 0;

    qsort(t, (size_t) n, sizeof(*t), cmp);
    for (int i = 0; i < n; i++)
        sum += (double) t[i];
    printf("%s %.1f %.1f %.1f\n", label, t[0] / 1e3,
           (n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2) / 1e3,
           sum / n / 1e3);
}

static void
one_sbx(const struct sbx_limits *lim)
{
    static const char src[] = "return 1";
    struct sbx_result res;

    if (sbx_run(src, sizeof(src) - 1, lim, &res) != SBX_OK ||
        strcmp(res.json, "1") != 0) {
        fprintf(stderr, "sbx_run: %s: %s\n", sbx_code_name(res.code),
                res.message);
        exit(1);
    }
    sbx_result_clear(&res);
}

static void
time_sbx(const char *label, const struct sbx_limits *lim, int64_t *t, int n)
{
    for (int i = 0; i < 20; i++)
        one_sbx(lim);
    for (int i = 0; i < n; i++) {
        int64_t t0 = now_ns();

        one_sbx(lim);
        t[i] = now_ns() - t0;
    }
    report(label, t, n);
}

int
main(int argc, char **argv)
{
    int               n = argc > 1 ? atoi(argv[1]) : 1000;
    long              parent_mb = argc > 2 ? atol(argv[2]) : 0;
    int64_t          *t = malloc((size_t) n * sizeof(*t));
    struct sbx_limits lim;

    if (n <= 0 || t == NULL)
        return 2;
    sbx_limits_default(&lim);
    time_sbx("sbx_run", &lim, t, n);

    for (int i = 0; i < n + 20; i++) {
        int64_t t0 = now_ns();
        pid_t   pid = fork();
        int     st;

        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(0);
        waitpid(pid, &st, 0);
        if (i >= 20)
            t[i - 20] = now_ns() - t0;
    }
    report("fork", t, n);

    for (int i = 0; i < n + 20; i++) {
        int64_t    t0 = now_ns();
        lua_State *L = luaL_newstate();

        luaL_openlibs(L);
        if (luaL_loadstring(L, "return 1") != LUA_OK ||
            lua_pcall(L, 0, 1, 0) != LUA_OK || lua_tointeger(L, -1) != 1)
            return 1;
        lua_close(L);
        if (i >= 20)
            t[i - 20] = now_ns() - t0;
    }
    report("lua_state", t, n);

    /* As the run daemon starts a run: on a worker spawned ahead (already
    ** exec'd, its store open, its rights dropped), from the write of the
    ** script to its whole answer, then to the worker reaped. Spawned ten
    ** at a time and given 200 ms to get ready, as spares are. */
    {
        int64_t *t2 = malloc((size_t) n * sizeof(*t2));
        int      m = n < 500 ? n : 500;

        if (t2 == NULL)
            return 1;
        for (int i = 0; i < m; i += 10) {
            struct sbx_proc p[10];
            int             k = m - i < 10 ? m - i : 10;

            for (int j = 0; j < k; j++)
                if (sbx_proc_spawn(&p[j], &lim) != 0)
                    return 1;
            usleep(200000);
            for (int j = 0; j < k; j++) {
                struct sbx_result res;
                int64_t           t0 = now_ns();

                sbx_proc_send(&p[j], "return 1", 8, 0);
                for (;;) {
                    struct pollfd f = {p[j].out_fd, POLLIN, 0};

                    poll(&f, 1, 5000);
                    if (sbx_proc_read(&p[j]))
                        break;
                }
                t[i + j] = now_ns() - t0;
                sbx_proc_finish(&p[j], 0, &res);
                t2[i + j] = now_ns() - t0;
                if (res.code != SBX_OK || strcmp(res.json, "1") != 0)
                    return 1;
                sbx_result_clear(&res);
            }
        }
        report("spare_answer", t, m);
        report("spare_reaped", t2, m);
        free(t2);
    }

    if (parent_mb > 0) {
        size_t sz = (size_t) parent_mb << 20;
        char  *p = malloc(sz);

        if (p == NULL)
            return 1;
        memset(p, 1, sz); /* Resident, so fork has page tables to copy */
        time_sbx("sbx_run_parent", &lim, t, n);
        printf("parent_byte %d\n", p[sz / 2]);
        free(p);
    }
    free(t);
    return 0;
}
EOF
LIB="$BUILD/libcm_core.a"
[ -f "$LIB" ] || die "$LIB is missing (the cm_core target was built above)"
# shellcheck disable=SC2046 # pkg-config's flags are meant to be split
cc -std=gnu17 -O2 -I"$ROOT/server" -I"$ROOT/exporters" \
    $(pkg-config --cflags "${PC_MODS[@]}") -o "$TMP/start" "$TMP/start.c" "$LIB" \
    $(pkg-config --libs "${PC_MODS[@]}") -lcivetweb -lpthread -lm \
    >"$TMP/cc.log" 2>&1 || { cat "$TMP/cc.log" >&2; die "cannot build the in-process start bench"; }
"$TMP/start" "$IN_RUNS" "$PARENT_MB" >"$TMP/start.out" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; die "the in-process start bench failed"; }
row() { awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$TMP/start.out"; }
IN_MIN=$(row sbx_run 2) IN_MED=$(row sbx_run 3) IN_MEAN=$(row sbx_run 4)
FORK_MED=$(row fork 3)
STATE_MED=$(row lua_state 3)
SPARE_MED=$(row spare_answer 3) SPARE_REAPED_MED=$(row spare_reaped 3)
printf '  in one process, %s calls each (microseconds):   %8s %8s %8s\n' "$IN_RUNS" min median mean
printf '  %-46s %8s %8s %8s\n' "sbx_run(\"return 1\")" "$IN_MIN" "$IN_MED" "$IN_MEAN"
printf '  %-46s %8s %8s %8s\n' "fork + _exit + waitpid (baseline)" "$(row fork 2)" "$FORK_MED" "$(row fork 4)"
printf '  %-46s %8s %8s %8s\n' "lua_newstate+openlibs+run+close (baseline)" \
    "$(row lua_state 2)" "$STATE_MED" "$(row lua_state 4)"
printf '  %-46s %8s %8s %8s\n' "spare worker: script sent -> answer" \
    "$(row spare_answer 2)" "$SPARE_MED" "$(row spare_answer 4)"
printf '  %-46s %8s %8s %8s\n' "spare worker: script sent -> reaped" \
    "$(row spare_reaped 2)" "$SPARE_REAPED_MED" "$(row spare_reaped 4)"
PARENT_MED=""
if [ "$PARENT_MB" -gt 0 ]; then
    PARENT_MED=$(row sbx_run_parent 3)
    printf '  %-46s %8s %8s %8s  (information)\n' "sbx_run, caller holding $PARENT_MB MiB" \
        "$(row sbx_run_parent 2)" "$PARENT_MED" "$(row sbx_run_parent 4)"
fi

# --- 3. grouped sum -------------------------------------------------------

AGG_DONE=0
if [ "$AGG_ROWS" -gt 0 ]; then
    echo
    echo "3. grouped sum over $AGG_ROWS published observations ($AGG_SITES territories):" \
        "cm.aggregate in consometer lua run vs GROUP BY in the sqlite3 shell"
    AGG_DB="$BUILD/bench-agg-$AGG_ROWS.db"
    # What the store holds, to rebuild it when this script changes it.
    AGG_GEN="rows=$AGG_ROWS sites=$AGG_SITES order=period-major gen=1"
    if [ -f "$AGG_DB" ] && [ "$(cat "$AGG_DB.ok" 2>/dev/null)" = "$AGG_GEN" ] &&
        "$BIN" migrate --db "$AGG_DB" >"$TMP/migrate.log" 2>&1; then
        echo "  store $AGG_DB (kept from an earlier run; $(sed -n 's/.*(\(.*\)).*/\1/p' "$TMP/migrate.log"))"
    else
        rm -f "$AGG_DB" "$AGG_DB.ok" "$AGG_DB-wal" "$AGG_DB-shm" "$AGG_DB.new" \
            "$AGG_DB.new-wal" "$AGG_DB.new-shm" "$AGG_DB.new-journal"
        t0=$EPOCHREALTIME
        "$BIN" migrate --db "$AGG_DB.new" >"$TMP/migrate.log" 2>&1 ||
            { cat "$TMP/migrate.log" >&2; die "consometer migrate failed"; }
        # The observation indexes as the migrations made them: dropped for
        # the load, then created again from their own SQL (one sort each
        # instead of AGG_ROWS random inserts).
        IDX_SQL=$(sqlite3 "$AGG_DB.new" "SELECT sql || ';' FROM sqlite_master
            WHERE type = 'index' AND tbl_name = 'observation' AND sql IS NOT NULL")
        IDX_DROP=$(sqlite3 "$AGG_DB.new" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master
            WHERE type = 'index' AND tbl_name = 'observation' AND sql IS NOT NULL")
        MANIFEST='{"slug":"bench-agg","title":{"fr":"Banc de mesure","en":"Benchmark"},"kinds":["electricity"],"period":"hour","territory":"site","privacy":{"policy":"open"}}'
        sqlite3 "$AGG_DB.new" >"$TMP/load.log" 2>&1 <<SQL || { cat "$TMP/load.log" >&2; die "loading the store failed"; }
.bail on
PRAGMA journal_mode = DELETE;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;
$IDX_DROP
INSERT INTO dataset (slug, origin, manifest) VALUES ('bench-agg', 'manifest', '$MANIFEST');
INSERT INTO dataset_version (dataset, version, published_at, manifest, n_observations)
    SELECT id, 1, '2026-01-01T00:00:00Z', manifest, $AGG_ROWS FROM dataset WHERE slug = 'bench-agg';
UPDATE dataset SET latest = (SELECT v.id FROM dataset_version v WHERE v.dataset = dataset.id)
    WHERE slug = 'bench-agg';
-- Row n: hour n / sites and territory n % sites, the order in which the
-- publisher writes cells (period-major); values spread over 0..100 kWh.
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < $AGG_ROWS - 1)
INSERT INTO observation (version, row, period, territory_level, territory, sector,
                         kind, value, unit, n_sites, status)
SELECT (SELECT latest FROM dataset WHERE slug = 'bench-agg'), n,
       strftime('%Y-%m-%dT%H', 1704067200 + (n / $AGG_SITES) * 3600, 'unixepoch'), 'site',
       printf('site-%05d', n % $AGG_SITES), NULL, 'electricity',
       ((n * 7919) % 100003) / 1000.0, 'kWh', 1, 'A'
FROM i;
$IDX_SQL
COMMIT;
PRAGMA journal_mode = WAL;
SQL
        mv "$AGG_DB.new" "$AGG_DB"
        echo "$AGG_GEN" >"$AGG_DB.ok"
        t1=$EPOCHREALTIME
        awk -v a="$t0" -v b="$t1" -v f="$AGG_DB" -v sz="$(stat -c %s "$AGG_DB")" \
            'BEGIN { printf "  store %s built in %.0f s, %.0f MB\n", f, b - a, sz / 1e6 }'
    fi
    AGG_VER=$(sqlite3 "$AGG_DB" "SELECT latest FROM dataset WHERE slug = 'bench-agg'")
    # The GROUP BY anyone would write for by = {'territory'}, fn = 'sum'
    # (SQLite plans it over the territory index, fetching every row).
    AGG_SQL="SELECT territory, sum(value) FROM observation WHERE version = $AGG_VER GROUP BY territory ORDER BY territory"
    # The same groups with the index kept out of the grouping: one read of
    # the version then a sort, which is what cm.aggregate does (it groups
    # in C over store_sbx_scan_open's primary-key-order scan).
    AGG_SCAN_SQL="SELECT territory, sum(value) FROM observation WHERE version = $AGG_VER GROUP BY +territory ORDER BY 1"
    plan() { sqlite3 "$AGG_DB" "EXPLAIN QUERY PLAN $1" | sed -n 's/^[|`]--//p' | paste -sd ';' -; }
    AGG_PLAN=$(plan "$AGG_SQL")
    AGG_SCAN_PLAN=$(plan "$AGG_SCAN_SQL")
    cat >"$TMP/agg.lua" <<'LUA'
-- The grouped sum, and what it takes to compare it with sqlite3's.
local groups = cm.aggregate('bench-agg', {by = {'territory'}, fn = 'sum'})
local total, max = 0, -math.huge
for _, g in ipairs(groups) do
  total = total + g.value
  if g.value > max then max = g.value end
end
return {groups = #groups, total = total, max = max}
LUA
    cat >"$TMP/rows.lua" <<'LUA'
-- The same sums in Lua, every row handed to the script by cm.rows.
local sums, n = {}, 0
for r in cm.rows('bench-agg') do
  local t = r.territory
  if sums[t] == nil then n = n + 1 end
  sums[t] = (sums[t] or 0) + (r.value or 0)
end
local total, max = 0, -math.huge
for _, v in pairs(sums) do
  total = total + v
  if v > max then max = v end
end
return {groups = n, total = total, max = max}
LUA
    AGG_LIMITS=(--db "$AGG_DB" --instructions 2000000000 --timeout-ms 3600000)
    # "groups total largest" of sqlite3's "territory|sum" lines.
    agg_sig() { awk -F'|' '{ n++; t += $2; if (n == 1 || $2 > m) m = $2 }
        END { printf "%d %.17g %.17g\n", n, t, m }'; }
    json_num() { grep -o "\"$1\":[-0-9.eE+]*" | head -n 1 | cut -d: -f2; }
    # timed NAME cmd...: one run; output in $TMP/NAME.out, its seconds
    # appended to $TMP/NAME.times.
    timed() {
        local name=$1 t0 t1
        shift
        t0=$EPOCHREALTIME
        "$@" >"$TMP/$name.out" 2>"$TMP/err" ||
            { cat "$TMP/$name.out" "$TMP/err" >&2; die "failed: $*"; }
        t1=$EPOCHREALTIME
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$TMP/$name.times"
    }
    best() { sort -g "$TMP/$1.times" | head -n 1; }
    # same_sig A B: two "groups total largest" equal (sums within 1e-9).
    same_sig() {
        awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
            d = x[2] - y[2]; e = x[3] - y[3]; if (d < 0) d = -d; if (e < 0) e = -e
            exit !(x[1] == y[1] && d <= 1e-9 * y[2] && e <= 1e-9 * y[3]) }'
    }
    # sbx_sig NAME: the same of a sandbox answer.
    sbx_sig() {
        grep -q '^{"result":' "$TMP/$1.out" || die "$1: $(cat "$TMP/$1.out")"
        echo "$(json_num groups <"$TMP/$1.out") $(json_num total <"$TMP/$1.out")" \
            "$(json_num max <"$TMP/$1.out")"
    }
    : >"$TMP/sbx-agg.times"
    : >"$TMP/sql-agg.times"
    : >"$TMP/sql-scan.times"
    : >"$TMP/sbx-rows.times"
    # In turns, so a burst of load elsewhere on the machine hits each alike.
    for ((i = 0; i < AGG_RUNS; i++)); do
        timed sql-agg sqlite3 "$AGG_DB" "$AGG_SQL"
        SQL_SIG=$(agg_sig <"$TMP/sql-agg.out")
        timed sbx-agg "$BIN" lua run "${AGG_LIMITS[@]}" "$TMP/agg.lua"
        same_sig "$(sbx_sig sbx-agg)" "$SQL_SIG" ||
            die "cm.aggregate differs from sqlite3: $(sbx_sig sbx-agg) vs $SQL_SIG"
        if [ "$(tail -n 1 "$TMP/sbx-agg.times")" = "$(best sbx-agg)" ]; then
            cp "$TMP/sbx-agg.out" "$TMP/sbx-agg.best"
        fi
        timed sql-scan sqlite3 "$AGG_DB" "$AGG_SCAN_SQL"
        same_sig "$(agg_sig <"$TMP/sql-scan.out")" "$SQL_SIG" ||
            die "GROUP BY +territory differs: $(agg_sig <"$TMP/sql-scan.out") vs $SQL_SIG"
    done
    timed sbx-rows "$BIN" lua run "${AGG_LIMITS[@]}" "$TMP/rows.lua"
    same_sig "$(sbx_sig sbx-rows)" "$SQL_SIG" ||
        die "the cm.rows loop differs from sqlite3: $(sbx_sig sbx-rows) vs $SQL_SIG"
    SBX_AGG=$(best sbx-agg) SQL_AGG=$(best sql-agg) SQL_SCAN=$(best sql-scan)
    SBX_ROWS=$(best sbx-rows)
    AGG_INSTR=$(json_int instructions <"$TMP/sbx-agg.best")
    AGG_WALL=$(json_int wall_ms <"$TMP/sbx-agg.best")
    AGG_PEAK=$(json_int memory_peak_bytes <"$TMP/sbx-agg.best")
    ROWS_INSTR=$(json_int instructions <"$TMP/sbx-rows.out")
    ROWS_WALL=$(json_int wall_ms <"$TMP/sbx-rows.out")
    read -r AGG_GROUPS _ <<<"$SQL_SIG"
    printf '  %s groups; every answer agrees with sqlite3 (groups, total, largest, to 1e-9)\n' "$AGG_GROUPS"
    printf '  plan of sqlite3'"'"'s GROUP BY:   %s\n' "$AGG_PLAN"
    printf '  plan with GROUP BY +territory: %s\n' "$AGG_SCAN_PLAN"
    printf '  %-46s %8s s  best of %s\n' "consometer lua run, cm.aggregate" "$(printf %.2f "$SBX_AGG")" "$AGG_RUNS"
    printf '  %-46s %8s s  best of %s\n' "sqlite3, GROUP BY territory (baseline)" "$(printf %.2f "$SQL_AGG")" "$AGG_RUNS"
    printf '  %-46s %8s s  best of %s (information)\n' "sqlite3, GROUP BY +territory" "$(printf %.2f "$SQL_SCAN")" "$AGG_RUNS"
    printf '  %-46s %8s s  one run (information)\n' "consometer lua run, a cm.rows loop in Lua" "$(printf %.2f "$SBX_ROWS")"
    printf '  stats, fastest cm.aggregate run: %s instructions, wall_ms %s, memory peak %s bytes\n' \
        "$AGG_INSTR" "$AGG_WALL" "$AGG_PEAK"
    printf '  stats, cm.rows loop: %s instructions, wall_ms %s\n' "$ROWS_INSTR" "$ROWS_WALL"
    # Would the runs have ended within the default lua.* limits?
    within() { # instructions wall_ms
        awk -v i="$1" -v w="$2" 'BEGIN {
            if (w > 10000) print "no: time_limit"
            else if (i > 200000000) print "no: instruction_limit"
            else print "yes" }'
    }
    AGG_DEFAULTS=$(within "$AGG_INSTR" "$AGG_WALL")
    ROWS_DEFAULTS=$(within "$ROWS_INSTR" "$ROWS_WALL")
    printf '  within the default limits (10 s, 2e8 instructions)? cm.aggregate: %s; cm.rows loop: %s\n' \
        "$AGG_DEFAULTS" "$ROWS_DEFAULTS"
    AGG_DONE=1
fi

# --- 4. HTTP --------------------------------------------------------------

HTTP_STATE="skipped (HTTP_RUNS=0)"
if [ "$HTTP_RUNS" -gt 0 ]; then
    echo
    if [ ! -f "$ROOT/tests/bench/lua_http.sh" ]; then
        HTTP_STATE="not built yet"
        echo "4. runs/s through the HTTP API: no tests/bench/lua_http.sh"
    else
        echo "4. runs/s of \`return 1\` through the HTTP API: tests/bench/lua_http.sh," \
            "HTTP_RUNS=$HTTP_RUNS"
        if HTTP_RUNS=$HTTP_RUNS CLI_RUNS=$START_RUNS bash "$ROOT/tests/bench/lua_http.sh" "$BIN" \
            >"$TMP/http.out" 2>"$TMP/http.err"; then
            hv() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/http.out"; }
            HTTP_RPS=$(hv http_runs_per_s) HTTP_SUBMIT=$(hv http_submit_per_s)
            HTTP_CLI=$(hv cli_runs_per_s) HTTP_LUA=$(hv lua_processes_per_s)
            printf '  %-46s %8s runs/s\n' "POST .../runs until every run ended" "$HTTP_RPS"
            printf '  %-46s %8s runs/s (information)\n' "  the POSTs alone (202 answers)" "$HTTP_SUBMIT"
            printf '  %-46s %8s runs/s\n' "consometer lua run processes (baseline)" "$HTTP_CLI"
            printf '  %-46s %8s /s (information)\n' "lua5.4 -e 'return 1' processes" "$HTTP_LUA"
            HTTP_STATE=ok
        else
            HTTP_STATE="lua_http.sh failed"
            echo "  lua_http.sh failed:"
            tail -n 20 "$TMP/http.err" | sed 's/^/    /'
        fi
    fi
fi

# --- results --------------------------------------------------------------

echo
echo "summary, QUICK=$QUICK, $(nproc) cores"
printf '%-46s %14s %30s %7s %9s %s\n' "figure" "consometer" "baseline" "ratio" "target" ""
table_row "compute loop, fastest wall (ms)" "$(ms "$SBX_MIN")" "$(ms "$LUA_MIN") lua5.4" \
    "$(ratio "$SBX_MIN" "$LUA_MIN")" "< 1.10" "$(verdict "$(ratio "$SBX_MIN" "$LUA_MIN")" "<" 1.10)"
table_row "  (same, median wall, ms)" "$(ms "$SBX_MED")" "$(ms "$LUA_MED") lua5.4" \
    "$(ratio "$SBX_MED" "$LUA_MED")" "" ""
table_row "  (same, lua5.4 with a count hook)" "$(ms "$SBX_MIN")" "$(ms "$HOOK_MIN") lua5.4+hook" \
    "$(ratio "$SBX_MIN" "$HOOK_MIN")" "" ""
table_row "compute loop, unmetered (ms)" "$(ms "$UNMET_MIN")" "$(ms "$LUA_MIN") lua5.4" \
    "$(ratio "$UNMET_MIN" "$LUA_MIN")" "< 1.10" "$(verdict "$(ratio "$UNMET_MIN" "$LUA_MIN")" "<" 1.10)"
table_row "compute loop, VM instructions (stats)" "$LOOP_INSTR" "-" "" "" ""
table_row "start, CLI process per run (ms, mean)" "$(ms "$CLI_MEAN")" "$(ms "$LUAE_MEAN") lua5.4 -e" \
    "$(ratio "$CLI_MEAN" "$LUAE_MEAN")" "" ""
table_row "start, stats.wall_ms of CLI runs (ms, mean)" "$STATS_MEAN" "-" "" "" ""
table_row "start, sbx_run: spawn+exec+run (us, median)" "$IN_MED" "$FORK_MED fork+wait" \
    "$(ratio "$IN_MED" "$FORK_MED")" "" ""
table_row "start, spare worker, sent -> answer (us)" "$SPARE_MED" "$FORK_MED fork+wait" \
    "$(ratio "$SPARE_MED" "$FORK_MED")" "< 1000 us" "$(verdict "$SPARE_MED" "<" 1000)"
table_row "  (same, until the worker is reaped, us)" "$SPARE_REAPED_MED" "$FORK_MED fork+wait" \
    "$(ratio "$SPARE_REAPED_MED" "$FORK_MED")" "" ""
table_row "  (same, against a fresh Lua state)" "$IN_MED" "$STATE_MED lua state" \
    "$(ratio "$IN_MED" "$STATE_MED")" "" ""
if [ -n "$PARENT_MED" ]; then
    table_row "  (same, caller holding $PARENT_MB MiB, us)" "$PARENT_MED" "$FORK_MED fork+wait" \
        "$(ratio "$PARENT_MED" "$FORK_MED")" "" ""
fi
if [ "$AGG_DONE" = 1 ]; then
    AGG_N=$(awk -v n="$AGG_ROWS" 'BEGIN { if (n % 1000000 == 0) printf "%dM", n / 1e6
        else printf "%d", n }')
    table_row "grouped sum, $AGG_N obs, cm.aggregate (s)" "$(printf %.2f "$SBX_AGG")" \
        "$(printf %.2f "$SQL_AGG") sqlite3 GROUP BY" "$(ratio "$SBX_AGG" "$SQL_AGG")" "<= 1.50" \
        "$(verdict "$(ratio "$SBX_AGG" "$SQL_AGG")" "<" 1.501)"
    table_row "  (same, against GROUP BY +territory)" "$(printf %.2f "$SBX_AGG")" \
        "$(printf %.2f "$SQL_SCAN") sqlite3 scan+sort" "$(ratio "$SBX_AGG" "$SQL_SCAN")" "" ""
    table_row "  (a cm.rows loop in Lua instead, s)" "$(printf %.2f "$SBX_ROWS")" \
        "$(printf %.2f "$SQL_AGG") sqlite3 GROUP BY" "$(ratio "$SBX_ROWS" "$SQL_AGG")" "" ""
    table_row "  (cm.aggregate within default limits)" "$AGG_DEFAULTS" "-" "" "yes" \
        "$([ "$AGG_DEFAULTS" = yes ] && echo ok || echo MISSED)"
else
    table_row "grouped sum, cm.aggregate" "skipped" "sqlite3 GROUP BY" "" "<= 1.50" ""
fi
if [ "$HTTP_STATE" = ok ]; then
    table_row "trivial script via the HTTP API (runs/s)" "$HTTP_RPS" "$HTTP_CLI lua run/s" \
        "$(ratio "$HTTP_RPS" "$HTTP_CLI")" "" ""
else
    table_row "trivial script via the HTTP API (runs/s)" "$HTTP_STATE" "-" "" "" ""
fi
printf '%s\n' "${TABLE[@]}"
echo
echo "ratios: consometer / baseline, lower is better. Compute loop: overhead =" \
    "ratio - 1 (target under 10 %), met unmetered only (Lua 5.4 checks a count" \
    "hook at every instruction). Start: a run the daemon starts goes to a spare" \
    "worker (the target row); sbx_run spawns one first (posix_spawn + exec of" \
    "the binary, its libraries' loading included), which the daemon does ahead." \
    "Grouped sum: the whole process of each side, best run; the sqlite3 shell" \
    "runs the plain GROUP BY. HTTP: runs/s, higher is better," \
    "ratio = HTTP / CLI processes."
