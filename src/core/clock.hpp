#pragma once

// Durations come from the monotonic clock only; wall-clock time is a label.
// A Stamp captures both at the same moment so reports can show when a stage
// happened (wall) and how long it took (steady) without mixing the two.

#include <chrono>
#include <cstdint>
#include <string>

namespace mailprobe {

using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using Micros = std::chrono::microseconds;

struct Stamp {
  SteadyClock::time_point steady{};
  WallClock::time_point wall{};
  bool set() const { return steady != SteadyClock::time_point{}; }
  static Stamp now() { return {SteadyClock::now(), WallClock::now()}; }
};

/// Microseconds from a to b on the monotonic clock; 0 if either is unset.
std::int64_t micros_between(const Stamp& a, const Stamp& b);

/// ISO 8601 in UTC with microseconds: 2026-11-22T18:17:06.123456Z.
std::string iso8601_utc(WallClock::time_point t);

/// RFC 5322 §3.3 date-time in UTC: "Sun, 22 Nov 2026 18:17:06 +0000".
std::string rfc5322_date(WallClock::time_point t);

/// Nanoseconds since the Unix epoch (line protocol timestamps).
std::int64_t unix_nanos(WallClock::time_point t);

/// A point in time after which a run must stop. Default: never.
struct Deadline {
  SteadyClock::time_point at = SteadyClock::time_point::max();
  static Deadline in(std::chrono::milliseconds d) { return {SteadyClock::now() + d}; }
  bool expired() const { return SteadyClock::now() >= at; }
  /// Milliseconds left, rounded up and clamped to [0, cap]: 0 only once
  /// expired, so a poll(2) timeout taken from it never spins through the
  /// last fraction of a millisecond.
  long remaining_ms(long cap = 24L * 3600 * 1000) const;
};

}  // namespace mailprobe
