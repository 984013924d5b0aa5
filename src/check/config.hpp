#pragma once

// A validated `check` configuration: plain data, built once by
// the shell (src/app/check_options.cpp) before any network I/O.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/token_source.hpp"
#include "net/dialogue_log.hpp"
#include "net/endpoint.hpp"
#include "report/text_summary.hpp"
#include "report/output_format.hpp"

namespace mailprobe::check {

using report::OutputFormat;
enum class Schema { standard, legacy };

struct CheckConfig {
  // Who runs it and for which route: the `route`, `source` and --tag tags
  // of the record; the source also goes into the probe (X-Mailprobe-Source).
  std::string route;   // the routes file's route name; "" for a single check
  std::string source;  // default: this host's name
  std::vector<std::pair<std::string, std::string>> tags;  // --tag key=value, keys unique, in order given

  std::string email_from, email_to;
  std::string prefix = "[e2e email monitoring] ";
  std::chrono::milliseconds check_frequency{2000};
  int max_checks = 30;

  net::Endpoint smtp{"", 587, net::TlsMode::starttls};
  net::Credentials smtp_creds;
  net::Endpoint imap{"", 143, net::TlsMode::starttls};
  net::Credentials imap_creds;
  auth::TokenSpec smtp_token, imap_token;  // where OAuth2 legs get their bearer token
  std::string mailbox = "INBOX";
  std::string junk_mailbox = "auto";  // auto = \Junk special-use or a common name; none = off
  bool junk_is_failure = false;       // delivered-to-junk fails the run (exit 1)
  net::Credentials bounce_creds;      // the sender's mailbox (same IMAP server) to watch for DSNs
  std::string state_file;             // late/lost accounting across runs; empty = off
  std::chrono::seconds lost_after{86400};
  net::TlsPolicy tls;
  std::string helo;  // EHLO name; default: this host's name
  std::string mx_domain;   // MX mode (--smtp-host mx:[domain]): deliver straight to its MX hosts
  std::string dns_server;  // MX lookups through this server instead of /etc/resolv.conf

  std::chrono::milliseconds timeout{60000};
  bool cleanup = true;
  /// -v: the SMTP and IMAP (inbox) dialogues, masked, as they happen. May be null.
  std::shared_ptr<net::DialogueLog> transcript;
  bool live_progress = false;  // a progress line on stderr (stderr is a TTY)
  bool verbose = false;        // text: every field, not the compact summary
  report::TextStyle text_style;  // text: colour and terminal width

  OutputFormat format = OutputFormat::json;
  Schema schema = Schema::standard;
  std::string textfile;  // prometheus: write here atomically instead of stdout
  std::string warning, critical;  // nagios ranges on delivery_seconds
};

}  // namespace mailprobe::check
