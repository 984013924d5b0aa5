#include "serve/imap_parser.hpp"

#include <doctest/doctest.h>

using namespace mailprobe::serve::imap;

TEST_SUITE("serve::imap_parser") {
  TEST_CASE("deeply nested parentheses are refused, not recursed into (no stack exhaustion)") {
    std::string deep = "NOOP " + std::string(60000, '(');
    CHECK_FALSE(tokenize(deep));
    std::string ok = "X " + std::string(20, '(') + std::string(20, ')');
    CHECK(tokenize(ok));
  }

  TEST_CASE("atoms, quoted strings, literals, lists; bracketed atoms keep their spaces") {
    auto t = tokenize("FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.10>) \"a \\\"q\\\"\" {4}\r\nx\r\ny");
    REQUIRE(t);
    REQUIRE(t->size() == 5);
    CHECK((*t)[1].text == "1:*");
    REQUIRE((*t)[2].kind == Token::Kind::list);
    CHECK((*t)[2].items[1].text == "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.10>");
    CHECK((*t)[3].text == "a \"q\"");
    CHECK((*t)[4].kind == Token::Kind::string);
    CHECK((*t)[4].text == "x\r\ny");
  }

  TEST_CASE("syntax errors") {
    CHECK_FALSE(tokenize("(a b"));
    CHECK_FALSE(tokenize("a)"));
    CHECK_FALSE(tokenize("\"open"));
    CHECK_FALSE(tokenize("{5}\r\nab"));
    CHECK_FALSE(tokenize("\"bad \\x escape\""));
  }

  TEST_CASE("trailing literal announcements") {
    CHECK(trailing_literal("a LOGIN {5}")->size == 5);
    CHECK(trailing_literal("a LOGIN {5+}")->non_sync);
    CHECK_FALSE(trailing_literal("a LOGIN {x}"));
    CHECK_FALSE(trailing_literal("a NOOP"));
  }

  TEST_CASE("sequence sets with * and reversed ranges") {
    auto s = parse_seq_set("1,3:5,9:*", 12);
    REQUIRE(s);
    CHECK(s->contains(1));
    CHECK_FALSE(s->contains(2));
    CHECK(s->contains(4));
    CHECK(s->contains(12));
    auto r = parse_seq_set("7:2", 10);
    REQUIRE(r);
    CHECK(r->contains(2));
    CHECK(r->contains(7));
    CHECK_FALSE(parse_seq_set("0", 5));
    CHECK_FALSE(parse_seq_set("1,", 5));
    CHECK_FALSE(parse_seq_set("a", 5));
    CHECK(format_uid_set({1, 2, 3, 5, 7, 8}) == "1:3,5,7:8");
  }

  TEST_CASE("quoting and dates") {
    CHECK(quote("a\"b") == "\"a\\\"b\"");
    CHECK(quote("x\r\ny") == "{4}\r\nx\r\ny");
    CHECK(internal_date(1700000000) == "14-Nov-2023 22:13:20 +0000");
    CHECK(parse_date_days("14-Nov-2023").value() == 1700000000 / 86400);
    CHECK_FALSE(parse_date_days("14-Foo-2023"));
  }
}
