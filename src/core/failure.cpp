#include "core/failure.hpp"

namespace mailprobe {

std::string_view to_string(Stage s) {
  switch (s) {
    case Stage::none: return "none";
    case Stage::config: return "config";
    case Stage::smtp_connect: return "smtp_connect";
    case Stage::smtp_tls: return "smtp_tls";
    case Stage::smtp_greeting: return "smtp_greeting";
    case Stage::smtp_ehlo: return "smtp_ehlo";
    case Stage::smtp_starttls: return "smtp_starttls";
    case Stage::smtp_auth: return "smtp_auth";
    case Stage::smtp_mail: return "smtp_mail";
    case Stage::smtp_rcpt: return "smtp_rcpt";
    case Stage::smtp_data: return "smtp_data";
    case Stage::imap_connect: return "imap_connect";
    case Stage::imap_tls: return "imap_tls";
    case Stage::imap_greeting: return "imap_greeting";
    case Stage::imap_starttls: return "imap_starttls";
    case Stage::imap_login: return "imap_login";
    case Stage::imap_select: return "imap_select";
    case Stage::imap_wait: return "imap_wait";
    case Stage::imap_fetch: return "imap_fetch";
    case Stage::cleanup: return "cleanup";
    case Stage::done: return "done";
    case Stage::smtp_noop: return "smtp_noop";
    case Stage::smtp_quit: return "smtp_quit";
    case Stage::imap_capability: return "imap_capability";
    case Stage::imap_noop: return "imap_noop";
    case Stage::imap_logout: return "imap_logout";
    case Stage::dns_mx: return "dns_mx";
    case Stage::policy: return "policy";
    case Stage::expect: return "expect";
  }
  return "none";
}

std::string_view to_string(Result r) {
  switch (r) {
    case Result::success: return "success";
    case Result::timeout: return "timeout";
    case Result::dns_error: return "dns_error";
    case Result::connection_refused: return "connection_refused";
    case Result::connection_failed: return "connection_failed";
    case Result::connection_closed: return "connection_closed";
    case Result::tls_error: return "tls_error";
    case Result::tls_verify_failed: return "tls_verify_failed";
    case Result::starttls_unavailable: return "starttls_unavailable";
    case Result::auth_failed: return "auth_failed";
    case Result::temp_reject: return "temp_reject";
    case Result::perm_reject: return "perm_reject";
    case Result::imap_no: return "imap_no";
    case Result::imap_bad: return "imap_bad";
    case Result::protocol_error: return "protocol_error";
    case Result::not_delivered: return "not_delivered";
    case Result::junk: return "junk";
    case Result::bounced: return "bounced";
    case Result::internal_error: return "internal_error";
    case Result::cert_expiring: return "cert_expiring";
    case Result::policy_violation: return "policy_violation";
    case Result::expectation_failed: return "expectation_failed";
  }
  return "internal_error";
}

std::string_view describe(Result r) {
  switch (r) {
    case Result::success: return "delivered";
    case Result::timeout: return "a server did not answer before the deadline (or a signal stopped the run)";
    case Result::dns_error: return "the host name did not resolve";
    case Result::connection_refused: return "nothing listens on that port";
    case Result::connection_failed: return "other connect failure (unreachable, reset)";
    case Result::connection_closed: return "the server hung up mid-dialogue";
    case Result::tls_error: return "the TLS handshake failed";
    case Result::tls_verify_failed: return "the certificate did not verify";
    case Result::starttls_unavailable: return "STARTTLS required but not offered or refused";
    case Result::auth_failed: return "SMTP AUTH or IMAP login refused";
    case Result::temp_reject: return "SMTP 4xx reply";
    case Result::perm_reject: return "SMTP 5xx reply";
    case Result::imap_no: return "IMAP tagged NO";
    case Result::imap_bad: return "IMAP tagged BAD";
    case Result::protocol_error: return "a reply that breaks the protocol";
    case Result::not_delivered: return "accepted by SMTP, never seen in the mailbox in time";
    case Result::junk: return "delivered, but to the junk folder";
    case Result::bounced: return "a bounce (DSN) for the probe came back";
    case Result::internal_error: return "mailprobe itself failed";
    case Result::cert_expiring: return "a certificate expires within the warning threshold";
    case Result::policy_violation: return "a published MTA-STS or DANE policy would make senders refuse this MX";
    case Result::expectation_failed: return "a --expect negative check did not hold";
  }
  return "";
}

const std::vector<Result>& all_results() {
  static const std::vector<Result> all = [] {
    std::vector<Result> v;
    for (int i = 0; i <= static_cast<int>(Result::expectation_failed); ++i) v.push_back(static_cast<Result>(i));
    return v;
  }();
  return all;
}

}  // namespace mailprobe
