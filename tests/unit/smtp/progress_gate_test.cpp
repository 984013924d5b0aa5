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
  void c(std::string_view line, int at) { p.on_command(line, t0 + milliseconds(ms = at)); }
  void s(std::string_view line, int at) { p.on_line(line, t0 + milliseconds(ms = at)); }
};
}  // namespace

TEST_SUITE("smtp::progress envelope gate and RTT") {
  TEST_CASE("STARTTLS + AUTH: the envelope is next only after the 235") {
    Transcript t;
    t.s("220 mx ESMTP", 1);
    CHECK_FALSE(t.p.envelope_next(true, true));
    t.c("EHLO probe", 2);
    t.s("250-mx", 52);
    CHECK_FALSE(t.p.envelope_next(true, true));  // mid-reply
    t.s("250 STARTTLS", 52);
    CHECK_FALSE(t.p.envelope_next(true, true));  // STARTTLS comes next
    t.c("STARTTLS", 53);
    t.s("220 ready", 103);
    t.c("EHLO probe", 160);
    t.s("250-mx", 209);
    t.s("250 AUTH PLAIN", 209);
    CHECK_FALSE(t.p.envelope_next(true, true));  // AUTH comes next
    t.c("AUTH PLAIN AGEAYg==", 210);
    CHECK_FALSE(t.p.envelope_next(true, true));  // awaiting the reply
    t.s("235 2.7.0 ok", 300);
    CHECK(t.p.envelope_next(true, true));
    t.c("MAIL FROM:<a@x>", 301);
    CHECK_FALSE(t.p.envelope_next(true, true));  // asked once, before MAIL only
    // EHLO 50 ms, STARTTLS 50 ms, EHLO 49 ms: the smallest is the RTT; AUTH's 90 ms is not a sample.
    REQUIRE(t.p.rtt_us());
    CHECK(*t.p.rtt_us() == 49'000);
  }

  TEST_CASE("failed AUTH never opens the envelope") {
    Transcript t;
    t.s("220 mx", 1);
    t.c("EHLO probe", 2);
    t.s("250 AUTH PLAIN", 3);
    t.c("AUTH PLAIN AGEAYg==", 4);
    t.s("535 5.7.8 no", 5);
    CHECK_FALSE(t.p.envelope_next(true, false));
  }

  TEST_CASE("without credentials, or when no AUTH is offered, the EHLO reply is the last step") {
    Transcript t;
    t.s("220 mx", 1);
    t.c("EHLO probe", 2);
    t.s("250-mx", 3);
    t.s("250 SIZE 100", 4);
    CHECK(t.p.envelope_next(false, false));
    CHECK(t.p.envelope_next(true, false));  // libcurl skips AUTH; the sender then refuses at MAIL
    CHECK(t.p.replies() == 2);
  }

  TEST_CASE("a 4xx greeting or EHLO rejection is not a green light") {
    Transcript t;
    t.s("220 mx", 1);
    t.c("EHLO probe", 2);
    t.s("421 busy", 3);
    CHECK_FALSE(t.p.envelope_next(false, false));
  }
}
