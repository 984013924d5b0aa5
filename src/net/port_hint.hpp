#pragma once

// The port and TLS-mode mix-ups people make first, told apart in about a
// second instead of at the deadline, each with the flag that fixes it:
//   - STARTTLS or plain text against an implicit-TLS port (465, 993): the
//     server waits for a ClientHello and never greets;
//   - --smtp-port at an IMAP server ("* OK") or --imap-port at an SMTP
//     server ("220 ..."): a greeting the client does not recognise;
//   - --X-tls tls against a plain-text port: OpenSSL reads the greeting as a
//     TLS record ("wrong version number").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "net/classify.hpp"

namespace mailprobe::net {

/// How long a plain-text connection may stay silent before we look for an
/// implicit-TLS server behind it.
inline constexpr std::chrono::milliseconds kGreetingSniffAfter{1000};

/// A one-line hint when `first_line` (the server's first line) is the other
/// protocol's greeting; nullopt when it may be ours.
std::optional<std::string> foreign_greeting_hint(Leg expected, std::string_view first_line, long port);

/// True when a TLS handshake with ip:port completes within `budget` (a
/// second, separate connection; the certificate is not checked). Blocks.
bool speaks_tls_at_once(const std::string& ip, long port, std::chrono::milliseconds budget);

/// The message for a silent plain-text connection to an implicit-TLS port.
std::string implicit_tls_hint(Leg p, long port);

/// The message for --X-tls tls against a port that answered in plain text.
std::string plain_text_port_hint(Leg p, long port);

}  // namespace mailprobe::net
