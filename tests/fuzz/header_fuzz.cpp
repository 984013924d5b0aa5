// libFuzzer harness: one input feeds every insight header parser (Received
// hops, Authentication-Results and spam headers, bounces, the state file).
// Build and run: tests/fuzz/run.sh [seconds]  (clang-14 + libclang-rt-14-dev), i.e.
//   CXX=clang++-14 meson setup build-fuzz -Dfuzz=true -Dtests=false
//   build-fuzz/tests/fuzz/header_fuzz -max_total_time=300 build-fuzz/corpus tests/fuzz/corpus

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "insight/auth_results.hpp"
#include "insight/dsn.hpp"
#include "insight/mail_date.hpp"
#include "insight/received.hpp"
#include "insight/stale_probe.hpp"
#include "insight/state_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::insight;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto hops = analyse_received(in, std::chrono::system_clock::time_point{});
  if (hops.hop_count > kMaxHops) __builtin_trap();
  (void)parse_verdicts(in);
  (void)parse_verdicts(in, {"mx.example.org"});
  (void)bounce_for_token(in, "0123456789abcdef0123456789abcdef");
  (void)parse_state(in);
  (void)parse_mail_date(in);
  (void)parse_internaldate(in);
  return 0;
}
