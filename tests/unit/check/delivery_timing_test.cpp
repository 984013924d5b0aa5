#include <doctest/doctest.h>

#include "check/delivery_timing.hpp"
#include "check/imap_leg.hpp"

using namespace mailprobe;
using namespace mailprobe::check;
using namespace std::chrono;

TEST_SUITE("check::delivery_timing") {
  TEST_CASE("delivery is the landing estimate minus the server's acceptance") {
    auto t0 = SteadyClock::time_point{} + hours(1);
    // 250 arrived at 100 with a 50 ms SMTP RTT: the server sent it at 75.
    // Last miss at server time 85, hit at 105: landed ~95 +- 10.
    LandingWindow w{t0 + milliseconds(85), t0 + milliseconds(105)};
    auto d = delivery_timing(w, t0 + milliseconds(75));
    CHECK(d.delivery_us == 20'000);
    CHECK(d.error_us == 10'000);
  }

  TEST_CASE("never negative") {
    auto t0 = SteadyClock::time_point{} + hours(1);
    LandingWindow w{t0, t0 + milliseconds(2)};
    CHECK(delivery_timing(w, t0 + milliseconds(5)).delivery_us == 0);
  }

  TEST_CASE("without a window the old first-seen measure is kept") {
    CheckReport r;
    WaitOutcome w;
    Stamp acc = Stamp::now();
    w.seen = Stamp{acc.steady + milliseconds(30), acc.wall + milliseconds(30)};
    record_delivery(r, w, acc.steady, acc);
    CHECK(r.delivery_us == 30'000);
    CHECK_FALSE(r.delivery_error_us);
  }
}

TEST_SUITE("check::imap_leg") {
  TEST_CASE("capabilities come from the LOGIN completion's code (RFC 3501 §7.1)") {
    auto caps = login_capabilities({"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready", "A001 OK begin TLS",
                                    "A003 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS MOVE] Logged in"});
    REQUIRE(caps);
    CHECK(caps->count("IDLE") == 1);
    CHECK(caps->count("UIDPLUS") == 1);
    CHECK(caps->count("STARTTLS") == 0);
  }

  TEST_CASE("capabilities seen only before login do not count") {
    CHECK_FALSE(login_capabilities({"* OK [CAPABILITY IMAP4rev1 IDLE] ready", "A002 OK Logged in"}));
    CHECK_FALSE(login_capabilities({}));
    CHECK_FALSE(login_capabilities({"A002 NO [CAPABILITY IMAP4rev1] bad"}));
  }
}
