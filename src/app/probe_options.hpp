#pragma once

// `mailprobe probe` configuration: parsed from argv (cxxopts) and validated
// once, before any network I/O. A bad value is a one-line usage error.

#include <chrono>
#include <string>
#include <vector>

#include "app/flags.hpp"
#include "app/policy_flags.hpp"
#include "probe/probe_result.hpp"
#include "report/output_format.hpp"

namespace mailprobe::app {

using probe::TlsMode;

enum class Mode { smtp, imap, mx };
/// standard: the field table; seed: seed 000's exact JSON object (smtp only).
enum class Schema { standard, seed };

struct Options {
  Mode mode = Mode::smtp;
  std::string host;            // smtp/imap target, or the mx domain
  int port = 0;                // 0 until defaulted
  TlsMode tls = TlsMode::starttls;
  std::chrono::milliseconds timeout{5000};
  std::string ca_file;
  bool insecure = false;
  int warn_days = 14;
  report::OutputFormat format = report::OutputFormat::json;
  Schema schema = Schema::standard;
  std::string ehlo_name;
  std::string username, password;
  bool send_email = false;
  std::string email_from, email_to;
  std::string dns_server;       // mx: resolver to ask instead of /etc/resolv.conf
  int mx_port = 25;             // mx: port probed on every exchange
  bool help = false;
  std::string help_text;
  PolicyFlags policy;           // --policy, --expect (app/policy_flags.hpp)
};

/// Parses argv (argv[0] = "mailprobe probe", argv[1] = smtp|imap|mx).
/// Throws UsageError (or a cxxopts parse error) with one line on bad input.
/// `stdout_is_tty` picks the default output format (text on a terminal);
/// $MAILPROBE_PASSWORD is read through `env`.
Options parse_probe_options(int argc, char** argv, bool stdout_is_tty, GetenvFn env = real_getenv);

/// Host name or IP literal check: non-empty, at most 253 characters, no
/// spaces or control characters, no URL-significant characters.
bool valid_host(std::string_view host);

/// "25" -> 25; nullopt unless 1..65535 with digits only.
std::optional<int> parse_port(std::string_view text);

/// Defaults per RFC 8314 / the seed: SMTP 25/587 STARTTLS, 465 implicit TLS;
/// IMAP 143 STARTTLS, 993 implicit TLS; other ports STARTTLS.
TlsMode default_tls(Mode mode, int port);
int default_port(Mode mode, TlsMode tls);

/// The seed's boolean strings: true/false in any case, 1/0, yes/no.
std::optional<bool> parse_flag(std::string_view text);

}  // namespace mailprobe::app
