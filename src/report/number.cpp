#include "report/number.hpp"

#include <charconv>
#include <chrono>

namespace mailprobe::report {

namespace {

// Plain notation of DBL_MAX has 309 integer digits; 17 significant digits
// after "0." for the smallest subnormal need ~330 chars more. 512 fits both.
constexpr std::size_t kBuf = 512;

template <typename... Args>
std::string chars(Args... args) {
  char buf[kBuf];
  auto res = std::to_chars(buf, buf + kBuf, args...);
  if (res.ec != std::errc{}) return {};
  return std::string(buf, res.ptr);
}

}  // namespace

std::string format_integer(std::int64_t v) { return chars(v); }

std::string format_shortest(double v) { return chars(v); }

std::string format_with_point(double v) {
  std::string s = chars(v);
  if (s.find('.') != std::string::npos) return s;
  auto e = s.find('e');
  s.insert(e == std::string::npos ? s.size() : e, ".0");
  return s;
}

std::string format_plain(double v) { return chars(v, std::chars_format::fixed); }

std::string format_fixed(double v, int decimals) {
  return chars(v, std::chars_format::fixed, decimals);
}

double unix_seconds(WallClock::time_point t) {
  auto us = std::chrono::duration_cast<Micros>(t.time_since_epoch()).count();
  auto secs = us / 1'000'000;
  auto frac = us % 1'000'000;
  return static_cast<double>(secs) + static_cast<double>(frac) / 1e6;
}

}  // namespace mailprobe::report
