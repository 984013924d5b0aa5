#include <doctest/doctest.h>

#include <sstream>

#include "message/address.hpp"
#include "message/probe_message.hpp"

using namespace mailprobe;
using namespace mailprobe::message;

namespace {
ProbeSpec sample() {
  ProbeSpec s;
  s.from = "alice@example.org";
  s.to = "bob@example.net";
  s.prefix = "[e2e email monitoring] ";
  s.token = "0123456789abcdef0123456789abcdef";
  s.host_label = "probe1";
  s.date = WallClock::time_point{std::chrono::seconds(1'700'000'000)};
  return s;
}
}  // namespace

TEST_SUITE("message::probe") {
  TEST_CASE("the probe carries Date, Message-ID, MIME headers and the token thrice") {
    std::string m = compose(sample());
    CHECK(m.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n") == 0);
    CHECK(m.find("Message-ID: <0123456789abcdef0123456789abcdef.mailprobe@example.org>\r\n") !=
          std::string::npos);
    CHECK(m.find("MIME-Version: 1.0\r\n") != std::string::npos);
    CHECK(m.find("Content-Type: text/plain; charset=us-ascii\r\n") != std::string::npos);
    CHECK(m.find("X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n") != std::string::npos);
    CHECK(m.find("From: \"mailprobe on probe1\" <alice@example.org>\r\n") != std::string::npos);
    CHECK(m.find("To: <bob@example.net>\r\n") != std::string::npos);
    CHECK(m.find("\r\n\r\n") != std::string::npos);
  }

  TEST_CASE("subject keeps seed 002's prefix ### time ### token shape") {
    std::string s = subject(sample());
    CHECK(s.rfind("[e2e email monitoring]  ### ", 0) == 0);  // the seed's double space
    CHECK(s.size() > 32);
    CHECK(s.substr(s.size() - 37) == " ### 0123456789abcdef0123456789abcdef");
  }

  TEST_CASE("every line ends in CRLF and stays under 998 octets; no bare LF") {
    std::string m = compose(sample());
    std::size_t pos = 0;
    while (pos < m.size()) {
      auto eol = m.find("\r\n", pos);
      REQUIRE(eol != std::string::npos);
      CHECK(eol - pos <= 998);
      CHECK(m.substr(pos, eol - pos).find('\n') == std::string::npos);
      pos = eol + 2;
    }
  }

  TEST_CASE("X-Mailprobe-Source names the vantage point, and only when set") {
    auto s = sample();
    CHECK(compose(s).find("X-Mailprobe-Source") == std::string::npos);
    s.source = "agent-eu-1";
    CHECK(compose(s).find("X-Mailprobe-Source: agent-eu-1\r\n") != std::string::npos);
  }

  TEST_CASE("a non-ASCII prefix becomes an RFC 2047 encoded-word") {
    auto s = sample();
    s.prefix = "Prüfung ";
    std::string m = compose(s);
    CHECK(m.find("Subject: =?UTF-8?B?") != std::string::npos);
  }

  TEST_CASE("address validation rejects injection and junk") {
    CHECK(address_problem("alice@example.org").empty());
    CHECK_FALSE(address_problem("").empty());
    CHECK_FALSE(address_problem("alice@example.org\r\nRCPT TO:<x@y>").empty());
    CHECK_FALSE(address_problem("alice").empty());
    CHECK_FALSE(address_problem("@example.org").empty());
    CHECK_FALSE(address_problem("alice@").empty());
    CHECK_FALSE(address_problem("Alice <alice@example.org>").empty());
    CHECK_FALSE(address_problem("a b@example.org").empty());
    CHECK(domain_of("alice@example.org") == "example.org");
    CHECK(has_line_break("x\ny"));
    CHECK_FALSE(has_line_break("xy"));
  }
}
