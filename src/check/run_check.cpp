#include "check/run_check.hpp"

#include <cstdio>
#include <memory>

#include "check/cleanup.hpp"
#include "check/delivery_insight.hpp"
#include "check/delivery_timing.hpp"
#include "check/imap_leg.hpp"
#include "check/late_probes.hpp"
#include "check/report_fill.hpp"
#include "check/route.hpp"
#include "check/send_leg.hpp"
#include "check/side_legs.hpp"
#include "check/watcher.hpp"
#include "auth/leg_credentials.hpp"
#include "core/token.hpp"
#include "insight/dsn.hpp"
#include "message/probe_message.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

namespace {

/// One run. Each step below is one stage of the README's "How a check
/// works"; run() strings them together. Threads (side legs, side watchers)
/// are std::jthreads owned by members, so they join on every exit path.
class CheckRun {
 public:
  CheckRun(const CheckConfig& cfg, const ProgressFn& progress, const std::atomic<bool>* stop, const PhaseFn& phase)
      : cfg_(cfg), progress_(progress), phase_(phase), stop_(stop), dl_{Stamp::now().steady + cfg.timeout} {}

  /// The SMTP leg, which may still be awaiting the 221 to its QUIT, goes to
  /// `later` (after run()).
  void hand_over(Goodbyes& later) { later.adopt(std::move(send_)); }

  CheckReport run() {
    start_report();
    auto token = random_token();
    if (!token) {
      fail(r_, Failure(Stage::config, Result::internal_error, "the CSPRNG failed to produce a token"));
      return finish();
    }
    r_.token = *token;
    if (!get_tokens()) return finish();
    start_send();
    if (!open_mailboxes()) {
      send_->release(false);
      return finish();
    }
    if (!send_probe()) return r_;
    return watch();
  }

 private:
  void start_report() {
    r_ = check::start_report(cfg_);
    dl_ = Deadline{r_.start.steady + cfg_.timeout};
  }

  CheckReport& finish() {
    finish_report(r_);
    return r_;
  }

  void finish_sides() {
    junk_.finish(dl_);
    bounce_.finish(dl_);
  }

  /// OAuth2 legs: both bearer tokens before any connection, so a token
  /// problem on either leg (stage *_token, result token_error) is reported
  /// before a probe goes out. Password legs are copied as they are.
  bool get_tokens() {
    auto imap = auth::leg_credentials(cfg_.imap_creds, cfg_.imap_token, Stage::imap_token, cfg_.tls, dl_,
                                      cfg_.state_file);
    if (!imap) {
      fail(r_, imap.error());
      return false;
    }
    auto smtp = auth::leg_credentials(cfg_.smtp_creds, cfg_.smtp_token, Stage::smtp_token, cfg_.tls, dl_,
                                      cfg_.state_file);
    if (!smtp) {
      fail(r_, smtp.error());
      return false;
    }
    imap_creds_ = std::move(imap.value());
    smtp_creds_ = std::move(smtp.value());
    return true;
  }

  /// IMAP first, but not alone: the send leg is already connecting, securing
  /// and authenticating (start_send), and MAIL FROM waits for this to succeed.
  /// The junk folder's name is found here (LIST in SELECT's flight); its
  /// connection is opened later, only if needed (kJunkOpensAfter).
  /// A wrong password or missing mailbox must fail the run before a probe is
  /// sent that nobody could find or clean up, and a mailbox that is already
  /// selected sees the probe the moment it lands. False: r_ failed.
  bool open_mailboxes() {
    const bool want_junk = cfg_.junk_mailbox != "none";
    if (cfg_.bounce_creds.present()) bounce_.start(cfg_.imap, cfg_.tls, cfg_.bounce_creds, dl_, stop_, cfg_.transcript.get(),
                                                    "bounce");
    step("imap connect + login " + cfg_.imap.authority());
    auto opened = open_leg(cfg_.imap, cfg_.tls, imap_creds_, dl_, stop_, cfg_.transcript.get());
    if (!opened) {
      finish_sides();
      // A refused bearer token is not reused from the cache by the next check.
      if (opened.error().result == Result::auth_failed) auth::forget_leg_token(cfg_.imap_token, cfg_.state_file);
      fail(r_, opened.error());
      return false;
    }
    inbox_ = std::move(opened.value());
    std::string junk_name;
    step("imap select " + cfg_.mailbox);
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
    junk_name_ = want_junk ? junk_name : std::string();
    r_.junk_mailbox = junk_name_;  // watched from the 250 on (lazily: start_side_watchers)
    // The bounce mailbox is selected before MAIL FROM: its UIDNEXT must be
    // taken before a DSN can land (a local LMTP refusal bounces in ~0.1 s).
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
    junk_wait_.join();
    settle_late_probes(r_, cfg_, inbox_.get(), [this] { return junk_for_late_probes(); },
                       pending ? r_.token : std::string(), dl_);
    finish_sides();
    logout(*inbox_, dl_);
    return finish();
  }

