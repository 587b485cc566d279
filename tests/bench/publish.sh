#!/usr/bin/env bash
#
# tests/bench/publish.sh -- the speed figures of issue 4 (publication):
# publishing, the records API, streamed CSV downloads and archive builds,
# each beside a peer baseline measured in the same run on the same machine.
#
# Measures, in one run:
#   - a Release build (build-bench-publish/ at the repo root, incremental);
#   - generated sites.csv, meters.csv and a canonical readings CSV of N
#     readings (default 10,000,000: 1,000 meters on 125 sites, 8 meters a
#     site, x 10,000 hourly readings from 2024-01-01T00:00Z), the sites
#     spread over 20 communes (a few large, many small, so that some
#     commune x sector cells are published and others suppressed) and 5
#     categories, all of one EPCI and all flagged public; imported with
#     `sites import`, `meters import` and `import` (timed apart, for
#     information only);
#   1. publication: `consometer publish` of a monthly commune x sector
#      aggregated dataset (bench-commune-month, min_sites 3, max_share
#      0.85) from those N readings: wall time and peak RSS, the JSON
#      summary checked (slug, version, rows, sha256). Baseline: sqlite3's
#      shell running the equivalent GROUP BY (sum by commune, category and
#      month of start, via strftime) on the same reading table of the same
#      store file, once with UTC months (the cheapest form) and once with
#      Europe/Paris months ('localtime' under TZ=Europe/Paris: what the
#      publisher computes). Target: under 10 s. Then, for information,
#      the publication of bench-site-hour (hourly, per site, open policy:
#      one observation per site and Paris hour, 1,249,875 at the default
#      N: 125 sites x 9,999 hours, as the autumn DST change folds two UTC
#      hours into one local hour) used below;
#   2. records API: wrk -t2 -c32 -d10s --latency on GET
#      /api/v1/datasets/bench-commune-month/records?limit=100 of `consometer
#      serve` on that store, beside nginx (worker_processes 2, started here
#      on another port) serving a 2 KB static JSON file: req/s and p99.
#      Target: records >= 25 % of nginx's req/s;
#   3. streamed CSV: curl -o /dev/null of
#      /api/v1/datasets/bench-site-hour/download?format=csv, the first
#      request after the CSV the publisher cached is removed (builds the
#      cached file from the store while streaming it) and, best of 3,
#      the next ones (from the cache), beside nginx serving a copy of the
#      same CSV (best of 3, after one warm-up; nginx's own default
#      `sendfile off`, as in run.sh, and `sendfile on` shown for
#      information). Target: >= 50 % of nginx's MB/s (MB = 10^6 bytes);
#   4. archive build: the first request (a fresh build, after the archives
#      the publisher cached are removed; the cached CSV stays, as bsdtar's
#      input file does) of format=zip and
#      format=tar.gz of bench-site-hour, in MB/s of the data CSV they hold,
#      beside `bsdtar -czf` and `zip -6` of that same CSV file. Target:
#      >= 90 % of bsdtar's MB/s (zip is set against zip -6).
# Then a final table: figure, consometer, baseline, ratio, target.
#
# Run:   bash tests/bench/publish.sh                  (from any directory)
#        N=100000 DURATION=2s bash tests/bench/publish.sh   (smoke run)
#        PROFILE=1 bash tests/bench/publish.sh   (also `perf record` the
#            publications, the server under wrk and the first CSV and
#            archive requests, and print the top symbols of each: needs
#            perf; perf's overhead skews that run's figures: quote those
#            of a run without PROFILE)
#
# Installs nothing: it lists the tools it lacks (nginx, wrk, bsdtar, zip,
# sqlite3, curl, cmake, make) and exits 2. Not part of the test suite, and
# the figures are for the machine it runs on only (with 2 cores, wrk and
# curl share them with the server under test): read the ratios rather than
# the absolute figures, and keep the machine otherwise idle. Everything
# listens on 127.0.0.1. The CSV of readings (~72 bytes a row, ~700 MB at
# the default N, removed once imported), the store, the download cache,
# nginx's files and the baselines' archives go to a temporary folder under
# ${TMPDIR:-/tmp}, removed on exit with the processes started here; the
# run refuses to start with less than 5 GB free there (proportionally less
# for a smaller N).
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
BUILD="$ROOT/build-bench-publish"
NGINX=/usr/sbin/nginx
N=${N:-10000000}
DURATION=${DURATION:-10s}
PROFILE=${PROFILE:-0}
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] ||
    { echo "bench: N=$N: expected a positive number of rows" >&2; exit 2; }
