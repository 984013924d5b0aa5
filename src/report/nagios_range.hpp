#pragma once

// Monitoring-plugins threshold ranges (ecosystem.md §5.2):
//   [@][start:][end]   start defaults to 0, a missing end is +inf, `~` is
//   -inf, both ends inclusive. "10" alerts outside 0..10, "10:" below 10,
//   "~:10" above 10, "@10:20" inside 10..20.

#include <limits>
#include <string>
#include <string_view>

#include "core/failure.hpp"

namespace mailprobe::report {

struct Range {
  double start = 0;
  double end = std::numeric_limits<double>::infinity();
  bool inside = false;  // '@': alert when start <= x <= end

  /// True when `x` is outside [start, end] (or inside it, for '@').
  bool alerts(double x) const;

  /// Canonical text for perfdata: "10", "10:", "~:10", "@10:20".
  std::string to_string() const;
};

/// Parses a range; the Failure (Stage::config, Result::internal_error)
/// names the bad text. Numbers are plain decimals ([-0-9.]); an empty range,
/// `start > end` and anything after the end are rejected.
Outcome<Range> parse_range(std::string_view text);

}  // namespace mailprobe::report
