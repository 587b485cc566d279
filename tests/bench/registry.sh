#!/usr/bin/env bash
#
# tests/bench/registry.sh -- the speed figures of issue 6 (the registry of
# practice sheets): loading sheets, and the full-text search GET
# /api/v1/practices?q=... (SQLite FTS5), each beside a peer baseline
# measured in the same run on the same machine.
#
# Measures, in one run:
#   - a Release build (build-bench-registry/ at the repo root, or $BUILD;
#     incremental);
#   - N (default 10,000) sheet documents made by registry_gen.lua beside
#     this file (deterministic for a SEED): French-like titles, summaries
#     and Markdown texts from a vocabulary of energy words with their
#     accents, 1 to 3 themes, a sector, a territory (communes with their
#     INSEE code, EPCIs with a SIREN that passes Luhn, a few departements
#     and regions), impacts 1..3, a status, 0 to 4 steps, 500 to 3,000
#     bytes of text a sheet; one JSON array;
#   1. load: `consometer practice load --publish FILE` into a fresh store
#      (migrated first, untimed): wall and CPU time, sheets/s, peak RSS.
#      Baseline: sqlite3's shell storing, in one transaction, the rows a
#      search needs from the same file (each document, checked by
#      json_valid; its title, summary, tags and texts in an FTS5 table
#      with the same prefix indexes, accents removed by the tokenizer;
#      a facet row per theme, sector, territory, status and impact);
#   2. search over HTTP: `consometer serve` on that store. Three mixes of
#      queries (`registry_gen.lua queries KIND`), each first fetched once
#      with curl, one at a time (each must answer 200 with a total within
#      CHECK_MAX_S, 10; hits, sizes and the 3 slowest are shown; a query too
#      slow stops the run and shows SQLite's plan for it):
#        search:  63 full-text searches: single words, accented and not
#                 ("électricité", "electricite"), prefixes ("chau*",
#                 "chauf": the server makes every word a prefix), two
#                 words, some with a theme= and/or sector= facet,
#                 sort=relevance and sort=title in turns;
#        facets:  the listing with facet filters and no q (theme, sector,
#                 both; default, recent or title order);
#        qfacets: q with theme= and sector= facets;
#      then wrk -t2 -c8 -dDURATION --latency --timeout 10s with a script
#      rotating through a mix: p50, p99 and req/s of each; and wrk -t1
#      -c1 -dONE_DURATION (10s; one request at a time: no queueing) for
#      the mean to set beside sqlite3's time per query. The server's runs wait until it
#      has finished what the previous run left;
#   3. baselines: (a) nginx (worker_processes 2, started here) serving, on
#      the same paths with the same wrk script as the search mix, a static
#      JSON file: the search response of median size (its very bytes); the
#      floor of HTTP latency on this machine; (b) sqlite3's shell on the
#      same store file (read-only) running, for each query of each mix,
#      the SQL the server runs for it (store_practice_search in
#      server/store_practices.c: the page of hits with the total, the facet
#      counts), as many rounds as fit in ~10 s (at most SQL_ROUNDS): mean
#      ms a query, the shell's start subtracted. The FTS5 expression of
#      each q is the server's (registry_gen.lua fts: practice_fts_query's
#      folding, stop words, plurals and prefixes); sqlite3's totals must
#      be the server's, or the run stops: then registry_gen.lua no longer
#      follows the server's SQL. A first round over SQL_MAX_S (60) is
#      stopped, its figure "n/a" and SQLite's plan shown.
# Then a final table: figure, consometer, baseline, ratio.
#
# Run:   bash tests/bench/registry.sh                  (from any directory)
#        N=2000 DURATION=3s ONE_DURATION=2s bash tests/bench/registry.sh
#                                                      (smoke run)
#        BUILD=/tmp/b bash tests/bench/registry.sh     (another build dir)
#
# Installs nothing: it lists the tools it lacks (lua5.4, wrk, sqlite3,
# nginx, curl, cmake, make) and exits 2. Not part of the test suite, and
# the figures are for the machine it runs on only (with 2 cores, wrk
# shares them with the server under test): read the ratios rather than
# the absolute figures, and keep the machine otherwise idle (the load
# average before the run is printed). Everything listens on 127.0.0.1;
# the sheets (~21 MB at N=10,000), the store (~150 MB) and nginx's files
# go to a temporary folder under ${TMPDIR:-/tmp}, removed on exit with
# the processes started here. About 4 minutes, the build aside.
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-bench-registry}
GEN="$ROOT/tests/bench/registry_gen.lua"
NGINX=/usr/sbin/nginx
N=${N:-10000}
SEED=${SEED:-6}
DURATION=${DURATION:-15s}
ONE_DURATION=${ONE_DURATION:-10s}
SQL_ROUNDS=${SQL_ROUNDS:-10}
CHECK_MAX_S=${CHECK_MAX_S:-10}
SQL_MAX_S=${SQL_MAX_S:-60}
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] ||
    { echo "bench: N=$N: expected a positive number of sheets" >&2; exit 2; }
