#include <doctest/doctest.h>

#include "core/clock.hpp"

using namespace mailprobe;
using namespace std::chrono;

TEST_SUITE("core::clock") {
  TEST_CASE("durations over one second are not wrapped (seed 002 bug)") {
    Stamp a = Stamp::now();
    Stamp b = a;
    b.steady += microseconds(3'200'000);
    CHECK(micros_between(a, b) == 3'200'000);
    CHECK(micros_between(Stamp{}, b) == 0);
  }

  TEST_CASE("a deadline's milliseconds left round up: 0 only once it has passed") {
    // Walk a deadline 3 ms away down to its end: whenever 0 is reported the
    // deadline has passed (truncating would report 0 through the last
    // millisecond, and a poll(2) timeout taken from it would spin).
    Deadline soon{SteadyClock::now() + std::chrono::milliseconds(3)};
    int zeros_before_the_end = 0, looks = 0;
    while (!soon.expired()) {
      ++looks;
      if (soon.remaining_ms() == 0 && !soon.expired()) ++zeros_before_the_end;
    }
    CHECK(looks > 0);
    CHECK(zeros_before_the_end == 0);
    Deadline past{SteadyClock::now() - std::chrono::microseconds(1)};
    CHECK(past.remaining_ms() == 0);
    CHECK(Deadline::in(std::chrono::milliseconds(5000)).remaining_ms(100) == 100);
    CHECK(Deadline{}.remaining_ms(7) == 7);
  }

  TEST_CASE("ISO 8601 UTC with microseconds") {
    WallClock::time_point t{seconds(1'700'000'000) + microseconds(42)};
    CHECK(iso8601_utc(t) == "2023-11-14T22:13:20.000042Z");
  }

  TEST_CASE("RFC 5322 date") {
    WallClock::time_point t{seconds(1'700'000'000)};
    CHECK(rfc5322_date(t) == "Tue, 14 Nov 2023 22:13:20 +0000");
  }
}
