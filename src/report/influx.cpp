#include "report/influx.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "report/cell_value.hpp"
#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

constexpr std::size_t kMaxStringField = 64 * 1024 - 1;

/// Escapes `specials` with a backslash. Parsers read `\X` as one unit for
/// any X, so a run of literal backslashes must not swallow the escape that
/// follows it or the separator after the element: an odd run before a
/// special character loses one backslash, a trailing run is dropped.
std::string escape_chars(std::string_view s, std::string_view specials) {
  std::string clean = without_controls(s);
  std::string out;
  out.reserve(clean.size() + 8);
  std::size_t run = 0;  // backslashes seen and not yet written
  for (char c : clean) {
    if (c == '\\') {
      ++run;
      continue;
    }
    bool special = specials.find(c) != std::string_view::npos;
    out.append(special ? run - run % 2 : run, '\\');
    run = 0;
    if (special) out += '\\';
    out += c;
  }
  return out;
}

/// Longest prefix of valid UTF-8 `s` that is at most `max` bytes long.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

/// The field value text, or "" when the field must be left out.
std::string field_value(const Value& v) {
  if (is_absent(v)) return {};
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return format_integer(x) + "i";
        else if constexpr (std::is_same_v<T, double>)
          return format_float_field(x);
        else if constexpr (std::is_same_v<T, std::string>)
          return quote_field_string(x);
        else if constexpr (std::is_same_v<T, WallClock::time_point>)
          return format_float_field(unix_seconds(x));
        else
          return {};
      },
      v);
}

}  // namespace

std::string escape_measurement(std::string_view s) { return escape_chars(s, ", "); }

std::string escape_tag(std::string_view s) { return escape_chars(s, ",= "); }

std::string quote_field_string(std::string_view s) {
  std::string clean = without_controls(s);
  std::string_view v = utf8_prefix(clean, kMaxStringField);
  std::string out = "\"";
  out.reserve(v.size() + 2);
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string format_float_field(double v) { return format_with_point(v); }

std::string to_influx(const Record& record) {
  std::string measurement = escape_measurement(record.measurement);
  if (measurement.empty()) return {};

  std::vector<std::pair<std::string, std::string>> tags;
  std::string fields;
  for (const Cell& cell : record.cells) {
    if (!(cell.spec->formats & kInflux)) continue;
    std::string key = escape_tag(cell.spec->key);
    if (key.empty()) continue;
    if (cell.spec->role == Role::tag) {
      std::string value = escape_tag(as_text(cell.value));
      if (!value.empty()) tags.emplace_back(std::move(key), std::move(value));
      continue;
    }
    std::string value = field_value(cell.value);
    if (value.empty()) continue;
    if (!fields.empty()) fields += ',';
    fields += key + '=' + value;
  }
  if (fields.empty()) return {};

  std::stable_sort(tags.begin(), tags.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string line = measurement;
  for (const auto& [key, value] : tags) line += ',' + key + '=' + value;
  line += ' ';
  line += fields;
  if (record.time != WallClock::time_point{}) {
    line += ' ';
    line += format_integer(unix_nanos(record.time));
  }
  line += '\n';
  return line;
}

}  // namespace mailprobe::report