[[ $DURATION =~ ^[0-9]+[smh]?$ && ! $DURATION =~ ^0+[smh]?$ ]] ||
    { echo "bench: DURATION=$DURATION: expected e.g. 10s, 1m" >&2; exit 2; }
METERS=$((N < 1000 ? N : 1000))
HOURS=$(((N + METERS - 1) / METERS))
# 8, not 10: 125 sites, so that the per-site hourly dataset has at least
# 1,000,000 observations (100 sites would give 999,900: see above).
METERS_PER_SITE=8
SITES=$(((METERS + METERS_PER_SITE - 1) / METERS_PER_SITE))
COMMUNES=20
WRK_ARGS=(-t2 -c32 -d"$DURATION" --latency)
REPEAT=3
# Free space wanted: the readings CSV, the store (its WAL holds the whole
# import transaction until the checkpoint), the downloads of the per-site
# dataset (cache, nginx's copy, both baselines' archives), with a margin:
# 5 GB for 10M readings, in proportion below, never under 512 MB.
NEED_KIB=$(awk -v n="$N" 'BEGIN { k = 5e9 / 1024 * n / 1e7;
    printf "%d", (k < 524288 ? 524288 : k) }')

TMP=""
CM_PID=""
NC_PID=""
NGINX_PID=""
PERF_PID=""

die() {
    echo "bench: $*" >&2
    exit 1
}

cleanup() {
    local pid
    for pid in $PERF_PID $CM_PID $NC_PID $NGINX_PID; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $PERF_PID $CM_PID $NC_PID $NGINX_PID; do
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

# Lists what is missing and exits 2: this benchmark installs nothing.
check_tools() {
    local missing=() t
    [ -x "$NGINX" ] || missing+=("nginx ($NGINX: apt-get install nginx-light)")
    for t in wrk bsdtar zip sqlite3 curl cmake make; do
        command -v "$t" >/dev/null || case $t in
            bsdtar) missing+=("bsdtar (libarchive-tools)") ;;
            *) missing+=("$t") ;;
        esac
    done
    if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
        missing+=("perf (for PROFILE=1)")
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "bench: missing tools, install them first:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 2
}

# --- helpers --------------------------------------------------------------

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# MB/s (10^6 bytes) of $1 bytes in $2 seconds.
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1e6 : 0) }'; }

