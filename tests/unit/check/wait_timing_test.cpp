#include <doctest/doctest.h>

#include "check/wait_timing.hpp"

using namespace mailprobe;
using namespace mailprobe::check;
using namespace std::chrono;

namespace {
const SteadyClock::time_point t0 = SteadyClock::time_point{} + hours(1);
SteadyClock::time_point at(int ms) { return t0 + milliseconds(ms); }

/// Last miss at 100; a NOOP at server moment 120 announced 3 messages.
WaitTiming with_evidence() {
  WaitTiming t;
  t.missed(at(100));
  t.hit(at(120), Stamp{at(145), WallClock::now()}, {3, 7});
  return t;
}
}  // namespace

TEST_SUITE("check::wait_timing") {
  TEST_CASE("without evidence a find is bounded by the last miss and the search") {
    WaitTiming t;
    t.missed(at(100));
    auto w = t.window_for(5u, 0, at(180));
    CHECK(w.after == at(100));
    CHECK(w.before == at(180));
  }

  TEST_CASE("a message within the announced count landed inside the evidence's window") {
    auto w = with_evidence().window_for(3u, 7, at(180));
    CHECK(w.after == at(100));
    CHECK(w.before == at(120));
  }

  TEST_CASE("one numbered above the announced count landed after the evidence, by the search") {
    auto w = with_evidence().window_for(4u, 7, at(180));
    CHECK(w.after == at(120));
    CHECK(w.before == at(180));
  }

  TEST_CASE("an EXPUNGE since the evidence lowers the count it is judged against (conservatively)") {
    // Number 3 after one expunge may have been number 4 at the evidence.
    auto w = with_evidence().window_for(3u, 8, at(180));
    CHECK(w.after == at(120));
    CHECK(w.before == at(180));
    CHECK(with_evidence().window_for(2u, 8, at(180)).before == at(120));
  }

  TEST_CASE("with no sequence number only the last miss and the search bound it") {
    auto w = with_evidence().window_for(std::nullopt, 7, at(180));
    CHECK(w.after == at(100));
    CHECK(w.before == at(180));
  }

  TEST_CASE("an IDLE push keeps its placement only for the messages it announced") {
    WaitTiming t;
    t.missed(at(100));
    t.take_rtt(Micros(20000));
    t.pushed(Stamp{at(600), WallClock::now()}, {1, 0});  // the server sent it at 590
    auto mine = t.window_for(1u, 0, at(700));
    CHECK(mine.pushed);
    CHECK(mine.before == at(590));
    auto later = t.window_for(2u, 0, at(700));
    CHECK_FALSE(later.pushed);
    CHECK(later.after == at(590));
    CHECK(later.before == at(700));
  }
}
