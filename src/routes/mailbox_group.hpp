#pragma once

// The routes of a run that read the same mailbox (same IMAP server, login,
// mailbox, junk setting and TLS policy) and so share one connection per
// watched folder: the mailbox itself and, when found, its junk folder.
// A group is opened once, before any of its routes sends (a wrong password
// must fail the routes before a probe goes out that nobody could clean up),
// and closed after its last route finished.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "check/config.hpp"
#include "routes/mailbox_hub.hpp"

namespace mailprobe::routes {

/// The identity that decides which routes share a group. Pure.
std::string group_key(const check::CheckConfig& cfg);

class MailboxGroup {
 public:
  /// Logs in, finds the junk folder (as run_check: \Junk or a common name,
  /// unless --junk-mailbox none), selects both and starts their watchers.
  /// `cfg` is any member route's configuration. Never throws: a failure to
  /// open the mailbox is kept and handed to every route (open_failure()); a
  /// junk folder that cannot be opened is only noted (junk_error()).
  MailboxGroup(const check::CheckConfig& cfg, const Deadline& deadline, const std::atomic<bool>* stop);
  MailboxGroup(const MailboxGroup&) = delete;
  MailboxGroup& operator=(const MailboxGroup&) = delete;
  /// close() if not done yet.
  ~MailboxGroup();

  const std::optional<Failure>& open_failure() const { return failure_; }
  MailboxHub* inbox() { return inbox_.get(); }
  MailboxHub* junk() { return junk_.get(); }
  const std::string& junk_name() const { return junk_name_; }
  const std::string& junk_error() const { return junk_error_; }
  /// The number of watchers a ticket of this group needs.
  int watchers() const { return (inbox_ ? 1 : 0) + (junk_ ? 1 : 0); }

  /// No more tickets: the watchers finish their pending ones and stop.
  /// Blocks until they have; the connections stay logged in for late-probe
  /// lookups until logout().
  void close();
  /// LOGOUT on both connections (bounded, result ignored).
  void logout();

  /// IMAP connections this group opened (benchmarks: one per watched folder).
  int connections() const { return connections_; }

 private:
  std::optional<Failure> failure_;
  std::unique_ptr<MailboxHub> inbox_, junk_;
  std::string junk_name_, junk_error_;
  std::jthread inbox_thread_, junk_thread_;
  bool closed_ = false;
  int connections_ = 0;
  Deadline deadline_;
};

}  // namespace mailprobe::routes