# Runs "$@"; sets WALL (s) and RSS_KIB (peak, when GNU time is there) and
# leaves the command's standard output in $TMP/out. Dies, showing stderr,
# if the command fails. With PERF_OUT set, runs it under perf record.
timed() {
    local label=$1 t0 t1 pre=()
    shift
    [ -x /usr/bin/time ] && pre=(/usr/bin/time -f '%M' -o "$TMP/time")
    if [ -n "${PERF_OUT:-}" ]; then
        pre+=(perf record -q -o "$PERF_OUT" --)
    fi
    t0=$EPOCHREALTIME
    if ! "${pre[@]}" "$@" >"$TMP/out" 2>"$TMP/err"; then
        tail -n 20 "$TMP/err" >&2
        die "$label failed"
    fi
    t1=$EPOCHREALTIME
    RSS_KIB=0
    [ -x /usr/bin/time ] && RSS_KIB=$(tail -n 1 "$TMP/time")
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

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

# The value of "key" (a number or a string) in the JSON of $TMP/out, top
# level of a flat summary: good enough for the publish summary.
json_of() {
    grep -o "\"$1\":\(\"[^\"]*\"\|[0-9.]*\)" "$TMP/out" | head -n 1 |
        cut -d: -f2- | tr -d '"'
}

# One GET with curl to /dev/null: sets CODE, BYTES, SECS. Dies unless 200.
fetch() {
    local url=$1 out
    out=$(curl -sS -o "${2:-/dev/null}" -w '%{http_code} %{size_download} %{time_total}' "$url") ||
        die "curl $url failed"
    read -r CODE BYTES SECS <<<"$out"
    [ "$CODE" = 200 ] || die "GET $url: HTTP $CODE"
}

# Best MB/s of $REPEAT GETs of $1 (after $2 warm-up GETs): sets BEST_MBPS
# and BEST_BYTES.
best_of() {
    local url=$1 warm=$2 i m
    for ((i = 0; i < warm; i++)); do fetch "$url"; done
    BEST_MBPS=0
    for ((i = 0; i < REPEAT; i++)); do
        fetch "$url"
        m=$(mbps "$BYTES" "$SECS")
        BEST_MBPS=$(awk -v a="$m" -v b="$BEST_MBPS" 'BEGIN { print (a > b ? a : b) }')
        BEST_BYTES=$BYTES
    done
}

# Runs wrk on $2 and prints one line labelled $1; sets RPS, P50_MS,
# P99_MS, ERRS. The Lua hook reports exact figures (latencies in
# microseconds; errors include statuses >= 400), so nothing depends on
# wrk's human-readable units.
bench_wrk() {
    local label=$1 url=$2
    wrk "${WRK_ARGS[@]}" -s "$TMP/report.lua" "$url" >"$TMP/wrk.out" 2>&1 ||
        { cat "$TMP/wrk.out" >&2; die "wrk failed on $url"; }
    # shellcheck disable=SC2046 # the report is space-separated numbers
    set -- $(grep '^BENCH ' "$TMP/wrk.out")
    [ $# -eq 6 ] || { cat "$TMP/wrk.out" >&2; die "no report from wrk on $url"; }
    RPS=$2
    P50_MS=$(awk -v u="$3" 'BEGIN { printf "%.2f", u / 1000 }')
    P99_MS=$(awk -v u="$4" 'BEGIN { printf "%.2f", u / 1000 }')
    ERRS=$(($5 + $6))
    printf '  %-44s %9.0f req/s  p50 %7s ms  p99 %7s ms  errors %d\n' \
        "$label" "$RPS" "$P50_MS" "$P99_MS" "$ERRS"
}

# PROFILE=1: perf record the server (pid $CM_PID) into $1 until
# perf_detach.
perf_attach() {
    [ "$PROFILE" = 1 ] || return 0
    perf record -q -p "$CM_PID" -o "$1" >/dev/null 2>&1 &
    PERF_PID=$!
    sleep 1
}
perf_detach() {
    [ -n "$PERF_PID" ] || return 0
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
}

# PROFILE=1: the top symbols of a perf.data file.
perf_top() {
    [ "$PROFILE" = 1 ] && [ -f "$1" ] || return 0
    echo "  perf, $2 (self %, top 25):"
    { perf report -i "$1" --no-children -g none --percent-limit 0.5 \
        --sort dso,symbol --stdio 2>/dev/null || true; } |
        grep '%' | grep -v '^#' | sed -n '1,25{s/^ */    /;s/[ -]*$//;p}'
}

# Final table.
TABLE=()
table_row() { # figure consometer baseline ratio target verdict
    TABLE+=("$(printf '%-44s %14s %22s %7s %10s %s' "$@")")
}
verdict() { # value op threshold
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
        ok = (op == ">=" ? v >= t : v < t); print (ok ? "ok" : "MISSED") }'
}

# --- build ----------------------------------------------------------------

check_tools
mkdir -p "${TMPDIR:-/tmp}"
AVAIL_KIB=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $4 }')
[ "$AVAIL_KIB" -ge "$NEED_KIB" ] ||
    die "$(mib $((AVAIL_KIB * 1024))) free in ${TMPDIR:-/tmp}, and" \
        "N=$N needs $(mib $((NEED_KIB * 1024))): free space, set TMPDIR" \
        "elsewhere, or lower N (N=100000 for a smoke run)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/consometer-bench-publish.XXXXXX")

echo "consometer publication bench, $(nproc) cores, N=$N ($METERS meters on" \
    "$SITES sites x $HOURS hourly readings), wrk ${WRK_ARGS[*]}"
t0=$EPOCHREALTIME
{
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
        make -C "$BUILD" -j2 consometer
} >"$TMP/build.log" 2>&1 || { tail -n 40 "$TMP/build.log" >&2; die "build failed"; }
t1=$EPOCHREALTIME
BIN="$BUILD/consometer"
awk -v a="$t0" -v b="$t1" -v v="$("$BIN" --version)" \
    'BEGIN { printf "build (Release, incremental): %.1f s, %s\n", b - a, v }'

# --- data -----------------------------------------------------------------

# sites.csv: one site per METERS_PER_SITE meters, category s % 5, commune
# floor(COMMUNES * (s / SITES)^2) (commune 0 gets ~22 % of the sites, the
# last ones 3 or 4), no district, one EPCI, all public; meters.csv: every
# meter, electricity, source csv, step PT1H; readings.csv: the canonical
# CSV, each meter's series in one block, deterministic values.
t0=$EPOCHREALTIME
awk -v n="$N" -v nm="$METERS" -v nh="$HOURS" -v per="$METERS_PER_SITE" \
    -v ns="$SITES" -v nc="$COMMUNES" -v csv="$TMP/readings.csv" \
    -v sites="$TMP/sites.csv" -v meters="$TMP/meters.csv" '
