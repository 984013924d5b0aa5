#pragma once

// What the watcher's thin loop learns about timing while it performs the
// watch machine's actions, in noop_pacer.hpp's model: the server-side moment
// of the last check that did not see the probe, the smallest round trip, the
// commands sent, and the evidence of a hit (when it arrived, and the window
// in which the probe must have landed). Pure bookkeeping; the loop supplies
// every time point.

#include <algorithm>
#include <cstdint>
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
  /// The session's EXISTS count and EXPUNGE tally (imap::Session::exists,
  /// expunges) when evidence arrived: the window holds only for messages
  /// numbered within that count (window_for).
  struct Mailbox {
    std::uint32_t exists = 0;
    std::uint64_t expunges = 0;
  };
  Mailbox evidence_mailbox;

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
  /// New mail was reported, it arrived `now`, and it landed within `w`;
  /// `m` is the mailbox as the report left it.
  void evidenced(const Stamp& now, const LandingWindow& w, Mailbox m) {
    evidence = now;
    window = w;
    evidence_mailbox = m;
  }
  /// A check whose server moment was `at` reported new mail; it arrived `now`.
  void hit(SteadyClock::time_point at, const Stamp& now, Mailbox m) {
    evidenced(now, LandingWindow{last_miss, std::max(last_miss, at)}, m);
  }
  /// IDLE pushed new mail (RFC 2177): the server sent it one one-way delay,
  /// about half the smallest round trip, before `now`.
  void pushed(const Stamp& now, Mailbox m) {
    hit(now.steady - (rtt ? *rtt / 2 : Micros(0)), now, m);
    window->pushed = true;
  }
  /// When a message found by a search at server moment `searched` landed.
  /// The evidence's window holds only if the message was there when the
  /// server announced it (RFC 3501 §7.3.1): numbered `seq` within the
  /// announced count, less the EXPUNGEs since (§7.4.1; conservative, as
  /// an expunge above it would not have moved it). One numbered above it
  /// arrived after the evidence's moment (another message's EXISTS was the
  /// evidence); with no number known, only the last miss bounds it. Without
  /// evidence: from the last miss to the search. Pure.
  LandingWindow window_for(std::optional<std::uint32_t> seq, std::uint64_t expunges_now,
                           SteadyClock::time_point searched) const {
    if (!window) return LandingWindow{last_miss, std::max(last_miss, searched)};
    const std::uint64_t shifted = expunges_now - evidence_mailbox.expunges;
    if (seq && shifted < evidence_mailbox.exists && *seq <= evidence_mailbox.exists - shifted) return *window;
    const auto after = seq ? std::max(last_miss, window->before) : last_miss;
    return LandingWindow{after, std::max(after, searched)};
  }
  /// The evidence was searched for (found or not): it is used up.
  void consumed() {
    evidence.reset();
    window.reset();
  }
};

}  // namespace mailprobe::check
