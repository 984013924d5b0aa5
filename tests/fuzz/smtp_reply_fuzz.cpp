// libFuzzer harness: the SMTP reply parser (server replies seen by `check`
// and `probe`): lines split at LF into the assembler, plus the EHLO and
// queue-id interpreters. Invariant: no crash; a completed reply has a code.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_input.hpp"
#include "smtp/reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::smtp;
  std::string_view in = mailprobe::fuzz::as_text(data, size);
  ReplyAssembler a;
  while (!in.empty()) {
    auto lf = in.find('\n');
    std::string_view line = in.substr(0, lf);
    in = lf == std::string_view::npos ? std::string_view() : in.substr(lf + 1);
    (void)parse_reply_line(line);
    if (auto r = a.feed(line)) {
      if (r->code < 0 || r->code > 999) __builtin_trap();
      (void)r->joined();
      (void)r->enhanced_code();
      (void)parse_ehlo(*r);
      a = ReplyAssembler();
    }
    (void)queue_id_from(line);
  }
  return 0;
}
