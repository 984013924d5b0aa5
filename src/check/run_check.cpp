#include "check/run_check.hpp"

#include <cstdio>

#include "check/cleanup.hpp"
#include "check/delivery_insight.hpp"
#include "check/delivery_timing.hpp"
#include "check/imap_leg.hpp"
#include "check/late_probes.hpp"
#include "check/route.hpp"
#include "check/send_leg.hpp"
#include "check/side_legs.hpp"
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

/// One run. Each step below is one stage of the README's "How a check
/// works"; run() strings them together. Threads (side legs, side watchers)
/// are std::jthreads owned by members, so they join on every exit path.
class CheckRun {
 public:
  CheckRun(const CheckConfig& cfg, const ProgressFn& progress, const std::atomic<bool>* stop)
      : cfg_(cfg), progress_(progress), stop_(stop), dl_{Stamp::now().steady + cfg.timeout} {}

  CheckReport run() {
    start_report();
    auto token = random_token();
    if (!token) {
      fail(r_, Failure(Stage::config, Result::internal_error, "the CSPRNG failed to produce a token"));
      return finish();
    }
    r_.token = *token;
    start_send();
    if (!open_mailboxes()) {
      send_.release(false);
      return finish();
    }
    if (!send_probe()) return r_;
    return watch();
  }

 private:
  void start_report() {
    r_.start = Stamp::now();
    dl_ = Deadline{r_.start.steady + cfg_.timeout};
    r_.email_from = cfg_.email_from;
    r_.email_to = cfg_.email_to;
    r_.smtp_server = cfg_.smtp.authority();
    r_.imap_server = cfg_.imap.authority();
    r_.smtp_tls = std::string(net::to_string(cfg_.smtp.tls));
    r_.imap_tls = std::string(net::to_string(cfg_.imap.tls));
    r_.mailbox = cfg_.mailbox;
    r_.cleanup = "none";
  }

  CheckReport& finish() {
    r_.finish = Stamp::now();
    if (!r_.end.set()) r_.end = r_.finish;
    r_.total_us = micros_between(r_.start, r_.end);
    return r_;
  }

  void finish_sides() {
    junk_.finish(dl_);
    bounce_.finish(dl_);
  }

  /// IMAP first, but not alone: the send leg is already connecting, securing
  /// and authenticating (start_send), and MAIL FROM waits for this to succeed.
  /// A wrong password or missing mailbox must fail the run before a probe is
  /// sent that nobody could find or clean up, and a mailbox that is already
  /// selected sees the probe the moment it lands. False: r_ failed.
  bool open_mailboxes() {
    const bool want_junk = cfg_.junk_mailbox != "none";
    if (want_junk) junk_.start(cfg_.imap, cfg_.tls, cfg_.imap_creds, dl_, stop_);
    if (cfg_.bounce_creds.present()) bounce_.start(cfg_.imap, cfg_.tls, cfg_.bounce_creds, dl_, stop_);
    auto opened = open_leg(cfg_.imap, cfg_.tls, cfg_.imap_creds, dl_, stop_);
    if (!opened) {
      finish_sides();
      fail(r_, opened.error());
      return false;
    }
    inbox_ = std::move(opened.value());
    std::string junk_name;
    Status st = ok();
    if (want_junk && cfg_.junk_mailbox == "auto") {
      st = select_and_find_junk(*inbox_, cfg_.mailbox, dl_, junk_name);  // LIST in SELECT's flight
    } else {
      if (want_junk) junk_name = cfg_.junk_mailbox;
      st = select_mailbox(*inbox_, cfg_.mailbox, dl_);
    }
    if (junk_name == cfg_.mailbox) junk_name.clear();
    copy_imap(r_, *inbox_);
    if (!st) {
      finish_sides();
      fail(r_, st.error());
      logout(*inbox_, dl_);
      return false;
    }
    if (want_junk) {
      junk_.select(junk_name, dl_);
      if (junk_.leg) r_.junk_mailbox = junk_name;
      else if (!junk_.error.empty()) r_.junk_error = junk_.error;
    }
    if (cfg_.bounce_creds.present()) {
      // Optional like the junk leg: without it the run still measures delivery.
      bounce_.select("INBOX", dl_);
      if (!bounce_.leg) r_.bounce_error = bounce_.error.empty() ? "could not open the bounce mailbox" : bounce_.error;
    }
    return true;
  }

  /// Ends a run that will not see its probe. A probe that was accepted but
  /// not seen may still arrive (whatever then went wrong on the IMAP side):
  /// it is remembered so a later run can count and clean it up. A bounced
  /// probe will not arrive.
  CheckReport& abandon(Failure f) {
    bool pending = accepted_ && f.result != Result::bounced;
    fail(r_, std::move(f));
    settle_late_probes(r_, cfg_, inbox_.get(), junk_.leg.get(), pending ? r_.token : std::string(), dl_);
    finish_sides();
    logout(*inbox_, dl_);
    return finish();
  }

