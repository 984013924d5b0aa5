#pragma once

// The SMTP health dialogue reconstructed from a Transcript (pure): greeting,
// EHLO, STARTTLS, EHLO after TLS, NOOP, QUIT, each with its reply and round
// trip. Replies are assembled per RFC 5321 §4.2 (multi-line "250-", bare
// codes) by smtp::ReplyAssembler and paired with the command they answer.

#include <cstdint>
#include <optional>

#include "probe/step.hpp"
#include "probe/transcript.hpp"
#include "smtp/reply.hpp"

namespace mailprobe::probe {

struct SmtpDialogue {
  Step greeting, ehlo, helo, starttls, ehlo_tls, noop, quit;
  std::optional<smtp::EhloCaps> caps;      // first EHLO (plaintext unless implicit TLS)
  std::optional<smtp::EhloCaps> caps_tls;  // EHLO after STARTTLS (RFC 3207 §4.2: discard the old)
  std::int64_t tls_handshake_us = -1;      // STARTTLS 220 -> TLS up
  bool violation = false;                  // a line that is not an SMTP reply line

  /// The capabilities in force for the session: after STARTTLS if it happened.
  const std::optional<smtp::EhloCaps>& effective_caps() const {
    return caps_tls ? caps_tls : caps;
  }
};

/// Pairs replies with commands. `greeting_from` is when the server may start
/// talking (TCP connect, or the TLS handshake for implicit TLS).
SmtpDialogue analyze_smtp(const Transcript& transcript, SteadyClock::time_point greeting_from);

}  // namespace mailprobe::probe
