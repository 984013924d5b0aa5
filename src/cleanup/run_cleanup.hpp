#pragma once

// `mailprobe cleanup`'s work: delete old probes, and only old probes, from
// the watched mailbox and the Junk folder. A message is deleted only if (1) a
// HEADER search finds an X-Mailprobe-Token field, (2) its fetched header
// really holds a 32-hex token and (3) its INTERNALDATE is older than
// older_than at full time precision. Deletion is by UID only (UID EXPUNGE,
// UID MOVE or a \Deleted flag; never EXPUNGE or CLOSE, RFC 3501 §6.4.3).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::cleanup {

/// A validated cleanup configuration (built by the shell, app/cleanup_command.cpp).
struct CleanupConfig {
  net::Endpoint endpoint{"", 143, net::TlsMode::starttls};
  net::Credentials creds;
  std::string mailbox = "INBOX";
  net::TlsPolicy tls;
  std::string junk_mailbox;  // "" = discover
  bool no_junk = false;
  std::chrono::seconds older_than{3600};
  bool dry_run = false;
  std::chrono::milliseconds timeout{60000};
};

struct MailboxReport {
  std::string mailbox;
  std::string role;      // inbox | junk
  int candidates = 0;    // messages with an X-Mailprobe-Token header
  int found = 0;         // of those: real probes older than --older-than
  int deleted = 0;
  std::string action = "none";  // expunged | expunged_checked | moved_to_trash | flagged | dry_run | none | failed
  std::string error;
};

struct CleanupReport {
  WallClock::time_point time{};
  std::string server;
  std::vector<MailboxReport> mailboxes;
  std::optional<Failure> failure;  // empty exactly when every mailbox was swept
};

/// Logs in, sweeps the mailbox and the Junk folder (discovered unless given
/// or no_junk), logs out. Blocks up to cfg.timeout; never throws for
/// network conditions: a failed login or mailbox is reported in `failure`.
CleanupReport run_cleanup(const CleanupConfig& cfg);

/// The report as one JSON object (with a trailing newline); pure.
std::string render_json(const CleanupReport& rep, const CleanupConfig& cfg);

/// The report as lines for a terminal; pure.
std::string render_text(const CleanupReport& rep, const CleanupConfig& cfg);

}  // namespace mailprobe::cleanup
