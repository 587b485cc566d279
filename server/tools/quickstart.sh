#!/usr/bin/env bash
# quickstart.sh -- the README's two commands, for a fresh Debian 12 machine:
#
#   bash server/tools/quickstart.sh serve [consometer serve options]
#       install what is missing, build, create the store under data/ in the
#       checkout, load the demo data, serve on http://127.0.0.1:8080
#   bash server/tools/quickstart.sh test
#       install what is missing, build (normal, sanitizer and fuzzer
#       builds, and the portal), fuzz each parser briefly, run every test
#       under the sanitizers and then normally, the portal's browser tests
#       (Debian's chromium) included; the last line is ctest's own summary
#
# Both are idempotent and work from any current directory. Only packages
# that are missing are installed (apt-get, non-interactive; sudo when not
# root). Builds go to build/, build-asan/ and build-fuzz/ in the checkout.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

# What building needs, and what the tests add (sqlite3 and curl drive the
# command-line tests as an administrator would; clang brings libFuzzer).
BUILD_PKGS=(gcc make cmake pkg-config libcivetweb-dev libsqlite3-dev
            libyajl-dev libarchive-dev liblua5.4-dev libsodium-dev)
TEST_PKGS=(sqlite3 curl clang libclang-rt-14-dev python3 chromium)

say() { printf '== %s\n' "$*" >&2; }

install_missing() {
    local missing=() p sudo=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    say "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The portal's JavaScript and CSS are built ahead of time into portal/www
# (esbuild, uPlot, CodeMirror: npm packages pinned by portal's
# package-lock.json). The browser fetches nothing from elsewhere.
# Node.js is the machine's own, or Debian's when there is none.
need_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_missing nodejs npm
    fi
}

# npm_ci DIR: the packages of DIR's lock file, unless already there
npm_ci() {
    local dir=$1
    if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
        [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        say "installing npm packages of ${dir#"$ROOT"/}"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
}

build_portal() {
    need_node
    npm_ci "$ROOT/portal"
    say "building the portal into portal/www"
    (cd "$ROOT/portal" && node build.mjs >&2)
}

# build DIR [cmake options...]
build() {
    local dir=$1
    shift
    say "building in ${dir#"$ROOT"/}"
    cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j "$JOBS" >/dev/null
}

case "${1:-}" in
serve)
    shift
    install_missing "${BUILD_PKGS[@]}"
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    build_portal
    export CONSOMETER_STORE_DATA_DIR=${CONSOMETER_STORE_DATA_DIR:-$ROOT/data}
    export CONSOMETER_PORTAL_DIR=${CONSOMETER_PORTAL_DIR:-$ROOT/portal/www}
    export CONSOMETER_DEMO_DIR=${CONSOMETER_DEMO_DIR:-$ROOT/datasets/demo}
    "$ROOT/build/consometer" migrate
    # The demo federation (datasets/demo), then the datasets of datasets/
    # published from it: idempotent, so a second start finds every row
    # unchanged and publishes nothing new. Its JSON summary is kept beside
    # the store rather than flooding the terminal.
    say "loading the demo federation (datasets/demo) and publishing datasets/"
    "$ROOT/build/consometer" demo >"$CONSOMETER_STORE_DATA_DIR/demo-load.json"
    say "demo loaded and published: summary in ${CONSOMETER_STORE_DATA_DIR#"$ROOT"/}/demo-load.json"
    exec "$ROOT/build/consometer" serve "$@"
    ;;
test)
    install_missing "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
    build "$ROOT/build-fuzz" -DCMAKE_C_COMPILER=clang -DCM_FUZZ=ON
    build "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DCM_SANITIZE=ON
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    build_portal
    npm_ci "$ROOT/tests/browser"
    say "fuzzing each parser for a few seconds (libFuzzer)"
    (cd "$ROOT/build-fuzz" && ctest -j "$JOBS" -L '^fuzz$' --output-on-failure)
    say "tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    (cd "$ROOT/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest -j "$JOBS" --output-on-failure)
    say "tests, normal build"
    cd "$ROOT/build" && exec ctest -j "$JOBS" --output-on-failure
    ;;
*)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
