#pragma once

// Typed, validated option values shared by the sub-commands (check, cleanup):
// ports, TLS modes, hosts, passwords. Each throws UsageError with the
// message the user sees; callers catch it once around their parsing.

#include <cxxopts.hpp>

#include <string>
#include <vector>

#include "net/endpoint.hpp"

namespace mailprobe::cli {

struct UsageError {
  std::string what;
};

/// The first line of a secret file; exactly one trailing LF or CRLF stripped.
std::string read_secret_file(const std::string& path, const char* what);

/// --<name> as a port 1-65535.
int port_of(const cxxopts::ParseResult& r, const char* name);

/// --<name> as none | tls | starttls.
net::TlsMode tls_of(const cxxopts::ParseResult& r, const char* name);

/// Required --<name> checked by net::host_problem.
std::string host_of(const cxxopts::ParseResult& r, const char* name);

/// Password precedence for leg "smtp" or "imap" (documented in --help and README):
/// --X-password-file > --X-password (argv; warns) > MAILPROBE_X_PASSWORD_FILE > MAILPROBE_X_PASSWORD.
/// "" when none is given.
std::string password_of(const cxxopts::ParseResult& r, const std::string& leg, const char* (*env)(const char*),
                        std::vector<std::string>& warnings);

}  // namespace mailprobe::cli
