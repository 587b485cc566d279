#!/usr/bin/env bash
#
# tests/bench/lua_http.sh CONSOMETER -- runs per second of a trivial
# script (`return 1`) through the HTTP API, the way a team runs them:
# POST /api/v1/scripts/{id}/runs (202, queued), the run daemon executes
# each in a sandbox worker forked ahead of time, until every run has
# ended. Called by tests/bench/lua.sh (section 4), which builds the
# binary; prints "label value" lines on stdout for its table.
#
#   - the server: a fresh store in a temporary folder, one team, the
#     defaults but for the bounds that would refuse the burst (lua.queue_max,
#     lua.team_queue_max, lua.team_concurrency = lua.workers = 2, one per
#     core);
#   - the client: one curl process, keep-alive, posting HTTP_RUNS runs
#     back to back; the clock stops when the last run has ended (polled
#     with GET /api/v1/runs/{id}, 20 ms apart) and every run is checked
#     to have succeeded (sqlite3 on the store);
#   - baselines, same machine, same run: `consometer lua run` of the same
#     script, one process per run (what a team gets without the server:
#     process start, configuration, fork of a worker), and
#     `lua5.4 -e 'return 1'` processes, one after the other.
#
set -euo pipefail

BIN=${1:?usage: lua_http.sh path/to/consometer}
HTTP_RUNS=${HTTP_RUNS:-1000}
CLI_RUNS=${CLI_RUNS:-200}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cm-bench-http.XXXXXX")
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

export CONSOMETER_STORE_DATA_DIR="$TMP/data"
export CONSOMETER_HTTP_LISTEN=127.0.0.1
export CONSOMETER_HTTP_PORT=$((20000 + RANDOM % 20000))
export CONSOMETER_LUA_WORKERS=2 CONSOMETER_LUA_TEAM_CONCURRENCY=2
export CONSOMETER_LUA_QUEUE_MAX=100000 CONSOMETER_LUA_TEAM_QUEUE_MAX=100000
export CONSOMETER_LOG_LEVEL=warn
"$BIN" migrate >/dev/null
TOKEN=$("$BIN" user add --role team bench | sed 's/.*"token":"\([^"]*\)".*/\1/')
"$BIN" serve >"$TMP/serve.log" 2>&1 &
PID=$!
BASE="http://127.0.0.1:$CONSOMETER_HTTP_PORT"
for _ in $(seq 100); do
    curl -sf "$BASE/health" >/dev/null 2>&1 && break
    sleep 0.05
done
AUTH="Authorization: Bearer $TOKEN"
printf 'return 1' >"$TMP/one.lua"
SCRIPT=$(curl -sf -X POST -H "$AUTH" -H 'Content-Type: text/x-lua' \
    --data-binary @"$TMP/one.lua" "$BASE/api/v1/scripts?name=one.lua" |
    sed 's/^{"id":\([0-9]*\),.*/\1/')
# One warm-up run, so the store and the spares are ready.
curl -sf -X POST -H "$AUTH" "$BASE/api/v1/scripts/$SCRIPT/runs" >/dev/null
sleep 0.5

URLS=()
for _ in $(seq "$HTTP_RUNS"); do URLS+=("$BASE/api/v1/scripts/$SCRIPT/runs"); done
T0=$EPOCHREALTIME
curl -sf -X POST -H "$AUTH" "${URLS[@]}" >/dev/null
T_SUBMIT=$EPOCHREALTIME
LAST=$((HTTP_RUNS + 1))
while :; do
    case $(curl -sf -H "$AUTH" "$BASE/api/v1/runs/$LAST") in
    *'"status":"succeeded"'* | *'"status":"failed"'*) break ;;
    esac
    sleep 0.02
done
T1=$EPOCHREALTIME
OK=$(sqlite3 "$TMP/data/consometer.db" \
    "SELECT count(*) FROM script_run WHERE status = 'succeeded'")
[ "$OK" = $((HTTP_RUNS + 1)) ] || {
    echo "only $OK of $((HTTP_RUNS + 1)) runs succeeded" >&2
    exit 1
}
awk -v n="$HTTP_RUNS" -v a="$T0" -v b="$T_SUBMIT" -v c="$T1" 'BEGIN {
    printf "http_runs_per_s %.0f\n", n / (c - a);
    printf "http_submit_per_s %.0f\n", n / (b - a);
}'

T0=$EPOCHREALTIME
for _ in $(seq "$CLI_RUNS"); do "$BIN" lua run "$TMP/one.lua" >/dev/null; done
T1=$EPOCHREALTIME
awk -v n="$CLI_RUNS" -v a="$T0" -v b="$T1" \
    'BEGIN { printf "cli_runs_per_s %.0f\n", n / (b - a) }'
T0=$EPOCHREALTIME
for _ in $(seq "$CLI_RUNS"); do lua5.4 -e 'return 1'; done
T1=$EPOCHREALTIME
awk -v n="$CLI_RUNS" -v a="$T0" -v b="$T1" \
    'BEGIN { printf "lua_processes_per_s %.0f\n", n / (b - a) }'
