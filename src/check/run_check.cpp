#include "check/run_check.hpp"

#include <thread>

#include "check/cleanup.hpp"
#include "check/delivery_insight.hpp"
#include "check/delivery_timing.hpp"
#include "check/imap_leg.hpp"
#include "check/late_probes.hpp"
#include "check/send_leg.hpp"
#include "check/watcher.hpp"
#include "core/token.hpp"
#include "insight/dsn.hpp"
#include "message/probe_message.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

namespace {

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

/// A second connection (the junk folder, or the sender's mailbox for
/// bounces), logged in and selected in parallel with the watched mailbox so
/// that watching it adds no latency to the inbox case. Optional: if it cannot
/// be opened the run goes on without it and says why.
struct SideLeg {
  std::unique_ptr<ImapLeg> leg;
  std::string error;
  std::thread opener;

  void start(const CheckConfig& cfg, const Deadline& dl, const std::atomic<bool>* stop,
             const net::Credentials* creds = nullptr) {
    opener = std::thread([this, &cfg, dl, stop, creds] {
      auto l = open_leg(cfg, dl, stop, creds);
      if (l) leg = std::move(l.value());
      else error = l.error().reply_text;
    });
  }
  /// Waits for the login, then selects `name` ("" = not wanted after all).
  void select(const std::string& name, const Deadline& dl) {
    if (opener.joinable()) opener.join();
    if (!leg) return;
    if (!name.empty()) {
      if (auto st = select_mailbox(*leg, name, dl)) return;
      else error = st.error().reply_text;
    }
    logout(*leg, dl);
    leg.reset();
  }
  void finish(const Deadline& dl) {
    if (opener.joinable()) opener.join();
    if (leg) logout(*leg, dl);
  }
};

/// Runs one watcher on its own thread; `found` turns true when it finds.
struct SideWait {
  std::optional<Outcome<WaitOutcome>> result;
  std::thread thread;

