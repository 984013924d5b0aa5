#pragma once

// The probe: a valid RFC 5322 message carrying a random token in the
// Subject (seed 002's "prefix ### time ### token" shape), the Message-ID and
// an X-Mailprobe-Token header, so it can be found by header search and
// confirmed by fetching its header. X-Mailprobe-Source names the vantage
// point that sent it, so sources sharing a mailbox can tell probes apart.

#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace mailprobe::message {

inline constexpr std::string_view kTokenHeader = "X-Mailprobe-Token";
inline constexpr std::string_view kSourceHeader = "X-Mailprobe-Source";

struct ProbeSpec {
  std::string from;        // bare address, validated (see address.hpp)
  std::string to;
  std::string prefix;      // subject prefix, no CR/LF
  std::string token;       // 32 hex characters
  std::string host_label;  // shown in the From display name ("mailprobe on <host>")
  WallClock::time_point date{};
  std::string source;      // X-Mailprobe-Source: who sent it ("" = header left out); no CR/LF
};

/// The full message with CRLF line endings and no line longer than 998
/// octets (RFC 5321 §4.5.3.1.6). Non-ASCII in the prefix is sent as an
/// RFC 2047 encoded-word.
std::string compose(const ProbeSpec& spec);

/// The Subject value exactly as composed (before any encoding).
std::string subject(const ProbeSpec& spec);

/// "<token.mailprobe@domain-of-from>".
std::string message_id(const ProbeSpec& spec);

}  // namespace mailprobe::message
