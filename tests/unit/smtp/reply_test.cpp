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

  TEST_CASE("queue ids from every common MTA's final 250") {
    // Reply texts as the servers send them (after the "250 "), one row each.
    struct Row {
      const char* mta;
      const char* text;
      const char* id;
    };
    const Row rows[] = {
        {"Postfix", "2.0.0 Ok: queued as 4XbZ1Q2mNpz3x", "4XbZ1Q2mNpz3x"},
        {"Postfix, no enhanced code", "Ok: queued as 9F1A2B3C4D.", "9F1A2B3C4D"},
        {"Exim", "OK id=1r2s3t-000ABC-1x", "1r2s3t-000ABC-1x"},
        {"Sendmail", "2.0.0 5B1GxYbE012345 Message accepted for delivery", "5B1GxYbE012345"},
        {"OpenSMTPD 6.8", "2.0.0 0dca316d Message accepted for delivery", "0dca316d"},
        {"OpenSMTPD (older)", "2.0.0: 6ef14c1b Message accepted for delivery", "6ef14c1b"},
        {"Exchange", "2.6.0 <3f2a9c@EX01.example.com> [InternalId=274498, Hostname=EX01.example.com] Queued mail for delivery",
         "3f2a9c@EX01.example.com"},
        {"Microsoft 365",
         "2.0.0 OK <AM0PR07MB4131A1B2C3@AM0PR07MB4131.eurprd07.prod.outlook.com> [Hostname=AM0PR07MB4131.eurprd07.prod.outlook.com]",
         "AM0PR07MB4131A1B2C3@AM0PR07MB4131.eurprd07.prod.outlook.com"},
        {"Outlook.com, no enhanced code", "<SNT0-MC3-F19x@SNT0-MC3-F19.Snt0.hotmail.com> Queued mail for delivery",
         "SNT0-MC3-F19x@SNT0-MC3-F19.Snt0.hotmail.com"},
        {"Gmail", "2.0.0 OK  1690517236 x6-20020a0561sm418782vsr.11 - gsmtp", "x6-20020a0561sm418782vsr.11"},
        {"Haraka", "Message Queued (F2BBED6F-AF8E-4532-B4B2-6490936E49C1.1)",
         "F2BBED6F-AF8E-4532-B4B2-6490936E49C1.1"},
        {"Stalwart", "2.0.0 Message queued with id 3f481c415800015.", "3f481c415800015"},
        {"Stalwart (submission)", "2.0.0 Message queued as 217700302698266624", "217700302698266624"},
        {"mailprobe serve", "2.0.0 Ok: queued as M00000001", "M00000001"},
        // No id in these: a word of the text must never pass for one.
        {"bare Ok", "2.0.0 Ok", ""},
        {"OK before the wording", "2.0.0 OK Message accepted for delivery", ""},
        {"no token", "2.5.0 Message accepted for delivery", ""},
        {"no enhanced code", "OK: Message accepted for delivery", ""},
        {"bracket without host", "2.0.0 <token> accepted", ""},
        {"gsmtp alone", "- gsmtp", ""},
    };
    for (const Row& r : rows) {
      std::string mta = r.mta;
      CAPTURE(mta);
      CHECK(queue_id_from(r.text) == r.id);
    }
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
