#pragma once

// When a mailbox group opens its junk folder (routes/mailbox_group.hpp),
// as pure functions of the held probes' times and the clock, so the rule is
// tested with a fake clock: the folder is needed once a held probe has gone
// unseen in the mailbox for its junk_after since its 250, or has
// reached the end of its wait (a "not found" verdict must have looked in
// the junk folder too).

#include <optional>
#include <vector>

#include "check/side_legs.hpp"
#include "core/clock.hpp"

namespace mailprobe::routes {

/// What the gate knows of one held probe.
struct HeldProbe {
  std::optional<SteadyClock::time_point> armed_at;  // its 250 arrived (unset: still sending)
  SteadyClock::time_point wait_until = SteadyClock::time_point::max();
  /// How long after its 250 it may go unseen: check::kJunkOpensAfter plus
  /// two SMTP round trips, as a single check waits (check/run_check.cpp), so
  /// across a WAN a probe found but still being fetched does not open it.
  Micros junk_after = check::kJunkOpensAfter;
};

struct JunkDecision {
  bool open_now = false;
  SteadyClock::time_point wake{};  // when to decide again (at most `longest` after now); valid if !open_now
};

/// Open now, or when to look again (the first held probe to come due, and
/// at most `longest` ahead so a stop is noticed). Pure.
JunkDecision junk_decision(const std::vector<HeldProbe>& held, SteadyClock::time_point now,
                           std::chrono::milliseconds longest = std::chrono::milliseconds(50));

/// How long opening and catching up may take: the held probes' latest wait
/// plus `reserve` (what a route keeps for its fetch and cleanup), never past
/// the run's deadline, so no route outlives its --timeout while the folder
/// opens. Pure.
SteadyClock::time_point junk_open_bound(const std::vector<HeldProbe>& held, SteadyClock::time_point now,
                                        SteadyClock::time_point run_deadline,
                                        std::chrono::milliseconds reserve = std::chrono::milliseconds(2000));

}  // namespace mailprobe::routes
