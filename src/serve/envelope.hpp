#pragma once

// IMAP ENVELOPE (RFC 3501 §7.4.2) from RFC 5322 header fields, with a lenient
// address-list parser (RFC 5322 §3.4, groups and obsolete routes included).
// Pure; encoded words (RFC 2047) are passed through undecoded.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::serve {

/// One envelope address. A group start has only `mailbox` (the group name) and
/// no host; a group end has none of the four (RFC 3501 §7.4.2).
struct EnvelopeAddress {
  std::optional<std::string> name, adl, mailbox, host;
};

/// Parses an address-list header value; never fails, skipping what it cannot read.
std::vector<EnvelopeAddress> parse_address_list(std::string_view value);

/// `nstring`: NIL, or quote() of the value (quoted, or a literal for CR/LF/8-bit).
std::string imap_nstring(const std::optional<std::string>& s);

/// "(" date subject from sender reply-to to cc bcc in-reply-to message-id ")" for
/// the header of `message`. Absent fields are NIL; Sender and Reply-To default
/// to From when absent or empty.
std::string render_envelope(std::string_view message);

}  // namespace mailprobe::serve