  void start(ImapLeg& leg, WaitPlan plan, std::atomic<bool>& found, std::function<bool()> stop) {
    thread = std::thread([this, &leg, plan = std::move(plan), &found, stop = std::move(stop)] {
      result = wait_for_probe(*leg.session, plan, {}, stop);
      if (result->has_value() && result->value().found) found = true;
    });
  }
  void join() {
    if (thread.joinable()) thread.join();
  }
  const WaitOutcome* found() const {
    return result && result->has_value() && result->value().found ? &result->value() : nullptr;
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

  // Both legs at once (send_leg.hpp): SMTP connects, secures, greets and
  // authenticates while IMAP logs in and selects. MAIL FROM waits for the
  // mailbox: a wrong password or missing mailbox must fail the run before a
  // probe is sent that nobody could find or clean up, and a mailbox that is
  // already selected sees the probe the moment it lands.
  message::ProbeSpec spec{cfg.email_from, cfg.email_to, cfg.prefix, r.token, net::local_hostname(), WallClock::now()};
  smtp::SendRequest req{cfg.smtp, cfg.tls, cfg.smtp_creds, cfg.helo.empty() ? net::local_hostname() : cfg.helo,
                        cfg.email_from, cfg.email_to, message::compose(spec), dl, {}, stop, {}, {}};
  r.start_smtp = Stamp::now();
  // The watch starts at the final 250; QUIT finishes on the leg's thread.
  // The leg's destructor ends an unreleased dialogue before MAIL FROM.
  SendLeg send;
  send.start(cfg, std::move(req), /*gated=*/true, stop);

  SideLeg junk, bounce;
  const bool want_junk = cfg.junk_mailbox != "none";
  if (want_junk) junk.start(cfg, dl, stop);
  if (cfg.bounce_creds.present()) bounce.start(cfg, dl, stop, &cfg.bounce_creds);
  auto finish_sides = [&] {
    junk.finish(dl);
    bounce.finish(dl);
  };
  auto opened = open_leg(cfg, dl, stop);
  if (!opened) {
    send.release(false);
    finish_sides();
    fail(r, opened.error());
    return finish();
  }
  ImapLeg& inbox = *opened.value();
  std::string junk_name;
  Status st = ok();
  if (want_junk && cfg.junk_mailbox == "auto") {
    st = select_and_find_junk(inbox, cfg.mailbox, dl, junk_name);
  } else {
    if (want_junk) junk_name = cfg.junk_mailbox;
    st = select_mailbox(inbox, cfg.mailbox, dl);
  }
  if (junk_name == cfg.mailbox) junk_name.clear();
  copy_imap(r, inbox);
  if (!st) {
    send.release(false);
    finish_sides();
    fail(r, st.error());
    logout(inbox, dl);
    return finish();
  }
  if (want_junk) {
    junk.select(junk_name, dl);
    if (junk.leg) r.junk_mailbox = junk_name;
    else if (!junk.error.empty()) r.junk_error = junk.error;
  }
  bool accepted = false;
  auto abandon = [&](Failure f) -> CheckReport& {
    // A probe that was accepted but not seen may still arrive (whatever then
    // went wrong on the IMAP side): remember it so a later run can count and
    // clean it up. A bounced probe will not arrive.
    bool pending = accepted && f.result != Result::bounced;
    fail(r, std::move(f));
    settle_late_probes(r, cfg, &inbox, junk.leg.get(), pending ? r.token : std::string(), dl);
    finish_sides();
    logout(inbox, dl);
    return finish();
  };
  if (cfg.bounce_creds.present()) {
    // Optional like the junk leg: without it the run still measures delivery.
    bounce.select("INBOX", dl);
    if (!bounce.leg) r.bounce_error = bounce.error.empty() ? "could not open the bounce mailbox" : bounce.error;
  }

  // SMTP: let the envelope go and wait for the final reply (not for QUIT).
  send.release(true);
  if (!send.wait_accepted()) {
    SendOutcome& so = send.finish();
    r.smtp_server = so.server.empty() ? r.smtp_server : so.server;
    r.mx_tried = so.mx_tried;
    if (so.mx_failure) return abandon(*so.mx_failure);
    copy_smtp(r, so.sent);
    return abandon(so.sent.failure ? *so.sent.failure
                                   : Failure(Stage::smtp_data, Result::protocol_error, "no final 250 reply"));
  }
  r.start_imap = Stamp::now();
  accepted = true;
  // The server sent its 250 one one-way delay (about half the smallest
  // command round trip) before it reached us.
  const Stamp acceptance = send.accepted_at();
  const auto accepted_server = acceptance.steady - Micros(send.rtt_us().value_or(0) / 2);
  r.smtp_rtt_us = send.rtt_us();

  // Wait for delivery in every watched folder at once: bounded by
  // --check-frequency x --max-checks (seed 002) and by the overall deadline
  // minus a reserve for fetch, cleanup and logout. Whichever finds stops the rest.
  r.start_imap_search = Stamp::now();
  auto reserve = std::min<SteadyClock::duration>(std::chrono::seconds(2), cfg.timeout / 5);
  WaitPlan plan;
  plan.token = r.token;
  plan.uid_from = inbox.uidnext;
  plan.idle = r.imap_idle_supported;
  plan.check_frequency = cfg.check_frequency;
  plan.wait_until = std::min(r.start_imap_search.steady + cfg.check_frequency * cfg.max_checks, dl.at - reserve);
  plan.deadline = dl;
  plan.not_before = accepted_server;
  plan.fast_phase = true;

  // inbox_done: the inbox watcher has returned (found, gave up or failed), so
  // the side watchers stop too instead of waiting out their window.
  std::atomic<bool> in_inbox{false}, in_junk{false}, bounced{false}, inbox_done{false};
  auto signalled = [stop] { return stop && stop->load(); };
  auto any_found = [&] { return in_inbox.load() || in_junk.load() || bounced.load() || signalled(); };
  auto side_stop = [&] { return any_found() || inbox_done.load(); };
  SideWait junk_wait, bounce_wait;
  if (junk.leg) {
    WaitPlan jp = plan;
    jp.uid_from = junk.leg->uidnext;
    jp.fast_phase = false;  // keeps the second connection's load as before; its IDLE/NOOP loop still finds it
    jp.idle = junk.leg->caps.count("IDLE") > 0;
    junk_wait.start(*junk.leg, jp, in_junk, side_stop);
  }
  if (bounce.leg) {
    // RFC 3464: the DSN quotes the probe's header, so its text carries the token.
    WaitPlan bp = plan;
    bp.fast_phase = false;  // a DSN takes seconds at least
    bp.uid_from = bounce.leg->uidnext;
    bp.idle = bounce.leg->caps.count("IDLE") > 0;
    bp.criteria = "TEXT " + r.token;
    bp.fetch_item = "BODY.PEEK[]";
    bp.accept = [token = r.token](std::string_view raw) {
      auto b = insight::bounce_for_token(raw, token);
      return b && insight::is_delivery_failure(*b);  // a delay notice is not a bounce
    };
    bounce_wait.start(*bounce.leg, bp, bounced, side_stop);
  }
  // The watcher reports its checks through the progress callback; keep the
  // count so a wait that fails still says how many checks it made.
  int checks_made = 1;  // the immediate first search
  ProgressFn track = [&](double elapsed, int tries, const char* method) {
    checks_made = tries;
    if (progress) progress(elapsed, tries, method);
  };
  auto waited = wait_for_probe(*inbox.session, plan, track, any_found);
  if (waited && waited.value().found) in_inbox = true;
  const Stamp inbox_ended = Stamp::now();
  inbox_done = true;
  junk_wait.join();
  bounce_wait.join();
  const SendOutcome& so = send.finish();
  const smtp::SendReport& sent = so.sent;
  r.smtp_server = so.server;
  r.mx_tried = so.mx_tried;
  copy_smtp(r, sent);
  r.tries = waited ? waited.value().tries : checks_made;
  if (waited) {
    r.imap_wait_commands = waited.value().commands;
    if (waited.value().rtt) r.imap_rtt_us = waited.value().rtt->count();
  }

  ImapLeg* where = &inbox;
  const WaitOutcome* w = nullptr;
  if (waited && waited.value().found) {
    w = &waited.value();
    r.placement = cfg.mailbox == "INBOX" ? "inbox" : "other";
  } else if ((w = junk_wait.found())) {
    where = junk.leg.get();
    r.placement = "junk";
  } else if (const WaitOutcome* b = bounce_wait.found()) {
    r.end = b->seen;
    auto dsn = insight::bounce_for_token(b->header, r.token);
    if (cfg.cleanup) (void)delete_probe(*bounce.leg->session, b->uid, bounce.leg->caps, dl);  // the DSN
    std::string why = dsn ? (!dsn->diagnostic_code.empty() ? dsn->diagnostic_code : dsn->status) : "bounced";
    if (dsn) r.bounce_status = dsn->status;
    return abandon(Failure(Stage::imap_wait, Result::bounced, why, dsn ? dsn->smtp_code.value_or(0) : 0));
  }
  if (!w) {
    r.end = inbox_ended;
    if (signalled()) return abandon(Failure(Stage::imap_wait, Result::timeout, "stopped by signal while waiting for delivery"));
    if (!waited) return abandon(waited.error());
    if (junk_wait.result && !junk_wait.result->has_value()) r.junk_error = junk_wait.result->error().reply_text;
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
  record_delivery(r, *w, accepted_server, acceptance);
  analyse_header(r, w->header, r.start_smtp.wall);

  if (cfg.cleanup) {
    auto c = delete_probe(*where->session, w->uid, where->caps, dl);
    r.cleanup = c.action;
    r.cleanup_error = c.error;
    r.cleanup_us = c.us;
  } else {
    r.cleanup = "skipped";
  }
  settle_late_probes(r, cfg, &inbox, junk.leg.get(), std::string(), dl);
  finish_sides();
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
