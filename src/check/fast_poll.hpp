#pragma once

// The I/O half of noop_pacer.hpp: keeps NOOPs in flight on the pacer's
// cadence over an imap::Session until the server reports new mail, the phase
// ends or a stop is requested. Makes no decision the pacer does not make.

#include <functional>

#include "check/noop_pacer.hpp"
#include "core/clock.hpp"
#include "core/failure.hpp"
#include "imap/session.hpp"

namespace mailprobe::check {

struct FastPollResult {
  bool hit = false;   // an EXISTS rise arrived; pacer.window() says when it landed
  Stamp seen;         // when the completion that carried it arrived
};

/// Sends NOOPs when the pacer says they are due and reads responses in
/// between, until a hit, `until`, or `should_stop`. Returns with no NOOP of
/// ours in flight (it waits for the outstanding completions, bounded by dl),
/// so the caller may send ordinary commands next. Tagged NO/BAD to a NOOP,
/// BYE or a closed connection: Failure at imap_wait. With a positive
/// `slice`, a read blocks at most that long, so `should_stop` is asked at
/// least that often (a caller that must react to events of its own).
/// With `leave_flight_on_hit`, a hit returns at once and the NOOPs still
/// in flight stay there: their completions come before the reply to the
/// caller's next command (RFC 3501 §5.5, in order), which must be sent with
/// imap::Session::command (it passes over other tags) — a round trip less
/// between the evidence and the search.
Outcome<FastPollResult> fast_poll(imap::Session& s, NoopPacer& pacer, SteadyClock::time_point until,
                                  const Deadline& dl, const std::function<bool()>& should_stop,
                                  std::chrono::milliseconds slice = std::chrono::milliseconds(0),
                                  bool leave_flight_on_hit = false);

}  // namespace mailprobe::check
