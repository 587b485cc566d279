#!/usr/bin/env bash
#
# tests/bench/run.sh -- throughput, latency and memory of `consometer serve`,
# beside nginx serving a static file of the same size as a peer baseline.
#
# Measures, in one run:
#   - the Release build from scratch (build-bench/ at the repo root);
#   - wrk -t2 -c32 against GET /health (one SQLite read per request), against
#     nginx serving a copy of that same /health body as a static file, and,
#     when portal/index.html exists, against that file from both servers:
#     req/s, p50/p99 latency, and how many of the 32 connections the server
#     actually served (sampled with ss mid-run: wrk itself does not tell);
#   - VmRSS of the server idle after start-up and after the load
#     (nginx: master + workers).
#
# Run:   bash tests/bench/run.sh            (from any directory)
#        DURATION=2s bash tests/bench/run.sh   (quick smoke run)
#
# Not part of the test suite, and the figures are for the machine it runs
# on only: here 2 cores, shared by wrk and the server under test, so read
# the consometer/nginx ratio rather than the absolute req/s. Everything
# listens on 127.0.0.1; temporary files and processes are removed on exit.
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
BUILD="$ROOT/build-bench"
DURATION=${DURATION:-10s}
# wrk's own syntax: a number with an optional s/m/h unit.
case $DURATION in
*s) DURATION_S=${DURATION%s} ;;
*m) DURATION_S=$((${DURATION%m} * 60)) ;;
*h) DURATION_S=$((${DURATION%h} * 3600)) ;;
*) DURATION_S=$DURATION ;;
esac
[[ $DURATION_S =~ ^[0-9]+$ && $DURATION_S -gt 0 ]] ||
    { echo "bench: DURATION=$DURATION: expected e.g. 10s, 1m" >&2; exit 2; }
NGINX=/usr/sbin/nginx
CONNS=32
WRK_ARGS=(-t2 -c"$CONNS" -d"$DURATION")
# Connections are sampled mid-run, in a window short enough for DURATION=1s.
SAMPLE_S=$(awk -v d="$DURATION_S" 'BEGIN { print d / 4 < 0.5 ? d / 4 : 0.5 }')
SAMPLE_AT=$(awk -v d="$DURATION_S" -v w="$SAMPLE_S" 'BEGIN { print d / 2 - w / 2 }')
STARVED=()

TMP=""
CM_PID=""
NGINX_PID=""
WRK_PID=""

die() {
    echo "bench: $*" >&2
    exit 1
}

