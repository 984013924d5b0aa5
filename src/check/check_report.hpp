#pragma once

// Everything one `check` run learned, as plain data. The field table
// (check_fields.cpp) is the only place that decides how it is named and
// typed in the outputs.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::check {

struct CheckReport {
  // Identity of the route (low-cardinality: tags).
  std::string email_from, email_to;
  std::string smtp_server, imap_server;  // host:port
  std::string smtp_tls, imap_tls;        // none|tls|starttls
  std::string mailbox;

  // Outcome.
  bool success = false;
  Failure failure;  // stage/result/reply when !success; result=success otherwise
  std::string token;

  // Seed 002 timestamps (labels) and the monotonic instants behind them.
  Stamp start, start_smtp, start_imap, start_imap_search, end, finish;

  // SMTP leg.
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
  std::optional<std::int64_t> delivery_us;  // SMTP accept → first seen
  std::string method;                       // idle | poll
  int tries = 0;
  std::uint32_t uid = 0;
  std::string cleanup;  // expunged | moved_to_trash | flagged | skipped | failed | none
  std::string cleanup_error;

  std::optional<std::int64_t> total_us;  // start → end (found, or gave up)
};

}  // namespace mailprobe::check