[[ $SEED =~ ^[0-9]+$ ]] ||
    { echo "bench: SEED=$SEED: expected a number" >&2; exit 2; }
for d in "$DURATION" "$ONE_DURATION"; do
    [[ $d =~ ^[0-9]+[smh]?$ && ! $d =~ ^0+[smh]?$ ]] ||
        { echo "bench: duration $d: expected e.g. 15s, 1m" >&2; exit 2; }
done
[[ $SQL_ROUNDS =~ ^[0-9]+$ && $SQL_ROUNDS -gt 0 ]] ||
    { echo "bench: SQL_ROUNDS=$SQL_ROUNDS: expected a positive number" >&2; exit 2; }
# A request slower than wrk's default 2 s timeout would be an error, not
# a latency: 10 s, so that p99 shows slow requests.
WRK_ARGS=(-t2 -c8 -d"$DURATION" --latency --timeout 10s)
WRK_ONE=(-t1 -c1 -d"$ONE_DURATION" --latency --timeout 10s)

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

# Lists what is missing and exits 2: this benchmark installs nothing.
check_tools() {
    local missing=() t
    [ -x "$NGINX" ] || missing+=("nginx ($NGINX: apt-get install nginx-light)")
    for t in lua5.4 wrk sqlite3 curl cmake make timeout; do
        command -v "$t" >/dev/null || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "bench: missing tools, install them first:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 2
}

# --- helpers --------------------------------------------------------------

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# a / b: 2 decimals, 4 below 0.01 (req/s beside a static file); "-"
# unless both are numbers.
ratio() {
    [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] || { echo "-"; return 0; }
    awk -v a="$1" -v b="$2" 'BEGIN { r = (b > 0 ? a / b : 0)
        printf (r > 0 && r < 0.01 ? "%.4f" : "%.2f"), r }'
}

# Runs "$@"; sets WALL (s), and RSS_KIB (peak) and CPU_S (user + system)
# when GNU time is there (else 0), and leaves the command's standard
# output in $TMP/out. Dies, showing stderr, if the command fails.
timed() {
    local label=$1 t0 t1 pre=()
    shift
    [ -x /usr/bin/time ] && pre=(/usr/bin/time -f '%M %U %S' -o "$TMP/time")
    t0=$EPOCHREALTIME
    if ! "${pre[@]}" "$@" >"$TMP/out" 2>"$TMP/err"; then
        tail -n 20 "$TMP/err" >&2
        die "$label failed"
    fi
    t1=$EPOCHREALTIME
    RSS_KIB=0 CPU_S=0
    if [ -x /usr/bin/time ]; then
        read -r RSS_KIB CPU_S <<<"$(tail -n 1 "$TMP/time" |
            awk '{ printf "%d %.2f", $1, $2 + $3 }')"
    fi
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

