#pragma once

// SMTP sessions shared by the routes of a run that submit as the same
// account (same server, TLS policy, credentials and EHLO name). A route
// borrows an open session, runs its one transaction on it (RFC 5321 §3.3)
// and gives it back, so 100 routes from three accounts set up a dozen
// sessions instead of 100: a dozen TLS handshakes and AUTHs on the server,
// not 100. At most kSessionsPerAccount sessions of one account are open at
// once; beyond that a route waits for one to come back.
//
// When a session of an account cannot be set up (connect, TLS, greeting,
// AUTH), every later route of that account gets that report at once: it is
// a fact about the account, and trying again per route behind the cap would
// hold the run (servers delay each failed AUTH, often by seconds).
//
// Routes waiting for a session of their account queue up; whoever finds a
// session idle takes it and sends the queue's first kMaxBatch requests in
// one flight (smtp::Session::send_batch: with PIPELINING and CHUNKING, one
// round trip for all of them), then hands each waiting route its report.
// So a queue behind three sessions drains in a few round trips, not one
// transaction per session per round trip.
//
// The report of a transaction on a borrowed session carries that session's
// setup figures (dns, connect, TLS, greeting, AUTH), the same for every
// route that used it, as the IMAP figures of a mailbox group are.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "smtp/sender.hpp"

namespace mailprobe::routes {

/// Open sessions per account: enough that a server's per-message work
/// (queue file, fsync) runs in parallel, few enough that a fleet of routes
/// stays far below a server's connection caps (Postfix
/// smtpd_client_connection_count_limit 50, Exchange Online 3 per mailbox for
/// some tenants).
inline constexpr int kSessionsPerAccount = 3;

/// At most this many transactions go out in one flight.
inline constexpr std::size_t kMaxBatch = 10;

/// The identity of the session a request needs: routes whose keys are equal
/// may share sessions. Holds secrets; in memory only, never printed. Pure.
std::string session_key(const smtp::SendRequest& req);

class SubmissionPool {
 public:
  SubmissionPool() = default;
  SubmissionPool(const SubmissionPool&) = delete;
  SubmissionPool& operator=(const SubmissionPool&) = delete;
  /// close().
  ~SubmissionPool();

  /// Sends `req` on a session of its account: queued, then sent (maybe in
  /// one flight with others queued, see above) on an idle session, a new one
  /// while fewer than kSessionsPerAccount are open, else the next to come
  /// back (waiting at most until req's deadline or stop, unless already in a
  /// flight). When the server had closed the session (nothing was taken:
  /// Session::send_batch's retry), the transaction goes again on another. A
  /// session is kept for the next route only after a clean final 250.
  /// Blocks; never throws for network conditions. Thread-safe.
  smtp::SendReport send(const smtp::SendRequest& req, const std::string& account = {});

  /// Opens one more session of setup's account ahead of its routes, unless
  /// the account has `want` open already (capped at kSessionsPerAccount);
  /// it then waits idle for a route. Called once per wanted session, from
  /// several threads, the sessions set up in parallel. A session that cannot
  /// be set up is dropped (each route then tries and reports for itself).
  /// Blocks; thread-safe.
  void prewarm(const smtp::SendRequest& setup, int want = 1);

  /// The run will make `n` transactions for `account` (the caller's name for
  /// a submitting account: submitter_key() in routes/shared_route.hpp). Once
  /// finished() was called that often, the account's sessions QUIT at once,
  /// on threads of their own, instead of at close(): the 221 then arrives
  /// while the routes still wait for delivery. Thread-safe.
  void expect(const std::string& account, int n);
  /// One of `account`'s expected transactions is over (or will not happen).
  /// Thread-safe.
  void finished(const std::string& account);

  /// QUITs every idle session, all at once (each 221 awaited at most 2 s),
  /// and waits for the goodbyes finished() started. Call when no send() is
  /// running.
  void close();

  /// Sessions opened so far (benchmarks, tests).
  int sessions_opened() const;

 private:
  /// A route's request while it waits for its report.
  struct Waiter {
    const smtp::SendRequest* req = nullptr;
    bool taken = false;  // in a flight now
    bool done = false;
    int attempts = 0;
    smtp::SendReport report;
  };
  struct Account {
    std::deque<Waiter*> queue;  // not yet taken, in arrival order
    std::vector<std::unique_ptr<smtp::Session>> idle;
    int open = 0;  // idle + lent out + being set up
    std::optional<smtp::SendReport> failed;  // a session of this account could not be set up
  };
  /// Sends the first queued requests on `s` (lock held on entry and exit,
  /// released during the I/O), fills their reports and gives `s` back.
  void lead(const std::string& key, std::unique_ptr<smtp::Session> s, std::unique_lock<std::mutex>& lock);
  /// Sets a session up (its slot in `open` already taken). On failure
  /// records it for the account, fills `failed` and returns null.
  std::unique_ptr<smtp::Session> open_session(const std::string& key, smtp::SendRequest setup,
                                              std::optional<smtp::SendReport>& failed);
  void give_back(const std::string& key, std::unique_ptr<smtp::Session> s);
  /// give_back() with mu_ held.
  void give_back_locked(const std::string& key, std::unique_ptr<smtp::Session> s);

  /// What expect() announced for an account name, and the session keys its
  /// transactions used.
  struct Plan {
    int remaining = 0;
    std::set<std::string> keys;
  };

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Account> accounts_;
  std::map<std::string, Plan> plans_;
  std::vector<std::jthread> goodbyes_;  // QUITs started by finished() and of unusable sessions
  int opened_ = 0;
};

}  // namespace mailprobe::routes
