// libFuzzer harness: the server's IMAP command side. The input is fed, in
// chunks, to an ImapSession that is already logged in with a message in
// INBOX (literals, nesting, SEARCH, FETCH, STORE, APPEND, IDLE all reachable),
// and also given whole to the tokenizer and the sequence-set, date and LIST
// pattern parsers. Invariants: no crash, no hang (D2/D3/D10), the session's
// pending output stays bounded by max_output plus one response.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "serve/imap_parser.hpp"
#include "serve/imap_session.hpp"

namespace {

const char* kMessage =
    "From: A <a@example.org>\r\nTo: b@example.org\r\nSubject: fuzz\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::serve;
  std::string_view in = mailprobe::fuzz::as_text(data, size);
  if (auto toks = imap::tokenize(in)) (void)toks->size();
  (void)imap::parse_seq_set(in, 7);
  (void)imap::parse_date_time(in);
  (void)imap::parse_date_days(in);
  (void)imap::list_match(in, "INBOX");
  static Users users = Users::demo();
  static Faults faults;
  auto store = MailStore::in_memory({"alice", "bob"});
  (void)store->deliver("alice", Folder::inbox, kMessage);
  ImapSettings st;
  st.max_literal = 1 << 16;
  st.max_output = 1 << 16;
  ImapSession s(st, users, faults, *store);
  s.start();
  s.feed("a LOGIN alice alice\r\nb SELECT INBOX\r\n");
  (void)s.take_output();
  for (auto piece : mailprobe::fuzz::chunks(in)) {
    s.feed(piece);
    for (int rounds = 0; rounds < 1000 && s.output_blocked(); ++rounds) {
      if (s.take_output().size() > (1u << 16) + (1u << 20)) __builtin_trap();
      s.feed({});
    }
    (void)s.take_output();
    if (s.wants_close() || s.wants_starttls()) break;
  }
  return 0;
}
