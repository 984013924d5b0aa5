#include "check/run_check.hpp"

#include <unistd.h>

#include <thread>

#include "check/cleanup.hpp"
#include "check/imap_leg.hpp"
#include "check/watcher.hpp"
#include "core/token.hpp"
#include "message/probe_message.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

namespace {

std::string local_hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

void fail(CheckReport& r, Failure f) {
  r.success = false;
  r.failure = std::move(f);
}

void copy_smtp(CheckReport& r, const smtp::SendReport& sent) {
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
}

void copy_imap(CheckReport& r, const ImapLeg& leg) {
  r.imap_connect_us = leg.info.connect_us;
  r.imap_tls_us = leg.info.tls_us;
  r.imap_login_us = leg.info.login_us;
  r.imap_ip = leg.info.ip;
  r.imap_tls_version = leg.tls_version;
  r.imap_tls_cipher = leg.tls_cipher;
  r.imap_select_us = leg.select_us;
  r.imap_idle_supported = leg.caps.count("IDLE") > 0;
}

/// The junk folder's own connection, opened and selected in parallel with the
/// watched mailbox so that watching it adds no latency to the inbox case.
struct JunkWatch {
  std::unique_ptr<ImapLeg> leg;
  std::string error;
  std::thread opener;

  void start(const CheckConfig& cfg, const Deadline& dl, const std::atomic<bool>* stop) {
    opener = std::thread([this, &cfg, dl, stop] {
      auto l = open_leg(cfg, dl, stop);
      if (l) leg = std::move(l.value());
      else error = l.error().reply_text;
    });
  }
  /// Waits for the login, then selects `name` ("" = no junk folder).
  void select(const std::string& name, const Deadline& dl) {
    if (opener.joinable()) opener.join();
    if (!leg) return;
    if (name.empty()) {
      logout(*leg, dl);
      leg.reset();
      return;
    }
    if (auto st = select_mailbox(*leg, name, dl); !st) {
      error = st.error().reply_text;
      logout(*leg, dl);
      leg.reset();
    }
  }
  void finish(const Deadline& dl) {
    if (opener.joinable()) opener.join();
    if (leg) logout(*leg, dl);
  }
};

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
  JunkWatch junk;
  const bool want_junk = cfg.junk_mailbox != "none";
  if (want_junk) junk.start(cfg, dl, stop);
  auto opened = open_leg(cfg, dl, stop);
  if (!opened) {
    junk.finish(dl);
    fail(r, opened.error());
    return finish();
  }
  ImapLeg& inbox = *opened.value();
  std::string junk_name;
  if (want_junk) junk_name = cfg.junk_mailbox == "auto" ? find_junk(*inbox.session, dl) : cfg.junk_mailbox;
  if (junk_name == cfg.mailbox) junk_name.clear();
  if (auto st = select_mailbox(inbox, cfg.mailbox, dl); !st) {
    copy_imap(r, inbox);
    junk.finish(dl);
    fail(r, st.error());
    logout(inbox, dl);
    return finish();
  }
  copy_imap(r, inbox);
  if (want_junk) {
    junk.select(junk_name, dl);
    if (junk.leg) r.junk_mailbox = junk_name;
    else if (!junk.error.empty()) r.junk_error = junk.error;
  }
  auto abandon = [&](Failure f) -> CheckReport& {
    fail(r, std::move(f));
    junk.finish(dl);
    logout(inbox, dl);
    return finish();
  };

  // SMTP: send the probe.
  message::ProbeSpec spec{cfg.email_from, cfg.email_to, cfg.prefix, r.token, local_hostname(), WallClock::now()};
  smtp::SendRequest req{cfg.smtp, cfg.tls, cfg.smtp_creds, cfg.helo.empty() ? local_hostname() : cfg.helo,
                        cfg.email_from, cfg.email_to, message::compose(spec), dl, stop};
  r.start_smtp = Stamp::now();
  smtp::SendReport sent = smtp::send_message(req);
  r.start_imap = Stamp::now();
  copy_smtp(r, sent);
  if (sent.failure) return abandon(*sent.failure);

