#!/usr/bin/env bash
# test_examples.sh -- the datathon examples of scripts-lua/examples run as
# the tutorial says, against a demo store made here: every examples/*.lua
# succeeds and its figures equal the same figures computed by sqlite3 on
# the store file (never hard-coded totals: the demo grows), 05 publishes
# its indicator once and then is unchanged, and every errors/CODE.lua
# ends with the error code CODE. Needs bash, grep, sed, awk and sqlite3
# (as test_cli.sh). Usage: test_examples.sh PATH/TO/consometer
set -u
BIN=$1
SRC=${CM_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
EX=$SRC/scripts-lua/examples
mkdir -p "${CM_TEST_TMP:-/tmp}"
TMP=$(mktemp -d "${CM_TEST_TMP:-/tmp}/examples-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
unset $(env | grep -o '^CONSOMETER_[A-Z_]*') 2>/dev/null
export CONSOMETER_STORE_DATA_DIR=$TMP/data
DB=$TMP/demo.db
n=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n $*"; }

# run FILE [flags...]: OUT (stdout) and RC of `consometer lua run`.
run() {
    local f=$1
    shift
    OUT=$("$BIN" lua run --db "$DB" "$@" "$f" 2>"$TMP/stderr"); RC=$?
}
# sq SQL: one value from the store.
sq() { sqlite3 "$DB" "$1"; }
# num KEY [TEXT]: the first number after "KEY": in TEXT (default OUT).
num() { grep -o "\"$1\":-\?[0-9][0-9.eE+-]*" <<<"${2-$OUT}" | head -n 1 | cut -d: -f2; }
# str KEY [TEXT]: the first string after "KEY": in TEXT (no escapes).
str() { grep -o "\"$1\":\"[^\"]*\"" <<<"${2-$OUT}" | head -n 1 | cut -d'"' -f4; }
# same A B [TOL]: numbers equal within TOL (default 1e-9, relative).
same() {
    awk -v a="$1" -v b="$2" -v t="${3:-1e-9}" 'BEGIN {
        if (a == "" || b == "") exit 1
        d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b); if (m < 1) m = 1
        exit !(d <= t * m) }'
}
# array KEY: the text inside "KEY":[...] of OUT (flat arrays of objects).
array() { sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" <<<"$OUT"; }
# objects TEXT: one {...} a line.
objects() { sed 's/},{/}\n{/g' <<<"$1"; }
LATEST="(SELECT latest FROM dataset WHERE slug = 'energy-site-year')"
PV="(SELECT latest FROM dataset WHERE slug = 'pv-site-hour')"

# The demo store, publishing only the demo datasets the examples name
# (the whole demo is test_cli.sh's, and takes long under ASan): a
# datasets.dir of links to them. Without indicators/ beside it, the demo
# publishes no built-in indicator, and says so.
mkdir datasets
need=()
for d in "$SRC"/datasets/*/dataset.json; do
    slug=$(basename "$(dirname "$d")")
    if grep -rqF -- "'$slug'" "$EX"; then
        ln -s "$(dirname "$d")" "datasets/$slug"
        need+=("$slug")
    fi
done
[ ${#need[@]} -gt 0 ] || fail "the examples name no dataset of $SRC/datasets"
out=$(CONSOMETER_DATASETS_DIR=$TMP/datasets "$BIN" demo --db "$DB" 2>&1) ||
    fail "consometer demo: $out"
for slug in "${need[@]}"; do
    [ "$(sq "SELECT count(*) FROM dataset WHERE slug = '$slug' AND latest IS NOT NULL")" = 1 ] ||
        fail "consometer demo did not publish $slug: $out"
done
ok "demo store with ${need[*]}"

# Every example runs and returns a result.
for f in "$EX"/*.lua; do
    run "$f"
    [ "$RC" = 0 ] && grep -q '^{"result":' <<<"$OUT" ||
        fail "$(basename "$f"): exit $RC: $OUT $(cat "$TMP/stderr")"
    ok "$(basename "$f") runs"
done

# 01: the literal result.
run "$EX/01-hello.lua"
grep -q '^{"result":{"hello":"Consometer","squares":\[1,4,9,16,25\]},"stats":' <<<"$OUT" ||
    fail "01-hello: $OUT"
ok "01-hello returns its table as JSON"

# 02: the catalog and the reads, against the store.
run "$EX/02-datasets.lua"
[ "$(num datasets)" = "$(sq 'SELECT count(*) FROM dataset WHERE latest IS NOT NULL')" ] ||
    fail "02: datasets $(num datasets)"
want=$(sq "SELECT '[\"' || group_concat(slug, '\",\"') || '\"]' FROM
           (SELECT slug FROM dataset WHERE latest IS NOT NULL ORDER BY slug)")
grep -qF "\"slugs\":$want" <<<"$OUT" || fail "02: slugs, want $want: $OUT"
[ "$(num rows)" = "$(sq "SELECT count(*) FROM observation WHERE version = $LATEST")" ] ||
    fail "02: rows $(num rows)"
[ "$(num suppressed)" = "$(sq "SELECT count(*) FROM observation WHERE version = $LATEST AND value IS NULL")" ] ||
    fail "02: suppressed $(num suppressed)"
want=$(sq "SELECT sum(value) FROM observation WHERE version = $LATEST AND kind = 'electricity'")
same "$(num electricity_kwh)" "$want" || fail "02: electricity_kwh $(num electricity_kwh), sqlite3 $want"
ok "02-datasets: datasets, slugs, rows, suppressed and a column sum as in sqlite3"

# 03: the C aggregates against SQL and a percentile computed here.
run "$EX/03-aggregate.lua"
want=$(sq "SELECT sum(value) FROM observation WHERE version = $LATEST")
same "$(num total_kwh)" "$want" || fail "03: total_kwh $(num total_kwh), sqlite3 $want"
groups=$(array by_kind)
[ "$(objects "$groups" | grep -c '"kind"')" = "$(sq "SELECT count(*) FROM (SELECT DISTINCT period, kind FROM observation WHERE version = $LATEST)")" ] ||
    fail "03: by_kind groups: $groups"
while read -r g; do
    p=$(str period "$g") k=$(str kind "$g")
    want=$(sq "SELECT sum(value) FROM observation WHERE version = $LATEST AND period = '$p' AND kind = '$k'")
    same "$(num value "$g")" "$want" || fail "03: by_kind $g, sqlite3 $want"
done < <(objects "$groups")
pv=$(array pv)
[ "$(objects "$pv" | grep -c '"site"')" = "$(sq "SELECT count(DISTINCT territory) FROM observation WHERE version = $PV AND value IS NOT NULL")" ] ||
    fail "03: pv sites: $pv"
while read -r g; do
    s=$(str site "$g")
    [ "$(num hours "$g")" = "$(sq "SELECT count(value) FROM observation WHERE version = $PV AND territory = '$s'")" ] ||
        fail "03: pv hours of $s: $g"
    same "$(num max "$g")" "$(sq "SELECT max(value) FROM observation WHERE version = $PV AND territory = '$s'")" ||
        fail "03: pv max of $s: $g"
    sq "SELECT value FROM observation WHERE version = $PV AND territory = '$s' AND value IS NOT NULL ORDER BY value" > pv.txt
    for q in 50 90; do
        want=$(awk -v p="$q" '{ v[NR - 1] = $1 } END {
            h = (NR - 1) * p / 100; i = int(h)
            printf "%.17g", (i + 1 >= NR ? v[NR - 1] : v[i] + (h - i) * (v[i + 1] - v[i])) }' pv.txt)
        same "$(num "p$q" "$g")" "$want" || fail "03: p$q of $s: $g, computed $want"
    done
done < <(objects "$pv")
ok "03-aggregate: grouped sums, count, max, p50 and p90 as in sqlite3"

# 04: SQL with parameters; a typo is an error pcall catches.
run "$EX/04-sql.lua"
want=$(sq "SELECT group_concat(territory, ' ') FROM (SELECT territory FROM observation
           WHERE version = $LATEST AND period = '2024' AND kind = 'electricity' AND value IS NOT NULL
           ORDER BY value DESC, territory LIMIT 3)")
got=$(objects "$(array top)" | while read -r r; do str site "$r"; done | tr '\n' ' ')
[ "$got" = "$want " ] || fail "04: top '$got', sqlite3 '$want'"
[ "$(objects "$(array versions)" | grep -c '"slug"')" = "$(sq 'SELECT count(DISTINCT dataset) FROM dataset_version')" ] ||
    fail "04: versions: $OUT"
grep -q '"typo_caught":true' <<<"$OUT" || fail "04: typo not caught: $OUT"
ok "04-sql: a parametered query as in sqlite3; a typo caught by pcall"

# 05: the indicator's rows as computed by SQL; published once, then unchanged.
run "$EX/05-publish.lua"
want=$(sq "WITH o AS (SELECT * FROM observation WHERE version = $LATEST
                      AND kind IN ('electricity', 'gas', 'heat')),
                y AS (SELECT DISTINCT period FROM o WHERE kind IN ('gas', 'heat'))
           SELECT territory || ' ' || period || ' ' ||
                  (100.0 * total(CASE WHEN kind = 'electricity' THEN value END) / sum(value))
           FROM o WHERE period IN y GROUP BY territory, period
           HAVING count(value) = count(*) AND sum(value) > 0 ORDER BY territory, period")
got=$(objects "$(array observations)" | while read -r r; do
    echo "$(str territory "$r") $(str period "$r") $(num value "$r")"; done)
[ -n "$want" ] || fail "05: sqlite3 found no building-year"
[ "$(wc -l <<<"$got")" = "$(wc -l <<<"$want")" ] || fail "05: rows: $got; sqlite3: $want"
paste -d' ' <(echo "$want") <(echo "$got") | awk '{
    d = $3 - $6; if (d < 0) d = -d
    if ($1 != $4 || $2 != $5 || d > 0.05 + 1e-9) { print "row: " $0; bad = 1 } }
    END { exit bad }' || fail "05: rows differ from sqlite3 (left)"
rows=$(wc -l <<<"$want")
out=$("$BIN" lua publish --db "$DB" "$EX/05-publish.lua" 2>&1) ||
    fail "05: lua publish: $out"
grep -qE "^\{\"slug\":\"example-electricity-share\",\"version\":1,\"unchanged\":false,\"rows\":$rows," <<<"$out" ||
    fail "05: lua publish: $out"
out=$("$BIN" lua publish --db "$DB" "$EX/05-publish.lua" 2>&1) ||
    fail "05: lua publish again: $out"
grep -q '"version":1,"unchanged":true' <<<"$out" || fail "05: lua publish again: $out"
[ "$(sq "SELECT d.origin || ' ' || v.n_observations FROM dataset d JOIN dataset_version v
         ON v.id = d.latest WHERE d.slug = 'example-electricity-share'")" = "lua $rows" ] ||
    fail "05: the published dataset"
run "$EX/02-datasets.lua"
grep -q '"example-electricity-share"' <<<"$OUT" || fail "05: not in cm.datasets(): $OUT"
ok "05-publish: $rows rows as in sqlite3; published once, then unchanged; readable by scripts"

# errors/CODE.lua: the code CODE, with the flags of its '-- flags:' line.
for f in "$EX"/errors/*.lua; do
    code=$(basename "$f" .lua)
    read -r -a flags <<<"$(sed -n 's/^-- flags: //p' "$f")"
    run "$f" "${flags[@]}"
    [ "$RC" = 1 ] && grep -q "^{\"error\":{\"code\":\"$code\"," <<<"$OUT" ||
        fail "errors/$code.lua: exit $RC: $OUT"
    case $code in
    syntax_error | runtime_error | forbidden | instruction_limit | time_limit)
        grep -q '"line":[1-9]' <<<"$OUT" || fail "errors/$code.lua: no line: $OUT" ;;
    esac
    ok "errors/$code.lua -> $code"
done
echo "all $n passed"
