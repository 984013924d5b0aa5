#include "report/nagios_range.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <string>

using namespace mailprobe;
using namespace mailprobe::report;

namespace {

Range must_parse(const char* text) {
  auto r = parse_range(text);
  REQUIRE_MESSAGE(r.has_value(), text);
  return r.value();
}

}  // namespace

TEST_SUITE("report::nagios_range") {
  TEST_CASE("a bare end alerts outside 0..end, both ends inclusive") {
    Range r = must_parse("10");
    CHECK(r.alerts(-0.1));
    CHECK_FALSE(r.alerts(0));
    CHECK_FALSE(r.alerts(10));
    CHECK(r.alerts(10.001));
    CHECK(r.to_string() == "10");
  }

  TEST_CASE("start: with no end alerts below start") {
    Range r = must_parse("10:");
    CHECK(r.alerts(9.99));
    CHECK_FALSE(r.alerts(10));
    CHECK_FALSE(r.alerts(1e12));
    CHECK(r.to_string() == "10:");
  }

  TEST_CASE("~ is minus infinity") {
    Range r = must_parse("~:10");
    CHECK_FALSE(r.alerts(-1e12));
    CHECK_FALSE(r.alerts(10));
    CHECK(r.alerts(10.5));
    CHECK(r.to_string() == "~:10");
  }

  TEST_CASE("start:end alerts outside, @start:end alerts inside") {
    Range out = must_parse("10:20");
    CHECK(out.alerts(9));
    CHECK_FALSE(out.alerts(15));
    CHECK(out.alerts(21));
    Range in = must_parse("@10:20");
    CHECK(in.alerts(10));
    CHECK(in.alerts(20));
    CHECK_FALSE(in.alerts(9.9));
    CHECK_FALSE(in.alerts(20.1));
    CHECK(in.to_string() == "@10:20");
  }

  TEST_CASE("decimals, negatives and an empty start parse like monitoring-plugins") {
    CHECK(must_parse("1.5:2.25").to_string() == "1.5:2.25");
    CHECK(must_parse("-5:-1").alerts(0));
    CHECK_FALSE(must_parse("-5:-1").alerts(-3));
    CHECK(must_parse("0:10").to_string() == "10");
    CHECK(must_parse(":").to_string() == "0:");
    CHECK(must_parse(":5").to_string() == "5");
    CHECK(must_parse("@~:0.5").alerts(-100));
  }

  TEST_CASE("malformed ranges are config failures naming the text") {
    for (const char* bad :
         {"", "@", "abc", "10:5", "~", "1e3", "10:~", "1:2:3", " 10", "nan", "inf", "5-"}) {
      auto r = parse_range(bad);
      CHECK_MESSAGE(!r.has_value(), bad);
      if (r.has_value()) continue;
      CHECK(r.error().stage == Stage::config);
      CHECK(r.error().reply_text.rfind(std::string("invalid range '") + bad + "': ", 0) == 0);
    }
  }
}
