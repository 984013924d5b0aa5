#include "policy/expect.hpp"

#include "smtp/reply.hpp"

namespace mailprobe::policy {

namespace {

Failure usage(std::string msg) { return Failure(Stage::config, Result::internal_error, std::move(msg)); }

bool plausible_address(std::string_view a) {
  auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : a)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || static_cast<unsigned char>(c) >= 0x7f)
      return false;
  return true;
}

const Exchange* find(const std::vector<Exchange>& d, std::string_view verb) {
  for (const auto& e : d)
    if (e.verb == verb) return &e;
  return nullptr;
}

std::string said(const Exchange& e) { return std::to_string(e.code) + (e.text.empty() ? "" : " " + e.text); }

ExpectOutcome auth_refused(const std::vector<Exchange>& d) {
  // The AUTH exchange ends with the reply after the last SASL continuation.
  const Exchange* last = nullptr;
  bool in_auth = false;
  for (const auto& e : d) {
    if (e.verb == "AUTH") in_auth = true;
    else if (e.verb != "<redacted>") in_auth = false;
    if (in_auth) last = &e;
  }
  if (last == nullptr) return {false, 0, "AUTH was never attempted (not offered, or the dialogue ended first)"};
  if (last->code == 535) return {true, 535, "wrong credentials refused: " + said(*last)};
  if (last->code >= 200 && last->code < 300)
    return {false, last->code, "wrong credentials ACCEPTED: " + said(*last)};
  return {false, last->code, "AUTH ended with " + said(*last) + ", not 535"};
}

ExpectOutcome relay_refused(const std::vector<Exchange>& d) {
  const Exchange* mail = find(d, "MAIL");
  if (mail && mail->code >= 400) return {true, mail->code, "MAIL refused: " + said(*mail)};
  const Exchange* rcpt = find(d, "RCPT");
  if (rcpt == nullptr) return {false, 0, "the dialogue ended before RCPT"};
  // RFC 5321 §3.6.2 / Postfix: 554 5.7.1 "Relay access denied"; 454 4.7.1 when
  // the refusal is temporary (e.g. the SASL backend is down).
  if (rcpt->code >= 500 || rcpt->code == 454) return {true, rcpt->code, "relay refused: " + said(*rcpt)};
  if (rcpt->code >= 200 && rcpt->code < 300)
    return {false, rcpt->code, "relaying to a foreign domain ACCEPTED without AUTH: " + said(*rcpt)};
  return {false, rcpt->code, "inconclusive RCPT reply " + said(*rcpt)};
}

ExpectOutcome tls_required(const std::vector<Exchange>& d) {
  for (const char* verb : {"MAIL", "RCPT", "DATA"}) {
    const Exchange* e = find(d, verb);
    if (e == nullptr) break;
    if (e->code >= 400) return {true, e->code, std::string(verb) + " refused without STARTTLS: " + said(*e)};
    if (std::string_view(verb) == "DATA" && e->code == 354)
      return {false, 354, "message accepted without STARTTLS (DATA got 354; aborted before any content)"};
  }
  return {false, 0, "the dialogue ended before DATA without a refusal"};
}

}  // namespace

std::string_view to_string(ExpectKind k) {
  switch (k) {
    case ExpectKind::auth_refused: return "auth_refused";
    case ExpectKind::no_auth_before_tls: return "no_auth_before_tls";
    case ExpectKind::relay_refused: return "relay_refused";
    case ExpectKind::tls_required: return "tls_required";
  }
  return "auth_refused";
}

Outcome<Expectation> parse_expectation(std::string_view text) {
  auto eq = text.find('=');
  std::string_view name = text.substr(0, eq);
  std::string_view arg = eq == std::string_view::npos ? std::string_view{} : text.substr(eq + 1);
  Expectation e;
  if (name == "auth-refused" || name == "no-auth-before-tls") {
    if (eq != std::string_view::npos) return usage("--expect " + std::string(name) + " takes no value");
    e.kind = name == "auth-refused" ? ExpectKind::auth_refused : ExpectKind::no_auth_before_tls;
    return e;
  }
  if (name == "relay-refused" || name == "tls-required") {
    if (!plausible_address(arg))
      return usage("--expect " + std::string(name) + "=USER@DOMAIN needs a recipient address");
    e.kind = name == "relay-refused" ? ExpectKind::relay_refused : ExpectKind::tls_required;
    e.address = std::string(arg);
    return e;
  }
  return usage("--expect must be auth-refused, no-auth-before-tls, relay-refused=ADDR or tls-required=ADDR");
}

std::vector<Exchange> pair_replies(const std::vector<net::DialogueLine>& lines) {
  std::vector<Exchange> out;
  std::string pending;  // the greeting before any command
  bool waiting = true;
  smtp::ReplyAssembler assembler;
  for (const auto& ev : lines) {
    if (!ev.from_server) {
      pending = ev.text;
      waiting = true;
      assembler = smtp::ReplyAssembler{};
      continue;
    }
    auto reply = assembler.feed(ev.text);
    if (!reply || !waiting) continue;
    out.push_back({pending, reply->code, reply->joined()});
    waiting = false;
  }
  return out;
}

ExpectOutcome judge_dialogue(ExpectKind kind, const std::vector<Exchange>& d) {
  switch (kind) {
    case ExpectKind::auth_refused: return auth_refused(d);
    case ExpectKind::relay_refused: return relay_refused(d);
    case ExpectKind::tls_required: return tls_required(d);
    case ExpectKind::no_auth_before_tls: break;
  }
  return {false, 0, "not a dialogue check"};
}

ExpectOutcome judge_plaintext_auth(bool ehlo_answered, const std::vector<std::string>& auth) {
  if (!ehlo_answered) return {false, 0, "no plaintext EHLO reply to inspect"};
  if (auth.empty()) return {true, 0, "AUTH not advertised before STARTTLS"};
  std::string mechs;
  for (const auto& m : auth) mechs += (mechs.empty() ? "" : " ") + m;
  return {false, 0, "AUTH " + mechs + " advertised before STARTTLS"};
}

}  // namespace mailprobe::policy
