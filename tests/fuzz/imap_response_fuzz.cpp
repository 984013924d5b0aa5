// libFuzzer harness: the client's IMAP response reader (what `check` parses
// from a remote server) and the interpreters of untagged data. Invariants:
// no crash, no overflow past the reader's limits, every response's literals
// within kMaxLiteral.

#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "imap/response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::imap;
  ResponseReader rd;
  for (auto piece : mailprobe::fuzz::chunks(mailprobe::fuzz::as_text(data, size))) {
    rd.feed(piece);
    while (auto r = rd.next()) {
      for (const auto& l : r->literals)
        if (l.size() > ResponseReader::kMaxLiteral) __builtin_trap();
      (void)r->status();
      (void)r->status_text();
      (void)exists_count(*r);
      (void)expunge_number(*r);
      (void)search_result(*r);
      (void)capabilities(*r);
      (void)code_number(*r, "UIDNEXT");
      (void)fetch_uid(*r);
      (void)list_entry(*r);
    }
  }
  (void)astring(mailprobe::fuzz::as_text(data, size));
  return 0;
}
