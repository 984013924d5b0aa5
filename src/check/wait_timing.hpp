#pragma once

// What the watcher's thin loop learns about timing while it performs the
// watch machine's actions, in noop_pacer.hpp's model: the server-side moment
// of the last check that did not see the probe, the smallest round trip, the
// commands sent, and the evidence of a hit (when it arrived, and the window
// in which the probe must have landed). Pure bookkeeping; the loop supplies
// every time point.

#include <algorithm>
#include <optional>

#include "check/noop_pacer.hpp"
#include "core/clock.hpp"

namespace mailprobe::check {

struct WaitTiming {
  SteadyClock::time_point last_miss{};
  std::optional<Micros> rtt;
  int commands = 0;
  std::optional<Stamp> evidence;       // new mail was reported (not yet searched)
  std::optional<LandingWindow> window; // ... and when it must have landed

  /// A command sent at `sent` completed at `done`: a round-trip sample; returns
  /// the server's moment of it, the middle (equal one-way delays assumed).
  SteadyClock::time_point sample(SteadyClock::time_point sent, SteadyClock::time_point done) {
    auto d = std::chrono::duration_cast<Micros>(done - sent);
    if (!rtt || d < *rtt) rtt = d;
    return sent + (done - sent) / 2;
  }
  void take_rtt(const std::optional<Micros>& r) {
    if (r && (!rtt || *r < *rtt)) rtt = r;
  }
  /// The probe was not there at server moment `at`.
  void missed(SteadyClock::time_point at) { last_miss = std::max(last_miss, at); }
  /// A check whose server moment was `at` reported new mail; it arrived `now`.
  void hit(SteadyClock::time_point at, const Stamp& now) {
    evidence = now;
    window = LandingWindow{last_miss, std::max(last_miss, at)};
  }
  /// IDLE pushed new mail (RFC 2177): the server sent it one one-way delay,
  /// about half the smallest round trip, before `now`.
  void pushed(const Stamp& now) {
    hit(now.steady - (rtt ? *rtt / 2 : Micros(0)), now);
    window->pushed = true;
  }
  /// The evidence was searched for (found or not): it is used up.
  void consumed() {
    evidence.reset();
    window.reset();
  }
};

}  // namespace mailprobe::check