# Fetches every query of the mix $1 ($TMP/q-$1.tsv) once from the
# server, one at a time: each must answer 200 with a "total" within
# CHECK_MAX_S seconds (else the plan SQLite chooses for the same SQL is
# shown, and the run stops: wrk would only count timeouts). Writes "total
# bytes ms" lines to $TMP/got-$1.txt (one per query, in order) and the
# bodies to $TMP/resp-$1/; prints the hits, sizes and the slowest queries.
# shellcheck disable=SC2094 # q-KIND.tsv is only read, never written
check_mix() {
    local kind=$1 i=0 qs out code bytes secs total
    mkdir -p "$TMP/resp-$kind"
    : >"$TMP/got-$kind.txt"
    while IFS=$'\t' read -r qs _; do
        i=$((i + 1))
        out=$(curl -sS -m "$CHECK_MAX_S" -o "$TMP/resp-$kind/$i.json" \
            -w '%{http_code} %{size_download} %{time_total}' \
            "$CM_URL/api/v1/practices?$qs" 2>"$TMP/curl.err") || {
            if grep -q 'timed out' "$TMP/curl.err"; then
                sed -n "${i}p" "$TMP/q-$kind.tsv" >"$TMP/slow.tsv"
                lua5.4 "$GEN" sql "$TMP/slow.tsv" 1 | sed -n 2p >"$TMP/slow.sql"
                echo "  the plan of its count, $SQLITE_NAME on the same store:" >&2
                sqlite3 -readonly "$DB" "EXPLAIN QUERY PLAN $(cat "$TMP/slow.sql")" |
                    sed 's/^/    /' | tee "$TMP/slow.plan" >&2
                # FTS5 as the inner loop, looked up by rowid: the whole
                # MATCH again for every row of the outer table.
                if grep -q 'VIRTUAL TABLE INDEX [0-9]*:=M' "$TMP/slow.plan"; then
                    echo "  (practice_fts is the inner loop: FTS5 runs the MATCH" \
                        "once per row of practice_view)" >&2
                fi
                die "GET /api/v1/practices?$qs: no answer within $CHECK_MAX_S s" \
                    "(CHECK_MAX_S): too slow to measure"
            fi
            cat "$TMP/curl.err" >&2
            die "curl ?$qs failed"
        }
        read -r code bytes secs <<<"$out"
        if [ "$code" != 200 ]; then
            head -c 600 "$TMP/resp-$kind/$i.json" >&2
            echo >&2
            die "GET /api/v1/practices?$qs: HTTP $code"
        fi
        total=$(grep -o '"total":[0-9]*' "$TMP/resp-$kind/$i.json" | tail -n 1 | cut -d: -f2)
        [ -n "$total" ] || die "GET /api/v1/practices?$qs: no \"total\" in the answer"
        echo "$total $bytes $(awk -v s="$secs" 'BEGIN { printf "%.2f", s * 1000 }')" \
            >>"$TMP/got-$kind.txt"
    done <"$TMP/q-$kind.tsv"
    sort -n "$TMP/got-$kind.txt" | awk -v k="$kind" '
        { t[NR] = $1; if ($1 == 0) zero++ }
        END { printf "  %-8s %3d queries, hits min %d median %d max %d, %d with none;",
                  k, NR, t[1], t[int((NR + 1) / 2)], t[NR], zero }'
    sort -n -k2 "$TMP/got-$kind.txt" | awk '
        { b[NR] = $2 } END { printf " bytes min %d median %d max %d\n", b[1], b[int((NR + 1) / 2)], b[NR] }'
    paste -d' ' "$TMP/got-$kind.txt" <(cut -f1 "$TMP/q-$kind.tsv") | sort -rn -k3 |
        head -n 3 | awk '{ printf "           slowest alone: %7.2f ms  %6d hits  ?%s\n", $3, $1, $4 }'
}

