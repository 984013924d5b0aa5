// libFuzzer harness: the state file (insight/state_file). Invariants: no
// crash or UB (D11); whatever parses serializes and parses back to the same
// data (D12 was found by this round trip).

#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "insight/state_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::insight;
  auto in = mailprobe::fuzz::as_text(data, size);
  (void)parse_iso8601_utc(in);
  auto s = parse_state(in);
  if (!s) return 0;
  auto again = parse_state(serialize_state(s.value()));
  if (!again || again->pending.size() != s->pending.size()) __builtin_trap();
  for (std::size_t i = 0; i < s->pending.size(); ++i) {
    const auto& a = s->pending[i];
    const auto& b = again->pending[i];
    if (a.token != b.token || a.sent != b.sent || a.mailbox != b.mailbox || a.queue_id != b.queue_id) __builtin_trap();
  }
  return 0;
}
