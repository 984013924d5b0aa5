#include "serve/imap_fetch.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "mime_samples.hpp"

using namespace mailprobe;
using namespace mailprobe::serve;

namespace {

/// parse_fetch + render_fetch for one message; "BAD <error>" if the spec is refused.
std::string fetch(const std::string& spec, const std::string& message) {
  auto toks = imap::tokenize(spec);
  REQUIRE(toks);
  REQUIRE(toks->size() == 1);
  std::string error;
  auto req = imap::parse_fetch((*toks)[0], &error);
  if (!req) return "BAD " + error;
  StoredMessage m;
  m.uid = 7;
  m.internal_date = WallClock::time_point(std::chrono::seconds(1700000000));
  m.bytes = std::make_shared<const std::string>(message);
  return imap::render_fetch(*req, m, false, false);
}

std::string lit(std::string_view s) { return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s); }

const std::string kNested = std::string(samples::kNestedHead) + samples::kInner + "\r\n--o--\r\n";

}  // namespace

TEST_SUITE("serve::imap_fetch") {
  TEST_CASE("ALL and FULL macros (RFC 3501 §6.4.5)") {
    std::string m = "Subject: s\r\n\r\nhi\r\n";
    std::string fast = "FLAGS () INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" RFC822.SIZE 18";
    std::string env = "ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL)";
    CHECK(fetch("FAST", m) == "(" + fast + ")");
    CHECK(fetch("all", m) == "(" + fast + " " + env + ")");
    CHECK(fetch("FULL", m) == "(" + fast + " " + env +
                                  " BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 4 1))");
    CHECK(fetch("(UID BODYSTRUCTURE)", m) ==
          "(UID 7 BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL))");
  }

  TEST_CASE("part sections of multipart/mixed: BODY[n], BODY[n.MIME], missing parts are NIL") {
    std::string m = samples::kMixed;
    CHECK(fetch("BODY.PEEK[2]", m) == "(BODY[2] " + lit("JVBERi0xLjQK") + ")");
    CHECK(fetch("BODY.PEEK[2.MIME]", m) == "(BODY[2.MIME] " + lit(samples::kMixedPart2Header) + ")");
    CHECK(fetch("BODY.PEEK[1.mime]", m) == "(BODY[1.MIME] " + lit("\r\n") + ")");
    CHECK(fetch("BODY.PEEK[1]", m) == "(BODY[1] " + lit("text") + ")");
    CHECK(fetch("BODY.PEEK[2]<4.4>", m) == "(BODY[2]<4> " + lit("Ri0x") + ")");
    CHECK(fetch("BODY.PEEK[3]", m) == "(BODY[3] NIL)");
    CHECK(fetch("BODY.PEEK[1.1]", m) == "(BODY[1.1] NIL)");
    CHECK(fetch("BODY.PEEK[1.HEADER]", m) == "(BODY[1.HEADER] NIL)");
    CHECK(fetch("BODY.PEEK[TEXT]", m).rfind("(BODY[TEXT] {", 0) == 0);
  }

  TEST_CASE("message/rfc822 part: n.HEADER, n.TEXT, n.HEADER.FIELDS, n.m, n.m.MIME") {
    std::string inner = samples::kInner;
    std::string inner_header = inner.substr(0, inner.find("\r\n\r\n") + 4);
    CHECK(fetch("BODY.PEEK[2]", kNested) == "(BODY[2] " + lit(inner) + ")");
    CHECK(fetch("BODY.PEEK[2.HEADER]", kNested) == "(BODY[2.HEADER] " + lit(inner_header) + ")");
    CHECK(fetch("BODY.PEEK[2.TEXT]", kNested) == "(BODY[2.TEXT] " + lit(inner.substr(inner_header.size())) + ")");
    CHECK(fetch("BODY.PEEK[2.HEADER.FIELDS (subject)]", kNested) ==
          "(BODY[2.HEADER.FIELDS (SUBJECT)] " + lit("Subject: inner\r\n\r\n") + ")");
    CHECK(fetch("BODY.PEEK[2.HEADER.FIELDS.NOT (FROM CONTENT-TYPE)]", kNested) ==
          "(BODY[2.HEADER.FIELDS.NOT (FROM CONTENT-TYPE)] " + lit("Subject: inner\r\n\r\n") + ")");
    CHECK(fetch("BODY.PEEK[2.1]", kNested) == "(BODY[2.1] " + lit("plain") + ")");
    CHECK(fetch("BODY.PEEK[2.2.MIME]", kNested) == "(BODY[2.2.MIME] " + lit("Content-Type: text/html\r\n\r\n") + ")");
    CHECK(fetch("BODY.PEEK[2.2.1]", kNested) == "(BODY[2.2.1] NIL)");
  }

  TEST_CASE("single-part messages keep BODY[1] = BODY[TEXT]") {
    CHECK(fetch("BODY.PEEK[1]", samples::kPlain) == "(BODY[1] " + lit("line one\r\nline two\r\n") + ")");
    CHECK(fetch("BODY.PEEK[1.MIME]", samples::kPlain).rfind("(BODY[1.MIME] {", 0) == 0);
  }

  TEST_CASE("invalid part numbers and section texts are BAD") {
    for (const char* bad : {"BODY[0]", "BODY[01]", "BODY[1.]", "BODY[MIME]", "BODY[1.X]", "BODY[1.2X]", "BODY[.1]",
                            "BODY[1.MIME.TEXT]", "BODY[99999999999]", "BODY.PEEK", "ENVELOPE.X"}) {
      CAPTURE(bad);
      CHECK(fetch(bad, samples::kMixed).rfind("BAD ", 0) == 0);
    }
  }
}
