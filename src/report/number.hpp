#pragma once

// Locale-independent number rendering for the text formats, built on
// std::to_chars (no <format> on GCC 12, no printf locale surprises).

#include <cstdint>
#include <string>

#include "core/clock.hpp"

namespace mailprobe::report {

/// Decimal integer: "-42".
std::string format_integer(std::int64_t v);

/// Shortest round-trip text, exponent when shorter: "0.5", "100", "1e+21".
/// Caller must pass a finite value.
std::string format_shortest(double v);

/// format_shortest() that always contains a '.', so the type reads as float
/// (line protocol): "0.0", "1.5", "100.0", "1.0e+21".
std::string format_with_point(double v);

/// Shortest round-trip text in plain notation, never an exponent (Nagios):
/// "0.0000001", "100000000000000000000".
std::string format_plain(double v);

/// Fixed notation with `decimals` digits after the point: "0.123".
std::string format_fixed(double v, int decimals);

/// Unix time in seconds with microsecond resolution: 1755800000.123456.
double unix_seconds(WallClock::time_point t);

}  // namespace mailprobe::report
