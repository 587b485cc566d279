#!/usr/bin/env bash
#
# tests/bench/import.sh -- throughput and memory of `consometer import` on
# a large canonical CSV, beside sqlite3's own `.import` of the same file as
# a peer baseline.
#
# Measures, in one run:
#   - a Release build (build-bench-import/ at the repo root, incremental);
#   - a generated canonical CSV of N readings (default 10,000,000: 1,000
#     meters x 10,000 hourly timestamps, ISO 8601 with Z, step PT1H), with
#     the sites.csv and meters.csv that declare those meters;
#   - `consometer import` of that file into a fresh store (after `sites
#     import` and `meters import`), then the same file again (every row
#     unchanged): rows/s, wall time and peak RSS (/usr/bin/time), and a
#     check that the JSON summary counts N rows imported, then N unchanged;
#   - sqlite3's `.import --csv --skip 1` of the same file into a plain table
#     in a fresh WAL database: the cost of merely getting the rows into
#     SQLite, with no key, no lookup, no conversion;
#   - the on-disk size of both databases.
#
# Run:   bash tests/bench/import.sh               (from any directory)
#        N=100000 bash tests/bench/import.sh      (quick smoke run)
#        ORDER=time bash tests/bench/import.sh    (rows sorted by timestamp,
#                                                  then meter; default:
#                                                  ORDER=meter, each meter's
#                                                  series in one block)
#
# Not part of the test suite, and the figures are for the machine it runs
# on only: read the consometer/sqlite3 ratio rather than the absolute
# rows/s. The CSV (~72 bytes a row: ~700 MB at the default N) and both
# databases go to a temporary folder under ${TMPDIR:-/tmp}, removed on exit;
# the run refuses to start with less than 4 GB free there (proportionally
# less for a smaller N).
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build-bench-import"
N=${N:-10000000}
ORDER=${ORDER:-meter}
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] ||
    { echo "bench: N=$N: expected a positive number of rows" >&2; exit 2; }
[[ $ORDER == meter || $ORDER == time ]] ||
    { echo "bench: ORDER=$ORDER: expected meter or time" >&2; exit 2; }
METERS=$((N < 1000 ? N : 1000))
HOURS=$(((N + METERS - 1) / METERS))
METERS_PER_SITE=10
# Free space wanted: the CSV, our store (its WAL holds the whole import
# transaction until the checkpoint) and the baseline's database, with a
# margin: 4 GB for 10M rows, in proportion below, never under 256 MB.
NEED_KIB=$(awk -v n="$N" 'BEGIN { k = 4e9 / 1024 * n / 1e7;
    printf "%d", (k < 262144 ? 262144 : k) }')

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

install_missing() {
    local pkgs=() sudo=()
    [ -x /usr/bin/time ] || pkgs+=(time) # GNU time, for the peak RSS
    command -v sqlite3 >/dev/null || pkgs+=(sqlite3)
    command -v cmake >/dev/null || pkgs+=(cmake)
    command -v make >/dev/null || pkgs+=(make)
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

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# Bytes on disk of a SQLite database: the file and its WAL, if any is left.
db_bytes() {
    local total=0 f
    for f in "$1" "$1-wal"; do
        [ -f "$f" ] && total=$((total + $(stat -c %s "$f")))
    done
    echo "$total"
}

# Runs "$@" under GNU time; sets WALL (s) and RSS_KIB (peak), and leaves
# the command's standard output in $TMP/out. Dies, showing stderr, if the
# command fails.
timed() {
    local label=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"; then
        tail -n 20 "$TMP/err" >&2
        die "$label failed"
    fi
    t1=$EPOCHREALTIME
    # time's own %e has 10 ms steps: the wall time is taken around it.
    read -r _ RSS_KIB <"$TMP/time"
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# One row of the result table, from the figures of the last timed() run.
ROWS=()
row() {
    local label=$1 rps
    rps=$(awk -v n="$N" -v s="$WALL" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
    ROWS+=("$(printf '%-34s %12s %10s %14s' "$label" "$rps" "$WALL" \
        "$(awk -v k="$RSS_KIB" 'BEGIN { printf "%.1f", k / 1024 }')")")
    RPS=$rps
}

# The value of "key" in the "total" object of an import summary.
total_of() {
    sed -n 's/.*"total":{\(.*\)/\1/p' "$TMP/out" |
        grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2
}

# --- build ----------------------------------------------------------------

install_missing
mkdir -p "${TMPDIR:-/tmp}"
AVAIL_KIB=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $4 }')
[ "$AVAIL_KIB" -ge "$NEED_KIB" ] ||
    die "$(mib $((AVAIL_KIB * 1024))) free in ${TMPDIR:-/tmp}, and" \
        "N=$N needs $(mib $((NEED_KIB * 1024))): free space, set TMPDIR" \
        "elsewhere, or lower N (N=100000 for a smoke run)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/consometer-bench-import.XXXXXX")

echo "consometer import bench, $(nproc) cores, N=$N" \
    "($METERS meters x $HOURS hourly readings, ORDER=$ORDER)"
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

# sites.csv: one site per METERS_PER_SITE meters; meters.csv: every meter,
# source csv, step PT1H; readings.csv: the canonical CSV, deterministic.
t0=$EPOCHREALTIME
awk -v n="$N" -v nm="$METERS" -v nh="$HOURS" -v per="$METERS_PER_SITE" \
    -v order="$ORDER" -v csv="$TMP/readings.csv" \
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
# One reading: a value in kWh from 0.000 to 99.999, a function of (m, t).
function reading(m, t,   v) {
    v = (m * 7919 + t * 104729) % 100000
    printf "%s%s,%d.%03d,PT1H\n", pre[m], ts[t], int(v / 1000), v % 1000 > csv
}
BEGIN {
    print "site_id,name,category,floor_area_m2,commune_insee,district,epci,public" > sites
    for (s = 0; s * per < nm; s++)
        printf "site-%04d,Site %d,education,%d,56121,,200042174,true\n",
            s, s, 500 + s % 50 * 100 > sites
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
    if (order == "meter") {
        for (m = 0; m < nm && i < n; m++)
            for (t = 0; t < nh && i < n; t++) {
                reading(m, t)
                i++
            }
    } else {
        for (t = 0; t < nh && i < n; t++)
            for (m = 0; m < nm && i < n; m++) {
                reading(m, t)
                i++
            }
    }
}' || die "could not generate the CSV"
t1=$EPOCHREALTIME
CSV_BYTES=$(stat -c %s "$TMP/readings.csv")
awk -v a="$t0" -v b="$t1" -v s="$(mib "$CSV_BYTES")" -v bytes="$CSV_BYTES" -v n="$N" \
    'BEGIN { printf "CSV: %d rows, %d bytes (%s), generated in %.1f s\n", n, bytes, s, b - a }'

# --- consometer -----------------------------------------------------------

DB="$TMP/consometer.db"
"$BIN" sites import "$TMP/sites.csv" --db "$DB" >"$TMP/out" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; die "sites import failed"; }
"$BIN" meters import "$TMP/meters.csv" --db "$DB" >"$TMP/out" 2>"$TMP/err" ||
    { cat "$TMP/err" >&2; die "meters import failed"; }
