#pragma once

// Everything one `check` run learned, as plain data. The field table
// (check_fields.cpp) is the only place that decides how it is named and
// typed in the outputs.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::check {

struct CheckReport {
  // Identity of the route (low-cardinality: tags).
  std::string route, source;
  std::vector<std::pair<std::string, std::string>> tags;  // --tag key=value
  std::string email_from, email_to;
  std::string smtp_server, imap_server;  // host:port
  std::string smtp_tls, imap_tls;        // none|tls|starttls
  std::string mailbox;
  std::string junk_mailbox;  // the junk folder watched alongside ("" = none)

  // Outcome.
  bool success = false;
  Failure failure;  // stage/result/reply when !success; result=success otherwise
  std::string token;

  // Seed 002 timestamps (labels) and the monotonic instants behind them.
  Stamp start, start_smtp, start_imap, start_imap_search, end, finish;

  // SMTP leg.
  std::optional<std::int64_t> mx_tried;  // MX mode: candidates tried
  std::string queue_id;
  int smtp_reply_code = 0;  // the final reply to DATA (250 on success)
  std::string smtp_reply;
  std::string smtp_ip, smtp_tls_version, smtp_tls_cipher;
  std::optional<std::int64_t> smtp_dns_us, smtp_connect_us, smtp_tls_us, smtp_greeting_us,
      smtp_auth_us, smtp_transaction_us, smtp_data_us;

  // IMAP leg.
  std::string imap_ip, imap_tls_version, imap_tls_cipher;
  std::optional<std::int64_t> imap_connect_us, imap_tls_us, imap_login_us, imap_select_us,
      imap_fetch_us, cleanup_us;
  bool imap_idle_supported = false;

  // Detection.
  std::optional<std::int64_t> delivery_us;  // SMTP accept → landing (estimates, one-way delays removed)
  std::optional<std::int64_t> delivery_error_us;  // half the last-miss → first-hit window
  std::optional<std::int64_t> smtp_rtt_us, imap_rtt_us;  // smallest command round trips
  std::optional<std::int64_t> imap_wait_commands;        // IMAP commands sent while waiting
  std::string method;                       // idle | poll
  std::string placement;                    // inbox | junk | other (where it was found)
  std::string junk_error;                   // why the junk folder could not be watched
  int tries = 0;
  std::uint32_t uid = 0;
  std::string cleanup;  // expunged | expunged_checked | moved_to_trash | flagged | skipped | failed | none
  std::string cleanup_error;

  std::optional<std::int64_t> total_us;  // start → end (found, or gave up)

  // Delivery insight from the probe's own header (RFC 5321 §4.4, RFC 8601).
  std::optional<std::int64_t> hop_count;
  std::optional<std::int64_t> slowest_hop_us;
  std::string slowest_hop;            // "by" host of the slowest hop
  std::optional<bool> clock_skew;     // some hop's delay is negative
  std::string receiving_ids;          // queue ids from Received headers, oldest first, comma-separated
  std::string spf, dkim, dmarc;       // Authentication-Results verdicts
  std::optional<double> spam_score;
  std::optional<bool> spam_flag;

  // Bounce fast-fail (a DSN for the probe in the sender's mailbox).
  std::string bounce_status;          // RFC 3463 code from the DSN, e.g. 5.1.1
  std::string bounce_error;           // why the sender's mailbox could not be watched

  // Late and lost probes across runs (--state-file).
  std::optional<std::int64_t> late_count, lost_count, pending_count;
  std::optional<std::int64_t> late_max_us;  // the latest late probe's delay
  std::string state_error;
};

}  // namespace mailprobe::check