# Dies, with the end of its log and how it ended, if the server has
# stopped; $1 says when.
server_alive() {
    local rc
    kill -0 "$CM_PID" 2>/dev/null && return 0
    rc=0
    wait "$CM_PID" || rc=$?
    CM_PID=""
    tail -n 30 "$TMP/consometer.log" >&2
    die "consometer serve stopped $1 (exit status $rc$( [ "$rc" -gt 128 ] &&
        echo ": signal $((rc - 128))"))"
}

# Waits (at most 60 s) until the server has used no CPU for 0.5 s: a
# request wrk gave up on may still run, and would weigh on the next run.
wait_idle() {
    local before after i
    for ((i = 0; i < 120; i++)); do
        server_alive "after a run"
        before=$(awk '{ print $14 + $15 }' "/proc/$CM_PID/stat")
        sleep 0.5
        after=$(awk '{ print $14 + $15 }' "/proc/$CM_PID/stat")
        [ "$before" = "$after" ] && return 0
    done
    echo "  note: the server was still busy 60 s after the run"
}

# Runs wrk (arguments $3...) with the script $2 and prints one line
# labelled $1; sets RPS, P50_MS, P99_MS, MEAN_MS, ERRS. The script's done
# hook reports exact figures (latencies in microseconds; errors include
# statuses >= 400), so nothing depends on wrk's human-readable units.
bench_wrk() {
    local label=$1 script=$2
    shift 2
    wrk "$@" -s "$script" >"$TMP/wrk.out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { cat "$TMP/wrk.out" >&2; die "wrk failed: $label"; }
    WRK_PID=""
    server_alive "by the end of the run \"$label\""
    # shellcheck disable=SC2046 # the report is space-separated numbers
    set -- $(grep '^BENCH ' "$TMP/wrk.out")
    [ $# -eq 7 ] || { cat "$TMP/wrk.out" >&2; die "no report from wrk: $label"; }
    RPS=$(printf '%.0f' "$2")
    P50_MS=$(awk -v u="$3" 'BEGIN { printf "%.2f", u / 1000 }')
    P99_MS=$(awk -v u="$4" 'BEGIN { printf "%.2f", u / 1000 }')
    MEAN_MS=$(awk -v u="$7" 'BEGIN { printf "%.2f", u / 1000 }')
    ERRS=$(($5 + $6))
    printf '  %-40s %7s req/s  p50 %7s ms  p99 %7s ms  mean %7s ms  errors %d\n' \
        "$label" "$RPS" "$P50_MS" "$P99_MS" "$MEAN_MS" "$ERRS"
    [ "$ERRS" = 0 ] || echo "  note: $ERRS requests failed (read the line above with care)"
}

# Final table.
TABLE=()
table_row() { # figure consometer baseline ratio
    TABLE+=("$(printf '%-40s %12s %28s %7s' "$@")")
}

# --- build ----------------------------------------------------------------

check_tools
mkdir -p "${TMPDIR:-/tmp}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/consometer-bench-registry.XXXXXX")

echo "consometer registry bench, $(nproc) cores, N=$N sheets (SEED=$SEED)," \
    "wrk ${WRK_ARGS[*]}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
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

SHEETS="$TMP/sheets.json"
t0=$EPOCHREALTIME
lua5.4 "$GEN" docs "$N" "$SEED" >"$SHEETS" 2>"$TMP/gen.txt" ||
    { cat "$TMP/gen.txt" >&2; die "registry_gen.lua docs failed"; }
t1=$EPOCHREALTIME
# shellcheck disable=SC2046 # "sheets N text_bytes B min M max X"
set -- $(cat "$TMP/gen.txt")
[ "${2:-}" = "$N" ] || die "registry_gen.lua: $(cat "$TMP/gen.txt")"
awk -v a="$t0" -v b="$t1" -v n="$N" -v f="$(stat -c %s "$SHEETS")" \
    -v t="$4" -v lo="$6" -v hi="$8" 'BEGIN {
    printf "sheets: %d in %.1f MiB of JSON (made in %.1f s), text %d bytes a sheet on average (%d..%d)\n",
        n, f / 1048576, b - a, t / n, lo, hi }'
