#include "report/text.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include "report/cell_value.hpp"
#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

constexpr std::size_t kMaxLabel = 44;  // 2 indent + 44 + 2 gap leaves 32 columns for values

/// `s` cut to `max` code points, the last one replaced by "~" when cut.
std::string fit(std::string s, std::size_t max) {
  if (code_points(s) <= max) return s;
  std::size_t kept = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (kept == max - 1) break;
    ++kept;
  }
  s.resize(i);
  s += '~';
  return s;
}

std::string with_unit(std::string number, std::string_view unit) {
  if (unit.empty()) return number;
  number += ' ';
  number += unit;
  return number;
}

std::string seconds_or_micros(double v, std::string_view unit) {
  // Sub-second stages read better in milliseconds.
  if (unit == "s") return v < 1.0 ? format_fixed(v * 1000.0, 1) + " ms" : format_fixed(v, 3) + " s";
  if (unit == "us") return format_fixed(v / 1000.0, 1) + " ms";
  return with_unit(format_shortest(v), unit);
}

std::string display_value(const Cell& cell) {
  std::string_view unit = cell.spec->unit;
  return std::visit(
      [unit](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          return x ? "yes" : "no";
        else if constexpr (std::is_same_v<T, std::int64_t>) {
          if (unit == "s" || unit == "us") return seconds_or_micros(static_cast<double>(x), unit);
          return with_unit(format_integer(x), unit);
        } else if constexpr (std::is_same_v<T, double>)
          return seconds_or_micros(x, unit);
        else if constexpr (std::is_same_v<T, std::string>)
          return without_controls(x);
        else if constexpr (std::is_same_v<T, WallClock::time_point>)
          return iso8601_utc(x);
        else
          return {};
      },
      cell.value);
}

}  // namespace

std::string to_text(const Record& record) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t width = 0;
  for (const Cell& cell : record.cells) {
    if (!(cell.spec->formats & kText) || is_absent(cell.value)) continue;
    // The key, as in every other format, so a line here maps to a field there.
    std::string label = fit(without_controls(cell.spec->key), kMaxLabel);
    width = std::max(width, code_points(label));
    rows.emplace_back(std::move(label), display_value(cell));
  }

  std::string out = record.success ? "OK: " : "FAILED: ";
  out += without_controls(record.summary);
  out += '\n';
  for (const auto& [label, value] : rows) {
    out += "  ";
    out += label;
    out.append(width - code_points(label) + 2, ' ');
    out += value;
    out += '\n';
  }
  return out;
}

}  // namespace mailprobe::report
