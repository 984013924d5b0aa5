#pragma once

// The I/O half of `--expect`: one libcurl SMTP transfer per dialogue check,
// recorded as a Transcript (commands redacted to their verb) and judged by
// expect.hpp. A transfer that reaches DATA 354 is aborted before any content
// is sent, so no message is ever delivered. Blocks at most about 4 x timeout.

#include <chrono>
#include <string>

#include "net/endpoint.hpp"
#include "policy/expect.hpp"

namespace mailprobe::policy {

struct ExpectConfig {
  std::string host;
  int port = 25;
  net::TlsMode tls = net::TlsMode::starttls;  // tls_required always talks plaintext
  std::string ca_file;
  bool insecure = false;
  std::chrono::milliseconds timeout{5000};
  std::string ehlo_name;
  std::string username, password;  // auth_refused: the credentials that must be refused
  std::string mail_from;           // envelope sender of the relay / TLS checks
};

/// Runs the dialogue of auth_refused, relay_refused or tls_required.
ExpectOutcome run_expectation(const Expectation& e, const ExpectConfig& config);

}  // namespace mailprobe::policy
