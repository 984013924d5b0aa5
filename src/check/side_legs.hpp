#pragma once

// The optional IMAP connections beside the watched mailbox: the junk folder
// and the sender's mailbox (bounces). Each logs in on its own std::jthread,
// in parallel with the inbox, so watching it adds no latency to the inbox
// case; if it cannot be opened the run goes on without it and says why.
// Threads join in the destructors, so an exception never leaves one running.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "check/imap_leg.hpp"
#include "check/watcher.hpp"

namespace mailprobe::check {

/// How long after the final 250 the junk folder is left unopened (a single
/// check adds two round trips, so the inbox watcher's news and confirming
/// SEARCH+FETCH do not race it). Most probes land in the inbox well within
/// it (a local Postfix + Dovecot: 15-100 ms), and a check then logs in once
/// instead of twice: one TLS handshake and one IMAP session less for the
/// client and the server, and one connection less against per-user caps
/// (Dovecot 10, Gmail 15). A probe filed as junk before the folder is opened
/// is found by its first search, which covers the whole folder; its landing
/// window then starts at the acceptance, and delivery_error_seconds says so.
inline constexpr std::chrono::milliseconds kJunkOpensAfter{500};
/// Once open, the junk folder is polled at most this often (IDLE, DONE and a
/// NOOP per round): a probe filed as junk is timed to within about half of
/// it, and the folder costs the server some 30 commands a second, not 300.
inline constexpr std::chrono::milliseconds kJunkPollsEvery{100};

struct SideLeg {
  std::unique_ptr<ImapLeg> leg;
  std::string error;  // why there is no leg (login or SELECT failed)
  std::jthread opener;

  /// Starts logging in as `creds` on the opener thread. The arguments must
  /// outlive select()/finish().
  void start(const net::Endpoint& server, const net::TlsPolicy& tls, const net::Credentials& creds,
             const Deadline& dl, const std::atomic<bool>* stop, net::DialogueLog* log = nullptr,
             const char* log_label = "imap");
  /// Waits for the login, then selects `name` ("" = not wanted after all:
  /// logs out). Without a leg afterwards, `error` may say why.
  void select(const std::string& name, const Deadline& dl);
  /// Waits for the opener and logs out.
  void finish(const Deadline& dl);
};

/// Where and as whom a side folder is opened; every pointer must outlive
/// the thread that opens it (SideWait::join()).
struct SideTarget {
  const net::Endpoint* server = nullptr;
  const net::TlsPolicy* tls = nullptr;
  const net::Credentials* creds = nullptr;
  std::string mailbox;
  Deadline deadline;
  const std::atomic<bool>* stop = nullptr;
  net::DialogueLog* log = nullptr;
  const char* log_label = "imap";
};

/// When a lazily opened side folder connects, and when it never needs to.
struct LazyOpen {
  std::function<bool()> now;    // open at once (a time has come, or the main watch ended unseen)
  std::function<bool()> never;  // the verdict is in elsewhere: do not connect at all
};

/// Runs one watcher on its own thread; `found` turns true when it finds.
struct SideWait {
  std::optional<Outcome<WaitOutcome>> result;
  std::jthread thread;  // last: joined before the members it writes are destroyed

  /// `leg`, `found` and `stop`'s captures must outlive join().
  void start(ImapLeg& leg, WaitPlan plan, std::atomic<bool>& found, std::function<bool()> stop);
  /// Like start(), but the folder is only opened (login and SELECT into
  /// `side`, on this watcher's thread) once `when.now()` turns true, and not
  /// at all if `when.never()` does first. The plan is made from the opened
  /// leg (its UIDNEXT). A watcher opened after the main watch ended still
  /// makes its first search (watcher.hpp: the first check always runs), so a
  /// "not found" verdict has looked in this folder too. On a failure to open,
  /// `side.error` says why and there is no result.
  void start_lazy(SideLeg& side, SideTarget target, LazyOpen when, std::function<WaitPlan(const ImapLeg&)> plan_for,
                  std::atomic<bool>& found, std::function<bool()> stop);
  void join();
  /// The outcome when this watcher found its message, else nullptr (call after join).
  const WaitOutcome* found() const;
};

}  // namespace mailprobe::check
