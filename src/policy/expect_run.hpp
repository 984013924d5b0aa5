#pragma once

// The driving half of `--expect`: one SMTP dialogue per check, run by
// net/smtp_dialogue.hpp (which never delivers: it stops once DATA gets 354)
// and judged by expect.hpp. Blocks at most about 4 x timeout.

#include <chrono>
#include <string>
#include <string_view>

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
  /// Reduces a client command to its verb (the caller passes
  /// probe::redact_command); the judgement reads the verbs. Null keeps none.
  std::string (*redact)(std::string_view line) = nullptr;
};

/// The dialogue request of auth_refused, relay_refused or tls_required. Pure.
net::SmtpDialogueRequest dialogue_request(const Expectation& e, const ExpectConfig& config);

/// Judges what the dialogue saw. Pure.
ExpectOutcome judge_run(const Expectation& e, const net::SmtpDialogueResult& run);

/// Runs the dialogue of auth_refused, relay_refused or tls_required and judges it.
ExpectOutcome run_expectation(const Expectation& e, const ExpectConfig& config);

}  // namespace mailprobe::policy
