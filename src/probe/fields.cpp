#include "probe/fields.hpp"

#include <cstdio>

#include "policy/fields.hpp"

namespace mailprobe::probe {

namespace {

using report::Column;
using report::Role;
using report::Type;
using report::Value;
using report::kAll;
using report::kInflux;
using report::kJson;
using report::kNagiosPerf;
using report::kPrometheus;
using report::kText;

constexpr unsigned kNoProm = kJson | kInflux | kText;   // strings: not a metric

Value secs(std::int64_t us) {
  if (us < 0) return {};
  return static_cast<double>(us) / 1e6;
}
Value i64(std::int64_t v) { return v; }
Value str(const std::string& s) {
  if (s.empty()) return {};
  return s;
}
Value join(const std::vector<std::string>& v, const char* sep = " ") {
  if (v.empty()) return {};
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

const Step* smtp_step(const ProbeResult& r, Step SmtpDialogue::*m) {
  return r.smtp ? &((*r.smtp).*m) : nullptr;
}
const Step* imap_step(const ProbeResult& r, Step ImapDialogue::*m) {
  return r.imap ? &((*r.imap).*m) : nullptr;
}
Value step_secs(const Step* s) { return s && s->answered ? secs(s->micros) : Value{}; }
Value step_code(const Step* s) { return s && s->answered && s->code ? i64(s->code) : Value{}; }

/// The step of either protocol that plays a role: greeting, noop, quit/logout.
const Step* greeting(const ProbeResult& r) {
  return r.smtp ? smtp_step(r, &SmtpDialogue::greeting) : imap_step(r, &ImapDialogue::greeting);
}
const Step* noop(const ProbeResult& r) {
  return r.smtp ? smtp_step(r, &SmtpDialogue::noop) : imap_step(r, &ImapDialogue::noop);
}
const Step* quit(const ProbeResult& r) {
  return r.smtp ? smtp_step(r, &SmtpDialogue::quit) : imap_step(r, &ImapDialogue::logout);
}
const Step* starttls(const ProbeResult& r) {
  return r.smtp ? smtp_step(r, &SmtpDialogue::starttls) : imap_step(r, &ImapDialogue::starttls);
}

const smtp::EhloCaps* caps(const ProbeResult& r) {
  if (!r.smtp) return nullptr;
  const auto& c = r.smtp->effective_caps();
  return c ? &*c : nullptr;
}
Value cap_flag(const ProbeResult& r, bool smtp::EhloCaps::*m) {
  const auto* c = caps(r);
  return c ? Value{c->*m} : Value{};
}

/// Capabilities as offered on a plaintext channel (before STARTTLS, or with
/// --tls none); nullopt on implicit TLS.
std::optional<std::vector<std::string>> plaintext_auth(const ProbeResult& r) {
  if (r.tls_mode == TlsMode::tls) return std::nullopt;
  if (r.smtp && r.smtp->caps) return r.smtp->caps->auth;
  if (r.imap && r.imap->caps) return r.imap->caps->auth;
  return std::nullopt;
}

Value offers_starttls(const ProbeResult& r) {
  if (r.tls_mode == TlsMode::tls) return {};
  if (r.smtp && r.smtp->caps) return r.smtp->caps->starttls;
  if (r.imap && r.imap->caps) return r.imap->caps->has("STARTTLS");
  return {};
}

const tls::CertFacts* cert(const ProbeResult& r) {
  return r.tls && r.tls->cert ? &*r.tls->cert : nullptr;
}

const Column<ProbeResult> kColumns[] = {
    {{"protocol", Type::string, Role::tag, "", kAll, "protocol probed (smtp, imap)"},
     [](const ProbeResult& r) -> Value { return std::string(to_string(r.protocol)); }},
    {{"server", Type::string, Role::tag, "", kAll, "target host as given"},
     [](const ProbeResult& r) -> Value { return str(r.host); }},
    {{"port", Type::integer, Role::tag, "", kAll, "target port"},
     [](const ProbeResult& r) -> Value { return i64(r.port); }},
    {{"tls_mode", Type::string, Role::tag, "", kAll, "none, tls (implicit) or starttls"},
     [](const ProbeResult& r) -> Value { return std::string(to_string(r.tls_mode)); }},
    {{"result", Type::string, Role::tag, "", kAll, "result token (success or the failure kind)"},
     [](const ProbeResult& r) -> Value { return std::string(to_string(r.result)); }},
    {{"stage", Type::string, Role::tag, "", kAll, "stage the probe ended in (done on success)"},
     [](const ProbeResult& r) -> Value { return std::string(to_string(r.stage)); }},
    {{"success", Type::boolean, Role::field, "", kAll, "the service is healthy"},
     [](const ProbeResult& r) -> Value { return r.success(); }},
    {{"result_code", Type::integer, Role::field, "", kAll, "stable integer of result (0 = success)"},
     [](const ProbeResult& r) -> Value { return i64(result_code(r.result)); }},
    {{"error", Type::string, Role::field, "", kNoProm, "why it failed (server text or OS/libcurl message)"},
     [](const ProbeResult& r) -> Value { return str(r.error); }},
    {{"reply_code", Type::integer, Role::field, "", kAll, "server reply code of the failing step"},
     [](const ProbeResult& r) -> Value { return r.reply_code ? i64(r.reply_code) : Value{}; }},
    {{"ip_address", Type::string, Role::field, "", kNoProm, "address actually connected (IPv4 or IPv6)"},
     [](const ProbeResult& r) -> Value { return str(r.ip); }},
    {{"connected_time", Type::timestamp, Role::field, "", kJson | kText, "when the TCP connection was established"},
     [](const ProbeResult& r) -> Value { return r.connected_at ? Value{*r.connected_at} : Value{}; }},
    {{"dns_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "name resolution"},
     [](const ProbeResult& r) -> Value { return secs(r.dns_us); }},
    {{"connect_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "TCP connect"},
     [](const ProbeResult& r) -> Value { return secs(r.connect_us); }},
    {{"greeting_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "connected (or TLS up) to the greeting"},
     [](const ProbeResult& r) -> Value { return step_secs(greeting(r)); }},
    {{"ehlo_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "SMTP EHLO round trip (first EHLO)"},
     [](const ProbeResult& r) -> Value { return step_secs(smtp_step(r, &SmtpDialogue::ehlo)); }},
    {{"capability_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "IMAP CAPABILITY round trip (first)"},
     [](const ProbeResult& r) -> Value { return step_secs(imap_step(r, &ImapDialogue::capability)); }},
    {{"starttls_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "STARTTLS command round trip"},
     [](const ProbeResult& r) -> Value { return step_secs(starttls(r)); }},
    {{"tls_handshake_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "TLS handshake (implicit or after STARTTLS)"},
     [](const ProbeResult& r) -> Value { return secs(r.tls_handshake_us); }},
    {{"ehlo_tls_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "SMTP EHLO round trip after STARTTLS"},
     [](const ProbeResult& r) -> Value { return step_secs(smtp_step(r, &SmtpDialogue::ehlo_tls)); }},
    {{"login_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "IMAP LOGIN/AUTHENTICATE round trip"},
     [](const ProbeResult& r) -> Value { return step_secs(imap_step(r, &ImapDialogue::login)); }},
    {{"response_time_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "NOOP round trip (the seed's response_time)"},
     [](const ProbeResult& r) -> Value { return step_secs(noop(r)); }},
    {{"quit_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "QUIT (SMTP) or LOGOUT (IMAP) round trip"},
     [](const ProbeResult& r) -> Value { return step_secs(quit(r)); }},
    {{"duration_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "whole probe (the seed's duration)"},
     [](const ProbeResult& r) -> Value { return secs(r.total_us); }},
    {{"greeting", Type::string, Role::field, "", kNoProm, "greeting text (multi-line joined with '; ')"},
     [](const ProbeResult& r) -> Value { auto* s = greeting(r); return s && s->answered ? str(s->text()) : Value{}; }},
    {{"greeting_code", Type::integer, Role::field, "", kAll, "SMTP greeting reply code"},
     [](const ProbeResult& r) -> Value { return step_code(greeting(r)); }},
    {{"server_msg", Type::string, Role::field, "", kNoProm, "first line of the EHLO reply in force (the seed's server_msg)"},
     [](const ProbeResult& r) -> Value {
       if (!r.smtp) return {};
       const Step& e = r.smtp->ehlo_tls.answered ? r.smtp->ehlo_tls : r.smtp->ehlo;
       return e.answered && !e.lines.empty() ? str(e.lines.front()) : Value{};
     }},
    {{"ehlo_code", Type::integer, Role::field, "", kAll, "EHLO reply code (after STARTTLS if used)"},
     [](const ProbeResult& r) -> Value {
       if (!r.smtp) return {};
       return step_code(r.smtp->ehlo_tls.sent ? &r.smtp->ehlo_tls : &r.smtp->ehlo);
     }},
    {{"capabilities", Type::string, Role::field, "", kNoProm, "EHLO keywords / IMAP capabilities in force, comma separated"},
     [](const ProbeResult& r) -> Value {
       if (const auto* c = caps(r)) return join(c->keywords, ", ");
       if (r.imap && r.imap->effective_caps()) return join(r.imap->effective_caps()->all, ", ");
       return {};
     }},
    {{"capabilities_before_tls", Type::string, Role::field, "", kNoProm, "capabilities offered before STARTTLS"},
     [](const ProbeResult& r) -> Value {
       if (r.tls_mode != TlsMode::starttls) return {};
       if (r.smtp && r.smtp->caps) return join(r.smtp->caps->keywords, ", ");
       if (r.imap && r.imap->caps) return join(r.imap->caps->all, ", ");
       return {};
     }},
    {{"starttls_offered", Type::boolean, Role::field, "", kAll, "STARTTLS advertised on the plaintext channel"},
     [](const ProbeResult& r) -> Value { return offers_starttls(r); }},
    {{"starttls_code", Type::integer, Role::field, "", kAll, "reply code to STARTTLS (SMTP)"},
     [](const ProbeResult& r) -> Value { return step_code(starttls(r)); }},
    {{"auth_mechanisms", Type::string, Role::field, "", kNoProm, "AUTH mechanisms in force (after TLS when used)"},
     [](const ProbeResult& r) -> Value {
       if (const auto* c = caps(r)) return join(c->auth);
       if (r.imap && r.imap->effective_caps()) return join(r.imap->effective_caps()->auth);
       return {};
     }},
    {{"auth_before_tls", Type::boolean, Role::field, "", kAll, "finding: AUTH offered on a plaintext channel"},
     [](const ProbeResult& r) -> Value {
       auto a = plaintext_auth(r);
       if (!a) return {};
       if (r.imap && r.imap->caps) return r.imap->caps->login_possible();
       return !a->empty();
     }},
    {{"size_bytes", Type::integer, Role::field, "bytes", kAll, "SIZE limit advertised (0 = no limit given)"},
     [](const ProbeResult& r) -> Value {
       const auto* c = caps(r);
       return c && c->size_advertised ? i64(c->size) : Value{};
     }},
    {{"size_mb", Type::number, Role::field, "MB", kAll & ~report::kPrometheus, "SIZE limit in MiB, as the seed shows it"},
     [](const ProbeResult& r) -> Value {
       const auto* c = caps(r);
       return c && c->size_advertised ? Value{static_cast<double>(c->size) / 1048576.0} : Value{};
     }},
    {{"pipelining", Type::boolean, Role::field, "", kAll, "PIPELINING offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::pipelining); }},
    {{"eightbitmime", Type::boolean, Role::field, "", kAll, "8BITMIME offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::eightbitmime); }},
    {{"smtputf8", Type::boolean, Role::field, "", kAll, "SMTPUTF8 offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::smtputf8); }},
    {{"chunking", Type::boolean, Role::field, "", kAll, "CHUNKING offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::chunking); }},
    {{"dsn", Type::boolean, Role::field, "", kAll, "DSN offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::dsn); }},
    {{"requiretls", Type::boolean, Role::field, "", kAll, "REQUIRETLS offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::requiretls); }},
    {{"enhancedstatuscodes", Type::boolean, Role::field, "", kAll, "ENHANCEDSTATUSCODES offered"},
     [](const ProbeResult& r) { return cap_flag(r, &smtp::EhloCaps::enhancedstatuscodes); }},
    {{"noop_code", Type::integer, Role::field, "", kAll, "NOOP reply code"},
     [](const ProbeResult& r) -> Value { return step_code(noop(r)); }},
    {{"noop_reply", Type::string, Role::field, "", kNoProm, "NOOP reply text (IMAP: status and text)"},
     [](const ProbeResult& r) -> Value { auto* s = noop(r); return s && s->answered ? str(s->text()) : Value{}; }},
    {{"noop_enhanced_code", Type::string, Role::field, "", kNoProm, "RFC 3463 enhanced code of the NOOP reply"},
     [](const ProbeResult& r) -> Value { auto* s = noop(r); return s ? str(s->enhanced) : Value{}; }},
    {{"quit_code", Type::integer, Role::field, "", kAll, "QUIT reply code (221)"},
     [](const ProbeResult& r) -> Value { return step_code(quit(r)); }},
    {{"quit_reply", Type::string, Role::field, "", kNoProm, "QUIT / LOGOUT reply text"},
     [](const ProbeResult& r) -> Value { auto* s = quit(r); return s && s->answered ? str(s->text()) : Value{}; }},
    {{"sendmail_code", Type::integer, Role::field, "", kAll, "final reply code of the probe message (--send-email-flag)"},
     [](const ProbeResult& r) -> Value { return r.send_code ? i64(*r.send_code) : Value{}; }},
    {{"sendmail_reply", Type::string, Role::field, "", kNoProm, "final reply text of the probe message"},
     [](const ProbeResult& r) -> Value { return r.send_requested ? str(r.send_text) : Value{}; }},
    {{"queue_id", Type::string, Role::field, "", kNoProm, "queue id from the final reply (\"queued as X\")"},
     [](const ProbeResult& r) -> Value { return str(r.queue_id); }},
    {{"send_seconds", Type::number, Role::field, "s", kAll | kNagiosPerf, "probe message: connect to QUIT"},
     [](const ProbeResult& r) -> Value { return r.send_requested ? secs(r.send_us) : Value{}; }},
    {{"tls_version", Type::string, Role::field, "", kNoProm, "negotiated TLS protocol version"},
     [](const ProbeResult& r) -> Value { return r.tls ? str(r.tls->version) : Value{}; }},
    {{"tls_cipher", Type::string, Role::field, "", kNoProm, "negotiated cipher (OpenSSL name)"},
     [](const ProbeResult& r) -> Value { return r.tls ? str(r.tls->cipher) : Value{}; }},
    {{"cert_subject", Type::string, Role::field, "", kNoProm, "leaf certificate subject (RFC 2253)"},
     [](const ProbeResult& r) -> Value { auto* c = cert(r); return c ? str(c->subject) : Value{}; }},
    {{"cert_issuer", Type::string, Role::field, "", kNoProm, "leaf certificate issuer (RFC 2253)"},
     [](const ProbeResult& r) -> Value { auto* c = cert(r); return c ? str(c->issuer) : Value{}; }},
    {{"cert_sans", Type::string, Role::field, "", kNoProm, "subject alternative names, comma separated"},
     [](const ProbeResult& r) -> Value { auto* c = cert(r); return c ? join(c->sans, ",") : Value{}; }},
    {{"cert_not_after", Type::timestamp, Role::field, "", kJson | kText, "certificate notAfter"},
     [](const ProbeResult& r) -> Value { auto* c = cert(r); return c ? Value{c->not_after} : Value{}; }},
    {{"cert_days_until_expiry", Type::integer, Role::field, "days", (kAll & ~report::kPrometheus) | kNagiosPerf, "whole days until notAfter (negative = expired)"},
     [](const ProbeResult& r) -> Value { auto* c = cert(r); return c ? i64(c->days_until_expiry) : Value{}; }},
    {{"cert_expiry_seconds", Type::integer, Role::field, "s", kAll, "seconds until notAfter (negative = expired)"},
     [](const ProbeResult& r) -> Value { auto* c = cert(r); return c ? i64(c->seconds_until_expiry) : Value{}; }},
    {{"cert_verified", Type::boolean, Role::field, "", kAll, "chain verifies against the CA store and the name matches"},
     [](const ProbeResult& r) -> Value { return r.tls ? Value{r.tls->verified()} : Value{}; }},
    {{"cert_host_match", Type::boolean, Role::field, "", kAll, "certificate is valid for the target host name"},
     [](const ProbeResult& r) -> Value { return r.tls ? Value{r.tls->host_ok} : Value{}; }},
    {{"cert_verify_error", Type::string, Role::field, "", kNoProm, "OpenSSL verify error, when the chain does not verify"},
     [](const ProbeResult& r) -> Value { return r.tls ? str(r.tls->verify_error) : Value{}; }},
};

}  // namespace

std::span<const Column<ProbeResult>> probe_columns() { return kColumns; }

std::string summary_of(const ProbeResult& r) {
  std::string s = std::string(to_string(r.protocol)) + " " + r.host + ":" + std::to_string(r.port) +
                  " (" + std::string(to_string(r.tls_mode)) + ")";
  char buf[64];
  if (r.success()) {
    std::snprintf(buf, sizeof buf, ": healthy in %.3f s", static_cast<double>(r.total_us) / 1e6);
    s += buf;
    if (r.tls) s += ", " + r.tls->version;
    if (auto* c = cert(r)) s += ", certificate expires in " + std::to_string(c->days_until_expiry) + " days";
    return s;
  }
  s += ": " + std::string(to_string(r.result)) + " at " + std::string(to_string(r.stage));
  if (!r.error.empty()) s += " (" + r.error + ")";
  return s;
}

report::Record build_record(const ProbeResult& r) {
  report::Record rec;
  rec.measurement = r.protocol == Protocol::smtp ? "smtp_probe" : "imap_probe";
  rec.time = r.start.wall;
  rec.success = r.success();
  rec.result = r.result;
  rec.stage = r.stage;
  rec.summary = summary_of(r);
  rec.cells = report::build_cells(probe_columns(), r);
  if (r.policy) policy::append_policy_cells(rec, *r.policy);  // --policy
  return rec;
}

}  // namespace mailprobe::probe
