// libFuzzer harness: bounce (DSN, RFC 3464) recognition over a raw message
// from the mailbox, which anyone can send. Invariant: no crash; a bounce
// found for a token is also found without one.

#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "insight/dsn.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::insight;
  auto in = mailprobe::fuzz::as_text(data, size);
  auto any = parse_bounce(in);
  auto mine = bounce_for_token(in, "0123456789abcdef0123456789abcdef");
  if (mine && !any) __builtin_trap();
  if (any) (void)is_delivery_failure(*any);
  return 0;
}
