# packages.sh: sourced by tests/install/deps.sh and tests/mailstack/mailstack.sh.
# The Debian packages the suite needs, and the one place that decides which
# of them are missing. Contract of missing_packages: it prints every named
# package whose dpkg status is not "install ok installed" (absent, removed
# with config files left, half-installed ...) and never fails because dpkg
# does: dpkg-query exits 1 when any named package is unknown, which under
# `set -e`/`pipefail` once made the caller see "nothing missing" (issue 9).

# Build, unit tests, the real output consumers (InfluxDB, promtool,
# node_exporter) and the fuzz smoke (clang + libFuzzer runtime).
readonly BUILD_PACKAGES=(meson ninja-build g++ pkg-config cmake libcurl4-openssl-dev libssl-dev
  rapidjson-dev libcxxopts-dev doctest-dev python3 curl openssl ca-certificates influxdb
  influxdb-client prometheus clang libclang-rt-14-dev)
# The private Postfix + Dovecot of tests/mailstack.
readonly MAILSTACK_PACKAGES=(postfix dovecot-imapd dovecot-lmtpd dovecot-sieve openssl curl python3)

# missing_packages PKG...: one missing package per line, in argument order.
missing_packages() {
  local status p
  # Capture first, with dpkg-query's status tolerated explicitly: unknown
  # packages are the normal case on a fresh machine.
  status=$(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' -- "$@" 2>/dev/null) || true
  for p in "$@"; do
    # "ii" = desired install, currently installed (dpkg-query(1), db:Status-Abbrev).
    if ! grep -qxE "${p//+/\\+}(:[a-z0-9]+)?	ii ?" <<<"$status"; then
      echo "$p"
    fi
  done
}
