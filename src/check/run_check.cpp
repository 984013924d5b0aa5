#include "check/run_check.hpp"

#include <unistd.h>

#include "check/cleanup.hpp"
#include "check/watcher.hpp"
#include "core/token.hpp"
#include "imap/curl_link.hpp"
#include "imap/session.hpp"
#include "message/probe_message.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

namespace {

std::string local_hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

/// Logs out politely within a short bound; the result does not matter.
void logout(imap::Session& s, const Deadline& dl) {
  Deadline bound = Deadline::in(std::chrono::milliseconds(std::min(dl.remaining_ms(), 2000L)));
  if (bound.remaining_ms() > 0) (void)s.command("LOGOUT", bound, Stage::done);
}

void fail(CheckReport& r, Failure f) {
  r.success = false;
  r.failure = std::move(f);
}

}  // namespace

CheckReport run_check(const CheckConfig& cfg, const ProgressFn& progress, const std::atomic<bool>* stop) {
  CheckReport r;
  r.start = Stamp::now();
  const Deadline dl{r.start.steady + cfg.timeout};
  r.email_from = cfg.email_from;
  r.email_to = cfg.email_to;
  r.smtp_server = cfg.smtp.authority();
  r.imap_server = cfg.imap.authority();
  r.smtp_tls = std::string(net::to_string(cfg.smtp.tls));
  r.imap_tls = std::string(net::to_string(cfg.imap.tls));
  r.mailbox = cfg.mailbox;
  r.cleanup = "none";

  auto finish = [&r]() -> CheckReport& {
    r.finish = Stamp::now();
    if (!r.end.set()) r.end = r.finish;
    r.total_us = micros_between(r.start, r.end);
    return r;
  };

  auto token = random_token();
  if (!token) {
    fail(r, Failure(Stage::config, Result::internal_error, "the CSPRNG failed to produce a token"));
    return finish();
  }
  r.token = *token;

  // IMAP first: a wrong password or missing mailbox must fail the run before
  // a probe is sent that nobody could find or clean up, and a mailbox that is
  // already selected sees the probe the moment it lands.
  imap::LinkInfo li;
  auto link = imap::CurlLink::open(cfg.imap, cfg.tls, cfg.imap_creds, dl, li);
  r.imap_connect_us = li.connect_us;
  r.imap_tls_us = li.tls_us;
  r.imap_login_us = li.login_us;
  r.imap_ip = li.ip;
  if (!link) {
    fail(r, link.error());
    return finish();
  }
  imap::Session session(*link.value());
  auto t_sel = SteadyClock::now();
  auto caps_rs = session.command("CAPABILITY", dl, Stage::imap_login);
  if (!caps_rs) {
    fail(r, caps_rs.error());
    return finish();
  }
  std::tie(r.imap_tls_version, r.imap_tls_cipher) = link.value()->tls_details();
  std::set<std::string> caps;
  for (const auto& resp : caps_rs.value())
    if (auto c = imap::capabilities(resp)) caps.insert(c->begin(), c->end());
  r.imap_idle_supported = caps.count("IDLE") > 0;

  auto mbox = imap::astring(cfg.mailbox);
  auto sel = session.command("SELECT " + mbox.value_or("INBOX"), dl, Stage::imap_select);
  if (!sel) {
    fail(r, sel.error());
    logout(session, dl);
    return finish();
  }
  std::uint32_t uidnext = 1;
  for (const auto& resp : sel.value())
    if (auto n = imap::code_number(resp, "UIDNEXT")) uidnext = *n;
  session.take_new_mail();
  r.imap_select_us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t_sel).count();

  // SMTP: send the probe.
  message::ProbeSpec spec{cfg.email_from, cfg.email_to, cfg.prefix, r.token, local_hostname(),
                          WallClock::now()};
  smtp::SendRequest req{cfg.smtp, cfg.tls, cfg.smtp_creds,
                        cfg.helo.empty() ? local_hostname() : cfg.helo,
                        cfg.email_from, cfg.email_to, message::compose(spec), dl};
  r.start_smtp = Stamp::now();
  smtp::SendReport sent = smtp::send_message(req);
  r.start_imap = Stamp::now();
  r.queue_id = sent.queue_id;
  r.smtp_reply_code = sent.final_code;
  r.smtp_reply = sent.final_text;
  r.smtp_ip = sent.ip;
  r.smtp_tls_version = sent.tls_version;
  r.smtp_tls_cipher = sent.tls_cipher;
  r.smtp_dns_us = sent.dns_us;
  r.smtp_connect_us = sent.connect_us;
  r.smtp_tls_us = sent.tls_us;
  r.smtp_greeting_us = sent.greeting_us;
  r.smtp_auth_us = sent.auth_us;
  r.smtp_transaction_us = sent.transaction_us;
  r.smtp_data_us = sent.data_us;
  if (sent.failure) {
    fail(r, *sent.failure);
    logout(session, dl);
    return finish();
  }

  // Wait for delivery: bounded by --check-frequency x --max-checks (seed 002)
  // and by the overall deadline minus a reserve for fetch, cleanup and logout.
  r.start_imap_search = Stamp::now();
  auto reserve = std::min<SteadyClock::duration>(std::chrono::seconds(2), cfg.timeout / 5);
  WaitPlan plan;
  plan.token = r.token;
  plan.uid_from = uidnext;
  plan.idle = r.imap_idle_supported;
  plan.check_frequency = cfg.check_frequency;
  plan.wait_until = std::min(r.start_imap_search.steady + cfg.check_frequency * cfg.max_checks, dl.at - reserve);
  plan.deadline = dl;
  auto waited = wait_for_probe(session, plan, progress, stop);
  if (!waited) {
    r.end = Stamp::now();
    fail(r, waited.error());
    logout(session, dl);
    return finish();
  }
  const WaitOutcome& w = waited.value();
  r.tries = w.tries;
  if (!w.found) {
    r.end = Stamp::now();
    double waited_s = std::chrono::duration<double>(r.end.steady - r.start_imap_search.steady).count();
    char buf[160];
    std::snprintf(buf, sizeof buf, "probe not found in %s after %d checks in %.1f s", cfg.mailbox.c_str(),
                  w.tries, waited_s);
    fail(r, Failure(Stage::imap_wait, Result::not_delivered, buf));
    logout(session, dl);
    return finish();
  }
  r.end = w.seen;
  r.uid = w.uid;
  r.method = w.method;
  r.imap_fetch_us = w.fetch_us;
  if (sent.accepted) r.delivery_us = micros_between(*sent.accepted, w.seen);

  if (cfg.cleanup) {
    auto c = delete_probe(session, w.uid, caps, dl);
    r.cleanup = c.action;
    r.cleanup_error = c.error;
    r.cleanup_us = c.us;
  } else {
    r.cleanup = "skipped";
  }
  logout(session, dl);
  r.success = true;
  r.failure = Failure(Stage::done, Result::success);
  return finish();
}

}  // namespace mailprobe::check
