#pragma once

// The server's answer to a rejected bearer token. RFC 7628 §3.2.2: the
// server sends a continuation (SMTP 334, RFC 4954 §4; IMAP "+", RFC 3501
// §7.5) carrying base64 JSON such as {"status":"401","schemes":"bearer",
// "scope":"mail"} (Google's XOAUTH2 sends the same shape), and the client
// answers with a dummy response (^A) to get the final failure reply.
// libcurl does that exchange; we only see the lines and decode them here.

#include <optional>
#include <string>
#include <string_view>

namespace mailprobe::net {

/// Strict base64 decode (RFC 4648 §4, padding optional); nullopt on any
/// character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

/// If `line` is a SASL continuation ("334 <b64>" or "+ <b64>") whose
/// payload decodes to printable text, that text with control characters
/// dropped and cut to 300 bytes; otherwise nullopt.
std::optional<std::string> decode_challenge(std::string_view line);

/// The failure text for a rejected token: "server rejected the token: " plus
/// the decoded challenge, or plus the final reply text when there was none.
std::string rejected_text(const std::optional<std::string>& challenge, std::string_view final_reply);

}  // namespace mailprobe::net
