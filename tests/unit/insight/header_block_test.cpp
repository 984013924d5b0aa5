#include <doctest/doctest.h>

#include "insight/header_block.hpp"

using namespace mailprobe::insight;

TEST_CASE("header block: folded lines are unfolded, order kept, body ignored") {
  std::string raw =
      "Received: from a.example (a.example [192.0.2.1])\r\n"
      "\tby b.example (Postfix) with ESMTPS id 4AbC\r\n"
      "\tfor <bob@example.org>; Mon, 2 Jun 2025 10:00:00 +0200 (CEST)\r\n"
      "Subject: hello\r\n"
      "  world\r\n"
      "\r\n"
      "Received: not a header, body\r\n";
  auto f = parse_header_block(raw);
  REQUIRE(f.size() == 2);
  CHECK(f[0].name == "Received");
  CHECK(f[0].value ==
        "from a.example (a.example [192.0.2.1])\tby b.example (Postfix) with ESMTPS id 4AbC\tfor "
        "<bob@example.org>; Mon, 2 Jun 2025 10:00:00 +0200 (CEST)");
  CHECK(f[1].value == "hello  world");
  CHECK(header_values(f, "SUBJECT").size() == 1);
  CHECK(body_offset(raw) == raw.find("Received: not"));
}

TEST_CASE("header block: bare LF, leading continuation, colon-less lines, obs name spacing") {
  auto f = parse_header_block(" orphan continuation\nno colon here\nX-A : 1\nX-B:2\n more\n");
  REQUIRE(f.size() == 2);
  CHECK(f[0].name == "X-A");
  CHECK(f[0].value == "1");
  CHECK(f[1].value == "2 more");
}

TEST_CASE("header block: helpers") {
  CHECK(iequals("Received", "rECEIVED"));
  CHECK_FALSE(iequals("a", "ab"));
  CHECK(ifind("xxAbCxx", "abc") == 2);
  CHECK(ifind("ab", "abc") == std::string_view::npos);
  CHECK(trim(" \t a b \r\n") == "a b");
  CHECK(parse_header_block("").empty());
}
