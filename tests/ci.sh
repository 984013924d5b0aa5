#!/usr/bin/env bash
# The README's second Quick-start command (and what .ci/run runs): on a fresh
# Debian bookworm machine as root, install everything the tests need, build
# with -Dwerror=true, and run every suite: unit, mailstack (real Postfix +
# Dovecot on loopback, InfluxDB, promtool) and serve. Then (issue 17) the
# unit, serve and integration suites again in an ASan + UBSan build
# (build-san), and every libFuzzer harness for a short smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
packages=(meson ninja-build g++ pkg-config cmake libcurl4-openssl-dev libssl-dev rapidjson-dev
          libcxxopts-dev doctest-dev python3 curl openssl ca-certificates influxdb influxdb-client
          prometheus clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
tests/mailstack/mailstack.sh install

if [ -f build/build.ninja ]; then
  meson setup --reconfigure build -Dwerror=true >/dev/null
else
  meson setup build -Dwerror=true >/dev/null
fi
ninja -C build -j2
meson test -C build --print-errorlogs --num-processes 2

# Sanitizers: the same code under ASan + UBSan (gcc). The mailstack suites are
# left out here: they spend their time in Postfix and Dovecot, not in our code,
# and would double the run. Any report fails the test (halt_on_error).
if [ -f build-san/build.ninja ]; then
  meson setup --reconfigure build-san >/dev/null
else
  meson setup build-san -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Doptimization=0 -Ddebug=true -Dstatic_runtime=false >/dev/null
fi
ninja -C build-san -j2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/fuzz/ubsan.supp" \
  meson test -C build-san --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
    --suite unit --suite serve --suite integration

# Fuzz smoke: every harness (clang, ASan + UBSan) for 15 s on its seed corpus,
# which holds every past reproducer (tests/fuzz/corpus/<harness>/regress-*).
tests/fuzz/run.sh 15
