#include <doctest/doctest.h>

#include "smtp/progress.hpp"

using namespace mailprobe;
using namespace mailprobe::smtp;
using namespace std::chrono;

namespace {
struct Transcript {
  SteadyClock::time_point t0 = SteadyClock::now();
  Progress p{t0};
  int ms = 0;
  void c(std::string_view line) { p.on_command(line, t0 + milliseconds(++ms)); }
  void s(std::string_view line) { p.on_line(line, t0 + milliseconds(++ms)); }
};
}  // namespace

TEST_SUITE("smtp::progress") {
  TEST_CASE("a full STARTTLS + AUTH dialogue ends accepted with a queue id") {
    Transcript t;
    t.s("220 mx ESMTP");
    CHECK(t.p.stage() == Stage::smtp_greeting);
    t.c("EHLO probe");
    t.s("250-mx");
    t.s("250 STARTTLS");
    t.c("STARTTLS");
    t.s("220 2.0.0 Ready");
    CHECK(t.p.stage() == Stage::smtp_tls);
    t.c("EHLO probe");
    t.s("250-mx");
    t.s("250-AUTH PLAIN LOGIN");
    t.s("250 SIZE 1000");
    CHECK(t.p.caps().auth.size() == 2);
    t.c("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    t.s("235 2.7.0 ok");
    CHECK(t.p.auth_succeeded());
    t.c("MAIL FROM:<a@x> SIZE=100");
    t.s("250 ok");
    t.c("RCPT TO:<b@y>");
    t.s("250 ok");
    t.c("DATA");
    t.s("354 go ahead");
    t.s("250 2.0.0 Ok: queued as ABC123");
    t.c("QUIT");
    t.s("221 2.0.0 Bye");
    REQUIRE(t.p.final_reply());
    CHECK(t.p.final_reply()->code == 250);
    CHECK(queue_id_from(t.p.final_reply()->joined()) == "ABC123");
    CHECK(t.p.accepted_at());
    CHECK(t.p.starttls_tls_us() == 1000);  // 220 at +7ms, EHLO at +8ms
    CHECK(t.p.auth_us() == 1000);
    CHECK(t.p.data_us() == 1000);
    CHECK(t.p.last_reply()->code == 250);  // QUIT's 221 does not mask it
  }

  TEST_CASE("BDAT LAST (RFC 3030): its reply is the final one, data timed from the BDAT") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250-mx");
    t.s("250-PIPELINING");
    t.s("250 CHUNKING");
    CHECK(t.p.caps().chunking);
    // One flight: the sender feeds each command just before its reply, as
    // untimed (the server answers the flight once the chunk is processed).
    t.p.on_command("MAIL FROM:<a@x>", t.t0 + milliseconds(++t.ms), false);  // +6
    t.s("250 2.1.0 Ok");
    t.p.on_command("RCPT TO:<b@y>", t.t0 + milliseconds(++t.ms), false);
    t.s("250 2.1.5 Ok");
    t.p.on_command("BDAT 120 LAST", t.t0 + milliseconds(++t.ms), false);  // +10
    CHECK(t.p.stage() == Stage::smtp_data);
    CHECK(t.p.awaiting_reply());
    t.s("250 2.0.0 Ok: queued as Q1");  // +11
    t.c("QUIT");
    t.s("221 Bye");
    REQUIRE(t.p.final_reply());
    CHECK(queue_id_from(t.p.final_reply()->joined()) == "Q1");
    CHECK(t.p.accepted_at() == t.t0 + milliseconds(11));
    CHECK(t.p.data_us() == 1000);
    CHECK(t.p.transaction_us() == 5000);
    CHECK(t.p.last_reply()->code == 250);
    CHECK(t.p.rtt_us() == 3000);  // EHLO's (+2 -> +5, its last line), not MAIL's or RCPT's
  }

  TEST_CASE("BDAT refused after a RCPT failure: no acceptance, the failure stays at RCPT") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250 CHUNKING");
    t.c("MAIL FROM:<a@x>");
    t.s("250 ok");
    t.c("RCPT TO:<nobody@y>");
    t.s("550 5.1.1 User unknown");
    // The sender stops feeding at the failed RCPT; the 554 to the pipelined
    // BDAT is never read as a reply of this transaction.
    CHECK(t.p.stage() == Stage::smtp_rcpt);
    CHECK_FALSE(t.p.accepted_at());
    CHECK_FALSE(t.p.final_reply());
  }

  TEST_CASE("a BDAT chunk refused at the end: the final reply is the rejection, at the data stage") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250 CHUNKING");
    t.c("MAIL FROM:<a@x>");
    t.s("250 ok");
    t.c("RCPT TO:<b@y>");
    t.s("250 ok");
    t.c("BDAT 99 LAST");
    t.s("554 5.7.1 content rejected");
    CHECK(t.p.stage() == Stage::smtp_data);
    REQUIRE(t.p.final_reply());
    CHECK(t.p.final_reply()->code == 554);
    CHECK_FALSE(t.p.accepted_at());
  }

  TEST_CASE("a RCPT rejection stays the last reply and the stage, through QUIT") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250 mx");
    t.c("MAIL FROM:<a@x>");
    t.s("250 ok");
    t.c("RCPT TO:<nobody@y>");
    t.s("550 5.1.1 <nobody@y>: User unknown");
    t.c("QUIT");
    t.s("221 Bye");
    CHECK(t.p.stage() == Stage::smtp_rcpt);
    CHECK(t.p.last_reply()->code == 550);
    CHECK_FALSE(t.p.awaiting_reply());
    CHECK_FALSE(t.p.accepted_at());
  }

  TEST_CASE("AUTH LOGIN continuation lines stay in the auth stage") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250 AUTH LOGIN");
    t.c("AUTH LOGIN");
    t.s("334 VXNlcm5hbWU6");
    t.c("YWxpY2U=");
    t.s("334 UGFzc3dvcmQ6");
    t.c("c2VjcmV0");
    CHECK(t.p.stage() == Stage::smtp_auth);
    t.s("535 5.7.8 bad credentials");
    CHECK_FALSE(t.p.auth_succeeded());
    CHECK(t.p.last_reply()->code == 535);
  }

  TEST_CASE("a server that goes silent after a command leaves the reply awaited") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250 mx");
    t.c("MAIL FROM:<a@x>");
    CHECK(t.p.awaiting_reply());
    CHECK(t.p.stage() == Stage::smtp_mail);
  }

  TEST_CASE("a rejection of the data is the final reply, not an acceptance") {
    Transcript t;
    t.s("220 mx");
    t.c("EHLO p");
    t.s("250 mx");
    t.c("MAIL FROM:<a@x>");
    t.s("250 ok");
    t.c("RCPT TO:<b@y>");
    t.s("250 ok");
    t.c("DATA");
    t.s("354 go");
    t.s("554 5.7.1 spam");
    CHECK(t.p.final_reply()->code == 554);
    CHECK_FALSE(t.p.accepted_at());
    CHECK(t.p.stage() == Stage::smtp_data);
  }

  // The sender pipelines MAIL, RCPT and DATA (RFC 2920) and feeds the
  // Progress each command, stamped with the flight's send time, just before
  // reading that command's reply: stages, RTT and the failure stage then read
  // as for a one-by-one dialogue.
  TEST_CASE("a pipelined flight fed in lockstep: one RTT per command, the transaction spans the flight") {
    SteadyClock::time_point t0 = SteadyClock::now();
    Progress p{t0};
    p.on_line("220 mx ESMTP", t0);
    p.on_command("EHLO probe", t0 + milliseconds(1));
    p.on_line("250 PIPELINING", t0 + milliseconds(51));
    const auto flight = t0 + milliseconds(100);
    p.on_command("MAIL FROM:<a@x>", flight);
    p.on_line("250 2.1.0 Ok", flight + milliseconds(50));
    p.on_command("RCPT TO:<b@y>", flight);
    p.on_line("250 2.1.5 Ok", flight + milliseconds(50));
    p.on_command("DATA", flight);
    p.on_line("354 End data", flight + milliseconds(50));
    p.on_line("250 2.0.0 Ok: queued as Q1", flight + milliseconds(100));
    CHECK(p.rtt_us() == 50'000);
    CHECK(p.transaction_us() == 100'000);
    CHECK(p.data_us() == 50'000);
    CHECK(p.accepted_at() == flight + milliseconds(100));
  }

  TEST_CASE("the RTT comes from the transaction's own commands, not from libcurl's late-stamped set-up") {
    // libcurl stamps EHLO in its debug callback, after the write: on a busy
    // machine that can be 12 ms late, and the sample reads 38 ms for a 50 ms
    // path. MAIL and RCPT are stamped before the write: they decide.
    SteadyClock::time_point t0 = SteadyClock::now();
    Progress p{t0};
    p.on_line("220 mx ESMTP", t0);
    p.on_command("EHLO probe", t0 + milliseconds(13));  // really sent at 1
    p.on_line("250 PIPELINING", t0 + milliseconds(51));
    CHECK(p.rtt_us() == 38'000);  // all there is so far
    const auto flight = t0 + milliseconds(100);
    p.on_command("MAIL FROM:<a@x>", flight);
    p.on_line("250 2.1.0 Ok", flight + milliseconds(50));
    p.on_command("RCPT TO:<b@y>", flight);
    p.on_line("250 2.1.5 Ok", flight + milliseconds(51));
    CHECK(p.rtt_us() == 50'000);
  }

  TEST_CASE("a pipelined RCPT refused: the failure is RCPT's, whatever DATA's reply then says") {
    SteadyClock::time_point t0 = SteadyClock::now();
    Progress p{t0};
    p.on_line("220 mx ESMTP", t0);
    p.on_command("EHLO probe", t0);
    p.on_line("250 PIPELINING", t0);
    p.on_command("MAIL FROM:<a@x>", t0);
    p.on_line("250 ok", t0);
    p.on_command("RCPT TO:<b@y>", t0);
    p.on_line("550 5.1.1 no such user", t0);
    // The sender stops feeding here (DATA's "503 no valid recipients" is read and dropped).
    CHECK(p.stage() == Stage::smtp_rcpt);
    REQUIRE(p.last_reply());
    CHECK(p.last_reply()->code == 550);
    CHECK_FALSE(p.awaiting_reply());
    CHECK_FALSE(p.accepted_at());
  }

  TEST_CASE("a second transaction on the same session: its own times and final reply, the session's kept") {
    Transcript t;
    t.s("220 mx ESMTP");
    t.c("EHLO probe");
    t.s("250-mx");
    t.s("250 AUTH PLAIN");
    t.c("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    t.s("235 2.7.0 ok");
    t.c("MAIL FROM:<a@x>");  // at 7 ms (one per line)
    t.s("250 ok");
    t.c("RCPT TO:<b@y>");
    t.s("250 ok");
    t.c("DATA");
    t.s("354 go");
    t.s("250 2.0.0 Ok: queued as Q1");
    REQUIRE(t.p.final_reply());
    CHECK(t.p.transaction_us() == 6'000);
    const auto auth = t.p.auth_us();
    const auto first_accept = t.p.accepted_at();

    t.p.next_transaction();
    CHECK_FALSE(t.p.final_reply());
    CHECK_FALSE(t.p.accepted_at());
    CHECK_FALSE(t.p.transaction_us());
    CHECK_FALSE(t.p.mail_started());
    CHECK(t.p.stage() == Stage::smtp_mail);
    CHECK(t.p.auth_succeeded());
    CHECK(t.p.auth_us() == auth);
    CHECK(t.p.caps().auth.size() == 1);

    t.c("MAIL FROM:<a@x>");
    t.s("250 ok");
    t.c("RCPT TO:<c@y>");
    t.s("550 5.1.1 no such user");
    CHECK(t.p.stage() == Stage::smtp_rcpt);
    CHECK(t.p.last_reply()->code == 550);
    CHECK_FALSE(t.p.accepted_at());
    CHECK(first_accept.has_value());

    t.p.next_transaction();
    t.c("MAIL FROM:<a@x>");  // at 18 ms
    t.s("250 ok");
    t.c("RCPT TO:<b@y>");
    t.s("250 ok");
    t.c("DATA");
    t.s("354 go");
    t.s("250 2.0.0 Ok: queued as Q3");
    CHECK(t.p.transaction_us() == 6'000);
    CHECK(t.p.data_us() == 1'000);
    CHECK(t.p.final_reply()->joined().find("Q3") != std::string::npos);
    CHECK(t.p.accepted_at() == t.t0 + milliseconds(24));
  }
}
