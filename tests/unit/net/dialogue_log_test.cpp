// check -v's transcript: what a client sends is shown only when it cannot
// carry a secret; everything else is "****" (net/dialogue_log.hpp).

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/dialogue_log.hpp"

using namespace mailprobe::net;

TEST_SUITE("net::dialogue_log") {
  TEST_CASE("SMTP: envelope commands are shown, AUTH keeps only its mechanism") {
    CHECK(mask_command(Dialect::smtp, "EHLO probe.example") == "EHLO probe.example");
    CHECK(mask_command(Dialect::smtp, "MAIL FROM:<a@example.org>") == "MAIL FROM:<a@example.org>");
    CHECK(mask_command(Dialect::smtp, "rcpt TO:<b@example.net>") == "rcpt TO:<b@example.net>");
    CHECK(mask_command(Dialect::smtp, "AUTH PLAIN AGFsaWNlAHMzY3IzdA==") == "AUTH PLAIN ****");
    CHECK(mask_command(Dialect::smtp, "AUTH XOAUTH2 dXNlcj1h...") == "AUTH XOAUTH2 ****");
    CHECK(mask_command(Dialect::smtp, "AUTH LOGIN") == "AUTH LOGIN");
    // SASL continuations after a 334 (LOGIN's user name and password, a long token).
    CHECK(mask_command(Dialect::smtp, "YWxpY2U=") == "****");
    CHECK(mask_command(Dialect::smtp, "czNjcjN0") == "****");
    CHECK(mask_command(Dialect::smtp, "") == "****");
  }

  TEST_CASE("IMAP: LOGIN and AUTHENTICATE are masked, continuations and literals too") {
    CHECK(mask_command(Dialect::imap, "A001 CAPABILITY") == "A001 CAPABILITY");
    CHECK(mask_command(Dialect::imap, "A002 LOGIN bob \"s3cr3t\"") == "A002 LOGIN ****");
    CHECK(mask_command(Dialect::imap, "A002 login bob s3cr3t") == "A002 LOGIN ****");
    CHECK(mask_command(Dialect::imap, "A003 AUTHENTICATE PLAIN AGJvYgBzM2NyM3Q=") == "A003 AUTHENTICATE PLAIN ****");
    CHECK(mask_command(Dialect::imap, "A003 AUTHENTICATE OAUTHBEARER") == "A003 AUTHENTICATE OAUTHBEARER");
    CHECK(mask_command(Dialect::imap, "bixhPWJvYkBleGFtcGxlLm9yZywBYXV0aD1CZWFyZXIgeXl5eQEB") == "****");
    CHECK(mask_command(Dialect::imap, "s3cr3t") == "****");
    CHECK(mask_command(Dialect::imap, "DONE") == "DONE");
    CHECK(mask_command(Dialect::imap, "m7 UID SEARCH UID 42:* HEADER X-Mailprobe-Token abc") ==
          "m7 UID SEARCH UID 42:* HEADER X-Mailprobe-Token abc");
    CHECK(mask_command(Dialect::imap, "m8 IDLE") == "m8 IDLE");
  }

  TEST_CASE("lines are labelled per connection, split, masked and cut") {
    std::vector<std::string> out;
    DialogueLog log([&](std::string_view l) { out.emplace_back(l); });
    int s = log.open(Dialect::smtp, "smtp");
    int i = log.open(Dialect::imap, "imap");
    int j = log.open(Dialect::imap, "imap");
    log.received(s, "220 mx.example ESMTP\r\n250-mx");  // the second line is not finished yet
    log.received(s, ".example\r\n");
    log.sent(s, "AUTH PLAIN AGFsaWNlAHMzY3IzdA==\r\n");
    log.sent(i, "A1 LOGIN bob pw\r\nA2 SELECT INBOX\r\n");
    log.received(j, std::string(500, 'x') + "\r\n");
    REQUIRE(out.size() == 6);
    CHECK(out[0].find(" smtp    < 220 mx.example ESMTP\n") != std::string::npos);
    CHECK(out[1].find(" smtp    < 250-mx.example\n") != std::string::npos);
    CHECK(out[2].find(" smtp    > AUTH PLAIN ****\n") != std::string::npos);
    CHECK(out[3].find(" imap    > A1 LOGIN ****\n") != std::string::npos);
    CHECK(out[4].find(" imap    > A2 SELECT INBOX\n") != std::string::npos);
    CHECK(out[5].find(" imap#2  < xxx") != std::string::npos);
    CHECK(out[5].size() < 340);
    CHECK(out[0].rfind("+0.", 0) == 0);
    for (const auto& l : out) CHECK(l.find("AGFsaWNl") == std::string::npos);
  }

  TEST_CASE("control characters from a server cannot reach the terminal") {
    std::vector<std::string> out;
    DialogueLog log([&](std::string_view l) { out.emplace_back(l); });
    int s = log.open(Dialect::smtp, "smtp");
    log.received(s, "220 hi \x1b[2J there\r\n");
    REQUIRE(out.size() == 1);
    CHECK(out[0].find('\x1b') == std::string::npos);
  }
}
