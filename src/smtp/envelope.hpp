#pragma once

// The mail transaction after the session is set up (greeting, EHLO, TLS,
// AUTH, which libcurl does with CONNECT_ONLY): what to send and in which
// flights. Pure; the sender (sender.cpp) does the I/O.
//
// RFC 2920 (PIPELINING): when the server advertises it, MAIL, RCPT and DATA
// go out in one flight and their replies come back in order; the message
// follows only after DATA's 354 (§3.1: DATA must be the last command of a
// group). Without PIPELINING, one command per round trip (RFC 5321 §4.1).

#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.hpp"

namespace mailprobe::smtp {

struct EnvelopePlan {
  /// Each inner vector is one flight: its commands (without CRLF) go out
  /// together, and the next flight only after every reply of this one.
  std::vector<std::vector<std::string>> flights;
};

/// MAIL FROM (with SIZE=<n> when the server advertises SIZE, RFC 1870 §6;
/// SMTPUTF8 when an address is not ASCII and the server offers it, RFC 6531
/// §3.4), RCPT TO, DATA.
EnvelopePlan plan_envelope(const EhloCaps& caps, const std::string& from, const std::string& to,
                           std::size_t message_size);

/// The message as DATA content: every line that starts with "." gets one
/// more (RFC 5321 §4.5.2), a missing final CRLF is added, and the ".\r\n"
/// that ends the data follows.
std::string data_content(std::string_view message);

}  // namespace mailprobe::smtp
