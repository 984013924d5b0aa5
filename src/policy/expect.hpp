#pragma once

// `probe smtp --expect`: negative checks that prove a server refuses what it
// must. Parsing the flag and judging a recorded dialogue are pure; the
// dialogues themselves run in expect_run.hpp.

#include <string>
#include <string_view>
#include <vector>

#include "core/failure.hpp"
#include "net/smtp_dialogue.hpp"

namespace mailprobe::policy {

enum class ExpectKind {
  auth_refused,        // wrong credentials get 535 (RFC 4954 §6)
  no_auth_before_tls,  // AUTH not advertised before STARTTLS (RFC 3207 §4.1, RFC 8314 §3.3)
  relay_refused,       // RCPT to a foreign domain without AUTH refused (RFC 5321 §3.6.1)
  tls_required,        // no message accepted without STARTTLS (RFC 3207 §4, 530 5.7.0)
};
std::string_view to_string(ExpectKind k);

struct Expectation {
  ExpectKind kind = ExpectKind::auth_refused;
  std::string address;  // relay-refused / tls-required: the RCPT TO address
};

/// "auth-refused", "no-auth-before-tls", "relay-refused=USER@FOREIGN",
/// "tls-required=USER@DOMAIN". Failure{Stage::config, internal_error, line}.
Outcome<Expectation> parse_expectation(std::string_view text);

/// One command and the final reply to it. The greeting has verb "".
struct Exchange {
  std::string verb;  // redacted: "EHLO name", "AUTH", "MAIL", "<redacted>" (SASL data)...
  int code = 0;
  std::string text;
};

/// Pairs each complete reply with the (redacted) command before it (RFC 5321 §4.2).
std::vector<Exchange> pair_replies(const std::vector<net::DialogueLine>& lines);

struct ExpectOutcome {
  bool met = false;
  int reply_code = 0;   // the deciding reply, 0 if none
  std::string detail;   // one line: what happened
};

/// Judges a dialogue of auth_refused, relay_refused or tls_required. The
/// client stops once DATA gets 354, before any message byte goes out, so a
/// failed check never delivers mail.
ExpectOutcome judge_dialogue(ExpectKind kind, const std::vector<Exchange>& dialogue);

/// Judges no_auth_before_tls from the AUTH mechanisms of the plaintext EHLO.
ExpectOutcome judge_plaintext_auth(bool ehlo_answered, const std::vector<std::string>& plaintext_auth);

}  // namespace mailprobe::policy