grep -q "\"meters\":$METERS" "$TMP/out" ||
    die "meters import: expected $METERS meters, got $(cat "$TMP/out")"

timed "consometer import" "$BIN" import --db "$DB" "$TMP/readings.csv"
got=$(total_of rows_imported)
[ "$got" = "$N" ] ||
    { head -c 2000 "$TMP/out" >&2; echo >&2; die "import: rows_imported is '$got', expected $N"; }
row "consometer import"
CM_RPS=$RPS
CM_DB_BYTES=$(db_bytes "$DB")

timed "consometer re-import" "$BIN" import --db "$DB" "$TMP/readings.csv"
got=$(total_of rows_unchanged)
[ "$got" = "$N" ] ||
    { head -c 2000 "$TMP/out" >&2; echo >&2; die "re-import: rows_unchanged is '$got', expected $N"; }
row "consometer re-import (unchanged)"
CM_RE_RPS=$RPS

# --- baseline -------------------------------------------------------------

BASE_DB="$TMP/baseline.db"
SQLITE_NAME="sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
# The same journal and sync settings as our store (WAL, synchronous=NORMAL);
# .import runs in one transaction, as our import of a file does.
cat >"$TMP/baseline.sql" <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE t(site_id,meter_id,kind,unit,timestamp,value,step);
.import --csv --skip 1 "$TMP/readings.csv" t
SELECT count(*) FROM t;
EOF
timed "$SQLITE_NAME .import" sqlite3 -bail "$BASE_DB" ".read $TMP/baseline.sql"
got=$(tail -n 1 "$TMP/out")
[ "$got" = "$N" ] || die "$SQLITE_NAME .import: $got rows in t, expected $N"
row "$SQLITE_NAME .import (baseline)"
BASE_RPS=$RPS
BASE_DB_BYTES=$(db_bytes "$BASE_DB")

# --- results --------------------------------------------------------------

echo
printf '%-34s %12s %10s %14s\n' "" "rows/s" "wall s" "peak RSS MiB"
printf '%s\n' "${ROWS[@]}"
echo
echo "rows/s ratios:"
printf '  %-46s %s\n' \
    "consometer import / $SQLITE_NAME .import" "$(ratio "$CM_RPS" "$BASE_RPS")" \
    "consometer re-import / $SQLITE_NAME .import" "$(ratio "$CM_RE_RPS" "$BASE_RPS")" \
    "consometer re-import / import" "$(ratio "$CM_RE_RPS" "$CM_RPS")"
echo
echo "on disk: consometer store $(mib "$CM_DB_BYTES") ($CM_DB_BYTES bytes)," \
    "$SQLITE_NAME table t $(mib "$BASE_DB_BYTES") ($BASE_DB_BYTES bytes)," \
    "CSV $(mib "$CSV_BYTES")"
