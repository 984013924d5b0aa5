// The mail transaction's plan (RFC 2920 flights) and DATA content (RFC 5321 §4.5.2).

#include <doctest/doctest.h>

#include "smtp/envelope.hpp"

using namespace mailprobe::smtp;

TEST_SUITE("smtp::envelope") {
  TEST_CASE("PIPELINING: MAIL, RCPT and DATA in one flight, DATA last") {
    EhloCaps caps;
    caps.pipelining = true;
    caps.size_advertised = true;
    auto p = plan_envelope(caps, "a@example.org", "b@example.net", 665);
    REQUIRE(p.flights.size() == 1);
    CHECK(p.flights[0] == std::vector<std::string>{"MAIL FROM:<a@example.org> SIZE=665", "RCPT TO:<b@example.net>", "DATA"});
  }

  TEST_CASE("a server without PIPELINING gets one command per round trip, and no SIZE it did not offer") {
    EhloCaps caps;
    auto p = plan_envelope(caps, "a@example.org", "b@example.net", 665);
    REQUIRE(p.flights.size() == 3);
    CHECK(p.flights[0] == std::vector<std::string>{"MAIL FROM:<a@example.org>"});
    CHECK(p.flights[1] == std::vector<std::string>{"RCPT TO:<b@example.net>"});
    CHECK(p.flights[2] == std::vector<std::string>{"DATA"});
  }

  TEST_CASE("SMTPUTF8 only for a non-ASCII address and only when offered (RFC 6531)") {
    EhloCaps caps;
    caps.smtputf8 = true;
    CHECK(plan_envelope(caps, "a@example.org", "b@example.net", 1).flights[0][0] == "MAIL FROM:<a@example.org>");
    CHECK(plan_envelope(caps, "jörg@example.org", "b@example.net", 1).flights[0][0] ==
          "MAIL FROM:<jörg@example.org> SMTPUTF8");
    caps.smtputf8 = false;
    CHECK(plan_envelope(caps, "jörg@example.org", "b@example.net", 1).flights[0][0] == "MAIL FROM:<jörg@example.org>");
  }

  TEST_CASE("DATA content: leading dots doubled, the end marker added once") {
    CHECK(data_content("Subject: x\r\n\r\nhello\r\n") == "Subject: x\r\n\r\nhello\r\n.\r\n");
    CHECK(data_content(".hidden\r\n..two\r\nmid.dot\r\n.") == "..hidden\r\n...two\r\nmid.dot\r\n..\r\n.\r\n");
    CHECK(data_content("no final newline") == "no final newline\r\n.\r\n");
    CHECK(data_content("ends in CR\r") == "ends in CR\r\n.\r\n");
    CHECK(data_content("") == ".\r\n");
  }
}
