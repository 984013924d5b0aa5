#include "net/classify.hpp"

#include <cerrno>
#include <cstring>

namespace mailprobe::net {

namespace {

struct LegStages {
  Stage connect, tls, greeting, starttls, auth;
};

LegStages stages_of(Leg leg) {
  if (leg == Leg::smtp)
    return {Stage::smtp_connect, Stage::smtp_tls, Stage::smtp_greeting, Stage::smtp_starttls, Stage::smtp_auth};
  return {Stage::imap_connect, Stage::imap_tls, Stage::imap_greeting, Stage::imap_starttls, Stage::imap_login};
}

/// The CURLcodes that mean the same on both legs (DNS, connect, TLS,
/// timeout); nullopt when the code is protocol-specific.
std::optional<Failure> transport_failure(const TransferFacts& f, const LegStages& s, Stage current) {
  std::string msg = curl_easy_strerror(f.code);
  switch (f.code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return Failure(s.connect, Result::dns_error, msg);
    case CURLE_COULDNT_CONNECT:
      if (f.os_errno == ECONNREFUSED) return Failure(s.connect, Result::connection_refused, std::strerror(ECONNREFUSED));
      if (f.os_errno != 0) msg += std::string(": ") + std::strerror(static_cast<int>(f.os_errno));
      return Failure(s.connect, Result::connection_failed, msg);
    case CURLE_OPERATION_TIMEDOUT:
      return Failure(current, Result::timeout, msg);
    case CURLE_PEER_FAILED_VERIFICATION:
      return Failure(s.tls, Result::tls_verify_failed, msg);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
      // Handshake failures belong to *_tls whether implicit or after STARTTLS.
      return Failure(s.tls, Result::tls_error, msg);
    default:
      return std::nullopt;
  }
}

Result reject_kind(int code) {
  if (code >= 400 && code < 500) return Result::temp_reject;
  if (code >= 500) return Result::perm_reject;
  return Result::protocol_error;
}

/// SMTP after the shared codes: the last reply decides (RFC 5321 §4.2.1).
Failure smtp_failure(const TransferFacts& f, Stage current) {
  const std::string curl_text = curl_easy_strerror(f.code);
  const bool have_reply = f.last_code.has_value();
  const std::string text = have_reply ? f.last_text : curl_text;
  const int code = f.last_code.value_or(0);
  if (f.no_auth_offered)
    return Failure(Stage::smtp_auth, Result::auth_failed, "credentials given but the server offered no AUTH mechanism");
  if (f.code == CURLE_USE_SSL_FAILED) {
    if (f.dialogue_stage == Stage::smtp_starttls && have_reply && !f.awaiting_reply)
      return Failure(Stage::smtp_starttls, Result::starttls_unavailable, text, code);
    return Failure(Stage::smtp_starttls, Result::starttls_unavailable,
                   "server does not offer STARTTLS (required by --smtp-tls starttls)");
  }
  if (f.code == CURLE_LOGIN_DENIED || f.code == CURLE_AUTH_ERROR)
    return Failure(Stage::smtp_auth, Result::auth_failed, text, code);
  // The server went away without answering the last command.
  if (f.awaiting_reply || !have_reply) return Failure(current, Result::connection_closed, curl_text);
  if (code >= 400) return Failure(current, reject_kind(code), text, code);
  return Failure(current, Result::protocol_error, curl_text + ": " + text, code);
}

/// IMAP login (CONNECT_ONLY) after the shared codes: the last tagged response decides.
Failure imap_failure(const TransferFacts& f, Stage current) {
  const std::string curl_text = curl_easy_strerror(f.code);
  const std::string text = f.last_text.empty() ? curl_text : f.last_text;
  switch (f.code) {
    case CURLE_USE_SSL_FAILED:
      return Failure(Stage::imap_starttls, Result::starttls_unavailable,
                     f.dialogue_stage == Stage::imap_starttls
                         ? text
                         : "server does not offer STARTTLS (required by --imap-tls starttls)");
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
      return Failure(Stage::imap_login, Result::auth_failed, text);
    case CURLE_WEIRD_SERVER_REPLY:
      return Failure(current, Result::protocol_error, text);
    default:
      return Failure(current, f.greeted ? Result::connection_closed : Result::connection_failed, curl_text);
  }
}

}  // namespace

Stage current_stage(const TransferFacts& f) {
  const LegStages s = stages_of(f.leg);
  if (f.greeted) return f.dialogue_stage;
  if (!f.tcp_connected) return s.connect;
  // SMTP charges a greeting that never comes after a finished implicit
  // handshake to smtp_greeting; the IMAP leg has always kept it at imap_tls.
  const bool handshake_pending = f.implicit_tls && (f.leg == Leg::imap || !f.tls_done);
  return handshake_pending ? s.tls : s.greeting;
}

Failure classify(const TransferFacts& f) {
  const LegStages s = stages_of(f.leg);
  const Stage current = current_stage(f);
  if (f.stopped) return Failure(current, Result::timeout, "stopped by signal during " + std::string(to_string(current)));
  if (auto t = transport_failure(f, s, current)) return *t;
  return f.leg == Leg::smtp ? smtp_failure(f, current) : imap_failure(f, current);
}

}  // namespace mailprobe::net
