// libFuzzer harness: the server's MIME tree, BODYSTRUCTURE, ENVELOPE and
// FETCH rendering over one stored message (what any SMTP sender controls,
// issue 17 D1). Invariants: no crash or exception; parts nest and lie within
// the message; every section found renders.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_input.hpp"
#include "serve/bodystructure.hpp"
#include "serve/envelope.hpp"
#include "serve/imap_fetch.hpp"
#include "serve/imap_parser.hpp"
#include "serve/mime.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailprobe::serve;
  std::string_view msg = mailprobe::fuzz::as_text(data, size);
  MimeTree tree = parse_mime(msg);
  if (tree.parts.empty() || tree.parts.size() > kMaxMimeParts) __builtin_trap();
  for (const auto& p : tree.parts)
    if (p.begin > p.end || p.end > msg.size() || p.body < p.begin || p.body > p.end) __builtin_trap();
  (void)render_body_structure(msg, tree, 0, true);
  (void)render_envelope(msg);
  (void)parse_content_type(msg);
  (void)parse_disposition(msg);
  (void)parse_address_list(msg);
  (void)find_part(tree, {1, 2});
  StoredMessage m;
  m.uid = 1;
  m.bytes = std::make_shared<const std::string>(msg);
  static const char* kItems[] = {"(BODYSTRUCTURE ENVELOPE RFC822.SIZE)", "(BODY[1] BODY[1.MIME] BODY[2.1.HEADER])",
                                 "(BODY[HEADER.FIELDS (SUBJECT FROM)] BODY[TEXT]<3.10>)", "(BODY[1.TEXT] BODY)"};
  for (const char* items : kItems) {
    auto toks = imap::tokenize(items);
    if (!toks || toks->empty()) __builtin_trap();
    std::string error;
    auto req = parse_fetch((*toks)[0], &error);
    if (!req) __builtin_trap();
    (void)render_fetch(*req, m, true, false);
  }
  return 0;
}
