#!/usr/bin/env bash
# fresh_install_test.sh: the install decision of tests/install/deps.sh on a
# machine where dpkg lists nothing installed (issue 9 regression test).
#
# In a private mount namespace (unshare -m; needs root, as CI has) a fake
# /var/lib/dpkg/status is bound over the real one and apt-get/apt/
# debconf-set-selections are replaced by recorders on PATH, so nothing on the
# machine changes. Three cases:
#   1. empty dpkg database        -> every BUILD_ and MAILSTACK_ package requested
#   2. postfix removed, config kept ("deinstall ok config-files") -> postfix requested
#   3. everything installed       -> no install request at all
# Exit 0 when all hold; each violation is one line on stderr.
set -Euo pipefail
cd "$(dirname "$0")/../.."
source tests/install/packages.sh

if [[ $EUID -ne 0 ]] || ! command -v unshare >/dev/null; then
  echo "fresh_install_test: needs root and unshare(1)" >&2
  exit 77
fi

W=$(mktemp -d /tmp/fresh-install-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/bin"
for t in apt-get apt debconf-set-selections; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/asked"\ncat >/dev/null 2>&1 </dev/null\nexit 0\n' "$t" "$W" >"$W/bin/$t"
done
chmod +x "$W/bin/"*

# Every package once (the two lists share curl, openssl, python3).
mapfile -t all < <(printf '%s\n' "${BUILD_PACKAGES[@]}" "${MAILSTACK_PACKAGES[@]}" | sort -u)
((${#all[@]} > 10)) || { echo "fresh_install_test: package lists not loaded" >&2; exit 1; }
status_entry() { # status_entry PACKAGE STATUS
  printf 'Package: %s\nStatus: %s\nPriority: optional\nMaintainer: nobody <nobody@example.org>\nVersion: 1.0\nArchitecture: amd64\nDescription: fake\n\n' "$1" "$2"
}

# run_case NAME: deps.sh against $W/status; the requests land in $W/asked.
run_case() {
  : >"$W/asked"
  unshare -m bash -c "mount --bind '$W/status' /var/lib/dpkg/status &&
    PATH='$W/bin:$PATH' tests/install/deps.sh" >"$W/$1.log" 2>&1 || true
}
installs() { grep -E '^apt(-get)? .*install' "$W/asked" || true; }
fail=0
problem() { echo "fresh_install_test: $*" >&2; fail=1; }

: >"$W/status"
run_case empty
requested=$(installs)
for p in "${all[@]}"; do
  grep -qE "(^| )${p//+/\\+}( |$)" <<<"$requested" || problem "empty dpkg database: $p was not requested (log: deps.sh printed: $(tail -n 2 "$W/empty.log" | tr '\n' ' '))"
done

: >"$W/status"
for p in "${all[@]}"; do
  if [[ $p == postfix ]]; then status_entry "$p" "deinstall ok config-files"
  else status_entry "$p" "install ok installed"; fi
done >>"$W/status"
run_case removed
requested=$(installs)
grep -qE '(^| )postfix( |$)' <<<"$requested" || problem "postfix in state config-files was not requested"
grep -qE '(^| )dovecot-imapd( |$)' <<<"$requested" && problem "installed dovecot-imapd was requested again"

: >"$W/status"
for p in "${all[@]}"; do status_entry "$p" "install ok installed"; done >>"$W/status"
run_case installed
[[ -z $(installs) ]] || problem "everything installed, yet deps.sh asked: $(installs | tr '\n' ' ')"

((fail == 0)) && echo "fresh_install_test: ok (${#all[@]} package names; empty, config-files and installed databases)"
exit "$fail"
