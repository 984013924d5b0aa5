#pragma once

// Sans-I/O schedule and bookkeeping for polling with NOOPs kept in flight.
//
// RFC 3501 §6.1.2: NOOP lets the server report new mail (an EXISTS, §7.3.1).
// RFC 3501 §5.5: a client MAY send another command without waiting for the
// completion of the previous one; responses come back in order. So NOOPs go
// out on a fixed cadence whatever the round-trip time, and the resolution of
// "when did the probe land" is the cadence, not cadence + RTT.
//
// Timing model: a command sent at s whose tagged completion arrives at c was
// processed by the server at about m = (s + c) / 2 on our clock (equal
// one-way delays assumed). Untagged data arrives before the tagged completion
// of the command during which the server sent it, so an EXISTS belongs to the
// next completion that follows it. The probe landed after the server
// processed the last command that did not report it (the last miss) and
// before it processed the one that did (the hit): the landing estimate is the
// middle of [m_miss, m_hit] and the error bound half its width.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace mailprobe::check {

/// Cadence of in-flight NOOPs after `elapsed` of waiting: 20 ms through the
/// fast phase (3 s; the caller then falls back to the IDLE/NOOP loop), never
/// slower than check_frequency. 20 ms keeps the commands per wait at the
/// level of the old IDLE+NOOP cycle on loopback (about 50 a second). Pure.
std::chrono::milliseconds noop_cadence(std::chrono::milliseconds elapsed,
                                       std::chrono::milliseconds check_frequency);

/// How long the fast phase lasts.
inline constexpr std::chrono::milliseconds kFastPhase{3000};
/// At most this many NOOPs are outstanding (bounds the server's queue at very
/// high RTT: 32 x 20 ms covers 640 ms).
inline constexpr std::size_t kMaxInFlight = 32;

/// The window in which the probe landed, on our steady clock.
struct LandingWindow {
  SteadyClock::time_point after;   // server time of the last miss
  SteadyClock::time_point before;  // server time of the hit
  /// A push (IDLE, RFC 2177) is sent when the server notices the mail, so
  /// the landing is best placed at the window's end; a poll that sees it
  /// only bounds it, so at the middle.
  bool pushed = false;
  SteadyClock::time_point estimate() const { return pushed ? before : after + (before - after) / 2; }
  /// How far the landing can be from estimate(): half the window for a poll,
  /// all of it for a push (a server may notice late; Dovecot ~0.5 s).
  Micros error_bound() const {
    auto w = std::chrono::duration_cast<Micros>(before - after);
    return pushed ? w : w / 2;
  }
  Micros half_width() const { return std::chrono::duration_cast<Micros>(before - after) / 2; }
};

class NoopPacer {
 public:
  /// `started`: when the wait began; `last_miss`: server time of the latest
  /// check known not to have seen the probe (the first search's middle).
  NoopPacer(SteadyClock::time_point started, SteadyClock::time_point last_miss,
            std::chrono::milliseconds check_frequency)
      : started_(started), next_(started), last_miss_(last_miss), check_frequency_(check_frequency) {}

  /// True if a NOOP should be sent at `now` (due by the cadence, and the
  /// in-flight bound not reached).
  bool due(SteadyClock::time_point now) const;
  /// When the next NOOP is due (may be in the past).
  SteadyClock::time_point next_due() const { return next_; }
  /// A NOOP with this tag went out at `at`. The next is due one cadence
  /// after the previous due time (no drift), or after `at` if we fell behind.
  void sent(std::string tag, SteadyClock::time_point at);

  /// An EXISTS rise arrived; it belongs to the next completion.
  void new_mail() { pending_hit_ = true; }

  struct Completion {
    bool ours = false;  // the tag was one of our NOOPs
    bool hit = false;   // the new mail belongs to this command
  };
  /// A tagged completion arrived at `at` for `tag` (ours or not: any
  /// completion after the EXISTS is the one that carried it).
  Completion completed(const std::string& tag, SteadyClock::time_point at);

  /// The window for the latest hit (valid after a completion with hit=true).
  const std::optional<LandingWindow>& window() const { return window_; }
  /// The probe was not there at server time `at` (a search after a hit that
  /// turned out to be other mail): later windows start there.
  void miss_at(SteadyClock::time_point at);
  /// Server time of the latest completion that did not report new mail.
  SteadyClock::time_point last_miss() const { return last_miss_; }

  /// Smallest NOOP round trip seen; nullopt before the first completion.
  std::optional<Micros> rtt() const { return rtt_; }
  std::size_t in_flight() const { return flight_.size(); }
  int sent_count() const { return sent_count_; }

 private:
  struct Flight {
    std::string tag;
    SteadyClock::time_point sent;
  };
  SteadyClock::time_point started_, next_, last_miss_;
  std::chrono::milliseconds check_frequency_;
  std::deque<Flight> flight_;
  bool pending_hit_ = false;
  std::optional<LandingWindow> window_;
  std::optional<Micros> rtt_;
  int sent_count_ = 0;
};

}  // namespace mailprobe::check
