#include "probe/verdict.hpp"

#include <cerrno>

namespace mailprobe::probe {

Transport transport_of(const net::TransferFacts& f) {
  switch (f.code) {
    case CURLE_OK: return Transport::ok;
    case CURLE_COULDNT_RESOLVE_HOST: return Transport::dns;
    case CURLE_COULDNT_CONNECT: return f.os_errno == ECONNREFUSED ? Transport::refused : Transport::connect_failed;
    case CURLE_OPERATION_TIMEDOUT: return Transport::timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: return Transport::closed;
    case CURLE_SSL_CONNECT_ERROR: return Transport::tls;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE: return Transport::tls_verify;
    case CURLE_USE_SSL_FAILED: return Transport::starttls_failed;
    case CURLE_LOGIN_DENIED: return Transport::login_denied;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_QUOTE_ERROR: return Transport::reply_error;
    default: return Transport::other;
  }
}

namespace {

struct V {
  Stage stage;
  Result result;
  int code = 0;
  std::string error;
};

Result transport_result(Transport t) {
  switch (t) {
    case Transport::timeout: return Result::timeout;
    case Transport::closed: return Result::connection_closed;
    case Transport::tls: return Result::tls_error;
    case Transport::tls_verify: return Result::tls_verify_failed;
    case Transport::login_denied: return Result::auth_failed;
    default: return Result::protocol_error;
  }
}

/// A step that must have a positive reply: nullopt if it did.
std::optional<V> check_step(const Step& s, Stage stage, const ProbeResult& r, bool smtp) {
  if (!s.answered) {
    Result res = r.transport == Transport::ok ? Result::protocol_error : transport_result(r.transport);
    std::string err = r.transport_error.empty() ? "no reply" : r.transport_error;
    return V{stage, res, 0, err};
  }
  if (smtp) {
    if (s.code >= 200 && s.code < 400) return std::nullopt;
    return V{stage, s.code < 500 ? Result::temp_reject : Result::perm_reject, s.code,
             std::to_string(s.code) + " " + s.text()};
  }
  if (s.status == "OK" || s.status == "PREAUTH") return std::nullopt;
  Result res = s.status == "NO" ? Result::imap_no : s.status == "BAD" ? Result::imap_bad
                                                                       : Result::connection_closed;
  return V{stage, res, 0, s.status + " " + s.text()};
}

/// A handshake that did not complete: libcurl's own verification (credentials
/// mode) fails closed as tls_verify_failed, anything else is tls_error.
V handshake_failure(const ProbeResult& r, Stage stage) {
  return V{stage, r.transport == Transport::tls_verify ? Result::tls_verify_failed : Result::tls_error, 0,
           r.transport_error.empty() ? "TLS handshake failed" : r.transport_error};
}

std::optional<V> connect_phase(const ProbeResult& r, Stage connect_stage) {
  switch (r.transport) {
    case Transport::dns: return V{connect_stage, Result::dns_error, 0, r.transport_error};
    case Transport::refused: return V{connect_stage, Result::connection_refused, 0, r.transport_error};
    case Transport::connect_failed:
      return V{connect_stage, Result::connection_failed, 0, r.transport_error};
    default: break;
  }
  if (!r.connected_at)
    return V{connect_stage, r.transport == Transport::timeout ? Result::timeout : Result::connection_failed,
             0, r.transport_error};
  return std::nullopt;
}

/// Certificate verification (fails unless insecure) and then expiry.
std::optional<V> tls_checks(const ProbeResult& r, Stage tls_stage) {
  if (!r.tls) return std::nullopt;
  const auto& t = *r.tls;
  if (!r.insecure) {
    if (!t.chain_ok()) return V{tls_stage, Result::tls_verify_failed, 0, t.verify_error};
    if (!t.host_ok)
      return V{tls_stage, Result::tls_verify_failed, 0, "certificate does not match " + r.host};
  }
  return std::nullopt;
}

std::optional<V> expiry_check(const ProbeResult& r, Stage tls_stage) {
  if (!r.tls || !r.tls->cert) return std::nullopt;
  const auto& c = *r.tls->cert;
  if (c.expired && !r.insecure) return V{tls_stage, Result::tls_verify_failed, 0, "certificate expired"};
  if (r.warn_days > 0 && c.days_until_expiry < r.warn_days)
    return V{tls_stage, Result::cert_expiring, 0,
             "certificate expires in " + std::to_string(c.days_until_expiry) + " days"};
  return std::nullopt;
}

std::optional<V> judge_smtp(const ProbeResult& r) {
  if (auto v = connect_phase(r, Stage::smtp_connect)) return v;
  const SmtpDialogue empty;
  const SmtpDialogue& d = r.smtp ? *r.smtp : empty;
  if (r.tls_mode == TlsMode::tls) {
    if ((r.transport == Transport::tls || r.transport == Transport::tls_verify) && !d.greeting.answered)
      return handshake_failure(r, Stage::smtp_tls);
    if (auto v = tls_checks(r, Stage::smtp_tls)) return v;
  }
  if (auto v = check_step(d.greeting, Stage::smtp_greeting, r, true)) return v;
  if (d.greeting.code != 220)
    return V{Stage::smtp_greeting, Result::protocol_error, d.greeting.code, d.greeting.text()};
  if (auto v = check_step(d.ehlo, Stage::smtp_ehlo, r, true)) return v;
  if (r.tls_mode == TlsMode::starttls) {
    // RFC 3207 §4: STARTTLS must be advertised; never fall back to plaintext.
    if (!d.caps || !d.caps->starttls) {
      return V{Stage::smtp_starttls, Result::starttls_unavailable, 0,
               "server does not offer STARTTLS"};
    }
    if (d.starttls.answered && d.starttls.code != 220) {
      // RFC 3207 §4: 454/501 refuse the upgrade. Same token as "not offered"
      // (the README's contract for check), the code says which.
      return V{Stage::smtp_starttls, Result::starttls_unavailable, d.starttls.code,
               std::to_string(d.starttls.code) + " " + d.starttls.text()};
    }
    if (auto v = check_step(d.starttls, Stage::smtp_starttls, r, true)) return v;
    // One rule with check (README "Stages"): *_starttls is the command, the
    // handshake and certificate that follow its 220 are *_tls.
    if (!r.tls || r.transport == Transport::tls || r.transport == Transport::tls_verify)
      return handshake_failure(r, Stage::smtp_tls);
    if (auto v = tls_checks(r, Stage::smtp_tls)) return v;
    if (auto v = check_step(d.ehlo_tls, Stage::smtp_ehlo, r, true)) return v;
  }
  if (auto v = check_step(d.noop, Stage::smtp_noop, r, true)) return v;
  if (auto v = check_step(d.quit, Stage::smtp_quit, r, true)) return v;
  if (r.transport != Transport::ok)
    return V{Stage::smtp_quit, transport_result(r.transport), 0, r.transport_error};
  return expiry_check(r, Stage::smtp_tls);
}

std::optional<V> judge_imap(const ProbeResult& r) {
  if (auto v = connect_phase(r, Stage::imap_connect)) return v;
  const ImapDialogue empty;
  const ImapDialogue& d = r.imap ? *r.imap : empty;
  if (r.tls_mode == TlsMode::tls) {
    if ((r.transport == Transport::tls || r.transport == Transport::tls_verify) && !d.greeting.answered)
      return handshake_failure(r, Stage::imap_tls);
    if (auto v = tls_checks(r, Stage::imap_tls)) return v;
  }
  if (auto v = check_step(d.greeting, Stage::imap_greeting, r, false)) return v;
  if (d.greeting.status == "BYE")
    return V{Stage::imap_greeting, Result::connection_closed, 0, d.greeting.text()};
  if (d.capability.sent) {
    if (auto v = check_step(d.capability, Stage::imap_capability, r, false)) return v;
  }
  if (r.tls_mode == TlsMode::starttls) {
    if (!d.caps || !d.caps->has("STARTTLS"))
      return V{Stage::imap_starttls, Result::starttls_unavailable, 0, "server does not offer STARTTLS"};
    if (d.starttls.answered && d.starttls.status != "OK")
      return V{Stage::imap_starttls, Result::starttls_unavailable, 0,
               d.starttls.status + " " + d.starttls.text()};
    if (auto v = check_step(d.starttls, Stage::imap_starttls, r, false)) return v;
    if (!r.tls || r.transport == Transport::tls || r.transport == Transport::tls_verify)
      return handshake_failure(r, Stage::imap_tls);
    if (auto v = tls_checks(r, Stage::imap_tls)) return v;
  }
  if (d.login.sent || r.transport == Transport::login_denied) {
    if (auto v = check_step(d.login, Stage::imap_login, r, false)) {
      if (r.transport == Transport::login_denied) v->result = Result::auth_failed;
      return v;
    }
  }
  if (auto v = check_step(d.noop, Stage::imap_noop, r, false)) return v;
  if (auto v = check_step(d.logout, Stage::imap_logout, r, false)) return v;
  if (r.transport != Transport::ok)
    return V{Stage::imap_logout, transport_result(r.transport), 0, r.transport_error};
  return expiry_check(r, Stage::imap_tls);
}

}  // namespace

void judge(ProbeResult& r) {
  auto v = r.protocol == Protocol::smtp ? judge_smtp(r) : judge_imap(r);
  if (!v) {
    r.stage = Stage::done;
    r.result = Result::success;
    r.reply_code = 0;
    r.error.clear();
    return;
  }
  r.stage = v->stage;
  r.result = v->result;
  r.reply_code = v->code;
  r.error = v->error;
}

std::string_view to_string(Protocol p) { return p == Protocol::smtp ? "smtp" : "imap"; }

}  // namespace mailprobe::probe
