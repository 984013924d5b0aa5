#pragma once

// The IMAP health dialogue reconstructed from a Transcript (pure): greeting,
// CAPABILITY, STARTTLS, CAPABILITY after TLS, optional LOGIN/AUTHENTICATE,
// NOOP and LOGOUT. Untagged "* CAPABILITY" lines and "[CAPABILITY ...]"
// response codes (RFC 3501 §7.1, §7.2.1) both feed the capability lists.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/step.hpp"
#include "probe/transcript.hpp"

namespace mailprobe::probe {

struct ImapCaps {
  std::vector<std::string> all;    // as advertised, upper-cased
  std::vector<std::string> auth;   // the AUTH= mechanisms
  bool has(std::string_view cap) const;
  /// Plaintext login is possible: AUTH= mechanisms or no LOGINDISABLED
  /// (RFC 3501 §6.2.3 / RFC 2595 §3.2).
  bool login_possible() const;
};

struct ImapDialogue {
  Step greeting, capability, starttls, capability_tls, login, noop, logout;
  std::optional<ImapCaps> caps;       // before STARTTLS (or on implicit TLS)
  std::optional<ImapCaps> caps_tls;   // after STARTTLS (RFC 3501 §6.2.1: the old list is void)
  /// After LOGIN/AUTHENTICATE (RFC 3501 §6.2.2-3 lets the OK carry a new
  /// [CAPABILITY ...]). Kept apart: what a client sees before logging in
  /// (STARTTLS, AUTH=, LOGINDISABLED) is what the findings are about.
  std::optional<ImapCaps> caps_login;
  std::int64_t tls_handshake_us = -1;
  bool violation = false;

  /// The pre-login list in force: after STARTTLS if it ran, else the first.
  const std::optional<ImapCaps>& effective_caps() const { return caps_tls ? caps_tls : caps; }
};

/// Parses "IMAP4rev1 STARTTLS AUTH=PLAIN" into ImapCaps.
ImapCaps parse_imap_caps(std::string_view list);

ImapDialogue analyze_imap(const Transcript& transcript, SteadyClock::time_point greeting_from);

}  // namespace mailprobe::probe
