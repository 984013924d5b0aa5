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

  TEST_CASE("ISO 8601 UTC with microseconds") {
    WallClock::time_point t{seconds(1'700'000'000) + microseconds(42)};
    CHECK(iso8601_utc(t) == "2023-11-14T22:13:20.000042Z");
  }

  TEST_CASE("RFC 5322 date") {
    WallClock::time_point t{seconds(1'700'000'000)};
    CHECK(rfc5322_date(t) == "Tue, 14 Nov 2023 22:13:20 +0000");
  }
}
