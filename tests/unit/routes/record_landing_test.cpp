#include <doctest/doctest.h>

#include "routes/shared_route.hpp"

using namespace mailprobe;
using namespace mailprobe::routes;
using namespace std::chrono;

namespace {
const SteadyClock::time_point t0 = SteadyClock::time_point{} + hours(1);
SteadyClock::time_point at(int ms) { return t0 + milliseconds(ms); }
Stamp stamp(int ms) { return Stamp{at(ms), WallClock::now()}; }
}  // namespace

TEST_SUITE("routes::record_landing") {
  TEST_CASE("a route's delivery comes from the watcher's window, not from when the scan returned") {
    // RTT 50 on both legs: the 250 arrived at 100, so the server sent it at
    // 75. The hub's NOOPs missed at server moment 80 and hit at 100; the
    // completion carrying the EXISTS arrived at 125 and the scan later.
    check::CheckReport r;
    Sighting w;
    w.seen = stamp(125);
    w.window = check::LandingWindow{at(80), at(100)};
    record_landing(r, w, stamp(100), 50000);
    REQUIRE(r.delivery_us);
    CHECK(*r.delivery_us == 15000);  // mid of [80, 100] - 75
    CHECK(r.delivery_error_us == 10000);
  }

  TEST_CASE("a window that began before this route's acceptance starts there") {
    // The hub has watched the mailbox since before this route sent: its last
    // miss (server moment 10) is older than the acceptance (75).
    check::CheckReport r;
    Sighting w;
    w.seen = stamp(125);
    w.window = check::LandingWindow{at(10), at(95)};
    record_landing(r, w, stamp(100), 50000);
    CHECK(r.delivery_us == 10000);       // mid of [75, 95] - 75
    CHECK(r.delivery_error_us == 10000);
  }

  TEST_CASE("evidence older than the acceptance (another probe's EXISTS): bounded by the search that found it") {
    // The hit at server moment 60 was another route's probe; this one
    // (accepted at 75) was found by the scan that followed, at server moment 95.
    check::CheckReport r;
    Sighting w;
    w.seen = stamp(101);
    w.window = check::LandingWindow{at(10), at(60)};
    w.searched = at(95);
    record_landing(r, w, stamp(100), 50000);
    CHECK(r.delivery_us == 10000);  // mid of [75, 95] - 75
    CHECK(r.delivery_error_us == 10000);
  }

  TEST_CASE("a server that delivers before its 250, found at once: 0, never a negative time") {
    check::CheckReport r;
    Sighting w;
    w.seen = stamp(101);
    w.window = check::LandingWindow{at(10), at(60)};
    w.searched = at(70);  // before the acceptance's server moment (75): rounding
    record_landing(r, w, stamp(100), 50000);
    CHECK(r.delivery_us == 0);
    CHECK(r.delivery_error_us == 0);
  }

  TEST_CASE("an IDLE push is placed at the window's end, the whole window as the bound") {
    check::CheckReport r;
    Sighting w;
    w.seen = stamp(600);
    w.window = check::LandingWindow{at(80), at(575), true};
    record_landing(r, w, stamp(100), 50000);
    CHECK(r.delivery_us == 500000);
    CHECK(r.delivery_error_us == 495000);
  }

  TEST_CASE("without a window: first seen minus the 250's arrival, no bound") {
    check::CheckReport r;
    Sighting w;
    w.seen = stamp(130);
    record_landing(r, w, stamp(100), 50000);
    CHECK(r.delivery_us == 30000);
    CHECK_FALSE(r.delivery_error_us);
  }
}
