#include "routes/junk_gate.hpp"

#include <algorithm>

#include "check/side_legs.hpp"

namespace mailprobe::routes {

JunkDecision junk_decision(const std::vector<HeldProbe>& held, SteadyClock::time_point now,
                           std::chrono::milliseconds longest) {
  JunkDecision d;
  d.wake = now + longest;
  for (const auto& p : held) {
    const auto due = std::min(p.armed_at ? *p.armed_at + p.junk_after : SteadyClock::time_point::max(),
                              p.wait_until);
    if (now >= due) return {true, now};
    d.wake = std::min(d.wake, due);
  }
  return d;
}

SteadyClock::time_point junk_open_bound(const std::vector<HeldProbe>& held, SteadyClock::time_point now,
                                        SteadyClock::time_point run_deadline, std::chrono::milliseconds reserve) {
  auto latest = now;
  for (const auto& p : held)
    if (p.wait_until != SteadyClock::time_point::max()) latest = std::max(latest, p.wait_until);
  return std::min(run_deadline, latest + reserve);
}

}  // namespace mailprobe::routes
