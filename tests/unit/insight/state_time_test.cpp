// Issue 17, D11/D12: state-file times outside the int64-nanosecond span are
// refused, and times before 1970 with a fraction survive save and load.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "core/clock.hpp"
#include "insight/mail_date.hpp"
#include "insight/state_file.hpp"

using namespace mailprobe::insight;

namespace {

std::string state_with_sent(const std::string& sent) {
  return "{\"version\":1,\"pending\":[{\"token\":\"0123456789abcdef0123456789abcdef\",\"sent\":\"" + sent + "\"}]}";
}

}  // namespace

TEST_CASE("state file: years outside 1678-2261 are refused, not wrapped (fuzz-repro state_fuzz-*-overflow)") {
  CHECK_FALSE(parse_iso8601_utc("1362-11-22T08:17:06Z"));
  CHECK_FALSE(parse_iso8601_utc("2300-01-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601_utc("4052-01-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601_utc("1677-12-31T23:59:59Z"));
  CHECK(parse_iso8601_utc("1678-01-01T00:00:00Z"));
  CHECK(parse_iso8601_utc("2261-12-31T23:59:59.999999999Z"));
  CHECK_FALSE(parse_state(state_with_sent("2300-01-01T00:00:00Z")));
  CHECK_FALSE(parse_state(state_with_sent("1362-11-22T08:17:06Z")));
}

TEST_CASE("state file: a pre-1970 time with a fraction round-trips (fuzz-repro state_fuzz-pre1970-fraction-roundtrip.json)") {
  auto t = parse_iso8601_utc("1969-12-31T23:59:59.5Z");
  REQUIRE(t);
  CHECK(t->time_since_epoch() == std::chrono::milliseconds(-500));
  CHECK(mailprobe::iso8601_utc(*t) == "1969-12-31T23:59:59.500000Z");
  CHECK(mailprobe::iso8601_utc(*parse_iso8601_utc("1901-03-04T05:06:07.250001Z")) == "1901-03-04T05:06:07.250001Z");
  CHECK(mailprobe::iso8601_utc(*parse_iso8601_utc("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59.000000Z");
  auto s = parse_state(state_with_sent("1969-12-31T23:59:59.5Z"));
  REQUIRE(s);
  CHECK(s->pending.at(0).sent == *t);
}

TEST_CASE("mail date: a year past 2261 is refused, not overflowed (header_fuzz under UBSan, issue 17)") {
  CHECK_FALSE(parse_mail_date("Mon, 2 Jun 2450 10:00:00 +0000"));
  CHECK_FALSE(parse_mail_date("Fri, 31 Dec 9999 23:59:59 +0000"));
  CHECK(parse_mail_date("Sat, 31 Dec 2261 23:59:59 +0000"));
}
