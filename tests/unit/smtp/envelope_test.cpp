// The mail transaction's plan (RFC 2920 flights, RFC 3030 BDAT) and its content (RFC 5321 §4.5.2).

#include <doctest/doctest.h>

#include "smtp/envelope.hpp"

using namespace mailprobe::smtp;

namespace {
constexpr std::string_view kMsg = ".x\r\ny\r\n";  // 7 octets, one line to stuff
}

TEST_SUITE("smtp::envelope") {
  TEST_CASE("PIPELINING: MAIL, RCPT and DATA in one flight, DATA last") {
    EhloCaps caps;
    caps.pipelining = true;
    caps.size_advertised = true;
    auto p = plan_envelope(caps, "a@example.org", "b@example.net", kMsg);
    REQUIRE(p.flights.size() == 1);
    CHECK(p.flights[0] == std::vector<std::string>{"MAIL FROM:<a@example.org> SIZE=7", "RCPT TO:<b@example.net>", "DATA"});
    CHECK_FALSE(p.chunked);
    CHECK(p.content == "..x\r\ny\r\n.\r\n");  // stuffed, end marker: sent after the 354
  }

  TEST_CASE("CHUNKING + PIPELINING: MAIL, RCPT and BDAT <size> LAST in one flight, the raw chunk behind it") {
    EhloCaps caps;
    caps.pipelining = true;
    caps.chunking = true;
    caps.size_advertised = true;
    auto p = plan_envelope(caps, "a@example.org", "b@example.net", "no final CRLF");
    REQUIRE(p.flights.size() == 1);
    CHECK(p.chunked);
    CHECK(p.content == "no final CRLF\r\n");  // RFC 3030 §2: no stuffing, no end marker
    CHECK(p.flights[0] == std::vector<std::string>{"MAIL FROM:<a@example.org> SIZE=15", "RCPT TO:<b@example.net>",
                                                   "BDAT 15 LAST"});
    auto q = plan_envelope(caps, "a@example.org", "b@example.net", kMsg);
    CHECK(q.content == kMsg);  // a leading dot is data in a chunk
    CHECK(q.flights[0].back() == "BDAT 7 LAST");
  }

  TEST_CASE("CHUNKING without PIPELINING: BDAT still saves the 354 round trip, but every command waits its reply") {
    EhloCaps caps;
    caps.chunking = true;
    auto p = plan_envelope(caps, "a@example.org", "b@example.net", kMsg);
    REQUIRE(p.flights.size() == 3);
    CHECK(p.flights[0] == std::vector<std::string>{"MAIL FROM:<a@example.org>"});
    CHECK(p.flights[1] == std::vector<std::string>{"RCPT TO:<b@example.net>"});
    CHECK(p.flights[2] == std::vector<std::string>{"BDAT 7 LAST"});
    CHECK(p.chunked);
  }

  TEST_CASE("a server without PIPELINING gets one command per round trip, and no SIZE it did not offer") {
    EhloCaps caps;
    auto p = plan_envelope(caps, "a@example.org", "b@example.net", kMsg);
    REQUIRE(p.flights.size() == 3);
    CHECK(p.flights[0] == std::vector<std::string>{"MAIL FROM:<a@example.org>"});
    CHECK(p.flights[1] == std::vector<std::string>{"RCPT TO:<b@example.net>"});
    CHECK(p.flights[2] == std::vector<std::string>{"DATA"});
  }

  TEST_CASE("SMTPUTF8 only for a non-ASCII address and only when offered (RFC 6531)") {
    EhloCaps caps;
    caps.smtputf8 = true;
    CHECK(plan_envelope(caps, "a@example.org", "b@example.net", "x\r\n").flights[0][0] == "MAIL FROM:<a@example.org>");
    CHECK(plan_envelope(caps, "jörg@example.org", "b@example.net", "x\r\n").flights[0][0] ==
          "MAIL FROM:<jörg@example.org> SMTPUTF8");
    caps.smtputf8 = false;
    CHECK(plan_envelope(caps, "jörg@example.org", "b@example.net", "x\r\n").flights[0][0] == "MAIL FROM:<jörg@example.org>");
  }

  TEST_CASE("DATA content: leading dots doubled, the end marker added once") {
    CHECK(data_content("Subject: x\r\n\r\nhello\r\n") == "Subject: x\r\n\r\nhello\r\n.\r\n");
    CHECK(data_content(".hidden\r\n..two\r\nmid.dot\r\n.") == "..hidden\r\n...two\r\nmid.dot\r\n..\r\n.\r\n");
    CHECK(data_content("no final newline") == "no final newline\r\n.\r\n");
    CHECK(data_content("ends in CR\r") == "ends in CR\r\n.\r\n");
    CHECK(data_content("") == ".\r\n");
  }

  TEST_CASE("a transaction the server did not take may go again on a fresh session; nothing else may") {
    // No reply before the connection ended, on a session used before (or
    // behind another transaction of the flight): the server had closed it.
    CHECK(not_taken(false, 0, 0, true, true));
    // ... but a fresh session that breaks at once is a failure of its own.
    CHECK_FALSE(not_taken(false, 0, 0, true, false));
    // A 421 to MAIL, its only reply (the server closes, RFC 5321 §3.8).
    CHECK(not_taken(false, 1, 421, true, false));
    // A refusal with the connection intact, or after a MAIL that was taken: final.
    CHECK_FALSE(not_taken(false, 1, 550, false, true));
    CHECK_FALSE(not_taken(false, 2, 421, true, true));  // MAIL 250, RCPT 421: the envelope began
    CHECK_FALSE(not_taken(false, 3, 554, false, true));
    // Accepted is accepted, whatever came after.
    CHECK_FALSE(not_taken(true, 3, 250, true, true));
    // No reply yet on a connection that did not end: still open, not retried here.
    CHECK_FALSE(not_taken(false, 0, 0, false, true));
  }

  TEST_CASE("BDAT content: the message as it is, a final CRLF added once") {
    CHECK(bdat_content("a\r\n.b\r\n") == "a\r\n.b\r\n");
    CHECK(bdat_content("ends in CR\r") == "ends in CR\r\n");
    CHECK(bdat_content("") == "");
  }
}
