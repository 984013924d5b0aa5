#pragma once

// The flag module: every flag that more than one sub-command takes is
// declared and validated here, once, so check, cleanup, probe and demo
// accept and refuse the same values with the same words. Each parser throws
// UsageError (app/usage_error.hpp) with the line the user sees.

#include <cxxopts.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "net/endpoint.hpp"
#include "report/output_format.hpp"

namespace mailprobe::app {

using GetenvFn = const char* (*)(const char*);

/// The process environment (std::getenv), the default for every parser.
const char* real_getenv(const char* name);

/// The first line of a secret file; exactly one trailing LF or CRLF stripped.
/// Refuses an unreadable, empty or multi-line file.
std::string read_secret_file(const std::string& path, const char* what);

/// --<name> as a port 1-65535.
int port_of(const cxxopts::ParseResult& r, const char* name);

/// --<name> as none | tls | starttls.
net::TlsMode tls_of(const cxxopts::ParseResult& r, const char* name);

/// Required --<name> checked by net::host_problem ("mx:..." passes through for
/// check's MX mode; the domain is validated where it is used).
std::string host_of(const cxxopts::ParseResult& r, const char* name);

/// Password precedence for leg "smtp", "imap" or "bounce-imap" (documented in
/// --help and README): --X-password-file > --X-password (argv; warns) >
/// MAILPROBE_X_PASSWORD_FILE > MAILPROBE_X_PASSWORD. "" when none is given.
std::string password_of(const cxxopts::ParseResult& r, const std::string& leg, GetenvFn env,
                        std::vector<std::string>& warnings);

/// Why an IMAP mailbox name cannot be sent as a quoted string (RFC 3501 §9
/// astring), or "" when it can. Names that would need a literal or modified
/// UTF-7 (§5.1.3) are refused up front, by every command.
std::string mailbox_problem(const std::string& mailbox);

/// The IMAP login flags: endpoint, credentials and the watched mailbox.
struct ImapFlags {
  net::Endpoint endpoint{"", 143, net::TlsMode::starttls};
  net::Credentials creds;
  std::string mailbox = "INBOX";
};

/// Declares --imap-host/-port/-tls/-username/-password(-file)/-mailbox in
/// group "IMAP" (defaults 143, starttls, INBOX).
void add_imap_flags(cxxopts::Options& o, const char* mailbox_help);

/// Reads and validates the IMAP flags (password through password_of with
/// MAILPROBE_IMAP_PASSWORD(_FILE)); a plaintext-credentials warning is appended.
ImapFlags parse_imap_flags(const cxxopts::ParseResult& r, GetenvFn env, std::vector<std::string>& warnings);

/// Declares --ca-file and --insecure in `group`.
void add_tls_flags(cxxopts::Options& o, const char* group, const char* ca_help, const char* insecure_help);

/// Reads them: a --ca-file that cannot be opened is a usage error; --insecure
/// appends `insecure_warning` when it is non-empty.
net::TlsPolicy parse_tls_flags(const cxxopts::ParseResult& r, std::vector<std::string>& warnings,
                               const char* insecure_warning);

/// --output-format: `fallback` when absent, else one of `offered` (anything
/// else is a usage error listing `offered`).
report::OutputFormat output_format_of(const cxxopts::ParseResult& r, std::initializer_list<report::OutputFormat> offered,
                                      report::OutputFormat fallback);

}  // namespace mailprobe::app