  /// SMTP, part one: composes the probe and starts the send leg's thread,
  /// gated: it connects, secures, greets and authenticates alongside the
  /// IMAP login, and holds MAIL FROM until send_probe() releases it.
  void start_send() {
    message::ProbeSpec spec{cfg_.email_from, cfg_.email_to, cfg_.prefix, r_.token, net::local_hostname(),
                            WallClock::now(), cfg_.source};
    smtp::SendRequest req{cfg_.smtp,       cfg_.tls,       smtp_creds_, cfg_.helo.empty() ? net::local_hostname() : cfg_.helo,
                          cfg_.email_from, cfg_.email_to,  message::compose(spec), dl_, {}, stop_, {}, {},
                          cfg_.transcript.get()};
    r_.start_smtp = Stamp::now();
    send_->start(cfg_, std::move(req), /*gated=*/true, stop_);
  }

  /// The junk folder for the late-probe lookups (--state-file), opened now
  /// if the watch did not open it. Call with no junk watcher running.
  /// A watcher that opened it and logged out again (the probe was found
  /// during its login) does not count as a failure: it is opened again.
  ImapLeg* junk_for_late_probes() {
    if (junk_.leg || junk_name_.empty() || !junk_.error.empty() || junk_late_tried_) return junk_.leg.get();
    junk_late_tried_ = true;
    auto l = open_selected(cfg_.imap, cfg_.tls, imap_creds_, junk_name_, dl_, stop_, cfg_.transcript.get(), "junk");
    if (l) junk_.leg = std::move(l.value());
    return junk_.leg.get();
  }

