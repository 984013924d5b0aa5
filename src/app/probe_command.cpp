// `mailprobe probe smtp|imap|mx`: parse, validate, run, print one record per
// probe (per MX address), map the outcome to the exit code.

#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "app/commands.hpp"
#include "app/policy_hooks.hpp"
#include "app/probe_options.hpp"
#include "app/render.hpp"
#include "core/exit_code.hpp"
#include "core/token.hpp"
#include "dns/resolver.hpp"
#include "message/probe_message.hpp"
#include "probe/fields.hpp"
#include "probe/mx_rank.hpp"
#include "probe/seed_json.hpp"
#include "probe/session.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::app {

namespace {

probe::SessionConfig session_config(const Options& o) {
  probe::SessionConfig c;
  c.protocol = o.mode == Mode::imap ? probe::Protocol::imap : probe::Protocol::smtp;
  c.host = o.host;
  c.port = o.port;
  c.tls = o.tls;
  c.ca_file = o.ca_file;
  c.insecure = o.insecure;
  c.timeout = o.timeout;
  c.ehlo_name = o.ehlo_name;
  // SMTP credentials are for the probe message only: the health dialogue stays
  // unauthenticated (read-only).
  if (c.protocol == probe::Protocol::imap) {
    c.username = o.username;
    c.password = o.password;
  }
  c.warn_days = o.warn_days;
  return c;
}

/// --send-email-flag true: one probe message through check's sender, after
/// the health steps. Its failure makes the probe fail at that stage.
void send_probe_message(const Options& o, probe::ProbeResult& r) {
  r.send_requested = true;
  smtp::SendRequest req;
  req.server.host = o.host;
  req.server.port = o.port;
  req.server.tls = o.tls;
  req.tls.ca_file = o.ca_file;
  req.tls.insecure = o.insecure;
  req.helo = o.ehlo_name;
  req.creds.username = o.username;
  req.creds.password = o.password;
  req.from = o.email_from;
  req.to = o.email_to;
  auto token = random_token();
  if (!token) {
    r.send_text = "CSPRNG failure";
    r.stage = Stage::smtp_data;
    r.result = Result::internal_error;
    return;
  }
  message::ProbeSpec spec;
  spec.from = o.email_from;
  spec.to = o.email_to;
  spec.prefix = "[mailprobe probe]";
  spec.token = *token;
  spec.host_label = o.ehlo_name;
  spec.date = WallClock::now();
  req.message = message::compose(spec);
  req.deadline = Deadline::in(4 * o.timeout);
  auto rep = smtp::send_message(req);
  r.send_us = micros_between(rep.started, rep.finished);
  if (rep.final_code) r.send_code = rep.final_code;
  else if (rep.failure && rep.failure->reply_code) r.send_code = rep.failure->reply_code;
  r.send_text = rep.final_text;
  r.queue_id = rep.queue_id;
  if (rep.failure && r.success()) {
    r.stage = rep.failure->stage;
    r.result = rep.failure->result;
    r.reply_code = rep.failure->reply_code;
    r.error = rep.failure->reply_text;
    if (r.send_text.empty()) r.send_text = rep.failure->reply_text;
  }
}

int run_service(const Options& o) {
  auto r = probe::run_session(session_config(o));
  apply_policy_to_service(o, r);  // --policy
  if (o.send_email && r.success()) send_probe_message(o, r);
  std::vector<report::Record> records{probe::build_record(r)};
  auto expects = run_expectations(o, r);  // --expect: one row each
  bool expects_ok = true;
  for (auto& e : expects) {
    expects_ok = expects_ok && e.success;
    records.push_back(std::move(e));
  }
  std::string out = o.schema == Schema::seed ? probe::to_seed_json(r) + "\n"
                                             : render_records(records, o.format);  // one HELP/TYPE per family
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  if (r.result == Result::internal_error) return to_int(ExitCode::internal);
  return to_int(r.success() && expects_ok ? ExitCode::ok : ExitCode::check_failed);
}

int run_mx(const Options& o) {
  auto start = WallClock::now();
  auto mxs = dns::lookup_mx(o.host, o.timeout, o.dns_server);
  std::vector<probe::MxTarget> targets;
  std::optional<Failure> lookup_failure;
  if (!mxs) {
    lookup_failure = mxs.error();
  } else if (dns::is_null_mx(mxs.value())) {
    lookup_failure = Failure(Stage::dns_mx, Result::dns_error, "null MX (RFC 7505): the domain accepts no mail");
  } else {
    for (const auto& mx : mxs.value()) {
      auto addrs = dns::resolve_addresses(mx.host);
      if (!addrs) {
        probe::MxTarget t{mx, "", {}};
        t.probe.host = mx.host;
        t.probe.port = o.mx_port;
        t.probe.stage = Stage::smtp_connect;
        t.probe.result = Result::dns_error;
        t.probe.error = addrs.error().reply_text;
        targets.push_back(std::move(t));
        continue;
      }
      for (const auto& a : addrs.value()) targets.push_back({mx, a, {}});
    }
    // One thread and one easy handle per address (libcurl-mail.md §3);
    // std::jthread joins on every exit path.
    std::vector<std::jthread> workers;
    for (auto& t : targets) {
      if (t.address.empty()) continue;
      workers.emplace_back([&o, &t] {
        probe::SessionConfig c;
        c.protocol = probe::Protocol::smtp;
        c.host = t.mx.host;
        c.port = o.mx_port;
        c.tls = probe::TlsMode::starttls;
        c.connect_ip = t.address;
        c.ca_file = o.ca_file;
        c.insecure = o.insecure;
        c.timeout = o.timeout;
        c.ehlo_name = o.ehlo_name;
        c.warn_days = o.warn_days;
        t.probe = probe::run_session(c);
      });
    }
    workers.clear();  // joins them all
    apply_policy_to_mx(o, targets);  // --policy
    probe::rank_mx(targets);
  }
  auto records = probe::mx_records(o.host, targets, lookup_failure ? &*lookup_failure : nullptr, start);
  std::string out = render_records(records, o.format);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  bool any_ok = false;
  for (const auto& t : targets) any_ok = any_ok || t.probe.success();
  return to_int(any_ok ? ExitCode::ok : ExitCode::check_failed);
}

}  // namespace

int run_probe_command(int argc, char** argv) {
  const Options o = parse_probe_options(argc, argv, isatty(STDOUT_FILENO) == 1);
  if (o.help) {
    std::fputs(o.help_text.c_str(), stdout);
    return to_int(ExitCode::ok);
  }
  if (!o.username.empty() && o.tls == probe::TlsMode::none)
    std::fprintf(stderr, "mailprobe: warning: credentials will cross the network unencrypted (--tls none)\n");
  if (o.insecure) std::fprintf(stderr, "mailprobe: warning: --insecure: a certificate that does not verify is only reported\n");
  try {
    return o.mode == Mode::mx ? run_mx(o) : run_service(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mailprobe probe: internal error: %s\n", e.what());
    return to_int(ExitCode::internal);
  }
}

}  // namespace mailprobe::app
