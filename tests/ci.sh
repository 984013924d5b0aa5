#!/usr/bin/env bash
# The README's second Quick-start command (and what .ci/run runs): on a fresh
# Debian bookworm machine as root, install everything the tests need, build
# with -Dwerror=true, and run every suite: unit, mailstack (real Postfix +
# Dovecot on loopback, InfluxDB, promtool) and serve.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
packages=(meson ninja-build g++ pkg-config cmake libcurl4-openssl-dev libssl-dev rapidjson-dev
          libcxxopts-dev doctest-dev python3 curl openssl ca-certificates influxdb influxdb-client
          prometheus)
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
