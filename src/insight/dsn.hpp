#pragma once

// Bounces: a delivery status notification (RFC 3464) or one of the common
// non-standard bounce mails, matched to a probe by its token.

#include <optional>
#include <string>
#include <string_view>

namespace mailprobe::insight {

/// Bytes of a message examined at most (bounces quote the original message).
inline constexpr std::size_t kMaxBounceBytes = 4u << 20;
/// MIME parts visited at most, and the deepest nesting followed.
inline constexpr std::size_t kMaxMimeParts = 64;
inline constexpr int kMaxMimeDepth = 8;

struct Bounce {
  bool standard = false;        // multipart/report; report-type=delivery-status (RFC 3464 §2)
  std::string status;           // "5.1.1" (RFC 3464 §2.3.4, RFC 3463)
  std::string action;           // failed | delayed | delivered | relayed | expanded (§2.3.3); "" if unknown
  std::string diagnostic_code;  // "smtp; 550 5.1.1 <x@y>: Recipient address rejected" (§2.3.6)
  std::string final_recipient;  // "rfc822; x@y" (§2.3.2)
  std::optional<int> smtp_code; // 550, from Diagnostic-Code (smtp type) or the bounce text
};

/// Recognises a bounce: Content-Type multipart/report with
/// report-type=delivery-status, or a Subject of a well-known non-standard
/// bounce ("Undelivered Mail Returned to Sender", "Delivery Status
/// Notification (Failure)", "Mail delivery failed", "Undeliverable:",
/// "failure notice", "Returned mail:", "Delivery Status Notification
/// (Delay)"). Walks the MIME tree iteratively (multipart with quoted or
/// unquoted boundaries, base64 and quoted-printable parts, nested
/// message/rfc822 and text/rfc822-headers), takes the first recipient's
/// message/delivery-status fields, and falls back to scanning the text for
/// "550 5.1.1"-style replies. nullopt if the message is not a bounce, and
/// for any message with an X-Mailprobe-Token field at its top level (that is
/// a probe, never a bounce, whatever its Subject says).
std::optional<Bounce> parse_bounce(std::string_view raw_message);

/// parse_bounce, but only for a bounce that mentions `token` (case-insensitive)
/// anywhere in its raw or decoded text. An empty token never matches.
std::optional<Bounce> bounce_for_token(std::string_view raw_message, std::string_view token);

/// True if the report says delivery failed for good: Action failed (RFC 3464
/// §2.3.3), or no Action and a 5.x.x (or no) status. A "delayed" notice or a
/// 4.x.x/2.x.x status is not a failure.
bool is_delivery_failure(const Bounce& b);

}  // namespace mailprobe::insight
