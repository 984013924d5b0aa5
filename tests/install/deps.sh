#!/usr/bin/env bash
# deps.sh: install every Debian package the suite needs that dpkg does not
# list as installed (a quick no-op when all are present), then the private
# mail stack's packages through tests/mailstack/mailstack.sh install.
# Run as root on Debian bookworm. Exit status: apt-get's, or mailstack's.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
source tests/install/packages.sh

export DEBIAN_FRONTEND=noninteractive
list=$(missing_packages "${BUILD_PACKAGES[@]}")
if [[ -n $list ]]; then
  mapfile -t missing <<<"$list"
  echo "deps: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
exec tests/mailstack/mailstack.sh install
