#include <doctest/doctest.h>

#include "smtp/reply.hpp"

using namespace mailprobe::smtp;

TEST_SUITE("smtp::reply") {
  TEST_CASE("a multi-line reply ends at the line with a space after the code") {
    ReplyAssembler a;
    CHECK_FALSE(a.feed("250-mail.example.org Hello"));
    CHECK_FALSE(a.feed("250-SIZE 10240000\r\n"));
    auto r = a.feed("250 STARTTLS");
    REQUIRE(r);
    CHECK(r->code == 250);
    CHECK(r->lines.size() == 3);
    CHECK_FALSE(a.violation());
  }

  TEST_CASE("a bare code is a complete reply") {
    auto l = parse_reply_line("250");
    REQUIRE(l);
    CHECK(l->last);
    CHECK(l->text.empty());
  }

  TEST_CASE("garbage and out-of-range codes are not reply lines") {
    CHECK_FALSE(parse_reply_line("hello"));
    CHECK_FALSE(parse_reply_line("25"));
    CHECK_FALSE(parse_reply_line("250x"));
    CHECK_FALSE(parse_reply_line("099 hi"));
    ReplyAssembler a;
    CHECK_FALSE(a.feed("* OK IMAP ready"));
    CHECK(a.violation());
  }

  TEST_CASE("a multi-line 220 greeting (postscreen style) is one reply") {
    ReplyAssembler a;
    CHECK_FALSE(a.feed("220-mx.example.org ESMTP"));
    auto r = a.feed("220 mx.example.org ESMTP ready");
    REQUIRE(r);
    CHECK(r->joined() == "mx.example.org ESMTP; mx.example.org ESMTP ready");
  }

  TEST_CASE("enhanced status codes") {
    Reply r{250, {"2.0.0 Ok: queued as ABC"}};
    CHECK(r.enhanced_code() == "2.0.0");
    Reply r2{550, {"5.1.1 <x@y>: Recipient address rejected"}};
    CHECK(r2.enhanced_code() == "5.1.1");
    Reply r3{250, {"Ok"}};
    CHECK(r3.enhanced_code().empty());
    Reply r4{250, {"2.0 odd"}};
    CHECK(r4.enhanced_code().empty());
  }

  TEST_CASE("queue ids from Postfix, Exim and nothing") {
    CHECK(queue_id_from("2.0.0 Ok: queued as 4XbZ1Q2mNpz3x") == "4XbZ1Q2mNpz3x");
    CHECK(queue_id_from("Ok: queued as 9F1A2B3C4D.") == "9F1A2B3C4D");
    CHECK(queue_id_from("OK id=1r2s3t-000ABC-1x") == "1r2s3t-000ABC-1x");
    CHECK(queue_id_from("2.0.0 Ok") == "");
  }

  TEST_CASE("EHLO capabilities") {
    Reply r{250, {"mx.example.org", "PIPELINING", "SIZE 10240000", "STARTTLS",
                  "AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME",
                  "SMTPUTF8", "CHUNKING", "DSN"}};
    auto c = parse_ehlo(r);
    CHECK(c.starttls);
    CHECK(c.pipelining);
    CHECK(c.size_advertised);
    CHECK(c.size == 10240000);
    CHECK(c.auth == std::vector<std::string>{"PLAIN", "LOGIN"});
    CHECK(c.enhancedstatuscodes);
    CHECK(c.eightbitmime);
    CHECK(c.smtputf8);
    CHECK(c.chunking);
    CHECK(c.dsn);
    CHECK_FALSE(c.requiretls);
  }

  TEST_CASE("a bare 250 EHLO reply has no extensions") {
    auto c = parse_ehlo(Reply{250, {""}});
    CHECK_FALSE(c.starttls);
    CHECK(c.auth.empty());
  }
}
