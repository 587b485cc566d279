#!/usr/bin/env bash
# test_cli.sh -- the consometer command line, run as an administrator would:
# exit statuses, messages that name the file/setting at fault, the layers
# of configuration, migrations, backups, and `serve` stopped by SIGTERM with
# requests in flight. Usage: test_cli.sh PATH/TO/consometer
set -u
BIN=$1
TMP=$(mktemp -d "${CM_TEST_TMP:-/tmp}/cli-XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
cd "$TMP"
unset $(env | grep -o '^CONSOMETER_[A-Z_]*') 2>/dev/null
mkdir portal && echo '<!doctype html><title>t</title>' > portal/index.html
export CONSOMETER_PORTAL_DIR=$TMP/portal CONSOMETER_STORE_DATA_DIR=$TMP/data
n=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n $*"; }

# expect STATUS PATTERN -- cmd...: exit status and a pattern in stdout+stderr
expect() {
    local want=$1 pat=$2 out rc
    shift 3
    out=$("$@" 2>&1); rc=$?
    [ "$rc" = "$want" ] || fail "$*: exit $rc, want $want: $out"
    grep -qE -- "$pat" <<<"$out" || fail "$*: no /$pat/ in: $out"
    ok "$* -> $want"
}

expect 0 '^consometer [0-9]+\.[0-9]+' -- "$BIN" --version
expect 0 'serve.*migrate.*config.*backup' -- bash -c "$BIN --help | tr '\n' ' '"
expect 2 'usage' -- "$BIN"
expect 2 "unknown command 'frobnicate'" -- "$BIN" frobnicate
for c in serve migrate config import sites meters user demo publish practice lua backup; do
    expect 0 "usage: consometer $c" -- "$BIN" $c --help
done
expect 0 'CONSOMETER_HTTP_BODY_MAX' -- "$BIN" serve --help
expect 2 "unknown option '--nope'" -- "$BIN" config --nope
expect 2 "unexpected argument 'extra'" -- "$BIN" migrate extra

# config: JSON, and the layers default < file < env < flag
expect 0 '"http.port":8080' -- "$BIN" config
printf 'http.port = 7001\nhttp.threads = 3\n# comment\napi.page_max = 500\n' > ok.conf
expect 0 '"http.port":7001,"http.threads":3' -- "$BIN" config --config ok.conf
expect 0 '"http.port":7002,"http.threads":3' -- env CONSOMETER_HTTP_PORT=7002 "$BIN" config --config ok.conf
expect 0 '"http.port":7003' -- env CONSOMETER_HTTP_PORT=7002 "$BIN" config --config ok.conf --port 7003
expect 0 '"http.port":7004' -- env CONSOMETER_CONFIG=ok.conf "$BIN" config --http.port=7004
expect 0 '"http.port":\{"value":7002,"origin":"env"' -- env CONSOMETER_HTTP_PORT=7002 "$BIN" config --origin
"$BIN" config | python3 -m json.tool > /dev/null 2>&1 || "$BIN" config | grep -q '^{.*}$' || fail "config is not JSON"
ok "config prints one JSON object"

# bad values: exit 2, naming the setting, the allowed values, the source
expect 2 'http.port.*0\.\.65535.*CONSOMETER_HTTP_PORT' -- env CONSOMETER_HTTP_PORT=99999 "$BIN" config
expect 2 "log.level: 'loud' is not one of error\|warn\|info\|debug" -- "$BIN" config --log-level loud
expect 2 'http.body_max.*--http.body_max' -- "$BIN" serve --http.body_max=12x
printf 'http.port = 1\nthis is wrong\n' > bad.conf
expect 2 'bad.conf:2: expected' -- "$BIN" serve --config bad.conf
printf 'http.prot = 1\n' > typo.conf
expect 2 "typo.conf:1: unknown setting 'http.prot'" -- "$BIN" serve --config typo.conf
expect 2 'configuration file nowhere.conf: No such file' -- "$BIN" config --config nowhere.conf
expect 2 'api.page_default \(5000\) must not exceed api.page_max' -- "$BIN" config --api.page_default 5000

# migrate: creates, then is idempotent; refuses a newer store
expect 0 'schema version [0-9]+ \([0-9]+ migrations applied\)' -- "$BIN" migrate
expect 0 '\(0 migrations applied\)' -- "$BIN" migrate
[ -f data/consometer.db ] || fail "no store file"
[ "$(sqlite3 data/consometer.db 'PRAGMA journal_mode')" = wal ] || fail "store not in WAL mode"
[ "$(sqlite3 data/consometer.db "SELECT count(*) FROM audit_log WHERE action = 'store.migrate'")" = 1 ] || fail "migration not audited"
ok "store is WAL and the migration is in the audit log"
cp data/consometer.db newer.db
sqlite3 newer.db "INSERT INTO schema_version (version, name) VALUES (99, '0099_future')"
mkdir newer && mv newer.db newer/consometer.db
expect 1 'schema version 99, newer than this consometer' -- "$BIN" migrate --data-dir newer
expect 1 'newer than this consometer' -- "$BIN" serve --data-dir newer --port 0
[ "$(sqlite3 newer/consometer.db 'SELECT max(version) FROM schema_version')" = 99 ] || fail "newer store was touched"
ok "newer store left as it was"

# an unwritable data folder (a file stands where the folder should be;
# root ignores permission bits, so chmod cannot make this case)
touch afile
expect 1 "store.data_dir '$TMP/afile/data': cannot create" -- "$BIN" migrate --data-dir "$TMP/afile/data"
expect 1 "store.data_dir.*not a folder" -- "$BIN" serve --data-dir "$TMP/afile" --port 0

# backup: consistent copy, never over an existing file
expect 0 'backup .*copy.db: [0-9]+ bytes, integrity ok' -- "$BIN" backup copy.db
[ "$(sqlite3 copy.db 'PRAGMA integrity_check')" = ok ] || fail "backup integrity"
[ "$(sqlite3 copy.db 'PRAGMA journal_mode')" = delete ] || fail "backup should be a single file"
expect 2 'file exists' -- "$BIN" backup copy.db
expect 2 'missing DEST' -- "$BIN" backup
expect 1 'consometer.db' -- "$BIN" backup x.db --data-dir "$TMP/nothing-here"

# the registry and imports, as an administrator runs them
cat > sites.csv <<'CSV'
site_id,name,category,floor_area_m2,commune_insee,district,epci,public
ecole-jules-ferry,École Jules Ferry,education,1850,56121,,200042174,true
mairie,Hôtel de ville,administration,4200,56121,,200042174,true
CSV
cat > meters.csv <<'CSV'
meter_id,site_id,kind,source,source_ref,step
jf-elec,ecole-jules-ferry,electricity,csv,,PT1H
jf-temp,ecole-jules-ferry,temperature,csv,,
mairie-linky,mairie,electricity,enedis,30001642617347,
CSV
expect 0 '"sites":2' -- "$BIN" sites import sites.csv --db "$TMP/fed.db"
expect 0 '"meters":3' -- "$BIN" meters import meters.csv --db "$TMP/fed.db"
expect 0 '"meters":3' -- "$BIN" meters import meters.csv --db "$TMP/fed.db"
printf 'site_id,name,category,floor_area_m2,commune_insee,district,epci,public,colour\n' > bad-sites.csv
expect 2 "bad-sites.csv: line 1: unknown column 'colour'" -- "$BIN" sites import bad-sites.csv --db "$TMP/fed.db"
printf 'meter_id,site_id,kind,source,source_ref\nx,nowhere,electricity,csv,\n' > bad-meters.csv
expect 2 "bad-meters.csv: line 2: site 'nowhere' is not in the registry" -- "$BIN" meters import bad-meters.csv --db "$TMP/fed.db"
printf 'meter_id,site_id,kind,source,source_ref\ny,mairie,steam,csv,\n' > bad-kind.csv
expect 2 "line 2: unknown kind 'steam'" -- "$BIN" meters import bad-kind.csv --db "$TMP/fed.db"
[ "$(sqlite3 fed.db 'SELECT count(*) FROM meter')" = 3 ] || fail "a refused meters file wrote something"
ok "refused registry files write nothing"
cat > readings.csv <<'CSV'
site_id,meter_id,kind,unit,timestamp,value
ecole-jules-ferry,jf-elec,electricity,kWh,2024-01-15T08:00:00+01:00,12.5
ecole-jules-ferry,jf-elec,electricity,Wh,2024-01-15T09:00:00+01:00,14250
ecole-jules-ferry,jf-temp,temperature,degC,2024-01-15T08:00:00Z,-1.5
ecole-jules-ferry,jf-elec,electricity,kWh,2024-01-15T10:00:00+01:00,NaN
CSV
expect 0 '"rows_read":4,"rows_imported":3,"rows_updated":0,"rows_unchanged":0,"rows_rejected":1' -- "$BIN" import readings.csv --db "$TMP/fed.db"
expect 0 '"rows_imported":0,"rows_updated":0,"rows_unchanged":3,"rows_rejected":1' -- "$BIN" import readings.csv --db "$TMP/fed.db"
expect 0 '"errors":\[\{"file":"readings.csv","line":5,"message":"value .NaN. is not a number' -- "$BIN" import readings.csv --db "$TMP/fed.db"
expect 1 'rows rejected and --strict is set' -- "$BIN" import --strict readings.csv --db "$TMP/fed.db"
expect 0 '"file":"stdin","format":"csv".*"rows_unchanged":3' -- bash -c "\"$BIN\" import - --db \"$TMP/fed.db\" < readings.csv"
printf 'site_id,meter_id,kind,unit,timestamp,value\necole-jules-ferry,jf-elec,electricity,kWh,"2024-01-16T08:00:00Z,1\n' > cut.csv
expect 2 'cut.csv: line 2: unterminated quote' -- "$BIN" import cut.csv --db "$TMP/fed.db"
printf 'hello\n' > what.txt
expect 2 'what.txt: cannot tell the format' -- "$BIN" import what.txt --db "$TMP/fed.db"
expect 2 'no-such.csv' -- "$BIN" import no-such.csv --db "$TMP/fed.db"
expect 2 "unknown format 'xml'" -- "$BIN" import --format xml readings.csv --db "$TMP/fed.db"
[ "$(sqlite3 fed.db 'SELECT count(*) FROM reading')" = 3 ] || fail "readings count"
[ "$(sqlite3 fed.db "SELECT value FROM reading r JOIN meter m ON m.id = r.meter WHERE m.meter_id = 'jf-elec' AND start = 1705305600")" = 14.25 ] || fail "Wh were not converted to kWh"
[ "$(sqlite3 fed.db "SELECT count(*) FROM audit_log WHERE action = 'readings.import'")" -ge 3 ] || fail "imports not audited"
ok "readings stored in kWh at their UTC start; imports audited"

# accounts: the token is printed once, only its hash is kept
out=$("$BIN" user add --role provider lorient-zabbix --db "$TMP/fed.db") || fail "user add: $out"
grep -qE '^\{"user":"lorient-zabbix","role":"provider","token":"cm_[A-Za-z0-9_-]{43}"\}$' <<<"$out" || fail "user add output: $out"
token=$(grep -o 'cm_[A-Za-z0-9_-]*' <<<"$out")
[ "$(sqlite3 fed.db "SELECT count(*) FROM api_token WHERE token_hash = unhex('$(printf %s "$token" | sha256sum | cut -c1-64)')" 2>/dev/null)" = 1 ] ||
    [ "$(sqlite3 fed.db "SELECT hex(token_hash) FROM api_token")" = "$(printf %s "$token" | sha256sum | cut -c1-64 | tr a-f A-F)" ] || fail "token hash"
! grep -q "$token" fed.db fed.db-wal 2>/dev/null || fail "the token itself is in the store"
ok "user add prints the token once and stores its SHA-256"
expect 1 "exists already" -- "$BIN" user add --role provider lorient-zabbix --db "$TMP/fed.db"
expect 2 "unknown role 'root'" -- "$BIN" user add --role root someone --db "$TMP/fed.db"
expect 2 'usage: consometer user add' -- "$BIN" user add nobody --db "$TMP/fed.db"
# Portal passwords (argon2id), from stdin; listing, new tokens, disabling
expect 0 '"user":"ed","role":"editor","token":"cm_.*"password":true' -- bash -c "echo 'a long enough password' | '$BIN' user add --role editor --password-stdin ed --db '$TMP/fed.db'"
expect 2 'at least 10 bytes' -- bash -c "echo short | '$BIN' user add --role editor --password-stdin ed2 --db '$TMP/fed.db'"
[ "$(sqlite3 fed.db "SELECT count(*) FROM account WHERE name = 'ed2'")" = 0 ] || fail "a refused password created the account"
[ "$(sqlite3 fed.db "SELECT substr(password_hash, 1, 10) FROM account WHERE name = 'ed'")" = '$argon2id$' ] || fail "password not stored as argon2id"
expect 0 '^\{"user":"ed","token":"cm_[A-Za-z0-9_-]{43}"\}$' -- "$BIN" user token --label ci --expires-days 30 ed --db "$TMP/fed.db"
[ "$(sqlite3 fed.db "SELECT count(*) FROM api_token t JOIN account a ON a.id = t.account WHERE a.name = 'ed' AND t.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+29 days') AND t.label = 'ci'")" = 1 ] || fail "token expiry or label"
expect 2 'expires-days' -- "$BIN" user token --expires-days 0 ed --db "$TMP/fed.db"
expect 0 '"user":"ed","role":"editor","disabled":false,"password":true,"tokens":2' -- "$BIN" user list --db "$TMP/fed.db"
expect 0 '"user":"ed","disabled":true' -- "$BIN" user disable ed --db "$TMP/fed.db"
expect 0 '"user":"ed","role":"editor","disabled":true' -- "$BIN" user list --db "$TMP/fed.db"
expect 2 "no account named 'ghost'" -- "$BIN" user disable ghost --db "$TMP/fed.db"
expect 2 "no account named 'ghost'" -- "$BIN" user token ghost --db "$TMP/fed.db"
[ "$(sqlite3 fed.db "SELECT count(*) FROM audit_log WHERE action IN ('account.password', 'token.add', 'account.disable') AND target = 'ed'")" = 3 ] || fail "user changes are audited"
# An editor of given territories; a malformed list creates nothing
expect 0 '"user":"terr","role":"editor".*"territories":"56121,200042174"' -- "$BIN" user add --role editor --territories 56121,200042174 terr --db "$TMP/fed.db"
[ "$(sqlite3 fed.db "SELECT territories FROM account WHERE name = 'terr'")" = '["56121","200042174"]' ] || fail "territories not stored"
expect 2 'territories: up to 64 comma-separated' -- "$BIN" user add --role editor --territories "56121;DROP" terr2 --db "$TMP/fed.db"
expect 2 'territories: up to 64 comma-separated' -- "$BIN" user add --role editor --territories "" terr2 --db "$TMP/fed.db"
[ "$(sqlite3 fed.db "SELECT count(*) FROM account WHERE name = 'terr2'")" = 0 ] || fail "a refused territory list created the account"

# practice load: sheets from files, all or nothing, errors naming the file,
# the sheet and the field
cat > sheets.json <<'JSON'
[{"title": "Éclairage public sobre", "summary": "Extinction de 23 h à 5 h.",
  "territory": {"level": "commune", "code": "56121", "name": "Lorient"},
  "themes": ["lighting", "sobriety"], "impacts": {"energy": 2}},
 {"title": "Chaufferie bois", "summary": "Une chaudière bois pour trois écoles.",
  "territory": {"level": "epci", "code": "200042174", "name": "Lorient Agglomération"}}]
JSON
printf '{"title": "Sans territoire", "summary": "x"}' > bad-sheet.json
printf '[{"title": "ok", "summary": "x", "territory": {"level": "commune", "code": "56121", "name": "L"}}, {"title": "ko", "summary": "x", "territory": {"level": "region", "code": "5X", "name": "B"}}]' > bad-second.json
expect 2 'bad-sheet.json: sheet \[0\]: territory: is required' -- "$BIN" practice load sheets.json bad-sheet.json --db "$TMP/fed.db"
expect 2 'bad-second.json: sheet \[1\]: territory.code: an INSEE region code' -- "$BIN" practice load bad-second.json --db "$TMP/fed.db"
expect 2 'nowhere.json: No such file' -- "$BIN" practice load nowhere.json --db "$TMP/fed.db"
printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' > deep.json
expect 2 'deep.json: nested deeper than 32' -- "$BIN" practice load deep.json --db "$TMP/fed.db"
[ "$(sqlite3 fed.db "SELECT count(*) FROM practice")" = 0 ] || fail "a refused file wrote sheets"
expect 0 '^\{"practices":\{"loaded":2,"skipped":0,"ids":\[1,2\]\}\}$' -- "$BIN" practice load --publish sheets.json --db "$TMP/fed.db"
[ "$(sqlite3 fed.db "SELECT group_concat(state) FROM practice")" = 'published,published' ] || fail "practice load --publish"
[ "$(sqlite3 fed.db "SELECT count(*) FROM audit_log WHERE action IN ('practice.create', 'practice.submit', 'practice.publish') AND actor = 'cli'")" = 6 ] || fail "practice load is audited"
expect 2 'usage: consometer practice load' -- "$BIN" practice unload sheets.json --db "$TMP/fed.db"

! grep -rq 'a long enough password' "$TMP"/*.db 2>/dev/null || fail "a password is in the store in the clear"

# demo: the demo federation loads, then a second run changes nothing
expect 0 '"sites":13,"meters":31,.*"files_rejected":0,"rows_read":[1-9][0-9]*,"rows_imported":[1-9]' -- "$BIN" demo --db "$TMP/demo.db"
expect 0 '"total":\{[^}]*"rows_imported":0,"rows_updated":0,"rows_unchanged":[1-9][0-9]*,"rows_rejected":0' -- "$BIN" demo --db "$TMP/demo.db"
expect 2 "demo.dir '$TMP/nowhere'" -- "$BIN" demo --db "$TMP/demo.db" --demo-dir "$TMP/nowhere"

# demo published the demo datasets; publishing again changes nothing
for slug in electricity-commune-month pv-site-hour gas-district-day energy-site-year electricity-site-hour energy-site-month temperature-site-day; do
    [ "$(sqlite3 demo.db "SELECT count(*) FROM dataset d JOIN dataset_version v ON v.id = d.latest WHERE d.slug = '$slug' AND v.n_observations > 0")" = 1 ] ||
        fail "demo did not publish $slug"
done
ok "demo publishes the seven demo datasets"
expect 0 '"slug":"electricity-commune-month","version":1,"unchanged":true,"rows":[1-9][0-9]*,.*"suppressed":\{"primary":[0-9]+,"secondary":[0-9]+\}.*"sha256":"[0-9a-f]{64}"' -- "$BIN" publish electricity-commune-month --db "$TMP/demo.db"
expect 0 '"datasets":\[\{"slug":"electricity-site-hour".*"slug":"energy-site-year".*"unchanged":true.*"slug":"gas-district-day"' -- "$BIN" publish --all --db "$TMP/demo.db"
# a definition kept elsewhere, by path; then a new version when it changes
mkdir -p defs/x
sed 's/"slug": "pv-site-hour"/"slug": "pv-copy"/' "$CM_SOURCE_DIR/datasets/pv-site-hour/dataset.json" > defs/x/dataset.json
expect 0 '"slug":"pv-copy","version":1,"unchanged":false' -- "$BIN" publish "$TMP/defs/x/dataset.json" --db "$TMP/demo.db"
sed -i 's/"hourly"/"daily"/' defs/x/dataset.json
expect 0 '"slug":"pv-copy","version":2,"unchanged":false' -- "$BIN" publish "$TMP/defs/x/dataset.json" --db "$TMP/demo.db"
# refusals name the file and the field; nothing is written
bad() { # bad NAME JSON -- a definition file defs/NAME/dataset.json
    mkdir -p "defs/$1" && printf '%s\n' "$2" > "defs/$1/dataset.json"
}
base='"slug": "b", "title": {"fr": "B"}, "kinds": ["electricity"], "period": "month"'
bad dim "{$base, \"territory\": \"county\", \"privacy\": {\"policy\": \"open\"}}"
bad lic "{$base, \"license\": \"\", \"territory\": \"site\", \"privacy\": {\"policy\": \"open\"}}"
bad min "{$base, \"territory\": \"commune\", \"privacy\": {\"policy\": \"aggregated\", \"min_sites\": 0}}"
bad kind '{"slug": "b", "title": {"fr": "B"}, "kinds": ["water"], "period": "month", "territory": "commune", "privacy": {"policy": "aggregated"}}'
bad minmax "{$base, \"territory\": \"commune\", \"measures\": [\"max\"], \"privacy\": {\"policy\": \"aggregated\"}}"
before=$(sqlite3 demo.db "SELECT count(*) FROM dataset_version")
expect 2 "defs/dim/dataset.json: field 'territory'" -- "$BIN" publish "$TMP/defs/dim/dataset.json" --db "$TMP/demo.db"
expect 2 "defs/lic/dataset.json: field 'license'" -- "$BIN" publish "$TMP/defs/lic/dataset.json" --db "$TMP/demo.db"
expect 2 "defs/min/dataset.json: field 'privacy.min_sites'" -- "$BIN" publish "$TMP/defs/min/dataset.json" --db "$TMP/demo.db"
expect 2 "defs/kind/dataset.json: field 'kinds\[0\]'" -- "$BIN" publish "$TMP/defs/kind/dataset.json" --db "$TMP/demo.db"
expect 2 "defs/minmax/dataset.json: field 'measures'" -- "$BIN" publish "$TMP/defs/minmax/dataset.json" --db "$TMP/demo.db"
expect 2 "no-such.*dataset.json" -- "$BIN" publish no-such --db "$TMP/demo.db"
mkdir -p ds-dir/other && sed 's/"slug": "pv-site-hour"/"slug": "pv-typo"/' "$CM_SOURCE_DIR/datasets/pv-site-hour/dataset.json" > ds-dir/other/dataset.json
expect 2 "field 'slug': 'pv-typo' is not the name of its folder 'other'" -- "$BIN" publish other --datasets-dir "$TMP/ds-dir" --db "$TMP/demo.db"
expect 1 "more than 10 cells \(publish.cells_max\)" -- "$BIN" publish pv-site-hour --publish.cells_max=10 --db "$TMP/demo.db"
expect 2 "'Bad_Slug' is not a slug" -- "$BIN" publish Bad_Slug --db "$TMP/demo.db"
expect 2 "usage: consometer publish" -- "$BIN" publish --db "$TMP/demo.db"
expect 2 "usage: consometer publish" -- "$BIN" publish x --all --db "$TMP/demo.db"
[ "$(sqlite3 demo.db "SELECT count(*) FROM dataset_version")" = "$before" ] || fail "a refused definition wrote a version"
ok "refused definitions write nothing"

# lua run: one JSON object on stdout, whatever the script does
printf 'local t = {}\nfor i = 1, 3 do t[i] = i * i end\nreturn {squares = t}\n' > ok.lua
expect 0 '^\{"result":\{"squares":\[1,4,9\]\},"stats":\{"instructions":[0-9]+,"memory_peak_bytes":[0-9]+,"wall_ms":[0-9]+\}\}$' -- "$BIN" lua run ok.lua
printf 'local x = 1\nwhile true do x = x + 1 end\n' > loop.lua
expect 1 '^\{"error":\{"code":"instruction_limit","message":.*"line":2\}\}$' -- "$BIN" lua run --instructions 100000 loop.lua
expect 1 '"code":"time_limit"' -- "$BIN" lua run --timeout-ms 300 --instructions 2000000000 loop.lua
printf 'return os.execute("id")\n' > esc.lua
expect 1 '"code":"runtime_error"|"code":"forbidden"' -- "$BIN" lua run esc.lua
printf 'local s = "x"\nwhile true do s = s .. s end\n' > mem.lua
expect 1 '"code":"memory_limit"' -- "$BIN" lua run --memory-mb 8 mem.lua
printf 'return function() end\n' > fn.lua
expect 1 '"code":"invalid_output"' -- "$BIN" lua run fn.lua
printf 'local x = \nreturn x +\n' > syn.lua
expect 1 '"code":"syntax_error",.*"line":[0-9]+' -- "$BIN" lua run syn.lua
expect 2 "cannot read $TMP/none.lua" -- "$BIN" lua run "$TMP/none.lua"
# ... reading the published datasets of the demo store, and nothing else
printf 'local n = 0\nfor r in cm.rows("energy-site-year") do n = n + 1 end\nreturn {datasets = #cm.datasets() >= 4, rows = n > 0}\n' > data.lua
expect 0 '^\{"result":\{"datasets":true,"rows":true\}' -- "$BIN" lua run --db "$TMP/demo.db" data.lua
# lua publish: the demo published the built-in indicators; again: unchanged
expect 0 '"slug":"energy-intensity".*"unchanged":true' -- "$BIN" lua publish --db "$TMP/demo.db" "$CM_SOURCE_DIR/scripts-lua/indicators/energy-intensity.lua"
printf 'return {indicator = {slug = "x", title = {fr = "X"}, unit = "kWh", method = "m", reads = {"energy-site-year"}, period = "year", territory = "site"}, observations = {{period = "24", territory = "a", value = 1}}}\n' > badind.lua
expect 2 '"code":"invalid_output".*observations\[1\]\.period' -- "$BIN" lua publish --db "$TMP/demo.db" badind.lua
printf 'return cm.sql("SELECT * FROM site")\n' > priv.lua
expect 1 '"code":"forbidden"' -- "$BIN" lua run --db "$TMP/demo.db" priv.lua

# serve: answers /health; SIGTERM with requests in flight exits 0 quickly
"$BIN" serve --port 0 --threads 4 2> serve.log &
pid=$!
port=
for _ in $(seq 100); do
    port=$(grep -o 'serving http://127.0.0.1:[0-9]*' serve.log | grep -o '[0-9]*$')
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || fail "serve did not start: $(cat serve.log)"
curl -sf "http://127.0.0.1:$port/health" | grep -q '"status":"ok"' || fail "/health"
ok "serve answers /health on an ephemeral port"
code=$(curl -s -o body.json -w '%{http_code}' "http://127.0.0.1:$port/api/v1/nope")
[ "$code" = 404 ] && grep -q '"code":"not_found"' body.json || fail "404 envelope: $code $(cat body.json)"
ok "unknown route: 404 envelope"
# Keep clients busy, then stop the server under them.
for i in 1 2 3 4; do
    ( for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/health" || break; done ) &
done
sleep 0.3
start=$(date +%s%N)
kill -TERM $pid
wait $pid
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc = 0 ] || fail "serve exited $rc after SIGTERM: $(tail -5 serve.log)"
[ $ms -lt 2000 ] || fail "serve took $ms ms to stop"
grep -q 'stopped' serve.log || fail "no 'stopped' line"
grep -qE 'access GET /health 200 [0-9]+ [0-9]+us' serve.log || fail "no access log line"
ok "SIGTERM under load: exit 0 in $ms ms"
wait

# The default run's datasets, served by every endpoint of the open data API
"$BIN" serve --port 0 --threads 4 --db "$TMP/demo.db" --data-dir "$TMP/demo-data" 2> serve2.log &
pid=$!
port=
for _ in $(seq 100); do
    port=$(grep -o 'serving http://127.0.0.1:[0-9]*' serve2.log | grep -o '[0-9]*$')
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || fail "serve did not start: $(cat serve2.log)"
api=http://127.0.0.1:$port
get() { curl -sf "$api$1" || fail "GET $1"; }
for slug in electricity-commune-month pv-site-hour gas-district-day energy-site-year; do
    get /api/v1/datasets | grep -q "\"slug\":\"$slug\"" || fail "catalog lacks $slug"
    get "/api/v1/datasets/$slug" | grep -q '"disclosure":{' || fail "$slug: no disclosure report"
    get "/api/v1/datasets/$slug/records?limit=2" | grep -qE '"records":\[\{"period":' || fail "$slug: no records"
    get /catalog.jsonld | grep -q "/api/v1/datasets/$slug\"" || fail "DCAT lacks $slug"
    get /api/3/action/package_list | grep -q "\"$slug\"" || fail "CKAN lacks $slug"
    get "/api/3/action/package_show?id=$slug" | grep -q '"success":true' || fail "CKAN show $slug"
done
get '/api/v1/datasets?q=electricite' | grep -q '"slug":"electricity-commune-month"' || fail "search without accents"
for fmt in csv json ndjson zip tar.gz; do
    curl -sf -o "dl.$fmt" -D dl.h "$api/api/v1/datasets/gas-district-day/download?format=$fmt" || fail "download $fmt"
    want=$(get /api/v1/datasets/gas-district-day | grep -oE "\"format\":\"$fmt\"[^}]*\"sha256\":\"[0-9a-f]{64}\"" | grep -oE '[0-9a-f]{64}')
    [ -n "$want" ] && [ "$(sha256sum < "dl.$fmt" | cut -c1-64)" = "$want" ] || fail "download $fmt: sha256 is not the announced $want"
done
unzip -l dl.zip 2>/dev/null | grep -q datapackage.json || tar -tzf dl.tar.gz | grep -q datapackage.json || fail "archives hold datapackage.json"
get /api/v1/openapi.json | grep -q '"openapi":"3.0.3"' || fail "openapi"
# Every built-in indicator: published by the demo, served as a dataset
# (records, a CSV download), listed by the gallery with its source.
nind=0
for f in "$CM_SOURCE_DIR"/scripts-lua/indicators/*.lua; do
    slug=$(grep -oE "^ *slug = '[a-z0-9-]+'" "$f" | head -n 1 | grep -oE "'[a-z0-9-]+'" | tr -d "'")
    [ -n "$slug" ] || fail "$f: no indicator slug found"
    get "/api/v1/datasets/$slug" | grep -q '"origin":"lua"' || fail "indicator $slug is not a published dataset"
    get "/api/v1/datasets/$slug/records?limit=1" | grep -qE '"records":\[\{"period":' || fail "indicator $slug: no records"
    curl -sf -o /dev/null "$api/api/v1/datasets/$slug/download?format=csv" || fail "indicator $slug: no CSV"
    get /api/v1/indicators | grep -q "\"slug\":\"$slug\"" || fail "gallery lacks $slug"
    [ "$(curl -sf "$api/api/v1/indicators/$slug/source" | sha256sum | cut -c1-64)" = "$(sha256sum < "$f" | cut -c1-64)" ] ||
        fail "indicator $slug: served source differs from $f"
    nind=$((nind + 1))
done
[ "$nind" -ge 10 ] || fail "only $nind built-in indicators"
ok "the $nind built-in indicators are published by the demo, served as datasets and by the gallery with their source"
ok "the demo datasets are served by the catalog, records, downloads (sha256 as announced), DCAT, CKAN and OpenAPI"
# The registry: the demo's four seed sheets are published, found by search
# with facets, and show the live values of the datasets they link to.
for f in "$CM_SOURCE_DIR"/datasets/demo/practices/*.json; do
    title=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["title"])' "$f")
    get /api/v1/registry/export.json | python3 -c '
import json, sys
title = sys.argv[1]
docs = [p for p in json.load(sys.stdin)["practices"] if p["document"]["title"] == title]
sys.exit(0 if len(docs) == 1 else 1)' "$title" || fail "seed $f is not published once"
done
get '/api/v1/practices?q=reseau+chaleur&limit=100' | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert any("Amiens" in p["title"] for p in r["practices"]), "no Amiens sheet"
assert all(k in r["facets"] for k in ("theme", "territory", "sector", "status", "impact")), r["facets"].keys()
assert sum(v["count"] for v in r["facets"]["theme"]) >= 1
' || fail "search of the seed sheets"
get '/api/v1/practices?limit=100' | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["total"] == 4, r["total"]
assert {v["value"] for v in r["facets"]["theme"]} >= {"monitoring", "heat_network", "industrial_ecology"}
' || fail "the four seed sheets with their facets"
for id in $(get '/api/v1/practices?limit=100' | python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)["practices"]))'); do
    get "/api/v1/practices/$id" | python3 -c '
import json, sys
s = json.load(sys.stdin)
live = [l for l in s["live_indicators"] if l["latest"]]
assert live, "no live value in sheet %d" % s["id"]
assert all(isinstance(v["value"], (int, float)) for l in live for v in l["latest"] if v["status"] == "A")
assert all(d["published"] for d in s["datasets"]), s["datasets"]
' || fail "seed sheet $id has no live indicator value"
done
get /api/v1/registry/feed.atom | python3 -c '
import sys, xml.dom.minidom as m
d = m.parseString(sys.stdin.buffer.read()).documentElement
A = "http://www.w3.org/2005/Atom"
assert d.tagName == "feed" and d.namespaceURI == A
for t in ("id", "title", "updated"):
    assert d.getElementsByTagNameNS(A, t), t
es = d.getElementsByTagNameNS(A, "entry")
assert len(es) == 4, len(es)
for e in es:
    for t in ("id", "title", "updated", "link", "author"):
        assert e.getElementsByTagNameNS(A, t), t
' || fail "feed.atom is not the Atom 1.0 feed of the four publications"
[ "$(get /api/v1/registry/export.csv | python3 -c 'import csv,sys; print(len(list(csv.reader(sys.stdin))))')" = 5 ] ||
    fail "export.csv: a header and one row per published sheet"
ok "the demo publishes the four seed sheets: search with facets, live indicator values, JSON, CSV and Atom exports"
# An editor with no territory writes new sheets and their own, never the
# sheets the command line loaded
tok=$("$BIN" user add --role editor free-editor --db "$TMP/demo.db" | grep -oE 'cm_[A-Za-z0-9_-]{43}') || fail "user add free-editor"
id=$(get '/api/v1/practices?limit=1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["practices"][0]["id"])')
etag=$(curl -sf -D - -o sheet.json "$api/api/v1/practices/$id" | tr -d '\r' | sed -n 's/^ETag: //p')
code=$(curl -s -o put.json -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" -H "If-Match: $etag" \
    -H 'Content-Type: application/json' --data-binary "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["document"]))' sheet.json)" \
    "$api/api/v1/practices/$id")
[ "$code" = 403 ] && grep -q '"code":"forbidden"' put.json || fail "an editor without territory edited a seed sheet: $code $(cat put.json)"
code=$(curl -s -o post.json -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    --data-binary @"$CM_SOURCE_DIR/datasets/demo/practices/01-lorient-monitoring.json" "$api/api/v1/practices")
[ "$code" = 201 ] || fail "an editor could not create a sheet: $code $(cat post.json)"
ok "an editor with no territory creates sheets, and may not edit the seed sheets (403)"
kill -TERM $pid
wait $pid || fail "serve exited $?"
echo "$n passed, 0 failed"
