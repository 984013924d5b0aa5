// libFuzzer harness for the MTA-STS parsers (RFC 8461 §3.1 TXT record, §3.2
// policy file, §4.1 mx patterns). Build as tests/fuzz/header_fuzz.cpp says;
// run: build-fuzz/tests/fuzz/mta_sts_fuzz -max_total_time=60 NEW_DIR tests/fuzz/corpus/mta_sts_fuzz

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "policy/mta_sts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::policy;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)parse_sts_record(in);
  (void)select_sts_record({std::string(in), "v=STSv1; id=1"});
  auto p = parse_sts_policy(in);
  if (p) {
    if (p.value().max_age < 0 || p.value().max_age > kStsMaxAge) __builtin_trap();
    if (p.value().mode != StsMode::none && p.value().mx.empty()) __builtin_trap();
    for (const auto& m : p.value().mx) (void)mx_pattern_matches(m, in);
  }
  auto nl = in.find('\n');
  if (nl != std::string_view::npos) (void)mx_pattern_matches(in.substr(0, nl), in.substr(nl + 1));
  return 0;
}