  // Wait for delivery in both folders at once: bounded by --check-frequency x
  // --max-checks (seed 002) and by the overall deadline minus a reserve for
  // fetch, cleanup and logout. Whichever finds the probe stops the other.
  r.start_imap_search = Stamp::now();
  auto reserve = std::min<SteadyClock::duration>(std::chrono::seconds(2), cfg.timeout / 5);
  WaitPlan plan;
  plan.token = r.token;
  plan.uid_from = inbox.uidnext;
  plan.idle = r.imap_idle_supported;
  plan.check_frequency = cfg.check_frequency;
  plan.wait_until = std::min(r.start_imap_search.steady + cfg.check_frequency * cfg.max_checks, dl.at - reserve);
  plan.deadline = dl;

  std::atomic<bool> in_inbox{false}, in_junk{false};
  auto signalled = [stop] { return stop && stop->load(); };
  std::optional<Outcome<WaitOutcome>> junk_wait;
  std::thread junk_thread;
  if (junk.leg) {
    WaitPlan jp = plan;
    jp.uid_from = junk.leg->uidnext;
    jp.idle = junk.leg->caps.count("IDLE") > 0;
    junk_thread = std::thread([&, jp] {
      junk_wait = wait_for_probe(*junk.leg->session, jp, {}, [&] { return in_inbox.load() || signalled(); });
      if (junk_wait->has_value() && junk_wait->value().found) in_junk = true;
    });
  }
  auto waited = wait_for_probe(*inbox.session, plan, progress, [&] { return in_junk.load() || signalled(); });
  if (waited && waited.value().found) in_inbox = true;
  if (junk_thread.joinable()) junk_thread.join();

  ImapLeg* where = &inbox;
  const WaitOutcome* w = nullptr;
  if (waited && waited.value().found) {
    w = &waited.value();
    r.placement = cfg.mailbox == "INBOX" ? "inbox" : "other";
  } else if (junk_wait && junk_wait->has_value() && junk_wait->value().found) {
    w = &junk_wait->value();
    where = junk.leg.get();
    r.placement = "junk";
  }
  if (waited) r.tries = waited.value().tries;
  if (!w) {
    r.end = Stamp::now();
    if (signalled()) return abandon(Failure(Stage::imap_wait, Result::timeout, "stopped by signal while waiting for delivery"));
    if (!waited) return abandon(waited.error());
    if (junk_wait && !junk_wait->has_value()) r.junk_error = junk_wait->error().reply_text;
    double waited_s = std::chrono::duration<double>(r.end.steady - r.start_imap_search.steady).count();
    char buf[200];
    std::snprintf(buf, sizeof buf, "probe not found in %s%s%s after %d checks in %.1f s", cfg.mailbox.c_str(),
                  r.junk_mailbox.empty() ? "" : " or ", r.junk_mailbox.c_str(), r.tries, waited_s);
    return abandon(Failure(Stage::imap_wait, Result::not_delivered, buf));
  }
  r.end = w->seen;
  r.uid = w->uid;
  r.method = w->method;
  r.imap_fetch_us = w->fetch_us;
  if (sent.accepted) r.delivery_us = micros_between(*sent.accepted, w->seen);

  if (cfg.cleanup) {
    auto c = delete_probe(*where->session, w->uid, where->caps, dl);
    r.cleanup = c.action;
    r.cleanup_error = c.error;
    r.cleanup_us = c.us;
  } else {
    r.cleanup = "skipped";
  }
  junk.finish(dl);
  logout(inbox, dl);
  if (r.placement == "junk") {
    // Delivered, but filed as spam: its own result so users can alert on it.
    r.success = !cfg.junk_is_failure;
    r.failure = Failure(Stage::done, Result::junk, "delivered to " + r.junk_mailbox);
  } else {
    r.success = true;
    r.failure = Failure(Stage::done, Result::success);
  }
  return finish();
}

}  // namespace mailprobe::check