# Days since 1970-01-01 to YYYY-MM-DD (H. Hinnant, civil_from_days).
function civil(z,   era, doe, yoe, doy, mp, d, m) {
    z += 719468
    era = int(z / 146097)
    doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153)
    d = doy - int((153 * mp + 2) / 5) + 1
    m = mp < 10 ? mp + 3 : mp - 9
    return sprintf("%04d-%02d-%02d", yoe + era * 400 + (m <= 2), m, d)
}
BEGIN {
    split("education sport office culture health", cat, " ")
    print "site_id,name,category,floor_area_m2,commune_insee,district,epci,public" > sites
    for (s = 0; s < ns; s++) {
        c = int(nc * (s / ns) * (s / ns))
        printf "site-%04d,Site %d,%s,%d,56%03d,,200042174,true\n",
            s, s, cat[s % 5 + 1], 500 + s % 50 * 100, 101 + c > sites
    }
    print "meter_id,site_id,kind,source,source_ref,step" > meters
    for (m = 0; m < nm; m++) {
        printf "meter-%06d,site-%04d,electricity,csv,,PT1H\n", m, int(m / per) > meters
        pre[m] = sprintf("site-%04d,meter-%06d,electricity,kWh,", int(m / per), m)
    }
    # From 2024-01-01T00:00:00Z (day 19723), hour by hour.
    for (t = 0; t < nh; t++)
        ts[t] = sprintf("%sT%02d:00:00Z", civil(19723 + int(t / 24)), t % 24)
    print "site_id,meter_id,kind,unit,timestamp,value,step" > csv
    i = 0
    for (m = 0; m < nm && i < n; m++)
        for (t = 0; t < nh && i < n; t++) {
            # A value in kWh from 0.000 to 99.999, a function of (m, t).
            v = (m * 7919 + t * 104729) % 100000
            printf "%s%s,%d.%03d,PT1H\n", pre[m], ts[t], int(v / 1000), v % 1000 > csv
            i++
        }
}' || die "could not generate the CSV"
t1=$EPOCHREALTIME
CSV_BYTES=$(stat -c %s "$TMP/readings.csv")
awk -v a="$t0" -v b="$t1" -v s="$(mib "$CSV_BYTES")" -v n="$N" \
    'BEGIN { printf "readings CSV: %d rows, %s, generated in %.1f s\n", n, s, b - a }'

# The store and the download cache live in $TMP/data; the definitions in
# $TMP/datasets, so the repository's own datasets/ plays no part.
DATA="$TMP/data"
DB="$DATA/consometer.db"
DEFS="$TMP/datasets"
mkdir -p "$DATA" "$DEFS/bench-commune-month" "$DEFS/bench-site-hour"
STORE_ARGS=(--data-dir "$DATA" --db "$DB" --datasets-dir "$DEFS")
cat >"$DEFS/bench-commune-month/dataset.json" <<'EOF'
{"slug":"bench-commune-month","title":{"fr":"Bench"},"kinds":["electricity"],"period":"month","territory":"commune","by_sector":true,"privacy":{"policy":"aggregated","min_sites":3,"max_share":0.85}}
EOF
cat >"$DEFS/bench-site-hour/dataset.json" <<'EOF'
{"slug":"bench-site-hour","title":{"fr":"Bench"},"kinds":["electricity"],"period":"hour","territory":"site","privacy":{"policy":"open"}}
EOF

"$BIN" sites import "$TMP/sites.csv" "${STORE_ARGS[@]}" >"$TMP/out" 2>"$TMP/err" ||
    { cat "$TMP/err" "$TMP/out" >&2; die "sites import failed"; }
"$BIN" meters import "$TMP/meters.csv" "${STORE_ARGS[@]}" >"$TMP/out" 2>"$TMP/err" ||
    { cat "$TMP/err" "$TMP/out" >&2; die "meters import failed"; }
grep -q "\"meters\":$METERS" "$TMP/out" ||
    die "meters import: expected $METERS meters, got $(cat "$TMP/out")"
timed "consometer import" "$BIN" import "${STORE_ARGS[@]}" "$TMP/readings.csv"
got=$(sed -n 's/.*"total":{\(.*\)/\1/p' "$TMP/out" |
    grep -o '"rows_imported":[0-9]*' | head -n 1 | cut -d: -f2)
[ "$got" = "$N" ] ||
    { head -c 2000 "$TMP/out" >&2; echo >&2; die "import: rows_imported is '$got', expected $N"; }