for kind in search facets qfacets; do
    lua5.4 "$GEN" queries "$kind" >"$TMP/q-$kind.tsv"
    lua5.4 "$GEN" wrk "$TMP/q-$kind.tsv" >"$TMP/wrk-$kind.lua"
done
[ "$(wc -l <"$TMP/q-search.tsv")" -ge 50 ] || die "fewer than 50 queries in the search mix"

# --- 1. load ----------------------------------------------------------------

echo
echo "1. load: consometer practice load --publish of $N sheets (one file)"
DATA="$TMP/data"
mkdir -p "$DATA"
"$BIN" migrate --data-dir "$DATA" --log-level warn >"$TMP/out" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; die "migrate failed"; }
DB="$DATA/consometer.db"
[ -f "$DB" ] || die "no store $DB after migrate"
timed "consometer practice load --publish" \
    "$BIN" practice load --publish --data-dir "$DATA" --log-level warn "$SHEETS"
LOAD_WALL=$WALL
LOAD_RSS=$RSS_KIB
grep -q "\"loaded\":${N}[,}]" "$TMP/out" ||
    { head -c 600 "$TMP/out" >&2; echo >&2; die "load: expected \"loaded\":$N"; }
PUBLIC=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM practice WHERE state = 'published'")
[ "$PUBLIC" = "$N" ] || die "load: $PUBLIC published sheets in the store, expected $N"
LOAD_RATE=$(awk -v n="$N" -v s="$LOAD_WALL" 'BEGIN { printf "%.0f", n / s }')
printf '  %-40s %8s s  %6s sheets/s  CPU %6s s  peak RSS %s, store %s\n' \
    "consometer practice load --publish" "$LOAD_WALL" "$LOAD_RATE" "$CPU_S" \
    "$(mib $((LOAD_RSS * 1024)))" "$(mib "$(stat -c %s "$DB")")"

# The baseline: the same rows a search reads, by the sqlite3 shell alone.
SQLITE_NAME="sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
BASE_DB="$TMP/baseline.db"
cat >"$TMP/base-load.sql" <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE doc (id INTEGER PRIMARY KEY,
                  document TEXT NOT NULL CHECK (json_valid(document)));
