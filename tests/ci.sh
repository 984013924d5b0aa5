#!/usr/bin/env bash
# The README's second Quick-start command (and what .ci/run runs): on a fresh
# Debian bookworm machine as root, install everything the tests need, build
# with -Dwerror=true, and run every suite: unit, mailstack (real Postfix +
# Dovecot on loopback, InfluxDB, promtool) and serve.
#
# The private mail stack that the suite starts is stopped again when this
# script ends (so a second run or another stack is not surprised), unless it
# was already running before or MAILPROBE_KEEP_STACK=1 is set.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

# The install decision itself, against a dpkg database that lists nothing
# (issue 9): fails loudly if a fresh machine would not get its packages.
# Exit 77 = cannot run here (not root / no unshare): reported, not fatal.
rc=0
tests/install/fresh_install_test.sh || rc=$?
if ((rc == 77)); then echo "ci: fresh-install test skipped (needs root and unshare)"
elif ((rc != 0)); then exit "$rc"; fi

tests/install/deps.sh

stack_was_up=0
tests/mailstack/mailstack.sh status >/dev/null 2>&1 && stack_was_up=1
stop_stack() {
  if ((stack_was_up == 0)) && [[ ${MAILPROBE_KEEP_STACK:-0} != 1 ]]; then
    tests/mailstack/mailstack.sh stop >/dev/null 2>&1 || echo "ci: warning: could not stop the mail stack" >&2
  fi
}
trap stop_stack EXIT

if [ -f build/build.ninja ]; then
  meson setup --reconfigure build -Dwerror=true >/dev/null
else
  meson setup build -Dwerror=true >/dev/null
fi
ninja -C build -j2
meson test -C build --print-errorlogs --num-processes 2