  /// SMTP, part one: composes the probe and starts the send leg's thread,
  /// gated: it connects, secures, greets and authenticates alongside the
  /// IMAP login, and holds MAIL FROM until send_probe() releases it.
  void start_send() {
    message::ProbeSpec spec{cfg_.email_from, cfg_.email_to, cfg_.prefix, r_.token, net::local_hostname(),
                            WallClock::now()};
    smtp::SendRequest req{cfg_.smtp,       cfg_.tls,       cfg_.smtp_creds, cfg_.helo.empty() ? net::local_hostname() : cfg_.helo,
                          cfg_.email_from, cfg_.email_to,  message::compose(spec), dl_, {}, stop_, {}, {}};
    r_.start_smtp = Stamp::now();
    send_.start(cfg_, std::move(req), /*gated=*/true, stop_);
  }

  /// SMTP, part two: lets the envelope go; returns once the final 250
  /// arrived (true) or the send ended without it (false: abandoned). The
  /// watch starts at the 250: QUIT finishes on the leg's thread, so a server
  /// that holds its 221 (Exim ~200 ms) cannot delay the measurement.
  bool send_probe() {
    send_.release(true);
    if (send_.wait_accepted()) {
      r_.start_imap = Stamp::now();
      accepted_ = true;
      // The server sent its 250 one one-way delay (about half the smallest
      // command round trip) before it reached us (delivery_timing.hpp).
      acceptance_ = send_.accepted_at();
      accepted_server_ = acceptance_.steady - Micros(send_.rtt_us().value_or(0) / 2);
      r_.smtp_rtt_us = send_.rtt_us();
      return true;
    }
    const RouteOutcome& route = copy_route();
    if (route.lookup_failure) {
      abandon(*route.lookup_failure);
    } else {
      abandon(route.sent.failure ? *route.sent.failure
                                 : Failure(Stage::smtp_data, Result::protocol_error, "no final 250 reply"));
    }
    return false;
  }

  /// Joins the send leg (QUIT included) and copies what it saw into r_.
  const RouteOutcome& copy_route() {
    RouteOutcome& route = send_.finish();
    r_.smtp_server = route.server.empty() ? r_.smtp_server : route.server;
    r_.mx_tried = route.tried;
    copy_smtp(r_, route.sent);
    return route;
  }

  /// The inbox watcher's plan: bounded by --check-frequency x --max-checks
  /// (seed 002) and by the overall deadline minus a reserve for fetch,
  /// cleanup and logout.
  WaitPlan inbox_plan() const {
    auto reserve = std::min<SteadyClock::duration>(std::chrono::seconds(2), cfg_.timeout / 5);
    WaitPlan plan;
    plan.token = r_.token;
    plan.uid_from = inbox_->uidnext;
    plan.idle = r_.imap_idle_supported;
    plan.check_frequency = cfg_.check_frequency;
    plan.wait_until =
        std::min(r_.start_imap_search.steady + cfg_.check_frequency * cfg_.max_checks, dl_.at - reserve);
    plan.deadline = dl_;
    plan.not_before = accepted_server_;
    plan.fast_phase = true;
    return plan;
  }

  bool signalled() const { return stop_ && stop_->load(); }
  bool any_found() const { return in_inbox_.load() || in_junk_.load() || bounced_.load() || signalled(); }
  // inbox_done_: the inbox watcher has returned (found, gave up or failed), so
  // the side watchers stop too instead of waiting out their window.
  bool side_stop() const { return any_found() || inbox_done_.load(); }

  void start_side_watchers(const WaitPlan& plan) {
    if (junk_.leg) {
      WaitPlan jp = plan;
      jp.uid_from = junk_.leg->uidnext;
      jp.fast_phase = false;  // keeps the second connection's load as before; its IDLE/NOOP loop still finds it
      jp.idle = junk_.leg->caps.count("IDLE") > 0;
      junk_wait_.start(*junk_.leg, jp, in_junk_, [this] { return side_stop(); });
    }
    if (bounce_.leg) {
      // RFC 3464: the DSN quotes the probe's header, so its text carries the token.
      WaitPlan bp = plan;
      bp.fast_phase = false;  // a DSN takes seconds at least
      bp.uid_from = bounce_.leg->uidnext;
      bp.idle = bounce_.leg->caps.count("IDLE") > 0;
      bp.criteria = "TEXT " + r_.token;
      bp.fetch_item = "BODY.PEEK[]";
      bp.accept = [token = r_.token](std::string_view raw) {
        auto b = insight::bounce_for_token(raw, token);
        return b && insight::is_delivery_failure(*b);  // a delay notice is not a bounce
      };
      bounce_wait_.start(*bounce_.leg, bp, bounced_, [this] { return side_stop(); });
    }
  }