IMPORT_WALL=$WALL
printf 'import (not part of the figures): %s s, %s rows/s, store %s\n' "$WALL" \
    "$(awk -v n="$N" -v s="$WALL" 'BEGIN { printf "%.0f", n / s }')" \
    "$(mib "$(stat -c %s "$DB")")"
rm -f "$TMP/readings.csv"

# --- 1. publication -------------------------------------------------------

echo
echo "1. publication of a monthly commune x sector dataset from $N readings"
# The store is warm in the page cache after the import, for both sides.
PERF_OUT=""
if [ "$PROFILE" = 1 ]; then PERF_OUT="$TMP/perf-publish.data"; fi
timed "consometer publish bench-commune-month" \
    "$BIN" publish "${STORE_ARGS[@]}" "$DEFS/bench-commune-month/dataset.json"
PERF_OUT=""
PUB_WALL=$WALL
PUB_RSS=$RSS_KIB
PUB_SLUG=$(json_of slug)
PUB_VERSION=$(json_of version)
PUB_ROWS=$(json_of rows)
PUB_SHA=$(json_of sha256)
if [ "$PUB_SLUG" != bench-commune-month ] || ! [[ $PUB_VERSION =~ ^[0-9]+$ &&
    $PUB_ROWS =~ ^[0-9]+$ && $PUB_SHA =~ ^[0-9a-f]{64}$ ]]; then
    cat "$TMP/out" >&2
    die "publish: the summary lacks slug, version, rows or sha256"
fi
echo "  summary: $(head -c 600 "$TMP/out")"
printf '  %-44s %8s s  peak RSS %s\n' "consometer publish bench-commune-month" \
    "$PUB_WALL" "$(mib $((PUB_RSS * 1024)))"
perf_top "$TMP/perf-publish.data" "consometer publish bench-commune-month"

SQLITE_NAME="sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
# The same cube as the publisher's base cells: the sum by commune,
# category and month; nothing more (no sites counted, no margins), so the
# baseline is the bare cost of reading and grouping the N readings.
baseline_sql() {
    cat <<EOF
SELECT count(*) FROM (
  SELECT s.commune_insee, s.category,
         strftime('%Y-%m', r.start, 'unixepoch'$1) AS month, sum(r.value)
  FROM reading r JOIN meter m ON m.id = r.meter JOIN site s ON s.id = m.site
  WHERE m.kind = 'electricity'
  GROUP BY s.commune_insee, s.category, month);
EOF
}
baseline_sql "" >"$TMP/base-utc.sql"
baseline_sql ", 'localtime'" >"$TMP/base-paris.sql"
timed "$SQLITE_NAME GROUP BY (UTC)" sqlite3 -readonly -bail "$DB" ".read $TMP/base-utc.sql"
BASE_UTC_WALL=$WALL
BASE_CELLS=$(cut -d'|' -f1 "$TMP/out")
printf '  %-44s %8s s  (%s cells)\n' "$SQLITE_NAME GROUP BY, UTC months" "$WALL" "$BASE_CELLS"
timed "$SQLITE_NAME GROUP BY (Paris)" env TZ=Europe/Paris \
    sqlite3 -readonly -bail "$DB" ".read $TMP/base-paris.sql"
BASE_PARIS_WALL=$WALL
printf '  %-44s %8s s  (%s cells)\n' "$SQLITE_NAME GROUP BY, Europe/Paris months" \
    "$WALL" "$(cut -d'|' -f1 "$TMP/out")"

# The per-site hourly dataset, for the downloads below.
if [ "$PROFILE" = 1 ]; then PERF_OUT="$TMP/perf-publish-site.data"; fi
timed "consometer publish bench-site-hour" \
    "$BIN" publish "${STORE_ARGS[@]}" "$DEFS/bench-site-hour/dataset.json"
SITE_PUB_WALL=$WALL
SITE_ROWS=$(json_of rows)
if [ "$(json_of slug)" != bench-site-hour ] || ! [[ $SITE_ROWS =~ ^[0-9]+$ ]]; then
    cat "$TMP/out" >&2
    die "publish bench-site-hour: no rows in the summary"
fi
printf '  %-44s %8s s  peak RSS %s, %s observations (for 3. and 4.)\n' \
    "consometer publish bench-site-hour" "$WALL" "$(mib $((RSS_KIB * 1024)))" "$SITE_ROWS"
