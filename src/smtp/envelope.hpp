#pragma once

// The mail transaction after the session is set up (greeting, EHLO, TLS,
// AUTH, which libcurl does with CONNECT_ONLY): what to send and in which
// flights. Pure; the sender (sender.cpp) does the I/O.
//
// RFC 3030 (CHUNKING), when the server advertises it: the content goes as
// one chunk, "BDAT <size> LAST" followed at once by exactly <size> octets
// (no dot-stuffing, no end marker, §2), and the reply to it is the final
// reply of the transaction. With RFC 2920 PIPELINING too, MAIL, RCPT and
// BDAT with its chunk go out in one flight (RFC 3030 §4.2): the whole
// transaction costs one round trip.
//
// Otherwise DATA (RFC 5321 §4.1.1.4): with PIPELINING, MAIL, RCPT and DATA
// in one flight and their replies in order; the content follows only after
// DATA's 354 (RFC 2920 §3.1: DATA must be the last command of a group), two
// round trips in all. Without PIPELINING, one command per round trip.

#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.hpp"

namespace mailprobe::smtp {

struct EnvelopePlan {
  /// Each inner vector is one flight: its commands (without CRLF) go out
  /// together, and the next flight only after every reply of this one.
  std::vector<std::vector<std::string>> flights;
  /// The content as it goes on the wire (data_content or bdat_content).
  std::string content;
  /// true: BDAT; `content` follows the last flight's last command (BDAT) in
  /// the same write, and that command's reply is the final one. false: DATA;
  /// `content` goes after the last flight's replies (the 354) and earns the
  /// final reply.
  bool chunked = false;
};

/// MAIL FROM (with SIZE=<n> when the server advertises SIZE, RFC 1870 §6;
/// SMTPUTF8 when an address is not ASCII and the server offers it, RFC 6531
/// §3.4), RCPT TO, then BDAT when the server offers CHUNKING, else DATA.
EnvelopePlan plan_envelope(const EhloCaps& caps, const std::string& from, const std::string& to,
                           std::string_view message);

/// Whether a transaction was not taken by the server, so that a fresh
/// session may send it again: not accepted, and either no reply to it came
/// before the connection ended (`used_before`: on a session that had
/// carried a transaction before, or behind another in the same flight; a
/// fresh session that breaks at once is a failure of its own), or its one
/// reply was a 421 (RFC 5321 §3.8: the server closes; nothing after it was
/// taken). `replies`: how many of its replies arrived; `last_code`: the last
/// one's code. Pure.
bool not_taken(bool accepted, int replies, int last_code, bool connection_ended, bool used_before);

/// The message as DATA content: every line that starts with "." gets one
/// more (RFC 5321 §4.5.2), a missing final CRLF is added, and the ".\r\n"
/// that ends the data follows.
std::string data_content(std::string_view message);

/// The message as a BDAT chunk: as it is, with a missing final CRLF added
/// (RFC 5322 §2.1: a message is lines, each ended by CRLF). No stuffing.
std::string bdat_content(std::string_view message);

}  // namespace mailprobe::smtp
