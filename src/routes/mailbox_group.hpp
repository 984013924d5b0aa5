#pragma once

// The routes of a run that read the same mailbox (same IMAP server, login,
// mailbox, junk setting and TLS policy) and so share one connection per
// watched folder: the mailbox itself and, when needed, its junk folder.
// A group is opened once, before any of its routes sends (a wrong password
// must fail the routes before a probe goes out that nobody could clean up),
// and closed after its last route finished. The junk folder is opened as a
// single check opens it (check/run_check.cpp): only once a probe has gone
// unseen in the mailbox for half a second after its 250, or its wait there
// ended, so a run whose probes land in the mailbox holds one connection
// per mailbox; its first look covers the whole folder (MailboxHub::catch_up).

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "check/config.hpp"
#include "routes/junk_gate.hpp"
#include "routes/mailbox_hub.hpp"

namespace mailprobe::routes {

/// The identity that decides which routes share a group. Pure.
std::string group_key(const check::CheckConfig& cfg);

class MailboxGroup {
 public:
  /// Logs in, finds the junk folder (as run_check: \Junk or a common name,
  /// unless --junk-mailbox none), selects the mailbox and starts its
  /// watcher; the junk folder opens later, when needed. `cfg` is any member
  /// route's configuration. Never throws: a failure to open the mailbox is
  /// kept and handed to every route (open_failure()); a junk folder that
  /// cannot be opened is only noted (junk_error()).
  MailboxGroup(const check::CheckConfig& cfg, const Deadline& deadline, const std::atomic<bool>* stop);
  MailboxGroup(const MailboxGroup&) = delete;
  MailboxGroup& operator=(const MailboxGroup&) = delete;
  /// close() if not done yet.
  ~MailboxGroup();

  const std::optional<Failure>& open_failure() const { return failure_; }
  MailboxHub* inbox() { return inbox_.get(); }
  /// The junk folder to watch ("" = none).
  const std::string& junk_name() const { return junk_name_; }
  /// Why the junk folder could not be watched ("" = it could, or was not needed yet).
  std::string junk_error() const;

  /// Hands a probe's ticket to every watcher that may see it (create it
  /// with watchers() holders). Thread-safe.
  void add(const std::shared_ptr<Ticket>& t);
  /// The number of watchers a ticket of this group needs.
  int watchers() const { return (inbox_ ? 1 : 0) + (junk_name_.empty() ? 0 : 1); }

  /// No more tickets: the watchers finish their pending ones and stop.
  /// Blocks until they have; the connections stay logged in for late-probe
  /// lookups until logout().
  void close();
  /// The selected junk folder for late-probe lookups after close(), opened
  /// now if the run did not need it (null if there is none or it failed).
  check::ImapLeg* junk_for_late_probes();
  /// LOGOUT on every connection (bounded, result ignored).
  void logout();

  /// IMAP connections this group opened (benchmarks: one per watched folder).
  int connections() const { return connections_.load(); }

 private:
  /// The junk opener's thread: waits until a ticket needs the folder, opens
  /// it, catches up and then runs its watcher; or returns unopened.
  void junk_loop();
  /// Drops settled tickets and describes the rest for routes/junk_gate.hpp
  /// (when to open, and within what time). Under jmu_.
  std::vector<HeldProbe> held_locked();
  /// Login and SELECT of the junk folder within `bound`, or why they failed.
  Outcome<std::unique_ptr<check::ImapLeg>> open_junk(const Deadline& bound);

  std::optional<Failure> failure_;
  std::unique_ptr<MailboxHub> inbox_;
  std::string junk_name_;
  bool closed_ = false;
  std::atomic<int> connections_{0};
  Deadline deadline_;
  const std::atomic<bool>* stop_;

  // How to open the junk folder later.
  net::Endpoint imap_;
  net::TlsPolicy tls_;
  net::Credentials creds_;
  std::chrono::milliseconds check_frequency_;

  // The junk folder: tickets held for it until it opens, then its hub.
  mutable std::mutex jmu_;
  std::condition_variable jcv_;
  std::vector<std::shared_ptr<Ticket>> junk_held_;
  std::unique_ptr<MailboxHub> junk_;       // set once opened (under jmu_)
  enum class JunkState { waiting, opening, open, failed } junk_state_ = JunkState::waiting;
  bool junk_closing_ = false, late_tried_ = false;
  std::string junk_error_;
  std::unique_ptr<check::ImapLeg> late_junk_;  // opened after close() for late probes
  // Last: the threads use every member above (and close() joins them first).
  std::jthread inbox_thread_;
  std::jthread junk_thread_;
};

}  // namespace mailprobe::routes