PERF_OUT=""
perf_top "$TMP/perf-publish-site.data" "consometer publish bench-site-hour"
[ "$SITE_ROWS" -ge 1000000 ] || [ "$N" -lt 10000000 ] ||
    die "bench-site-hour has $SITE_ROWS observations, expected at least 1,000,000"

# --- servers --------------------------------------------------------------

CM_PORT=$(free_port 18280)
"$BIN" serve --listen 127.0.0.1 --port "$CM_PORT" "${STORE_ARGS[@]}" \
    --log-level warn >"$TMP/consometer.log" 2>&1 &
CM_PID=$!
CM_URL="http://127.0.0.1:$CM_PORT"
wait_ready "$CM_URL/health" "$CM_PID" "$TMP/consometer.log"

# nginx's root: a 2 KB JSON file (records-like, exactly 2048 bytes) and,
# later, a copy of the CSV download.
WWW="$TMP/www"
mkdir -p "$WWW"
awk 'BEGIN {
    s = "{\"records\":["
    for (i = 0; length(s) < 1900; i++)
        s = s sprintf("%s{\"period\":\"2024-%02d\",\"territory\":\"56121\",\"value\":%d.5}",
                      (i ? "," : ""), i % 12 + 1, 1000 + i)
    s = s "],\"pad\":\""
    while (length(s) < 2046) s = s "x"
    printf "%s\"}", s
}' >"$WWW/small.json"
[ "$(stat -c %s "$WWW/small.json")" = 2048 ] || die "small.json is not 2048 bytes"
# As root nginx workers run as nobody, and mktemp -d makes a 0700 folder.
chmod 755 "$TMP" "$WWW"
chmod 644 "$WWW"/*

temp_paths=$(nginx_temp_paths "$NGINX" "$TMP")
NGINX_PORT=$(free_port $((CM_PORT + 1)))
cat >"$TMP/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    types { text/csv csv; application/json json; }
    $temp_paths
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WWW;
        location /sendfile/ { alias $WWW/; sendfile on; }
    }
}
EOF
"$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
    >"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
wait_ready "$NGINX_URL/small.json" "$NGINX_PID" "$TMP/nginx-error.log"
NGINX_NAME="nginx $("$NGINX" -v 2>&1 | sed 's|.*nginx/||')"

# --- 2. records API -------------------------------------------------------

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
REC_URL="$CM_URL/api/v1/datasets/bench-commune-month/records?limit=100"
fetch "$REC_URL" "$TMP/records.json"
REC_BYTES=$BYTES
head -c 1 "$TMP/records.json" | grep -q '{' || die "records: not a JSON object"
echo "2. records API: GET /api/v1/datasets/bench-commune-month/records?limit=100" \
    "($REC_BYTES bytes) vs a 2048-byte static JSON file"
perf_attach "$TMP/perf-records.data"
bench_wrk "records?limit=100 (consometer)" "$REC_URL"
perf_detach
REC_RPS=$RPS REC_P99=$P99_MS REC_ERRS=$ERRS
perf_top "$TMP/perf-records.data" "consometer serve under wrk, records"
bench_wrk "small.json ($NGINX_NAME)" "$NGINX_URL/small.json"
NGX_RPS=$RPS NGX_P99=$P99_MS
[ "$REC_ERRS" = 0 ] || echo "  note: $REC_ERRS records requests failed (see the figure with care)"
# The same route rendered afresh each time: a second server with the page
# cache off (api.records_cache=0), for what a first reader of a page pays.
NC_PORT=$(free_port 18380)
"$BIN" serve --listen 127.0.0.1 --port "$NC_PORT" "${STORE_ARGS[@]}" \
    --log-level warn --api.records_cache=0 >"$TMP/consometer-nocache.log" 2>&1 &
NC_PID=$!
wait_ready "http://127.0.0.1:$NC_PORT/health" "$NC_PID" "$TMP/consometer-nocache.log"
bench_wrk "records?limit=100, page cache off (consometer)" \
    "http://127.0.0.1:$NC_PORT/api/v1/datasets/bench-commune-month/records?limit=100"
NC_RPS=$RPS NC_P99=$P99_MS
kill "$NC_PID" 2>/dev/null
wait "$NC_PID" 2>/dev/null || true

# --- 3. streamed CSV ------------------------------------------------------

echo
DL_URL="$CM_URL/api/v1/datasets/bench-site-hour/download"
echo "3. streamed CSV download of bench-site-hour ($SITE_ROWS observations)"
# The publisher has written every download into the cache already; remove
# the CSV so that the first request measures a build streamed as it goes.
CACHE="$TMP/data/cache/bench-site-hour"
ls "$CACHE"/v*/*.csv >/dev/null 2>&1 || die "no CSV in the download cache $CACHE"
rm -f "$CACHE"/v*/*.csv
perf_attach "$TMP/perf-csv.data"
fetch "$DL_URL?format=csv"
perf_detach
CSV1_BYTES=$BYTES
CSV1_MBPS=$(mbps "$BYTES" "$SECS")
printf '  %-44s %8s MB/s  (%s in %s s)\n' "first request, build + stream (consometer)" \
    "$CSV1_MBPS" "$(mib "$BYTES")" "$SECS"
perf_top "$TMP/perf-csv.data" "consometer serve, first CSV request"
best_of "$DL_URL?format=csv" 0
CSV2_MBPS=$BEST_MBPS
[ "$BEST_BYTES" = "$CSV1_BYTES" ] || die "the cached CSV has $BEST_BYTES bytes, the first $CSV1_BYTES"
printf '  %-44s %8s MB/s\n' "from the cache, best of $REPEAT (consometer)" "$CSV2_MBPS"
fetch "$DL_URL?format=csv" "$WWW/data.csv"
chmod 644 "$WWW/data.csv"
DATA_LINES=$(($(wc -l <"$WWW/data.csv") - 1))
if command -v jq >/dev/null && command -v sha256sum >/dev/null; then
    want=$(curl -fsS "$CM_URL/api/v1/datasets/bench-site-hour" |
        jq -r '[.. | objects | select(.format? == "csv") | .sha256?] | map(select(. != null)) | .[0] // empty' 2>/dev/null || true)
    got=$(sha256sum "$WWW/data.csv" | cut -d' ' -f1)
    if [ -n "$want" ]; then
        [ "$want" = "$got" ] || die "the CSV's sha256 is $got, the metadata says $want"
        echo "  CSV: $CSV1_BYTES bytes, $DATA_LINES data lines, sha256 as in the metadata"
    else
        echo "  CSV: $CSV1_BYTES bytes, $DATA_LINES data lines (no csv sha256 in the metadata to check)"
    fi
else
    echo "  CSV: $CSV1_BYTES bytes, $DATA_LINES data lines"
fi
best_of "$NGINX_URL/data.csv" 1
NGX_CSV_MBPS=$BEST_MBPS
[ "$BEST_BYTES" = "$CSV1_BYTES" ] || die "nginx served $BEST_BYTES bytes of data.csv"
printf '  %-44s %8s MB/s\n' "same file, best of $REPEAT ($NGINX_NAME)" "$NGX_CSV_MBPS"
best_of "$NGINX_URL/sendfile/data.csv" 1
NGX_SF_MBPS=$BEST_MBPS
printf '  %-44s %8s MB/s  (for information)\n' "same file, sendfile on ($NGINX_NAME)" "$NGX_SF_MBPS"

# --- 4. archive build -----------------------------------------------------

echo
echo "4. archive build (first request) of bench-site-hour, MB/s of its" \
    "$(mib "$CSV1_BYTES") CSV"
# Published archives are in the cache too: remove them (not the CSV, which
# a build starts from, as bsdtar starts from the file) to time builds.
rm -f "$CACHE"/v*/*.zip "$CACHE"/v*/*.tar.gz
perf_attach "$TMP/perf-archive.data"
fetch "$DL_URL?format=tar.gz"
TGZ_MBPS=$(mbps "$CSV1_BYTES" "$SECS")
printf '  %-44s %8s MB/s  (%s s, archive %s)\n' "tar.gz (consometer)" "$TGZ_MBPS" \
    "$SECS" "$(mib "$BYTES")"
fetch "$DL_URL?format=zip"
ZIP_MBPS=$(mbps "$CSV1_BYTES" "$SECS")
printf '  %-44s %8s MB/s  (%s s, archive %s)\n' "zip (consometer)" "$ZIP_MBPS" \
    "$SECS" "$(mib "$BYTES")"
perf_detach
timed "bsdtar -czf" bsdtar -czf "$TMP/base.tar.gz" -C "$WWW" data.csv
BSD_MBPS=$(mbps "$CSV1_BYTES" "$WALL")
printf '  %-44s %8s MB/s  (%s s, archive %s)\n' "bsdtar -czf ($(bsdtar --version | cut -d' ' -f1-2))" \
    "$BSD_MBPS" "$WALL" "$(mib "$(stat -c %s "$TMP/base.tar.gz")")"
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
timed "zip -6" bash -c 'cd "$1" && zip -6 -q "$2" data.csv' _ "$WWW" "$TMP/base.zip"
ZIP6_MBPS=$(mbps "$CSV1_BYTES" "$WALL")
printf '  %-44s %8s MB/s  (%s s, archive %s)\n' "zip -6 ($(zip -v | sed -n 's/^This is Zip \([0-9.]*\).*/Zip \1/p'))" \
    "$ZIP6_MBPS" "$WALL" "$(mib "$(stat -c %s "$TMP/base.zip")")"
