#pragma once

// Waiting for the probe in a selected mailbox, as fast as the server allows:
// IDLE (RFC 2177) when offered, plus a NOOP poll (RFC 3501 §6.1.2) because
// Dovecot pushes IDLE notifications ~0.5 s late and some servers answer
// SEARCH from a stale view until NOOP. Polls are fast right after sending
// (when delivery usually happens) and back off to --check-frequency.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "check/noop_pacer.hpp"
#include "check/progress_fn.hpp"
#include "core/clock.hpp"
#include "imap/session.hpp"

namespace mailprobe::check {

struct WaitPlan {
  std::string token;
  std::uint32_t uid_from = 1;    // UIDNEXT seen before sending
  /// When set, the first search alone starts at this UID (1: the whole
  /// folder), for a folder selected while the probe may already have landed
  /// in it: its UIDNEXT may then be past the probe.
  std::uint32_t first_uid_from = 0;
  bool idle = false;             // server advertises IDLE
  std::chrono::milliseconds check_frequency{2000};
  SteadyClock::time_point wait_until{};  // give up after this
  Deadline deadline;             // overall run deadline (I/O bound)
  /// Server time (our clock) before which the probe cannot have landed: the
  /// SMTP acceptance corrected by the one-way delay. Unset: when the wait began.
  SteadyClock::time_point not_before{};
  /// Start with noop_pacer.hpp's fast phase (NOOPs in flight on a cadence)
  /// before the IDLE/NOOP loop. Off for watchers that expect no quick arrival.
  bool fast_phase = false;
  /// Shortest interval of the IDLE/NOOP loop (0: poll_interval() alone); check_frequency still caps it.
  std::chrono::milliseconds min_interval{0};

  // What to look for. The defaults find the probe itself; a bounce watcher
  // searches the whole text and accepts only a DSN that references the token.
  std::string criteria;                            // after "UID SEARCH UID n:* "; empty = probe
  std::string fetch_item = "BODY.PEEK[HEADER]";    // fetched to confirm a hit (PEEK: \Seen untouched)
  std::function<bool(std::string_view)> accept;    // empty = header_has_token
};

struct WaitOutcome {
  bool found = false;
  std::uint32_t uid = 0;
  Stamp seen;           // when the search that found it returned
  std::string method;   // idle | poll
  int tries = 0;
  std::string header;   // what was fetched to confirm it (the header block, by default)
  std::optional<std::int64_t> fetch_us;
  /// When the probe landed, on our clock (noop_pacer.hpp's timing model):
  /// between the last check that missed it and the first that saw it.
  std::optional<LandingWindow> window;
  std::optional<Micros> rtt;  // smallest command round trip seen while waiting
  int commands = 0;           // IMAP commands sent while waiting (server load)
  bool stopped = false; // should_stop fired first (found is false): no verdict on this mailbox
};

/// Interval before the next mailbox check, given the time waited so far:
/// 10 ms for the first 0.5 s (a local MTA delivers within tens of ms), 50 ms
/// up to 3 s, then a tenth of the elapsed time (at least 250 ms), never more
/// than check_frequency. `min_interval` slows that schedule down for a
/// watcher that needs less resolution (a side folder); check_frequency still
/// caps it. Pure.
std::chrono::milliseconds poll_interval(std::chrono::milliseconds elapsed,
                                        std::chrono::milliseconds check_frequency,
                                        std::chrono::milliseconds min_interval = std::chrono::milliseconds(0));

/// The probe search's criteria for `token`: "OR HEADER X-Mailprobe-Token <t>
/// SUBJECT <t>" (SUBJECT covers servers that do not index custom X- headers).
std::string token_criteria(const std::string& token);

/// "UID SEARCH UID <from>:* <criteria>"; the default criteria are
/// "OR HEADER X-Mailprobe-Token <t> SUBJECT <t>".
std::string search_command(const std::string& token, std::uint32_t uid_from, const std::string& criteria = {});

/// True if the header block really carries the token (X-Mailprobe-Token,
/// Subject or Message-ID, after unfolding RFC 5322 §2.2.3 folded lines).
bool header_has_token(std::string_view header, std::string_view token);

/// Waits until the probe is found and confirmed (`seen` is when the
/// evidence arrived: the completion carrying the EXISTS, or the search), the
/// plan's wait ends (found=false), `should_stop` turns true (found=false,
/// stopped=true), or an IMAP failure (Failure at imap_wait). `should_stop` is
/// polled between checks (a signal, or the probe found elsewhere, or the inbox
/// watch over).
Outcome<WaitOutcome> wait_for_probe(imap::Session& s, const WaitPlan& plan, const ProgressFn& progress,
                                    const std::function<bool()>& should_stop);

}  // namespace mailprobe::check
