#pragma once

// One SMTP dialogue through libcurl that never delivers a message:
// EHLO (and STARTTLS per the TLS mode), then either AUTH with the given
// credentials and a NOOP, or MAIL FROM / RCPT TO / DATA, aborted the moment
// DATA gets 354, before any content byte. Policy-free: it returns the lines
// seen, and the caller (policy/expect_run.hpp) judges them. Blocks at most
// about 4 x timeout.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.hpp"

namespace mailprobe::net {

struct SmtpDialogueRequest {
  std::string host;
  int port = 25;
  TlsMode tls = TlsMode::starttls;
  std::string ca_file;
  bool insecure = false;
  std::chrono::milliseconds timeout{5000};  // connect and each reply; 4 x for the whole dialogue
  std::string ehlo_name;
  /// Non-empty username: AUTH with these credentials, then NOOP. Else the
  /// MAIL/RCPT/DATA dialogue below.
  std::string username, password;
  std::string mail_from;   // envelope sender, without <>
  std::string rcpt;        // one recipient, without <>
  /// Reduces a client command line to what may be kept (its verb; never a
  /// secret). Null: every client line is kept as "<redacted>".
  std::string (*redact)(std::string_view line) = nullptr;
};

struct DialogueLine {
  bool from_server = true;
  std::string text;  // without CRLF; a client line only as `redact` left it
};

struct SmtpDialogueResult {
  std::vector<DialogueLine> lines;  // in order
  bool data_reached = false;        // DATA got 354 and the transfer was stopped there
  bool completed = false;           // the transfer ended without an error
  std::string error;                // libcurl's words when it did not
};

SmtpDialogueResult run_smtp_dialogue(const SmtpDialogueRequest& request);

}  // namespace mailprobe::net
