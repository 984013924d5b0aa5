#include "routes/shared_route.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "check/delivery_insight.hpp"
#include "check/delivery_timing.hpp"
#include "check/late_probes.hpp"
#include "check/report_fill.hpp"
#include "auth/leg_credentials.hpp"
#include "check/send_leg.hpp"
#include "core/token.hpp"
#include "message/probe_message.hpp"

namespace mailprobe::routes {

using check::CheckReport;

namespace {

/// The submission request of a route without its message: the same account
/// always yields the same session_key().
smtp::SendRequest submission_request(const check::CheckConfig& cfg, net::Credentials creds, const Deadline& dl,
                                     const std::atomic<bool>* stop) {
  return smtp::SendRequest{cfg.smtp, cfg.tls, std::move(creds), cfg.helo.empty() ? net::local_hostname() : cfg.helo,
                           cfg.email_from, cfg.email_to, {}, dl, {}, stop, {}, {}, nullptr};
}

}  // namespace

void record_landing(CheckReport& r, const Sighting& w, const Stamp& accepted, std::optional<std::int64_t> smtp_rtt_us) {
  if (!w.window) {
    // The mailbox may report the probe a moment before the SMTP thread has
    // read its 250 (both sub-millisecond on loopback): never negative.
    r.delivery_us = std::max<std::int64_t>(0, micros_between(accepted, w.seen));
    return;
  }
  // As run_check: the server sent its 250 one one-way delay before it
  // arrived, and the probe landed after that (the watcher's window may
  // start earlier: it has watched the mailbox since before this route sent).
  const auto accepted_server = check::server_sent_at(accepted, smtp_rtt_us);
  check::LandingWindow landed = *w.window;
  landed.after = std::max(landed.after, accepted_server);
  if (landed.before < landed.after) {
    // The evidence came before this route's acceptance (another probe's
    // EXISTS, or a server that delivers before its 250): this probe landed
    // by the search that found it, and that is all the watcher knows.
    landed.before = std::max(landed.after, w.searched);
    landed.pushed = false;
  }
  const auto t = check::delivery_timing(landed, accepted_server);
  r.delivery_us = t.delivery_us;
  r.delivery_error_us = t.error_us;
}

bool shares_submission(const check::CheckConfig& cfg) { return cfg.mx_domain.empty(); }

std::string submitter_key(const check::CheckConfig& cfg) {
  return cfg.smtp.authority() + '\1' + cfg.smtp_creds.username;
}

void prewarm_submission(const check::CheckConfig& cfg, SubmissionPool& pool, const std::atomic<bool>* stop,
                        int want) {
  // An OAuth2 login fetches its token per route (stage smtp_token, and its
  // errors are the route's): only password logins are opened ahead.
  if (!shares_submission(cfg) || cfg.smtp_creds.oauth()) return;
  pool.prewarm(submission_request(cfg, cfg.smtp_creds, Deadline::in(cfg.timeout), stop), want);
}

SharedRun run_shared_route(const check::CheckConfig& cfg, MailboxGroup& group, SubmissionPool* pool,
                           const std::atomic<bool>* stop) {
  SharedRun run;
  CheckReport& r = run.report;
  // This route's share of its account's expected transactions, given back
  // once (after the send, or on any way out before it).
  struct Expected {
    SubmissionPool* pool;
    std::string account;
    void done() {
      if (pool) pool->finished(account);
      pool = nullptr;
    }
    ~Expected() { done(); }
  } expected{pool && shares_submission(cfg) ? pool : nullptr, submitter_key(cfg)};
  r = check::start_report(cfg);
  const Deadline dl{r.start.steady + cfg.timeout};
  std::unique_ptr<check::SendLeg> leg;  // a connection of its own (not pooled), QUITting after the report
  auto finish = [&]() -> SharedRun {
    check::finish_report(r);
    run.goodbyes.adopt(std::move(leg));
    return std::move(run);
  };
  auto token = random_token();
  if (!token) {
    check::fail(r, Failure(Stage::config, Result::internal_error, "the CSPRNG failed to produce a token"));
    return finish();
  }
  r.token = *token;
  if (group.open_failure()) {
    check::fail(r, *group.open_failure());
    return finish();
  }
  // The SMTP leg's OAuth2 token before anything is sent (stage smtp_token).
  auto smtp_creds = auth::leg_credentials(cfg.smtp_creds, cfg.smtp_token, Stage::smtp_token, cfg.tls, dl, cfg.state_file);
  check::copy_imap(r, group.inbox()->leg());
  if (!smtp_creds) {
    check::fail(r, smtp_creds.error());
    return finish();
  }
  r.junk_mailbox = group.junk_name();

  // The watchers hold the ticket before the probe leaves, so none can miss it.
  auto ticket = std::make_shared<Ticket>(r.token, group.watchers(), cfg.cleanup);
  group.add(ticket);

  message::ProbeSpec spec{cfg.email_from, cfg.email_to, cfg.prefix, r.token, net::local_hostname(), WallClock::now(),
                          cfg.source};
  smtp::SendRequest req = submission_request(cfg, smtp_creds.value(), dl, stop);
  req.message = message::compose(spec);
  r.start_smtp = Stamp::now();
  const bool pooled = pool && shares_submission(cfg);
  check::RouteOutcome pooled_outcome;
  bool accepted = false;
  if (pooled) {
    pooled_outcome.server = req.server.authority();
    pooled_outcome.sent = pool->send(req, expected.account);
    expected.done();  // the account's last transaction lets its sessions QUIT now
    accepted = pooled_outcome.sent.accepted.has_value();
  } else {
    leg = std::make_unique<check::SendLeg>();
    leg->start(cfg, std::move(req));
    accepted = leg->wait_accepted();
  }
  auto outcome = [&]() -> check::RouteOutcome& { return pooled ? pooled_outcome : leg->finish(); };
  if (!accepted) {
    ticket->cancel();
    check::RouteOutcome& so = outcome();
    if (!so.server.empty()) r.smtp_server = so.server;
    r.mx_tried = so.tried;
    if (so.lookup_failure) {
      check::fail(r, *so.lookup_failure);
      return finish();
    }
    check::copy_smtp(r, so.sent);
    check::fail(r, so.sent.failure ? *so.sent.failure
                                   : Failure(Stage::smtp_data, Result::protocol_error, "no final 250 reply"));
    return finish();
  }
  // The IMAP leg's share of the route starts when the 250 arrived (the
  // group's watchers have been looking all along).
  r.start_imap = pooled ? *pooled_outcome.sent.accepted : leg->accepted_at();
  r.start_imap_search = r.start_imap;
  // Bounded as run_check's wait: --check-frequency x --max-checks, and the
  // deadline minus a reserve for fetch and cleanup.
  auto reserve = std::min<SteadyClock::duration>(std::chrono::seconds(2), cfg.timeout / 5);
  const std::optional<std::int64_t> smtp_rtt = pooled ? pooled_outcome.sent.rtt_us : leg->rtt_us();
  ticket->arm(std::min(r.start_imap_search.steady + cfg.check_frequency * cfg.max_checks, dl.at - reserve),
              check::kJunkOpensAfter + 2 * Micros(smtp_rtt.value_or(0)));
  group.inbox()->poke();
  Ticket::Outcome waited = ticket->wait();
  const Stamp ended = Stamp::now();
  const check::RouteOutcome& so = outcome();
  if (!so.server.empty()) r.smtp_server = so.server;
  r.mx_tried = so.tried;
  check::copy_smtp(r, so.sent);
  r.tries = waited.tries;
  if (std::string junk_error = group.junk_error(); !junk_error.empty()) {
    r.junk_error = junk_error;
    r.junk_mailbox.clear();  // not watched after all
  }

  if (!waited.found) {
    r.end = ended;
    run.pending_token = r.token;
    if (stop && stop->load()) {
      check::fail(r, Failure(Stage::imap_wait, Result::timeout, "stopped by signal while waiting for delivery"));
    } else if (waited.failure) {
      check::fail(r, *waited.failure);
    } else {
      double waited_s = std::chrono::duration<double>(r.end.steady - r.start_imap_search.steady).count();
      char buf[200];
      std::snprintf(buf, sizeof buf, "probe not found in %s%s%s after %d checks in %.1f s", cfg.mailbox.c_str(),
                    r.junk_mailbox.empty() ? "" : " or ", r.junk_mailbox.c_str(), r.tries, waited_s);
      check::fail(r, Failure(Stage::imap_wait, Result::not_delivered, buf));
    }
    return finish();
  }
  const Sighting& w = *waited.found;
  r.placement = w.where == "junk" ? "junk" : cfg.mailbox == "INBOX" ? "inbox" : "other";
  r.end = w.seen;
  // A watcher may see the probe a moment before the sending thread has read
  // its 250 (both sub-millisecond on loopback): no leg ends before it began.
  if (r.end.steady < r.start_imap.steady) r.start_imap = r.start_imap_search = r.end;
  r.uid = w.uid;
  r.method = w.method;
  r.imap_fetch_us = w.fetch_us;
  r.smtp_rtt_us = so.sent.rtt_us;
  if (w.rtt) r.imap_rtt_us = w.rtt->count();
  if (so.sent.accepted) record_landing(r, w, *so.sent.accepted, so.sent.rtt_us);
  check::analyse_header(r, w.header, r.start_smtp.wall);
  if (w.cleanup) {
    r.cleanup = w.cleanup->action;
    r.cleanup_error = w.cleanup->error;
    r.cleanup_us = w.cleanup->us;
  } else {
    r.cleanup = "skipped";
  }
  check::found_verdict(r, cfg);
  return finish();
}

void settle(SharedRun& run, const check::CheckConfig& cfg, MailboxGroup& group) {
  if (cfg.state_file.empty() || !group.inbox()) return;
  const Deadline dl = Deadline::in(std::chrono::milliseconds(std::min<long>(cfg.timeout.count(), 10000)));
  check::settle_late_probes(run.report, cfg, &group.inbox()->leg(),
                            [&group] { return group.junk_for_late_probes(); },
                            run.pending_token, dl);
}

}  // namespace mailprobe::routes
