#!/usr/bin/env bash
# Builds the libFuzzer header harness with clang and runs it for a while.
#   tests/fuzz/run.sh [seconds, default 300]
# Needs clang-14 and libclang-rt-14-dev (libclang_rt.fuzzer), both Debian packages.
# New inputs go to build-fuzz/corpus; tests/fuzz/corpus (the seeds) is only read.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-300}
if [ ! -f build-fuzz/build.ninja ]; then
  CXX=${CXX:-clang++-14} meson setup build-fuzz -Dfuzz=true -Dtests=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C build-fuzz tests/fuzz/header_fuzz
mkdir -p build-fuzz/corpus
exec build-fuzz/tests/fuzz/header_fuzz -max_total_time="$secs" -timeout=5 -max_len=65536 -print_final_stats=1 \
  build-fuzz/corpus tests/fuzz/corpus