cleanup() {
    local pid
    for pid in $WRK_PID $CM_PID $NGINX_PID; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $WRK_PID $CM_PID $NGINX_PID; do
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap is the one place that
# cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools ----------------------------------------------------------------

install_missing() {
    local pkgs=() sudo=()
    command -v wrk >/dev/null || pkgs+=(wrk)
    command -v curl >/dev/null || pkgs+=(curl)
    # The baseline is Debian's nginx binary; any nginx-* flavour provides it.
    if [ ! -x "$NGINX" ] &&
        ! dpkg-query -W -f='${Status}' nginx-light 2>/dev/null |
        grep -q 'install ok installed'; then
        pkgs+=(nginx-light)
    fi
    [ ${#pkgs[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "installing: ${pkgs[*]}"
    # A fresh container may have no package lists yet: update only if needed.
    "${sudo[@]}" apt-get install -y "${pkgs[@]}" >/dev/null ||
        { "${sudo[@]}" apt-get update >/dev/null &&
            "${sudo[@]}" apt-get install -y "${pkgs[@]}" >/dev/null; } ||
        die "could not install ${pkgs[*]}"
}

# --- helpers --------------------------------------------------------------

# First port from $1 on that nothing listens to on loopback. Racy in
# principle, but nothing else on a bench machine should grab it meanwhile.
free_port() {
    local p
    for ((p = $1; p < $1 + 200; p++)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    die "no free port in $1..$(($1 + 199))"
}

# VmRSS in KiB of the given pids, summed.
rss_kib() {
    local total=0 pid kib
    for pid in "$@"; do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

nginx_pids() { echo "$NGINX_PID" "$(pgrep -P "$NGINX_PID" || true)"; }

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# Waits until $1 answers 200, while the server pid $2 is still alive.
wait_ready() {
    local url=$1 pid=$2 log=$3 i
    for ((i = 0; i < 100; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$log" >&2 || true
            die "server $pid died"
        fi
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$log" >&2 || true
    die "$url did not answer within 10 s"
}

# Bytes received per loopback connection to port $1, "peer bytes" lines.
conn_bytes() {
    ss -Htni state established "( sport = :$1 )" | awk '
        /^[^ \t]/ { peer = $NF; next }
        { for (i = 1; i <= NF; i++)
              if ($i ~ /^bytes_received:/) { sub(/.*:/, "", $i); print peer, $i } }'
}

# wrk only times requests that complete: a connection the server never
# reads is neither a timeout nor in p50/p99. So count the connections to
# port $1 whose received bytes grow during $2 seconds: prints "served/open".
served_conns() {
    command -v ss >/dev/null || { echo "?"; return 0; }
    conn_bytes "$1" >"$TMP/conns.0"
    sleep "$2"
    conn_bytes "$1" >"$TMP/conns.1"
    awk 'NR == FNR { before[$1] = $2; next }
         { open++; if ($2 > before[$1]) served++ }
         END { if (open) printf "%d/%d", served, open; else print "?" }' \
        "$TMP/conns.0" "$TMP/conns.1"
}

# Runs wrk on $2 (server port $3) and prints one table row labelled $1. The
# Lua hook reports exact figures, so nothing depends on wrk's human-readable
# units; latencies are in microseconds, errors include status >= 400.
bench() {
    local label=$1 url=$2 port=$3 served
    wrk "${WRK_ARGS[@]}" -s "$TMP/report.lua" "$url" >"$TMP/wrk.out" &
    WRK_PID=$!
    sleep "$SAMPLE_AT"
    served=$(served_conns "$port" "$SAMPLE_S")
    wait "$WRK_PID" || die "wrk failed on $url"
    WRK_PID=""
    # shellcheck disable=SC2046 # the report is space-separated numbers
    set -- $(grep '^BENCH ' "$TMP/wrk.out")
    [ $# -eq 6 ] || { cat "$TMP/wrk.out" >&2; die "no report from wrk on $url"; }
    RPS=$2
    printf '%-32s %8.0f %8.2f ms %8.2f ms %8s %6d\n' \
        "$label" "$2" "$(awk -v u="$3" 'BEGIN{print u/1000}')" \
        "$(awk -v u="$4" 'BEGIN{print u/1000}')" "$served" "$(($5 + $6))"
    # A few connections may be between a close and a reconnect: only
    # flag the stark case.
    if [ "$served" != "?" ] && [ "${served%/*}" -lt $((CONNS * 3 / 4)) ]; then
        STARVED+=("$label: only ${served%/*} of $CONNS connections served")
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# --- build ----------------------------------------------------------------

install_missing
TMP=$(mktemp -d "${TMPDIR:-/tmp}/consometer-bench.XXXXXX")

echo "consometer bench, $(nproc) cores, wrk ${WRK_ARGS[*]}"
rm -rf "$BUILD"
t0=$EPOCHREALTIME
{
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
        make -C "$BUILD" -j2 consometer
} >"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "build failed"; }
t1=$EPOCHREALTIME
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "build from scratch: %.1f s\n", b - a }'

# --- servers --------------------------------------------------------------

CM_PORT=$(free_port 18180)
mkdir -p "$TMP/data"
# Started directly (no subshell) so $! is the server itself, whose RSS we read.
"$BUILD/consometer" serve --listen 127.0.0.1 --port "$CM_PORT" \
    --data-dir "$TMP/data" --log-level warn \
    >"$TMP/consometer.log" 2>&1 &
CM_PID=$!
CM_URL="http://127.0.0.1:$CM_PORT"
wait_ready "$CM_URL/health" "$CM_PID" "$TMP/consometer.log"

# The nginx file is the /health body itself, so both serve the same bytes.
mkdir -p "$TMP/www"
curl -fsS "$CM_URL/health" >"$TMP/www/health.json"
HAVE_INDEX=0
if [ -f "$ROOT/portal/index.html" ]; then
    HAVE_INDEX=1
    cp "$ROOT/portal/index.html" "$TMP/www/index.html"
fi
# As root nginx workers run as nobody, and mktemp -d makes a 0700 folder.
chmod 755 "$TMP" "$TMP/www"
chmod 644 "$TMP/www"/*

temp_paths=$(nginx_temp_paths "$NGINX" "$TMP")
NGINX_PORT=$(free_port $((CM_PORT + 1)))
cat >"$TMP/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    $temp_paths
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
    }
}
EOF
# -e: the built-in error log is stderr, opened before the config is read.
"$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
    >"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
wait_ready "$NGINX_URL/health.json" "$NGINX_PID" "$TMP/nginx-error.log"
NGINX_NAME="nginx $("$NGINX" -v 2>&1 | sed 's|.*nginx/||')"

# Let both settle after their first requests before reading idle memory.
sleep 1
CM_RSS_IDLE=$(rss_kib "$CM_PID")
# shellcheck disable=SC2046 # a list of pids
NGINX_RSS_IDLE=$(rss_kib $(nginx_pids))

# --- load -----------------------------------------------------------------

cat >"$TMP/report.lua" <<'EOF'
done = function(s, latency, requests)
  io.write(string.format("BENCH %.1f %d %d %d %d\n",
    s.requests / (s.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout,
    s.errors.status))
end
EOF

echo
echo "response body: $(stat -c %s "$TMP/www/health.json") bytes (/health)$(
    [ "$HAVE_INDEX" = 0 ] || echo ", $(stat -c %s "$TMP/www/index.html") bytes (/index.html)")"
printf '%-32s %8s %11s %11s %8s %6s\n' "" "req/s" "p50" "p99" "served" "errors"
bench "GET /health (consometer)" "$CM_URL/health" "$CM_PORT"
CM_RPS=$RPS
bench "static file ($NGINX_NAME)" "$NGINX_URL/health.json" "$NGINX_PORT"
NGINX_RPS=$RPS
if [ "$HAVE_INDEX" = 1 ]; then
    bench "GET /index.html (consometer)" "$CM_URL/index.html" "$CM_PORT"
    CM_INDEX_RPS=$RPS
    bench "GET /index.html ($NGINX_NAME)" "$NGINX_URL/index.html" "$NGINX_PORT"
    NGINX_INDEX_RPS=$RPS
else
    printf '%-32s %s\n' "GET /index.html (consometer)" \
        "skipped: no portal/index.html"
fi
for line in "${STARVED[@]}"; do
    echo "  note: $line; the others got no answer, and p50/p99 do not see them"
done
echo
echo "ratio /health consometer / static $NGINX_NAME: $(ratio "$CM_RPS" "$NGINX_RPS")"
if [ "$HAVE_INDEX" = 1 ]; then
    echo "ratio /index.html consometer / $NGINX_NAME: $(ratio "$CM_INDEX_RPS" "$NGINX_INDEX_RPS")"
fi

# --- memory ---------------------------------------------------------------

sleep 1
CM_RSS_LOAD=$(rss_kib "$CM_PID")
# shellcheck disable=SC2046 # a list of pids
NGINX_RSS_LOAD=$(rss_kib $(nginx_pids))
NGINX_NPROC=$(nginx_pids | wc -w)

echo
printf '%-32s %12s %12s\n' "RSS (VmRSS)" "idle" "after load"
CM_NTHREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$CM_PID/status")
printf '%-32s %12s %12s\n' "consometer (1 process, $CM_NTHREADS thr)" \
    "$(mib "$CM_RSS_IDLE")" "$(mib "$CM_RSS_LOAD")"
printf '%-32s %12s %12s\n' "$NGINX_NAME ($NGINX_NPROC processes)" \
    "$(mib "$NGINX_RSS_IDLE")" "$(mib "$NGINX_RSS_LOAD")"
