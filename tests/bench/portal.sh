#!/usr/bin/env bash
#
# tests/bench/portal.sh -- the portal's weight and speed (issue 7): for each
# page type, the bytes that cross the wire on a first visit (empty cache),
# the number of requests, and the time until the page is usable (its h1
# drawn and nothing left loading), in Debian's chromium driven by
# playwright-core, each beside two baselines measured in the same run:
#   - "nginx": the same page with nginx serving portal/www (the static
#     files, their .gz with gzip_static, the same fallback to index.html)
#     and proxying /api/ to the same consometer: what serving the files
#     costs CivetWeb;
#   - "replay": the same page with every response (files and API answers
#     recorded on a first load) handed to the browser from memory by
#     playwright: the browser's own share, the server's cost taken out.
# Median of RUNS (default 7) cold loads each, after one warm-up.
#
# Run:   bash tests/bench/portal.sh               (from any directory)
#        RUNS=3 bash tests/bench/portal.sh        (quicker)
#        BUILD=/tmp/b bash tests/bench/portal.sh  (another build dir)
#
# Needs what the test command installs (chromium, node, the npm packages of
# tests/browser and portal) and nginx; it lists what lacks and exits 2. Not
# part of the test suite; read the ratios rather than the absolute figures
# (the browser, nginx and the server share the machine's cores).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-bench-portal}
NGINX=/usr/sbin/nginx
RUNS=${RUNS:-7}
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || { echo "bench: RUNS=$RUNS: expected a positive number" >&2; exit 2; }

missing=()
[ -x "$NGINX" ] || missing+=("nginx ($NGINX: apt-get install nginx-light)")
[ -x /usr/bin/chromium ] || missing+=("chromium (apt-get install chromium)")
for t in node npm cmake make curl; do command -v "$t" >/dev/null || missing+=("$t"); done
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] || missing+=("tests/browser's npm packages (cd tests/browser && npm ci)")
[ -d "$ROOT/portal/node_modules/esbuild" ] || missing+=("portal's npm packages (cd portal && npm ci)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: missing, install first:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cm-bench-portal.XXXXXX")
chmod 755 "$TMP" # nginx's workers (nobody) read its files
CM_PID="" NGINX_PID=""
cleanup() {
    for pid in $CM_PID $NGINX_PID; do kill "$pid" 2>/dev/null || true; done
    for pid in $CM_PID $NGINX_PID; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== Release build in ${BUILD#"$ROOT"/}, portal into $TMP/www" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target consometer >/dev/null
(cd "$ROOT/portal" && PORTAL_OUT="$TMP/www" node build.mjs >&2)
chmod -R a+rX "$TMP/www"

export CONSOMETER_STORE_DATA_DIR="$TMP/data" CONSOMETER_PORTAL_DIR="$TMP/www" \
    CONSOMETER_DEMO_DIR="$ROOT/datasets/demo"
mkdir -p "$TMP/data"
"$BUILD/consometer" migrate >/dev/null
"$BUILD/consometer" demo >/dev/null
for u in "editor redaction --territories 200042174" "team equipe-bleue"; do
    set -- $u
    echo 'correct horse battery' | "$BUILD/consometer" user add --role "$1" "${@:3}" --password-stdin "$2" >/dev/null
done
"$BUILD/consometer" serve --port 0 2>"$TMP/serve.log" &
CM_PID=$!
for _ in $(seq 100); do
    CM_PORT=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$TMP/serve.log" | grep -o '[0-9]*$' || true)
    [ -n "$CM_PORT" ] && break
    sleep 0.1
done
[ -n "$CM_PORT" ] || { cat "$TMP/serve.log" >&2; echo "bench: the server did not start" >&2; exit 1; }

NGINX_PORT=$((CM_PORT + 1))
temp_paths=$(nginx_temp_paths "$NGINX" "$TMP")
cat >"$TMP/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    include /etc/nginx/mime.types;
    $temp_paths
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
        gzip_static on; # The portal build's NAME.gz, as consometer sends them
        location / { try_files \$uri /index.html; }
        location /api/ { proxy_pass http://127.0.0.1:$CM_PORT; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NGX
"$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.1; done

echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(/usr/bin/chromium --version 2>/dev/null); $("$NGINX" -v 2>&1 | sed 's|.*nginx/|nginx |')" >&2
RUNS=$RUNS node "$ROOT/tests/bench/portal.mjs" "http://127.0.0.1:$CM_PORT" "http://127.0.0.1:$NGINX_PORT"
