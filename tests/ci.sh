#!/usr/bin/env bash
# The README's second Quick-start command (and what .ci/run runs): on a fresh
# Debian bookworm machine as root, install everything the tests need, build
# with -Dwerror=true, and run every suite: unit, mailstack (real Postfix +
# Dovecot on loopback, InfluxDB, promtool) and serve. Then (issue 17) the
# unit, serve and integration suites again in an ASan + UBSan build
# (build-san), and every libFuzzer harness for a short smoke run.
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

# Fuzz smoke: every harness (clang, ASan + UBSan) for 20000 inputs from a
# fixed seed on its seed corpus, which holds every past reproducer
# (tests/fuzz/corpus/<harness>/regress-*): the same inputs on every run, so
# a green smoke stays green on a busier machine.
FUZZ_RUNS=20000 tests/fuzz/run.sh 15
