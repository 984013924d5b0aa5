#pragma once

// One IMAP connection and one watcher for every probe expected in one
// mailbox: the routes of a run that read the same mailbox share it, so one
// watcher finds all their probes and a server that caps connections per
// user (Dovecot: 10 per user and IP, Gmail: 15) sees one.
//
// The watcher does not search per token: each scan asks for the UIDs that
// arrived since the last scan (UID SEARCH UID n:*, RFC 3501 §6.4.4), fetches
// their header blocks once, and matches each header's X-Mailprobe-Token
// against the tickets it holds. Mail that is not one of this run's probes
// (a user's, another source's probe) is read and left alone: a hub deletes
// only the UIDs whose token it was given. Waiting between scans: the
// mailbox's hub keeps NOOPs in flight on the fast cadence for
// check::kFastPhase after the newest ticket (check/noop_pacer.hpp, as a
// single check polls; a server's IDLE push may lag, Dovecot's by half a
// second) and looks at once when poked (a route's 250 arrived); after that,
// and always for the junk folder (opened lazily by routes/mailbox_group.hpp,
// polled at most every check::kJunkPollsEvery), it follows the single watcher
// (check/watcher.hpp): IDLE when offered, plus a NOOP poll at
// poll_interval() measured from the newest ticket.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "check/imap_leg.hpp"
#include "check/wait_timing.hpp"
#include "routes/ticket.hpp"

namespace mailprobe::routes {

/// The probe token a header block carries: its X-Mailprobe-Token value when
/// that is 32 hex digits (lower-cased), else the Subject's trailing token
/// (seed 002's "prefix ### time ### token"), else "". Pure.
std::string probe_token_of(std::string_view header);

class MailboxHub {
 public:
  /// `leg` is logged in with the mailbox selected (its uidnext is where the
  /// first scan starts). `where` labels sightings ("inbox", "junk").
  MailboxHub(std::unique_ptr<check::ImapLeg> leg, std::string where, std::chrono::milliseconds check_frequency);

  /// Hands the hub a ticket. Thread-safe. After a connection failure the
  /// ticket is released at once with that failure.
  void add(std::shared_ptr<Ticket> t);

  /// For a folder opened after some of its probes may have landed (the
  /// lazily opened junk folder): one UID SEARCH over the whole folder for the
  /// pending tickets' tokens (RFC 3501 §6.4.4, ORed HEADER keys, so only
  /// their messages are fetched), taking what it finds as a scan does. Later
  /// scans start at the UIDNEXT of the SELECT. Call before run(); bounded by
  /// `io` (the held routes' time, not the run's). False on an IMAP failure or
  /// timeout (pending tickets released with it).
  bool catch_up(const Deadline& io);

  /// A route's probe was just accepted: look now rather than at the next
  /// poll (a server that delivers before its 250, as `mailprobe serve`
  /// does, has it in the mailbox already). Thread-safe; cheap.
  void poke() { poked_ = true; }

  /// No more tickets will come: run() returns once none is pending.
  void close();

  /// The watch loop; returns after close() when no ticket is pending, on a
  /// stop request (pending tickets released with result=timeout), at
  /// `deadline`, or on an IMAP failure (pending tickets released with it).
  /// Blocks; call it on its own thread.
  void run(const Deadline& deadline, const std::atomic<bool>* stop);

  /// The connection (for LOGOUT and late-probe lookups once run() returned).
  check::ImapLeg& leg() { return *leg_; }

  /// Scans that fetched at least one header, and headers fetched (benchmarks).
  std::size_t headers_fetched() const { return headers_fetched_; }

 private:
  struct Pending {
    std::shared_ptr<Ticket> ticket;
    SteadyClock::time_point added;
  };

  /// Drops settled tickets, releases expired ones. Returns how many remain.
  std::size_t prune();
  /// One scan of the UIDs since scan_from_. False on an IMAP failure (set in failure_).
  bool scan(const std::string& how);
  /// Sends `fetch` ("UID FETCH <set>") for the header blocks and takes the
  /// pending probes among them. The UIDs were found by a search whose server
  /// moment was `searched` and which returned at `search_done`; with
  /// `fetched_at` the FETCH itself is the search ("UID FETCH n:*" since
  /// scan_from_, which it advances): its server moment goes there.
  bool take(const std::string& fetch, const std::string& how, const Deadline& io, SteadyClock::time_point searched,
            Stamp search_done, SteadyClock::time_point* fetched_at);
  void fail_all(const Failure& f);
  /// `n` mailbox checks (IDLE/NOOP cycles, or NOOPs of the fast phase) for
  /// every pending ticket.
  void count_checks(int n = 1);

  /// A command sent at `sent` just completed: its server moment (timing_).
  SteadyClock::time_point sampled(SteadyClock::time_point sent);

  std::unique_ptr<check::ImapLeg> leg_;
  const std::string where_;
  /// Landing windows and the round trip, as the single watcher keeps them
  /// (check/wait_timing.hpp): every scan fetches all UIDs since the last, so
  /// a probe it does not find was not there at its server moment. Touched
  /// by catch_up() and run() only (one thread at a time).
  check::WaitTiming timing_;
  const std::chrono::milliseconds check_frequency_;
  std::uint32_t scan_from_ = 1;
  std::atomic<bool> poked_{false};
  std::size_t headers_fetched_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Pending> pending_;  // by token
  SteadyClock::time_point newest_{};
  bool closed_ = false;
  std::optional<Failure> failure_;
};

}  // namespace mailprobe::routes