CREATE VIRTUAL TABLE doc_fts USING fts5 (title, summary, tags, body,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE TABLE doc_facet (doc INTEGER NOT NULL, facet TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (facet, value, doc)) WITHOUT ROWID;
BEGIN;
INSERT INTO doc (document) SELECT value FROM json_each(readfile('$SHEETS'));
INSERT INTO doc_fts (rowid, title, summary, tags, body)
SELECT id, json_extract(document, '\$.title'), json_extract(document, '\$.summary'),
       (SELECT group_concat(value, ' ') FROM json_each(document, '\$.tags')),
       (SELECT group_concat(value, ' ') FROM json_each(document)
        WHERE key IN ('context', 'objectives', 'scope', 'what_was_done',
                      'results', 'lessons', 'transferability'))
       || ' ' ||
       coalesce((SELECT group_concat(json_extract(value, '\$.title') || ' ' ||
                                     coalesce(json_extract(value, '\$.description'), ''), ' ')
                 FROM json_each(document, '\$.steps')), '')
FROM doc;
INSERT INTO doc_facet
SELECT doc.id, 'theme', value FROM doc, json_each(document, '\$.themes')
UNION ALL SELECT id, 'sector', json_extract(document, '\$.sector') FROM doc
UNION ALL SELECT id, 'territory', json_extract(document, '\$.territory.code') FROM doc
UNION ALL SELECT id, 'status', json_extract(document, '\$.status') FROM doc
UNION ALL SELECT doc.id, 'impact', key || ':' || value
          FROM doc, json_each(document, '\$.impacts') WHERE value IS NOT NULL;
COMMIT;
SELECT count(*) FROM doc;
EOF
timed "$SQLITE_NAME load" sqlite3 -bail "$BASE_DB" ".read $TMP/base-load.sql"
[ "$(tail -n 1 "$TMP/out")" = "$N" ] || die "$SQLITE_NAME load: $(tail -n 3 "$TMP/out")"
BASE_LOAD_RATE=$(awk -v n="$N" -v s="$WALL" 'BEGIN { printf "%.0f", n / s }')
printf '  %-40s %8s s  %6s sheets/s  CPU %6s s  peak RSS %s\n' \
    "$SQLITE_NAME, same rows (baseline)" "$WALL" "$BASE_LOAD_RATE" "$CPU_S" \
    "$(mib $((RSS_KIB * 1024)))"
rm -f "$BASE_DB" "$BASE_DB-wal" "$BASE_DB-shm"

# --- servers --------------------------------------------------------------

CM_PORT=$(free_port 18480)
"$BIN" serve --listen 127.0.0.1 --port "$CM_PORT" --data-dir "$DATA" \
    --log-level warn >"$TMP/consometer.log" 2>&1 &
CM_PID=$!
CM_URL="http://127.0.0.1:$CM_PORT"
wait_ready "$CM_URL/health" "$CM_PID" "$TMP/consometer.log"

echo
echo "2. search: every query fetched once (200 and a total each)"
for kind in search facets qfacets; do check_mix "$kind"; done

# nginx's file: the search response of median size, its very bytes, served
# on the API's path so that the same wrk script drives both.
WWW="$TMP/www"
mkdir -p "$WWW"
MEDIAN_I=$(awk '{ print $2, NR }' "$TMP/got-search.txt" | sort -n |
    awk '{ l[NR] = $2 } END { print l[int((NR + 1) / 2)] }')
cp "$TMP/resp-search/$MEDIAN_I.json" "$WWW/search.json"
STATIC_BYTES=$(stat -c %s "$WWW/search.json")
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
    $temp_paths
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WWW;
        location = /api/v1/practices { alias $WWW/search.json; }
    }
}
EOF
"$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
    >"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
wait_ready "$NGINX_URL/api/v1/practices?q=x" "$NGINX_PID" "$TMP/nginx-error.log"
NGINX_NAME="nginx $("$NGINX" -v 2>&1 | sed 's|.*nginx/||')"

echo
echo "   wrk ${WRK_ARGS[*]}, each script rotating through its mix" \
    "(nginx: the search mix's paths, one file):"
# nginx first, while the server is idle; then each run of the server
# after it has finished what the previous run left.
bench_wrk "static $STATIC_BYTES-byte JSON ($NGINX_NAME)" \
    "$TMP/wrk-search.lua" "${WRK_ARGS[@]}" "$NGINX_URL"
N_RPS=$RPS N_P50=$P50_MS N_P99=$P99_MS
bench_wrk "search mix, $(wc -l <"$TMP/q-search.tsv") queries (consometer)" \
    "$TMP/wrk-search.lua" "${WRK_ARGS[@]}" "$CM_URL"
S_RPS=$RPS S_P50=$P50_MS S_P99=$P99_MS
wait_idle
bench_wrk "facets, no q, $(wc -l <"$TMP/q-facets.tsv") queries (consometer)" \
    "$TMP/wrk-facets.lua" "${WRK_ARGS[@]}" "$CM_URL"
F_RPS=$RPS F_P50=$P50_MS F_P99=$P99_MS
wait_idle
bench_wrk "q + facets, $(wc -l <"$TMP/q-qfacets.tsv") queries (consometer)" \
    "$TMP/wrk-qfacets.lua" "${WRK_ARGS[@]}" "$CM_URL"
Q_RPS=$RPS Q_P50=$P50_MS Q_P99=$P99_MS
wait_idle
echo "   wrk ${WRK_ONE[*]} (one request at a time: no queueing):"
bench_wrk "static JSON, 1 connection ($NGINX_NAME)" \
    "$TMP/wrk-search.lua" "${WRK_ONE[@]}" "$NGINX_URL"