  /// SMTP, part two: lets the envelope go; returns once the final 250
  /// arrived (true) or the send ended without it (false: abandoned). The
  /// watch starts at the 250: QUIT finishes on the leg's thread, so a server
  /// that holds its 221 (Exim ~200 ms) cannot delay the measurement.
  bool send_probe() {
    step("smtp send " + (cfg_.mx_domain.empty() ? cfg_.smtp.authority() : "mx:" + cfg_.mx_domain));
    send_->release(true);
    if (send_->wait_accepted()) {
      r_.start_imap = Stamp::now();
      accepted_ = true;
      // The server sent its 250 one one-way delay (about half the smallest
      // command round trip) before it reached us (delivery_timing.hpp).
      acceptance_ = send_->accepted_at();
      accepted_server_ = server_sent_at(acceptance_, send_->rtt_us());
      r_.smtp_rtt_us = send_->rtt_us();
      return true;
    }
    const RouteOutcome& route = copy_route();
    if (route.sent.failure && route.sent.failure->result == Result::auth_failed)
      auth::forget_leg_token(cfg_.smtp_token, cfg_.state_file);
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
    RouteOutcome& route = send_->finish();
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

  /// The junk folder opens kJunkOpensAfter (and two round trips) after the
  /// 250 unless the probe was found by then, or at once when the inbox watch
  /// ended without it.
  void start_side_watchers(const WaitPlan& plan) {
    if (!junk_name_.empty()) {
      const auto open_at = acceptance_.steady + kJunkOpensAfter + 2 * Micros(send_->rtt_us().value_or(0));
      SideTarget target{&cfg_.imap, &cfg_.tls, &imap_creds_, junk_name_, dl_, stop_, cfg_.transcript.get(), "junk"};
      LazyOpen when{[this, open_at] { return inbox_done_.load() || SteadyClock::now() >= open_at; },
                    [this] { return any_found(); }};
      auto plan_for = [plan](const ImapLeg& leg) {
        WaitPlan jp = plan;
        jp.uid_from = leg.uidnext;
        jp.first_uid_from = 1;  // selected after the probe may have landed: the first search covers the folder
        jp.fast_phase = false;  // a second connection's load stays low; its IDLE/NOOP loop still finds it
        jp.min_interval = kJunkPollsEvery;
        jp.idle = leg.caps.count("IDLE") > 0;
        return jp;
      };
      junk_wait_.start_lazy(junk_, std::move(target), std::move(when), plan_for, in_junk_,
                            [this] { return side_stop(); });
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
    step("waiting for delivery");
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
    const bool inbox_hit = waited && waited.value().found;
    if (inbox_hit) in_inbox_ = true;
    const Stamp inbox_ended = Stamp::now();
    inbox_done_ = true;
    // Found in the inbox: delete it there while the side watchers wind down
    // (each ends its IDLE with a round trip of its own).
    if (inbox_hit && cfg_.cleanup) {
      step("imap cleanup");
      early_cleanup_ = delete_probe(*inbox_->session, waited.value().uid, inbox_->caps, dl_);
    }
    junk_wait_.join();
    bounce_wait_.join();
    if (!junk_.leg && !junk_.error.empty()) {
      r_.junk_error = junk_.error;
      r_.junk_mailbox.clear();  // not watched after all
    }
    const smtp::SendReport& sent = copy_route().sent;
    r_.tries = waited ? waited.value().tries : checks_made;
    if (waited) {
      // Server load counts every watched folder's connection.
      r_.imap_wait_commands = waited.value().commands + (junk_wait_.result && junk_wait_.result->has_value()
                                                             ? junk_wait_.result->value().commands
                                                             : 0);
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
    // The verdict names the junk folder only if a search there completed.
    const bool junk_searched = junk_wait_.result && junk_wait_.result->has_value();
    if (!junk_wait_.result && r_.junk_error.empty()) r_.junk_mailbox.clear();  // never opened: not watched
    const std::string junk_part = junk_searched ? " or " + junk_name_ : std::string();
    double waited_s = std::chrono::duration<double>(r_.end.steady - r_.start_imap_search.steady).count();
    char buf[200];
    std::snprintf(buf, sizeof buf, "probe not found in %s%s after %d checks in %.1f s", cfg_.mailbox.c_str(),
                  junk_part.c_str(), r_.tries, waited_s);
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
      step("imap cleanup");
      auto c = early_cleanup_ && &where == inbox_.get() ? *early_cleanup_ : delete_probe(*where.session, w.uid, where.caps, dl_);
      r_.cleanup = c.action;
      r_.cleanup_error = c.error;
      r_.cleanup_us = c.us;
    } else {
      r_.cleanup = "skipped";
    }
    settle_late_probes(r_, cfg_, inbox_.get(), [this] { return junk_for_late_probes(); }, std::string(), dl_);
    finish_sides();
    logout(*inbox_, dl_);
    found_verdict(r_, cfg_);
    return finish();
  }

  void step(const std::string& what) {
    if (phase_) phase_(what);
  }

  const CheckConfig& cfg_;
  const ProgressFn& progress_;
  const PhaseFn& phase_;
  const std::atomic<bool>* stop_;
  Deadline dl_;
  CheckReport r_;
  // Declared before the side legs: destroyed after their threads joined.
  net::Credentials imap_creds_, smtp_creds_;  // the config's, with OAuth2 bearer tokens filled in
  std::string junk_name_;  // the junk folder to watch ("" = none), opened by start_side_watchers()
  std::optional<CleanupResult> early_cleanup_;  // the inbox cleanup done before the side legs were joined
  std::unique_ptr<ImapLeg> inbox_;
  std::atomic<bool> in_inbox_{false}, in_junk_{false}, bounced_{false}, inbox_done_{false};
  SideLeg junk_, bounce_;
  SideWait junk_wait_, bounce_wait_;
  // Declared last: joined first (its QUIT included), before the legs it may
  // outlive, unless handed over to the caller's Goodbyes.
  std::unique_ptr<SendLeg> send_ = std::make_unique<SendLeg>();
  bool accepted_ = false;
  bool junk_late_tried_ = false;  // junk_for_late_probes() opened (or tried to open) the junk folder
  Stamp acceptance_;                           // the final 250 arrived
  SteadyClock::time_point accepted_server_{};  // ... as the server sent it
};

}  // namespace

CheckReport run_check(const CheckConfig& cfg, const ProgressFn& progress, const std::atomic<bool>* stop,
                      const PhaseFn& phase, Goodbyes* later) {
  CheckRun run(cfg, progress, stop, phase);
  CheckReport report = run.run();
  if (later) run.hand_over(*later);
  return report;
}

}  // namespace mailprobe::check
