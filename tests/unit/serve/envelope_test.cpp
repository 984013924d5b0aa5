#include "serve/envelope.hpp"

#include <doctest/doctest.h>

#include <string>

#include "mime_samples.hpp"

using namespace mailprobe::serve;

namespace {

/// Renders a parsed address list the way ENVELOPE does, for compact expectations.
std::string addrs(std::string_view value) {
  std::string out;
  for (const auto& a : parse_address_list(value))
    out += "(" + imap_nstring(a.name) + " " + imap_nstring(a.adl) + " " + imap_nstring(a.mailbox) + " " +
           imap_nstring(a.host) + ")";
  return out;
}

}  // namespace

TEST_SUITE("serve::envelope") {
  TEST_CASE("RFC 3501 §7.4.2 ENVELOPE of a plain message: quoting, display names, address lists") {
    CHECK(render_envelope(samples::kPlain) ==
          "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Hello \\\"world\\\" \\\\o/\" "
          "((\"Doe, John\" NIL \"john\" \"example.org\")) ((\"Doe, John\" NIL \"john\" \"example.org\")) "
          "((\"Doe, John\" NIL \"john\" \"example.org\")) "
          "((NIL NIL \"alice\" \"example.net\")(\"Bob\" NIL \"bob\" \"example.net\")) NIL NIL NIL \"<1@example.org>\")");
  }

  TEST_CASE("missing header fields are NIL; empty Sender and absent Reply-To default to From") {
    CHECK(render_envelope("\r\nbody\r\n") == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    CHECK(render_envelope("") == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    CHECK(render_envelope("Subject:\r\nSender: \r\nFrom: a@b\r\nReply-To: r@b\r\nIn-Reply-To: <x@y>\r\n\r\n") ==
          "(NIL \"\" ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) ((NIL NIL \"r\" \"b\")) NIL NIL NIL \"<x@y>\" NIL)");
    // Folded fields are unfolded; the first occurrence wins.
    CHECK(render_envelope("Subject: a\r\n b\r\nSubject: second\r\nCC: c@d\r\nBcc: e@f\r\n\r\n") ==
          "(NIL \"a b\" NIL NIL NIL NIL ((NIL NIL \"c\" \"d\")) ((NIL NIL \"e\" \"f\")) NIL NIL)");
  }

  TEST_CASE("8-bit, CR and LF go out as literals; encoded words pass through") {
    CHECK(render_envelope("Subject: caf\xc3\xa9\r\nFrom: =?UTF-8?Q?J=C3=B6rg?= <j@x>\r\n\r\n") ==
          "(NIL {5}\r\ncaf\xc3\xa9 ((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) ((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) "
          "((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) NIL NIL NIL NIL NIL)");
  }

  TEST_CASE("address lists: groups, routes, comments, quoted local parts, garbage") {
    CHECK(addrs("undisclosed-recipients:;") == "(NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)");
    CHECK(addrs("Team: a@x, \"B. C\" <b@y>;, d@z") ==
          "(NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"x\")(\"B. C\" NIL \"b\" \"y\")(NIL NIL NIL NIL)(NIL NIL \"d\" \"z\")");
    CHECK(addrs("<@r1,@r2:u@h>") == "(NIL \"@r1,@r2\" \"u\" \"h\")");
    CHECK(addrs("j@x (Jay)") == "(\"Jay\" NIL \"j\" \"x\")");
    CHECK(addrs("John Q. Public <jqp@[10.0.0.1]>") == "(\"John Q. Public\" NIL \"jqp\" \"[10.0.0.1]\")");
    CHECK(addrs("\"a b\"@c.d") == "(NIL NIL \"\\\"a b\\\"\" \"c.d\")");
    CHECK(addrs("first.last@sub.example.org") == "(NIL NIL \"first.last\" \"sub.example.org\")");
    CHECK(addrs("nobody") == "(NIL NIL \"nobody\" \"\")");
    CHECK(addrs("Open: a@b") == "(NIL NIL \"Open\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL)");
    CHECK(addrs("<>, , ;;<<>>, \"unterminated") == "(NIL NIL \"\\\"unterminated\" \"\")");
    CHECK(addrs("<a@b") == "(NIL NIL \"a\" \"b\")");
    CHECK(addrs("(only a comment") == "");
    CHECK(addrs("") == "");
  }
}
