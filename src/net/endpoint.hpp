#pragma once

// Where and how to connect: shared by the SMTP and IMAP legs.

#include <optional>
#include <string>
#include <string_view>

#include "net/sasl_mechanism.hpp"

namespace mailprobe::net {

/// none = plaintext; tls = implicit TLS from the first byte (smtps/imaps);
/// starttls = plaintext upgraded with STARTTLS, which is REQUIRED: a server
/// that does not offer it fails the run (RFC 3207, RFC 2595; no silent plaintext).
enum class TlsMode { none, tls, starttls };

std::string_view to_string(TlsMode m);
std::optional<TlsMode> parse_tls_mode(std::string_view s);

struct Endpoint {
  std::string host;
  int port = 0;
  TlsMode tls = TlsMode::starttls;

  /// "host:port", with IPv6 literals bracketed.
  std::string authority() const;
};

/// Certificate verification policy. Verification is on unless insecure.
struct TlsPolicy {
  std::string ca_file;   // PEM bundle; empty = the system store
  bool insecure = false;
};

struct Credentials {
  std::string username;
  std::string password;
  /// password: libcurl picks PLAIN/LOGIN (or IMAP LOGIN) with `password`.
  /// xoauth2/oauthbearer: exactly that SASL mechanism with `bearer`, never
  /// another one (auth/mechanism.hpp).
  net::SaslMechanism mechanism = net::SaslMechanism::password;
  std::string bearer = {};  // the OAuth2 access token; set just before connecting
  bool oauth() const { return mechanism != net::SaslMechanism::password; }
  bool present() const { return !username.empty(); }
};

/// This machine's host name (gethostname), or "localhost" if it has none.
std::string local_hostname();

/// Checks a host name or IP literal: non-empty, no whitespace or control
/// characters, at most 253 characters. "" if fine, else the reason.
std::string host_problem(std::string_view host);

}  // namespace mailprobe::net
