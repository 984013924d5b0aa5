#include <doctest/doctest.h>

#include "net/connect_time.hpp"

using namespace mailprobe;
using namespace std::chrono_literals;

TEST_SUITE("net::connect_time") {
  TEST_CASE("the 'Connected to' instant wins over libcurl's CONNECT_TIME_T") {
    const auto t0 = SteadyClock::time_point{} + 1h;
    // STARTTLS mode: CONNECT_TIME_T read 250 ms although TCP was up after 3 ms.
    CHECK(net::anchored_connect_us(t0 + 3ms, t0, 250000) == 3000);
    CHECK(net::anchored_connect_us(std::nullopt, t0, 250000) == 250000);  // fallback
    CHECK_FALSE(net::anchored_connect_us(std::nullopt, t0, std::nullopt));
    CHECK(net::anchored_connect_us(t0 - 1ms, t0, std::nullopt) == 0);  // never negative
  }

  TEST_CASE("spans are clamped at zero and need both ends") {
    CHECK(net::span_us(3000, 9000) == 6000);
    CHECK(net::span_us(3000, 2990) == 0);  // two clocks microseconds apart
    CHECK_FALSE(net::span_us(std::nullopt, 9000));
    CHECK_FALSE(net::span_us(3000, std::nullopt));
  }
}