N1_P50=$P50_MS
bench_wrk "search mix, 1 connection (consometer)" \
    "$TMP/wrk-search.lua" "${WRK_ONE[@]}" "$CM_URL"
S1_P50=$P50_MS S1_MEAN=$MEAN_MS
wait_idle
bench_wrk "facets, no q, 1 connection (consometer)" \
    "$TMP/wrk-facets.lua" "${WRK_ONE[@]}" "$CM_URL"
F1_MEAN=$MEAN_MS
wait_idle
bench_wrk "q + facets, 1 connection (consometer)" \
    "$TMP/wrk-qfacets.lua" "${WRK_ONE[@]}" "$CM_URL"
Q1_MEAN=$MEAN_MS
wait_idle

# --- 3. sqlite3 -------------------------------------------------------------

echo
echo "3. $SQLITE_NAME on the same store file: the SQL the server runs for" \
    "each query (page, total, facet counts), up to $SQL_ROUNDS rounds a mix"
# The shell's own start, to subtract: best of 5.
: >"$TMP/empty.sql"
SHELL_S=10
for _ in 1 2 3 4 5; do
    timed "$SQLITE_NAME start" sqlite3 -readonly -bail "$DB" ".read $TMP/empty.sql"
    SHELL_S=$(awk -v a="$WALL" -v b="$SHELL_S" 'BEGIN { print (a < b ? a : b) }')
done
# Sets SQL_MS (mean per query) for the mix $1: one round, whose totals
# must be the server's, then as many rounds (up to SQL_ROUNDS) as fit in
# about 10 s. A first round longer than SQL_MAX_S is stopped: SQL_MS is
# then "n/a", and the plan of the mix's first query is shown.
sql_mix() {
    local kind=$1 nq rounds t0 rc=0
    nq=$(wc -l <"$TMP/q-$kind.tsv")
    lua5.4 "$GEN" sql "$TMP/q-$kind.tsv" 1 >"$TMP/sql-$kind-1.sql"
    t0=$EPOCHREALTIME
    timeout "$SQL_MAX_S" sqlite3 -readonly -bail "$DB" ".read $TMP/sql-$kind-1.sql" \
        >"$TMP/out" 2>"$TMP/err" || rc=$?
    WALL=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    if [ "$rc" = 124 ]; then
        printf '  %-40s      n/a    (one round took over %s s: SQL_MAX_S;' \
            "$kind mix ($SQLITE_NAME)" "$SQL_MAX_S"
        echo " the plan of its first count:)"
        sqlite3 -readonly "$DB" "EXPLAIN QUERY PLAN $(sed -n 2p "$TMP/sql-$kind-1.sql")" |
            sed 's/^/    /'
        SQL_MS="n/a"
        return 0
    fi
    [ "$rc" = 0 ] || { tail -n 20 "$TMP/err" >&2; die "$SQLITE_NAME $kind failed"; }
    grep '^1|' "$TMP/out" | awk -F'|' '{ print $NF }' >"$TMP/sqltotal-$kind.txt"
    if ! cut -d' ' -f1 "$TMP/got-$kind.txt" | cmp -s - "$TMP/sqltotal-$kind.txt"; then
        paste -d' ' "$TMP/got-$kind.txt" "$TMP/sqltotal-$kind.txt" <(cut -f1 "$TMP/q-$kind.tsv") |
            awk '$1 != $4 { printf "  ?%s: server %s, sqlite3 %s\n", $5, $1, $4 }' |
            head -n 10 >&2
        die "$kind: sqlite3's totals differ from the server's (above): the" \
            "baseline's SQL or FTS5 expressions (registry_gen.lua sql, fts)" \
            "are no longer the server's"
    fi
    rounds=$(awk -v w="$WALL" -v m="$SQL_ROUNDS" \
        'BEGIN { r = int(10 / (w > 0.001 ? w : 0.001)); print (r < 1 ? 1 : (r > m ? m : r)) }')
    if [ "$rounds" -gt 1 ]; then
        lua5.4 "$GEN" sql "$TMP/q-$kind.tsv" "$rounds" >"$TMP/sql-$kind.sql"
        timed "$SQLITE_NAME $kind" sqlite3 -readonly -bail "$DB" ".read $TMP/sql-$kind.sql"
    fi
    SQL_MS=$(awk -v w="$WALL" -v s="$SHELL_S" -v n="$((nq * rounds))" \
        'BEGIN { printf "%.3f", (w - s) * 1000 / n }')
    printf '  %-40s %8s ms a query  (%d queries in %s s, totals as the server'"'"'s)\n' \
        "$kind mix ($SQLITE_NAME)" "$SQL_MS" "$((nq * rounds))" "$WALL"
}
sql_mix search
SQL_S=$SQL_MS
sql_mix facets
SQL_F=$SQL_MS
sql_mix qfacets
SQL_Q=$SQL_MS

