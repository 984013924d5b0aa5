#include "report/cell_value.hpp"

#include <cmath>
#include <type_traits>

#include "report/number.hpp"

namespace mailprobe::report {

bool is_absent(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return true;
  if (const double* d = std::get_if<double>(&v)) return !std::isfinite(*d);
  return false;
}

std::optional<double> as_number(const Value& v) {
  if (is_absent(v)) return std::nullopt;
  return std::visit(
      [](const auto& x) -> std::optional<double> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          return x ? 1.0 : 0.0;
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return static_cast<double>(x);
        else if constexpr (std::is_same_v<T, double>)
          return x;
        else if constexpr (std::is_same_v<T, WallClock::time_point>)
          return unix_seconds(x);
        else
          return std::nullopt;
      },
      v);
}

std::string as_text(const Value& v) {
  if (is_absent(v)) return {};
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return format_integer(x);
        else if constexpr (std::is_same_v<T, double>)
          return format_shortest(x);
        else if constexpr (std::is_same_v<T, std::string>)
          return x;
        else if constexpr (std::is_same_v<T, WallClock::time_point>)
          return iso8601_utc(x);
        else
          return {};
      },
      v);
}

}  // namespace mailprobe::report
