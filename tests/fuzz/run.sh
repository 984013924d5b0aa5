#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each one.
#   tests/fuzz/run.sh [seconds per harness, default 20] [harness ...]
# CI runs the short default as a smoke test. For a long run (the issue 17
# goal is >= 10 M executions per harness), e.g.:
#   tests/fuzz/run.sh 3600 mime_fuzz
# Needs clang-14 and libclang-rt-14-dev (libclang_rt.fuzzer), both Debian packages.
# New inputs go to build-fuzz/corpus/<harness>; tests/fuzz/corpus/<harness>
# (the seeds and every past reproducer, regress-*) is only read.
# The seed is fixed (FUZZ_SEED, default 1) so a CI failure can be replayed.
# With FUZZ_RUNS=N each harness runs exactly N inputs instead of for a time
# (the seconds argument is then only a safety cap): from the same seed and
# corpus the run is the same on every machine however busy it is, which is
# what CI uses.
# Prints one line per harness: executions, executions per second, result.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-20}
shift || true
all=(header_fuzz imap_response_fuzz smtp_reply_fuzz imap_command_fuzz smtp_session_fuzz mime_fuzz dsn_fuzz state_fuzz
     mta_sts_fuzz tlsrpt_fuzz tlsa_fuzz)
harnesses=("${@:-${all[@]}}")
if [ ! -f build-fuzz/build.ninja ]; then
  CXX=${CXX:-clang++-14} meson setup build-fuzz -Dfuzz=true -Dtests=false -Dstatic_runtime=false \
    -Dbuildtype=debugoptimized >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("tests/fuzz/$h"); done
ninja -C build-fuzz "${targets[@]}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/fuzz/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1"
failed=0
for h in "${harnesses[@]}"; do
  mkdir -p "build-fuzz/corpus/$h"
  log="build-fuzz/$h.log"
  limit=(-max_total_time="$secs")
  if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS" -max_total_time=$(( secs > 600 ? secs : 600 ))); fi
  if build-fuzz/tests/fuzz/$h "${limit[@]}" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
      -seed="${FUZZ_SEED:-1}" -print_final_stats=1 -artifact_prefix="build-fuzz/$h-" "build-fuzz/corpus/$h" "tests/fuzz/corpus/$h" \
      >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf '%-20s %12s execs %9s exec/s  %s\n' "$h" "${runs:-?}" "$rate" "$result"
  if [ "$result" != ok ]; then tail -40 "$log"; fi
done
exit $failed