# --- results --------------------------------------------------------------

echo
echo "summary, N=$N sheets, $(nproc) cores"
printf '%-40s %12s %28s %7s\n' "figure" "consometer" "baseline" "ratio"
table_row "load --publish (sheets/s)" "$LOAD_RATE" "$BASE_LOAD_RATE sqlite3 load" \
    "$(ratio "$LOAD_RATE" "$BASE_LOAD_RATE")"
table_row "search mix p50 (ms)" "$S_P50" "$N_P50 nginx static" "$(ratio "$S_P50" "$N_P50")"
table_row "search mix p99 (ms)" "$S_P99" "$N_P99 nginx static" "$(ratio "$S_P99" "$N_P99")"
table_row "search mix (req/s)" "$S_RPS" "$N_RPS nginx static" "$(ratio "$S_RPS" "$N_RPS")"
table_row "facets, no q, p50 (ms)" "$F_P50" "$N_P50 nginx static" "$(ratio "$F_P50" "$N_P50")"
table_row "facets, no q, p99 (ms)" "$F_P99" "$N_P99 nginx static" "$(ratio "$F_P99" "$N_P99")"
table_row "facets, no q (req/s)" "$F_RPS" "$N_RPS nginx static" "$(ratio "$F_RPS" "$N_RPS")"
table_row "q + facets p50 (ms)" "$Q_P50" "$N_P50 nginx static" "$(ratio "$Q_P50" "$N_P50")"
table_row "q + facets p99 (ms)" "$Q_P99" "$N_P99 nginx static" "$(ratio "$Q_P99" "$N_P99")"
table_row "q + facets (req/s)" "$Q_RPS" "$N_RPS nginx static" "$(ratio "$Q_RPS" "$N_RPS")"
table_row "search, 1 conn, mean (ms)" "$S1_MEAN" "$SQL_S sqlite3 SQL" "$(ratio "$S1_MEAN" "$SQL_S")"
table_row "facets, no q, 1 conn, mean (ms)" "$F1_MEAN" "$SQL_F sqlite3 SQL" "$(ratio "$F1_MEAN" "$SQL_F")"
table_row "q + facets, 1 conn, mean (ms)" "$Q1_MEAN" "$SQL_Q sqlite3 SQL" "$(ratio "$Q1_MEAN" "$SQL_Q")"
table_row "search, 1 conn, p50 (ms)" "$S1_P50" "$N1_P50 nginx static" "$(ratio "$S1_P50" "$N1_P50")"
printf '%s\n' "${TABLE[@]}"
echo
echo "ratios: consometer / baseline; req/s and sheets/s: higher is better," \
    "ms: lower is better. wrk -t2 -c8 latencies include queueing on $(nproc)" \
    "cores shared with wrk; the 1-connection ones do not. sqlite3 SQL: the" \
    "same statements on the same store, without HTTP or JSON (mean ms a" \
    "query). nginx static: the search response of median size" \
    "($STATIC_BYTES bytes), the floor of HTTP here."
