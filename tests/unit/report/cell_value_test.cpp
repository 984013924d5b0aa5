#include "report/cell_value.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sample_table.hpp"

using namespace mailprobe::report;

TEST_SUITE("report::cell_value") {
  TEST_CASE("monostate, NaN and infinities are absent; zero, false and \"\" are not") {
    CHECK(is_absent(Value{}));
    CHECK(is_absent(Value{std::nan("")}));
    CHECK(is_absent(Value{std::numeric_limits<double>::infinity()}));
    CHECK(is_absent(Value{-std::numeric_limits<double>::infinity()}));
    CHECK_FALSE(is_absent(Value{0.0}));
    CHECK_FALSE(is_absent(Value{false}));
    CHECK_FALSE(is_absent(Value{std::string()}));
  }

  TEST_CASE("as_number reads booleans, integers, numbers and timestamps") {
    CHECK(as_number(Value{true}) == 1.0);
    CHECK(as_number(Value{false}) == 0.0);
    CHECK(as_number(Value{std::int64_t{-7}}) == -7.0);
    CHECK(as_number(Value{0.25}) == 0.25);
    CHECK(as_number(Value{testing::sample_time()}) == 1755800000.5);
    CHECK_FALSE(as_number(Value{std::string("1")}));
    CHECK_FALSE(as_number(Value{}));
    CHECK_FALSE(as_number(Value{std::nan("")}));
  }

  TEST_CASE("as_text renders every type for tags and labels") {
    CHECK(as_text(Value{std::string("relay 1")}) == "relay 1");
    CHECK(as_text(Value{true}) == "true");
    CHECK(as_text(Value{std::int64_t{587}}) == "587");
    CHECK(as_text(Value{0.5}) == "0.5");
    CHECK(as_text(Value{testing::sample_time()}) == "2025-08-21T18:13:20.500000Z");
    CHECK(as_text(Value{}) == "");
  }
}
