#include "check/check_fields.hpp"

#include <cstdio>

#include "report/tag_spec.hpp"

namespace mailprobe::check {

namespace {

using report::Column;
using report::Role;
using report::Type;
using report::Value;
using R = CheckReport;

constexpr unsigned kJ = report::kJson;
constexpr unsigned kAll = report::kAll;
constexpr unsigned kLP = report::kInflux | report::kJson | report::kText;  // not Prometheus
constexpr unsigned kPerf = report::kNagiosPerf;

Value secs(const std::optional<std::int64_t>& us) {
  if (!us) return {};
  return static_cast<double>(*us) / 1e6;
}
Value text(const std::string& s) {
  if (s.empty()) return {};
  return s;
}
Value when(const Stamp& s) {
  if (!s.set()) return {};
  return s.wall;
}
std::optional<std::int64_t> span(const Stamp& a, const Stamp& b) {
  if (!a.set() || !b.set()) return std::nullopt;
  return micros_between(a, b);
}
// Seed 002 durations: integer microseconds, 0 when a stage never ran.
Value seed_us(const Stamp& a, const Stamp& b) { return static_cast<std::int64_t>(micros_between(a, b)); }

const Column<R> kTable[] = {
    // --- seed 002 keys, same names and meaning (JSON) ---
    {{"success", Type::boolean, Role::field, "", kAll, "the probe was found in the mailbox in time", true},
     [](const R& r) -> Value { return r.success; }},
    {{"hash", Type::string, Role::field, "", kJ, "the probe's random token (seed 002 name)", true},
     [](const R& r) -> Value { return text(r.token); }},
    {{"start", Type::timestamp, Role::field, "", kJ | report::kText, "run started", true},
     [](const R& r) { return when(r.start); }},
    {{"start_time_smtp", Type::timestamp, Role::field, "", kJ, "SMTP leg started", true},
     [](const R& r) { return when(r.start_smtp); }},
    {{"start_time_imap", Type::timestamp, Role::field, "", kJ, "SMTP leg ended, IMAP leg started", true},
     [](const R& r) { return when(r.start_imap); }},
    {{"start_time_imap_search", Type::timestamp, Role::field, "", kJ, "the search for the probe started", true},
     [](const R& r) { return when(r.start_imap_search); }},
    {{"end", Type::timestamp, Role::field, "", kJ, "the probe was found (or the wait ended)", true},
     [](const R& r) { return when(r.end); }},
    {{"tries", Type::integer, Role::field, "", kAll, "mailbox checks until found (or given up)", true},
     [](const R& r) -> Value { return static_cast<std::int64_t>(r.tries); }},
    {{"total_duration", Type::integer, Role::field, "us", kJ, "end - start (seed 002)", true},
     [](const R& r) { return seed_us(r.start, r.end); }},
    {{"smtp_duration", Type::integer, Role::field, "us", kJ, "start_time_imap - start_time_smtp (seed 002)", true},
     [](const R& r) { return seed_us(r.start_smtp, r.start_imap); }},
    {{"imap_duration", Type::integer, Role::field, "us", kJ, "end - start_time_imap_search (seed 002)", true},
     [](const R& r) { return seed_us(r.start_imap_search, r.end); }},

    // --- outcome ---
    {{"result", Type::string, Role::tag, "", kAll, "outcome token (see the result table)"},
     [](const R& r) -> Value { return std::string(to_string(r.failure.result)); }},
    {{"result_code", Type::integer, Role::field, "", kAll, "outcome as a stable integer; 0 = success"},
     [](const R& r) -> Value { return static_cast<std::int64_t>(result_code(r.failure.result)); }},
    {{"stage", Type::string, Role::tag, "", kAll, "stage the run ended in (done on success)"},
     [](const R& r) -> Value { return std::string(to_string(r.failure.stage)); }},
    {{"reply_code", Type::integer, Role::field, "", kLP, "SMTP reply code of the failure (0 = none)"},
     [](const R& r) -> Value { return static_cast<std::int64_t>(r.failure.reply_code); }},
    {{"error", Type::string, Role::field, "", kLP, "what the server said / what went wrong"},
     [](const R& r) -> Value { return r.success ? Value{} : text(r.failure.reply_text); }},

    // --- route identity ---
    {{"route", Type::string, Role::tag, "", kAll, "the route's name in the --routes file"},
     [](const R& r) { return text(r.route); }},
    {{"source", Type::string, Role::tag, "", kAll, "who ran the check (--source; default: the host name)"},
     [](const R& r) { return text(r.source); }},
    {{"email_from", Type::string, Role::tag, "", kAll, "envelope sender"},
     [](const R& r) { return text(r.email_from); }},
    {{"email_to", Type::string, Role::tag, "", kAll, "envelope recipient"},
     [](const R& r) { return text(r.email_to); }},
    {{"smtp_server", Type::string, Role::tag, "", kAll, "SMTP host:port"},
     [](const R& r) { return text(r.smtp_server); }},
    {{"imap_server", Type::string, Role::tag, "", kAll, "IMAP host:port"},
     [](const R& r) { return text(r.imap_server); }},
    {{"smtp_tls", Type::string, Role::tag, "", kAll, "SMTP TLS mode: none, tls, starttls"},
     [](const R& r) { return text(r.smtp_tls); }},
    {{"imap_tls", Type::string, Role::tag, "", kAll, "IMAP TLS mode: none, tls, starttls"},
     [](const R& r) { return text(r.imap_tls); }},
    {{"mailbox", Type::string, Role::tag, "", kAll, "watched IMAP mailbox"},
     [](const R& r) { return text(r.mailbox); }},
    {{"placement", Type::string, Role::tag, "", kAll, "where the probe was found: inbox, junk or other"},
     [](const R& r) { return text(r.placement); }},

    // --- timings (float seconds, monotonic clock) ---
    {{"total_seconds", Type::number, Role::field, "s", kAll | kPerf, "start to found (or given up)"},
     [](const R& r) { return secs(r.total_us); }},
    {{"delivery_seconds", Type::number, Role::field, "s", kAll | kPerf, "SMTP accepted (final 250) to landing in the mailbox, both as the servers saw them (see README: timing)"},
     [](const R& r) { return secs(r.delivery_us); }},
    {{"smtp_seconds", Type::number, Role::field, "s", kAll | kPerf, "SMTP leg, connect to the final 250 (it overlaps the IMAP login, so this includes waiting for the mailbox before MAIL FROM; QUIT ends alongside the watch)"},
     [](const R& r) { return secs(span(r.start_smtp, r.start_imap)); }},
    {{"smtp_dns_seconds", Type::number, Role::field, "s", kAll, "SMTP name resolution"},
     [](const R& r) { return secs(r.smtp_dns_us); }},
    {{"smtp_connect_seconds", Type::number, Role::field, "s", kAll, "SMTP DNS + TCP connect"},
     [](const R& r) { return secs(r.smtp_connect_us); }},
    {{"smtp_tls_seconds", Type::number, Role::field, "s", kAll, "SMTP TLS handshake (implicit, or after STARTTLS)"},
     [](const R& r) { return secs(r.smtp_tls_us); }},
    {{"smtp_greeting_seconds", Type::number, Role::field, "s", kAll, "SMTP leg start to the 220 greeting (DNS, connect, TLS if implicit, banner delay)"},
     [](const R& r) { return secs(r.smtp_greeting_us); }},
    {{"smtp_auth_seconds", Type::number, Role::field, "s", kAll, "AUTH to its 235"},
     [](const R& r) { return secs(r.smtp_auth_us); }},
    {{"smtp_transaction_seconds", Type::number, Role::field, "s", kAll, "MAIL FROM to the final 250"},
     [](const R& r) { return secs(r.smtp_transaction_us); }},
    {{"smtp_data_seconds", Type::number, Role::field, "s", kAll, "DATA's 354 (or BDAT's send, RFC 3030) to the final 250 (upload + queueing)"},
     [](const R& r) { return secs(r.smtp_data_us); }},
    {{"imap_connect_seconds", Type::number, Role::field, "s", kAll, "IMAP DNS + TCP connect"},
     [](const R& r) { return secs(r.imap_connect_us); }},
    {{"imap_login_seconds", Type::number, Role::field, "s", kAll, "IMAP connect + TLS + login"},
     [](const R& r) { return secs(r.imap_login_us); }},
    {{"imap_select_seconds", Type::number, Role::field, "s", kAll, "SELECT of the mailbox (plus CAPABILITY when the login reply did not list them)"},
     [](const R& r) { return secs(r.imap_select_us); }},
    {{"imap_wait_seconds", Type::number, Role::field, "s", kAll, "search start to found (or given up)"},
     [](const R& r) { return secs(span(r.start_imap_search, r.end)); }},
    {{"imap_fetch_seconds", Type::number, Role::field, "s", kAll, "fetching the header that confirms the match"},
     [](const R& r) { return secs(r.imap_fetch_us); }},
    {{"cleanup_seconds", Type::number, Role::field, "s", kAll, "deleting the probe"},
     [](const R& r) { return secs(r.cleanup_us); }},
    {{"delivery_error_seconds", Type::number, Role::field, "s", kAll, "error bound of delivery_seconds: half the window between the last check that missed the probe and the first that saw it"},
     [](const R& r) { return secs(r.delivery_error_us); }},
    {{"smtp_rtt_seconds", Type::number, Role::field, "s", kAll, "smallest SMTP command round trip (MAIL, RCPT; EHLO, STARTTLS when no transaction ran): the network RTT"},
     [](const R& r) { return secs(r.smtp_rtt_us); }},
    {{"imap_rtt_seconds", Type::number, Role::field, "s", kAll, "smallest IMAP command round trip while waiting (NOOP, SEARCH): the network RTT"},
     [](const R& r) { return secs(r.imap_rtt_us); }},
    {{"imap_wait_commands", Type::integer, Role::field, "", kAll, "IMAP commands sent while waiting for the probe, on every watched folder (server load)"},
     [](const R& r) -> Value { return r.imap_wait_commands ? Value{*r.imap_wait_commands} : Value{}; }},

    // --- details ---
    {{"method", Type::string, Role::field, "", kLP, "how the probe was noticed: idle or poll"},
     [](const R& r) { return text(r.method); }},
    {{"junk_mailbox", Type::string, Role::field, "", kLP, "junk folder watched alongside the mailbox"},
     [](const R& r) { return text(r.junk_mailbox); }},
    {{"junk_error", Type::string, Role::field, "", kLP, "why the junk folder could not be watched"},
     [](const R& r) { return text(r.junk_error); }},
    {{"mx_tried", Type::integer, Role::field, "", kAll, "MX mode: MX addresses tried before one took the probe (or all failed)"},
     [](const R& r) -> Value { return r.mx_tried ? Value{*r.mx_tried} : Value{}; }},
    {{"queue_id", Type::string, Role::field, "", kLP, "SMTP queue id from \"250 ... queued as X\""},
     [](const R& r) { return text(r.queue_id); }},
    {{"smtp_reply_code", Type::integer, Role::field, "", kLP, "final reply code to the message, after DATA's dot or BDAT LAST (250 = accepted; 0 = none)"},
     [](const R& r) -> Value { return static_cast<std::int64_t>(r.smtp_reply_code); }},
    {{"smtp_reply", Type::string, Role::field, "", kLP, "final reply text to the message, after DATA's dot or BDAT LAST"},
     [](const R& r) { return text(r.smtp_reply); }},
    {{"cleanup", Type::string, Role::field, "", kLP, "what cleanup did: expunged, expunged_checked, moved_to_trash, flagged, skipped, failed, none"},
     [](const R& r) { return text(r.cleanup); }},
    {{"token", Type::string, Role::field, "", report::kInflux | report::kText, "the probe's random token"},
     [](const R& r) { return text(r.token); }},
    {{"smtp_tls_version", Type::string, Role::field, "", kLP, "negotiated TLS protocol on the SMTP leg"},
     [](const R& r) { return text(r.smtp_tls_version); }},
    {{"imap_tls_version", Type::string, Role::field, "", kLP, "negotiated TLS protocol on the IMAP leg"},
     [](const R& r) { return text(r.imap_tls_version); }},
    {{"smtp_ip", Type::string, Role::field, "", kLP, "address the SMTP leg connected to"},
     [](const R& r) { return text(r.smtp_ip); }},
    {{"imap_ip", Type::string, Role::field, "", kLP, "address the IMAP leg connected to"},
     [](const R& r) { return text(r.imap_ip); }},

    // --- delivery insight: the probe's own header (RFC 5321 §4.4, RFC 8601) ---
    {{"hops", Type::integer, Role::field, "", kAll, "Received: hops the probe went through"},
     [](const R& r) -> Value { return r.hop_count ? Value{*r.hop_count} : Value{}; }},
    {{"slowest_hop_seconds", Type::number, Role::field, "s", kAll, "delay of the slowest hop (Received dates have 1 s resolution)"},
     [](const R& r) { return secs(r.slowest_hop_us); }},
    {{"slowest_hop", Type::string, Role::field, "", kLP, "the host (Received: by) of the slowest hop"},
     [](const R& r) { return text(r.slowest_hop); }},
    {{"clock_skew", Type::boolean, Role::field, "", kAll, "a hop's Received date is before the previous hop's"},
     [](const R& r) -> Value { return r.clock_skew ? Value{*r.clock_skew} : Value{}; }},
    {{"receiving_queue_ids", Type::string, Role::field, "", kLP, "queue ids from the Received headers, oldest first (join with queue_id in the logs)"},
     [](const R& r) { return text(r.receiving_ids); }},
    {{"spf", Type::string, Role::field, "", kLP, "SPF result from Authentication-Results"},
     [](const R& r) { return text(r.spf); }},
    {{"dkim", Type::string, Role::field, "", kLP, "DKIM result from Authentication-Results"},
     [](const R& r) { return text(r.dkim); }},
    {{"dmarc", Type::string, Role::field, "", kLP, "DMARC result from Authentication-Results"},
     [](const R& r) { return text(r.dmarc); }},
    {{"spam_score", Type::number, Role::field, "", kAll, "spam score (X-Spam-Status, X-Spam-Score, X-Rspamd-Score)"},
     [](const R& r) -> Value { return r.spam_score ? Value{*r.spam_score} : Value{}; }},
    {{"spam_flag", Type::boolean, Role::field, "", kAll, "the receiving side flagged the probe as spam"},
     [](const R& r) -> Value { return r.spam_flag ? Value{*r.spam_flag} : Value{}; }},
    {{"bounce_status", Type::string, Role::field, "", kLP, "status code of the bounce (DSN) that came back"},
     [](const R& r) { return text(r.bounce_status); }},
    {{"bounce_error", Type::string, Role::field, "", kLP, "why the sender's mailbox could not be watched for bounces"},
     [](const R& r) { return text(r.bounce_error); }},

    // --- late and lost probes across runs (--state-file) ---
    {{"late_probes", Type::integer, Role::field, "", kAll, "earlier probes that arrived after their run gave up"},
     [](const R& r) -> Value { return r.late_count ? Value{*r.late_count} : Value{}; }},
    {{"late_max_seconds", Type::number, Role::field, "s", kAll, "largest send-to-arrival delay among those late probes"},
     [](const R& r) { return secs(r.late_max_us); }},
    {{"lost_probes", Type::integer, Role::field, "", kAll, "earlier probes given up for lost (older than --lost-after)"},
     [](const R& r) -> Value { return r.lost_count ? Value{*r.lost_count} : Value{}; }},
    {{"pending_probes", Type::integer, Role::field, "", kAll, "probes still awaited in the state file"},
     [](const R& r) -> Value { return r.pending_count ? Value{*r.pending_count} : Value{}; }},
    {{"state_error", Type::string, Role::field, "", kLP, "why the state file could not be used"},
     [](const R& r) { return text(r.state_error); }},
};

std::string seconds_text(const std::optional<std::int64_t>& us) {
  double s = us ? static_cast<double>(*us) / 1e6 : 0.0;
  char buf[32];
  if (s < 1.0)
    std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

}  // namespace

std::span<const Column<CheckReport>> check_table() { return kTable; }

report::TextLayout check_text_layout() {
  // IMAP opens first (a bad login sends nothing), then SMTP, then the wait.
  static constexpr std::string_view kStages[] = {
      "imap_connect_seconds", "imap_login_seconds", "imap_select_seconds", "smtp_dns_seconds",
      "smtp_connect_seconds", "smtp_tls_seconds", "smtp_greeting_seconds", "smtp_auth_seconds",
      "smtp_transaction_seconds", "smtp_data_seconds", "delivery_seconds", "imap_fetch_seconds",
      "cleanup_seconds"};
  static constexpr std::string_view kHeader[] = {"email_from", "email_to", "smtp_server", "smtp_tls",
                                                 "smtp_tls_version", "imap_server", "imap_tls", "mailbox",
                                                 "queue_id", "placement", "cleanup"};
  return {kStages, kHeader, "total_seconds"};
}

report::Record to_record(const CheckReport& r) {
  report::Record rec;
  rec.measurement = kMeasurement;
  rec.time = r.start.wall;
  rec.success = r.success;
  rec.result = r.failure.result;
  rec.stage = r.failure.stage;
  if (r.placement == "junk") {
    rec.summary = "delivered to JUNK (" + r.junk_mailbox + ") " + r.email_from + " -> " + r.email_to + " in " +
                  seconds_text(r.delivery_us);
  } else if (r.success) {
    rec.summary = "delivered " + r.email_from + " -> " + r.email_to + " in " +
                  seconds_text(r.delivery_us) + " (" + r.method + ", " + std::to_string(r.tries) +
                  (r.tries == 1 ? " try)" : " tries)");
  } else {
    rec.summary = std::string(to_string(r.failure.stage)) + ": " +
                  std::string(to_string(r.failure.result));
    if (r.failure.reply_code) rec.summary += " " + std::to_string(r.failure.reply_code);
    if (!r.failure.reply_text.empty()) rec.summary += " " + r.failure.reply_text;
  }
  rec.cells = report::build_cells(check_table(), r);
  // --tag key=value: tags beside the table's, in every format.
  for (const auto& [key, value] : r.tags) rec.cells.push_back({report::tag_spec(key), value});
  return rec;
}

}  // namespace mailprobe::check
