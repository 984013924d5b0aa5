#pragma once

// One probe awaited by one or more shared mailbox watchers (routes/
// mailbox_hub.hpp): the route's thread creates it before sending, each
// watcher that may see the probe (the inbox, the junk folder) holds it, and
// the first watcher to find the probe claims it. Thread-safe; the route's
// thread blocks in wait() until the probe was found (and, if asked,
// deleted) or every watcher has let go of it.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "check/cleanup.hpp"
#include "check/noop_pacer.hpp"
#include "check/side_legs.hpp"
#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::routes {

/// What the watcher that found the probe saw, and what its deletion did.
struct Sighting {
  std::string where;  // the watcher's label: "inbox" or "junk"
  std::string mailbox;
  std::uint32_t uid = 0;
  /// When the evidence arrived: the NOOP completion that carried the EXISTS
  /// (or the IDLE push), else the scan that found it.
  Stamp seen;
  /// When it landed, on our clock (check/noop_pacer.hpp's model): after the
  /// watcher's last check that missed it, before the one that saw it. Its
  /// start is not clipped to the route's acceptance (the route does that).
  std::optional<check::LandingWindow> window;
  /// The server moment of the search that found it: it had landed by then.
  SteadyClock::time_point searched{};
  std::optional<Micros> rtt;  // the watcher's smallest command round trip so far
  std::string method;  // idle | poll
  std::string header;  // the fetched header block
  std::optional<std::int64_t> fetch_us;
  std::optional<check::CleanupResult> cleanup;  // unset when cleanup is off
};

class Ticket {
 public:
  /// `watchers`: how many watchers will hold the ticket; `cleanup`: the
  /// finder deletes the probe (by UID) before completing the ticket.
  Ticket(std::string token, int watchers, bool cleanup);

  const std::string& token() const { return token_; }
  bool cleanup() const { return cleanup_; }

  /// Sets when watchers stop looking (after the SMTP leg, once the wait
  /// window is known). Until then the ticket does not expire.
  /// `junk_after`: how long it may go unseen in the mailbox after now before
  /// its group opens the junk folder (routes/junk_gate.hpp).
  void arm(SteadyClock::time_point wait_until, Micros junk_after = check::kJunkOpensAfter);
  /// arm()'s junk_after.
  Micros junk_after() const;
  /// The wait window's end (max() while unarmed).
  SteadyClock::time_point wait_until() const;
  /// When arm() was called (about when the 250 arrived); nullopt while unarmed.
  std::optional<SteadyClock::time_point> armed_at() const;

  /// Found by some watcher, or given up by all: watchers drop it.
  bool settled() const;

  /// A watcher found the probe. True for the first claim: that watcher then
  /// deletes it (if cleanup()) and calls complete(). False if another
  /// watcher claimed first.
  bool claim();
  /// The claiming watcher's report; wakes wait().
  void complete(Sighting s);

  /// A watcher lets go without finding: its wait window ended (failure
  /// empty) or its connection failed. The last release wakes wait().
  void release(std::optional<Failure> failure = std::nullopt);

  /// The route gives up before any watcher found it (the send failed):
  /// every watcher drops it at its next look.
  void cancel();

  struct Outcome {
    std::optional<Sighting> found;
    std::optional<Failure> failure;  // the first watcher failure, when nothing was found
    int tries = 0;                   // mailbox checks made while it was pending (the busiest watcher's)
  };
  /// Blocks until complete() or the last release(); returns at once after cancel().
  Outcome wait();

  /// Counts `n` mailbox checks made while the ticket was pending.
  void count_check(int n = 1);

 private:
  const std::string token_;
  const bool cleanup_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int holders_;
  SteadyClock::time_point wait_until_ = SteadyClock::time_point::max();
  std::optional<SteadyClock::time_point> armed_at_;
  Micros junk_after_ = check::kJunkOpensAfter;
  bool claimed_ = false, cancelled_ = false;
  int tries_ = 0;
  std::optional<Sighting> found_;
  std::optional<Failure> failure_;
};

}  // namespace mailprobe::routes
