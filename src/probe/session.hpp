#pragma once

// The I/O half of a health probe: one libcurl transfer per probe following
// libcurl-mail.md §1.6 (SMTP: CUSTOMREQUEST NOOP + NOBODY, no RCPT,
// FORBID_REUSE so QUIT runs inside the perform, FRESH_CONNECT, no session
// cache) and §2.2 (IMAP: a mailbox-less custom NOOP; LOGOUT on close). It only
// records a Transcript, the transfer timings and the TLS facts read from the
// live SSL* inside the header callback (§1.7); the analysis is pure.

#include <chrono>
#include <string>

#include "probe/probe_result.hpp"

namespace mailprobe::probe {

struct SessionConfig {
  Protocol protocol = Protocol::smtp;
  std::string host;              // name or IP literal (IPv6 without brackets)
  int port = 25;
  TlsMode tls = TlsMode::starttls;
  std::string connect_ip;        // if set, connect here instead of resolving host
  std::string ca_file;           // "" = system store
  bool insecure = false;
  std::chrono::milliseconds timeout{5000};  // connect, and each server reply
  std::string ehlo_name;         // SMTP EHLO argument
  std::string username, password;  // IMAP LOGIN; empty = no login (read-only)
  int warn_days = 14;
};

/// Runs one probe and returns the judged result. Blocks at most about
/// 4 x timeout. Never throws for network conditions; they become the result.
ProbeResult run_session(const SessionConfig& config);

/// The URL for a config ("smtps://[::1]:465/ehlo.name").
std::string session_url(const SessionConfig& config);

}  // namespace mailprobe::probe
