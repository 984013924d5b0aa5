#include "core/clock.hpp"

#include <cstdio>
#include <ctime>

namespace mailprobe {

std::int64_t micros_between(const Stamp& a, const Stamp& b) {
  if (!a.set() || !b.set()) return 0;
  return std::chrono::duration_cast<Micros>(b.steady - a.steady).count();
}

namespace {
// Whole seconds at or before t: to_time_t truncates toward zero, which for a
// time before 1970 with a fraction would name the second after (issue 17, D12).
std::tm utc_tm(WallClock::time_point t) {
  std::time_t secs = static_cast<std::time_t>(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}
}  // namespace

std::string iso8601_utc(WallClock::time_point t) {
  auto since = t.time_since_epoch();
  auto us = std::chrono::duration_cast<Micros>(since).count() % 1000000;
  if (us < 0) us += 1000000;
  std::tm tm = utc_tm(t);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(us));
  return out;
}

std::string rfc5322_date(WallClock::time_point t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm = utc_tm(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::int64_t unix_nanos(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

long Deadline::remaining_ms(long cap) const {
  if (at == SteadyClock::time_point::max()) return cap;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(at - SteadyClock::now()).count();
  if (left < 0) return 0;
  return left > cap ? cap : static_cast<long>(left);
}

}  // namespace mailprobe
