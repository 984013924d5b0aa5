#pragma once

// The IMAP login flags, identical for every sub-command that reads a mailbox:
// --imap-host/--imap-port/--imap-tls/--imap-username/--imap-password(-file),
// MAILPROBE_IMAP_PASSWORD(_FILE), --imap-mailbox, --ca-file, --insecure.

#include <cxxopts.hpp>

#include <string>
#include <vector>

#include "net/endpoint.hpp"

namespace mailprobe::cli {

struct ImapFlags {
  net::Endpoint endpoint{"", 143, net::TlsMode::starttls};
  net::Credentials creds;
  std::string mailbox = "INBOX";
  net::TlsPolicy tls;
};

/// Declares the flags in groups "IMAP" and "TLS" with the same defaults as `check`.
void add_imap_options(cxxopts::Options& o);

/// Reads and validates them; throws UsageError (cli/option_values.hpp).
/// Warnings (password on argv, plaintext, --insecure) are appended.
ImapFlags parse_imap_flags(const cxxopts::ParseResult& r, const char* (*getenv_fn)(const char*),
                           std::vector<std::string>& warnings);

}  // namespace mailprobe::cli