perf_top "$TMP/perf-archive.data" "consometer serve, first tar.gz and zip builds"

# --- results --------------------------------------------------------------

echo
echo "summary, N=$N readings, $(nproc) cores"
printf '%-44s %14s %22s %7s %10s %s\n' "figure" "consometer" "baseline" "ratio" "target" ""
table_row "publish commune x sector x month (s)" "$PUB_WALL" "$BASE_UTC_WALL sqlite3 UTC" \
    "$(ratio "$PUB_WALL" "$BASE_UTC_WALL")" "< 10 s" "$(verdict "$PUB_WALL" "<" 10)"
table_row "  (same, Paris months in sqlite3)" "$PUB_WALL" "$BASE_PARIS_WALL sqlite3 Paris" \
    "$(ratio "$PUB_WALL" "$BASE_PARIS_WALL")" "" ""
table_row "records?limit=100 (req/s)" "$(printf '%.0f' "$REC_RPS")" \
    "$(printf '%.0f' "$NGX_RPS") nginx 2KB" "$(ratio "$REC_RPS" "$NGX_RPS")" ">= 0.25" \
    "$(verdict "$(ratio "$REC_RPS" "$NGX_RPS")" ">=" 0.25)"
table_row "records?limit=100 p99 (ms)" "$REC_P99" "$NGX_P99 nginx 2KB" \
    "$(ratio "$REC_P99" "$NGX_P99")" "" ""
