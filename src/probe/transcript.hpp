#pragma once

// What a probe saw on the wire, in order, with monotonic timestamps: every
// server line (libcurl's header callback hands each one over, libcurl-mail.md
// §1.4), every client command (debug HEADER_OUT, reduced to its verb so no
// secret is ever kept), and the moment TLS came up. The dialogue analysers
// are pure functions of a Transcript, so protocol handling is tested on
// canned transcripts without sockets.

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace mailprobe::probe {

enum class Dir { in, out, tls_up };

struct Event {
  SteadyClock::time_point at{};
  Dir dir = Dir::in;
  std::string line;  // without CRLF; for Dir::out only the redacted command
};

using Transcript = std::vector<Event>;

/// A client command line reduced to what is safe to keep: the verb of a known
/// SMTP or IMAP command (IMAP tag kept: "A001 LOGIN"), "EHLO <name>", or
/// "<redacted>" (SASL continuation data, unknown lines).
std::string redact_command(std::string_view line);

/// Microseconds from a to b; -1 when either is unset or b precedes a.
std::int64_t micros(SteadyClock::time_point a, SteadyClock::time_point b);

/// `from`, or the first server line's instant if that came earlier: the
/// greeting is the first thing the server says after TCP (or implicit TLS)
/// is up, so a later anchor means libcurl's timer was late, and the greeting
/// span starts at 0 rather than going negative and being dropped.
SteadyClock::time_point greeting_anchor(const Transcript& t, SteadyClock::time_point from);

}  // namespace mailprobe::probe