  /// Waits for delivery in every watched folder at once; whichever finds
  /// stops the rest. Then concludes the run.
  CheckReport watch() {
    r_.start_imap_search = Stamp::now();
    WaitPlan plan = inbox_plan();
    start_side_watchers(plan);
    // The watcher reports its checks through the progress callback; keep the
    // count so a wait that fails still says how many checks it made.
    int checks_made = 1;  // the immediate first search
    ProgressFn track = [&](double elapsed, int tries, const char* method) {
      checks_made = tries;
      if (progress_) progress_(elapsed, tries, method);
    };
    auto waited = wait_for_probe(*inbox_->session, plan, track, [this] { return any_found(); });
    if (waited && waited.value().found) in_inbox_ = true;
    const Stamp inbox_ended = Stamp::now();
    inbox_done_ = true;
    junk_wait_.join();
    bounce_wait_.join();
    const smtp::SendReport& sent = copy_route().sent;
    r_.tries = waited ? waited.value().tries : checks_made;
    if (waited) {
      r_.imap_wait_commands = waited.value().commands;
      if (waited.value().rtt) r_.imap_rtt_us = waited.value().rtt->count();
    }

    if (waited && waited.value().found) {
      r_.placement = cfg_.mailbox == "INBOX" ? "inbox" : "other";
      return delivered(sent, waited.value(), *inbox_);
    }
    if (const WaitOutcome* w = junk_wait_.found()) {
      r_.placement = "junk";
      return delivered(sent, *w, *junk_.leg);
    }
    if (const WaitOutcome* b = bounce_wait_.found()) return bounced(*b);
    r_.end = inbox_ended;
    return not_found(waited);
  }

  CheckReport& bounced(const WaitOutcome& b) {
    r_.end = b.seen;
    auto dsn = insight::bounce_for_token(b.header, r_.token);
    if (cfg_.cleanup) (void)delete_probe(*bounce_.leg->session, b.uid, bounce_.leg->caps, dl_);  // the DSN
    std::string why = dsn ? (!dsn->diagnostic_code.empty() ? dsn->diagnostic_code : dsn->status) : "bounced";
    if (dsn) r_.bounce_status = dsn->status;
    return abandon(Failure(Stage::imap_wait, Result::bounced, why, dsn ? dsn->smtp_code.value_or(0) : 0));
  }

  CheckReport& not_found(const Outcome<WaitOutcome>& waited) {
    if (signalled()) return abandon(Failure(Stage::imap_wait, Result::timeout, "stopped by signal while waiting for delivery"));
    if (!waited) return abandon(waited.error());
    if (junk_wait_.result && !junk_wait_.result->has_value()) r_.junk_error = junk_wait_.result->error().reply_text;
    double waited_s = std::chrono::duration<double>(r_.end.steady - r_.start_imap_search.steady).count();
    char buf[200];
    std::snprintf(buf, sizeof buf, "probe not found in %s%s%s after %d checks in %.1f s", cfg_.mailbox.c_str(),
                  r_.junk_mailbox.empty() ? "" : " or ", r_.junk_mailbox.c_str(), r_.tries, waited_s);
    return abandon(Failure(Stage::imap_wait, Result::not_delivered, buf));
  }

  /// Found in `where`: record, analyse, clean up, log out.
  CheckReport& delivered(const smtp::SendReport& /*sent: timing comes from the leg*/, const WaitOutcome& w,
                         ImapLeg& where) {
    r_.end = w.seen;
    r_.uid = w.uid;
    r_.method = w.method;
    r_.imap_fetch_us = w.fetch_us;
    record_delivery(r_, w, accepted_server_, acceptance_);
    analyse_header(r_, w.header, r_.start_smtp.wall);
    if (cfg_.cleanup) {
      auto c = delete_probe(*where.session, w.uid, where.caps, dl_);
      r_.cleanup = c.action;
      r_.cleanup_error = c.error;
      r_.cleanup_us = c.us;
    } else {
      r_.cleanup = "skipped";
    }
    settle_late_probes(r_, cfg_, inbox_.get(), junk_.leg.get(), std::string(), dl_);
    finish_sides();
    logout(*inbox_, dl_);
    if (r_.placement == "junk") {
      // Delivered, but filed as spam: its own result so users can alert on it.
      r_.success = !cfg_.junk_is_failure;
      r_.failure = Failure(Stage::done, Result::junk, "delivered to " + r_.junk_mailbox);
    } else {
      r_.success = true;
      r_.failure = Failure(Stage::done, Result::success);
    }
    return finish();
  }

  const CheckConfig& cfg_;
  const ProgressFn& progress_;
  const std::atomic<bool>* stop_;
  Deadline dl_;
  CheckReport r_;
  // Declared before the side legs: destroyed after their threads joined.
  std::unique_ptr<ImapLeg> inbox_;
  std::atomic<bool> in_inbox_{false}, in_junk_{false}, bounced_{false}, inbox_done_{false};
  SideLeg junk_, bounce_;
  SideWait junk_wait_, bounce_wait_;
  SendLeg send_;  // declared last: joined first, before the legs it may outlive
  bool accepted_ = false;
  Stamp acceptance_;                           // the final 250 arrived
  SteadyClock::time_point accepted_server_{};  // ... as the server sent it
};

}  // namespace

CheckReport run_check(const CheckConfig& cfg, const ProgressFn& progress, const std::atomic<bool>* stop) {
  return CheckRun(cfg, progress, stop).run();
}

}  // namespace mailprobe::check