table_row "  (same, page cache off, req/s)" "$(printf '%.0f' "$NC_RPS")" \
    "$(printf '%.0f' "$NGX_RPS") nginx 2KB" "$(ratio "$NC_RPS" "$NGX_RPS")" "" ""
table_row "CSV download, cache removed: build+stream (MB/s)" "$CSV1_MBPS" "$NGX_CSV_MBPS nginx" \
    "$(ratio "$CSV1_MBPS" "$NGX_CSV_MBPS")" ">= 0.50" \
    "$(verdict "$(ratio "$CSV1_MBPS" "$NGX_CSV_MBPS")" ">=" 0.5)"
table_row "CSV download, cached (MB/s)" "$CSV2_MBPS" "$NGX_CSV_MBPS nginx" \
    "$(ratio "$CSV2_MBPS" "$NGX_CSV_MBPS")" ">= 0.50" \
    "$(verdict "$(ratio "$CSV2_MBPS" "$NGX_CSV_MBPS")" ">=" 0.5)"
table_row "  (same, nginx sendfile on)" "$CSV2_MBPS" "$NGX_SF_MBPS nginx sf" \
    "$(ratio "$CSV2_MBPS" "$NGX_SF_MBPS")" "" ""
table_row "tar.gz build, first request (MB/s)" "$TGZ_MBPS" "$BSD_MBPS bsdtar -czf" \
    "$(ratio "$TGZ_MBPS" "$BSD_MBPS")" ">= 0.90" \
    "$(verdict "$(ratio "$TGZ_MBPS" "$BSD_MBPS")" ">=" 0.9)"
table_row "zip build, first request (MB/s)" "$ZIP_MBPS" "$ZIP6_MBPS zip -6" \
    "$(ratio "$ZIP_MBPS" "$ZIP6_MBPS")" ">= 0.90" \
    "$(verdict "$(ratio "$ZIP_MBPS" "$ZIP6_MBPS")" ">=" 0.9)"
table_row "  (zip against bsdtar -czf)" "$ZIP_MBPS" "$BSD_MBPS bsdtar -czf" \
    "$(ratio "$ZIP_MBPS" "$BSD_MBPS")" "" ""
printf '%s\n' "${TABLE[@]}"
echo
echo "publish: ratio = consometer s / sqlite3 s (lower is better); other ratios:" \
    "consometer / baseline (higher is better, p99: lower)."
echo "also: import $IMPORT_WALL s; publish bench-site-hour ($SITE_ROWS observations)" \
    "$SITE_PUB_WALL s; $PUB_ROWS rows in bench-commune-month (sqlite3: $BASE_CELLS base cells);" \
    "MB = 10^6 bytes; archive MB/s are of the CSV held."
