#include "report/nagios_range.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include "report/number.hpp"

namespace mailprobe::report {

namespace {

/// A plain decimal number covering all of `s`, else nullopt.
std::optional<double> parse_number(std::string_view s) {
  if (s.empty() || s.find_first_not_of("-0123456789.") != std::string_view::npos)
    return std::nullopt;
  double v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (res.ec != std::errc{} || res.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

Failure bad_range(std::string_view text, std::string_view why) {
  std::string msg = "invalid range '";
  msg += text;
  msg += "': ";
  msg += why;
  return Failure(Stage::config, Result::internal_error, std::move(msg));
}

}  // namespace

bool Range::alerts(double x) const {
  bool within = x >= start && x <= end;
  return inside ? within : !within;
}

std::string Range::to_string() const {
  std::string out = inside ? "@" : "";
  if (std::isinf(start))
    out += "~:";
  else if (start != 0 || std::isinf(end))
    out += format_plain(start) + ':';
  if (!std::isinf(end)) out += format_plain(end);
  return out;
}

Outcome<Range> parse_range(std::string_view text) {
  Range r;
  std::string_view s = text;
  if (!s.empty() && s.front() == '@') {
    r.inside = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return bad_range(text, "empty");

  std::string_view end_text = s;
  if (auto colon = s.find(':'); colon != std::string_view::npos) {
    std::string_view start_text = s.substr(0, colon);
    end_text = s.substr(colon + 1);
    if (start_text == "~") {
      r.start = -std::numeric_limits<double>::infinity();
    } else if (!start_text.empty()) {
      auto v = parse_number(start_text);
      if (!v) return bad_range(text, "start is not a number");
      r.start = *v;
    }
  }
  if (!end_text.empty()) {
    auto v = parse_number(end_text);
    if (!v) return bad_range(text, "end is not a number");
    r.end = *v;
  }
  if (r.start > r.end) return bad_range(text, "start is greater than end");
  return r;
}

}  // namespace mailprobe::report
