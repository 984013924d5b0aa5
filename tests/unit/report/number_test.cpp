#include "report/number.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "sample_table.hpp"

using namespace mailprobe::report;

TEST_SUITE("report::number") {
  TEST_CASE("integers print in full, including the int64 extremes") {
    CHECK(format_integer(0) == "0");
    CHECK(format_integer(-42) == "-42");
    CHECK(format_integer(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
    CHECK(format_integer(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  }

  TEST_CASE("shortest round-trip picks the shorter notation") {
    CHECK(format_shortest(0.1) == "0.1");
    CHECK(format_shortest(100.0) == "100");
    CHECK(format_shortest(1e21) == "1e+21");
    CHECK(format_shortest(-0.25) == "-0.25");
  }

  TEST_CASE("with_point always shows a decimal point so the value reads as float") {
    CHECK(format_with_point(0.0) == "0.0");
    CHECK(format_with_point(1.5) == "1.5");
    CHECK(format_with_point(100.0) == "100.0");
    CHECK(format_with_point(-3.0) == "-3.0");
    CHECK(format_with_point(1e21) == "1.0e+21");
    CHECK(format_with_point(1e-7) == "1.0e-07");
    CHECK(format_with_point(7.93) == "7.93");
  }

  TEST_CASE("plain notation never uses an exponent") {
    CHECK(format_plain(1e-7) == "0.0000001");
    CHECK(format_plain(1e20) == "100000000000000000000");
    CHECK(format_plain(7.93) == "7.93");
    CHECK(format_plain(-0.5) == "-0.5");
    CHECK(format_plain(std::numeric_limits<double>::max()).size() == 309);
  }

  TEST_CASE("fixed notation rounds to the requested decimals") {
    CHECK(format_fixed(0.1234, 3) == "0.123");
    CHECK(format_fixed(7.93, 3) == "7.930");
    CHECK(format_fixed(12.36, 1) == "12.4");
  }

  TEST_CASE("unix_seconds keeps microseconds") {
    CHECK(unix_seconds(testing::sample_time()) == 1755800000.5);
    CHECK(format_shortest(unix_seconds(testing::sample_time() + mailprobe::Micros(123456))) ==
          "1755800000.623456");
    CHECK(unix_seconds(mailprobe::WallClock::time_point{}) == 0.0);
  }
}
