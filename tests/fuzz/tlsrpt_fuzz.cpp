// libFuzzer harness for the TLS-RPT record parser (RFC 8460 §3).
// run: build-fuzz/tests/fuzz/tlsrpt_fuzz -max_total_time=60 NEW_DIR tests/fuzz/corpus/tlsrpt_fuzz

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "policy/tlsrpt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::policy;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = parse_tlsrpt_record(in);
  if (r && r.value().rua.empty()) __builtin_trap();  // rua is required
  (void)select_tlsrpt_record({std::string(in)});
  return 0;
}
