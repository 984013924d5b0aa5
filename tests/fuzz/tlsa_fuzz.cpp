// libFuzzer harness for the DNS answer and TLSA RDATA parsers (RFC 1035
// §4.1, RFC 6698 §2.1): the input is a whole DNS response message.
// run: build-fuzz/tests/fuzz/tlsa_fuzz -max_total_time=60 NEW_DIR tests/fuzz/corpus/tlsa_fuzz

#include <cstddef>
#include <cstdint>
#include <span>

#include "policy/dns_answer.hpp"
#include "policy/tlsa.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::policy;
  std::span<const unsigned char> in(data, size);
  for (std::uint16_t type : {std::uint16_t{52}, std::uint16_t{16}}) {
    auto a = parse_rr_answer(in, type);
    if (!a) continue;
    for (const auto& rd : a.value().rdata) {
      (void)txt_text(rd);
      auto r = parse_tlsa_rdata(rd);
      if (!r) continue;
      (void)tlsa_unusable_reason(r.value());
      (void)to_text(r.value());
    }
  }
  (void)parse_tlsa_rdata(in);
  (void)txt_text(in);
  return 0;
}
