#include "routes/mailbox_hub.hpp"

#include <algorithm>
#include <thread>

#include "check/fast_poll.hpp"
#include "check/noop_pacer.hpp"
#include "check/side_legs.hpp"
#include "check/watcher.hpp"
#include "insight/header_block.hpp"
#include "insight/stale_probe.hpp"
#include "message/probe_message.hpp"

namespace mailprobe::routes {

using std::chrono::milliseconds;

std::string probe_token_of(std::string_view header) {
  auto fields = insight::parse_header_block(header);
  for (const auto& v : insight::header_values(fields, message::kTokenHeader))
    if (insight::is_token_text(v)) return ascii_lower(v);
  for (const auto& v : insight::header_values(fields, "Subject")) {
    auto at = v.rfind("### ");
    if (at == std::string::npos) continue;
    auto tail = insight::trim(std::string_view(v).substr(at + 4));
    if (insight::is_token_text(tail)) return ascii_lower(tail);
  }
  return {};
}

MailboxHub::MailboxHub(std::unique_ptr<check::ImapLeg> leg, std::string where, milliseconds check_frequency)
    : leg_(std::move(leg)), where_(std::move(where)), check_frequency_(check_frequency) {
  scan_from_ = leg_->uidnext ? leg_->uidnext : 1;
}

void MailboxHub::add(std::shared_ptr<Ticket> t) {
  {
    std::lock_guard lk(mu_);
    if (!failure_) {
      newest_ = SteadyClock::now();
      const std::string token = t->token();
      pending_[token] = {std::move(t), newest_};
    }
  }
  if (t) t->release(failure_);  // failure_ is never reset once set
  cv_.notify_all();
}

void MailboxHub::close() {
  {
    std::lock_guard lk(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::size_t MailboxHub::prune() {
  std::vector<std::shared_ptr<Ticket>> expired;
  std::size_t left;
  {
    std::lock_guard lk(mu_);
    const auto now = SteadyClock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.ticket->settled()) {
        it = pending_.erase(it);
      } else if (now >= it->second.ticket->wait_until()) {
        expired.push_back(std::move(it->second.ticket));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    left = pending_.size();
  }
  for (auto& t : expired) t->release();
  return left;
}

void MailboxHub::count_checks(int n) {
  if (where_ != "inbox") return;  // a route's tries count its mailbox's checks, not the junk folder's too
  std::lock_guard lk(mu_);
  for (auto& [token, p] : pending_) p.ticket->count_check(n);
}

void MailboxHub::fail_all(const Failure& f) {
  std::map<std::string, Pending> gone;
  {
    std::lock_guard lk(mu_);
    failure_ = f;
    gone.swap(pending_);
  }
  for (auto& [token, p] : gone) p.ticket->release(f);
}

SteadyClock::time_point MailboxHub::sampled(SteadyClock::time_point sent) {
  return timing_.sample(sent, SteadyClock::now());
}

bool MailboxHub::scan(const std::string& how) {
  imap::Session& s = *leg_->session;
  const Deadline io = Deadline::in(milliseconds(30000));
  const std::string from = std::to_string(scan_from_) + ":*";
  bool ok = true;
  SteadyClock::time_point at{};
  if (timing_.evidence && s.exists() > 0) {
    // New mail was reported, so there are UIDs since the last scan: their
    // headers at once, one round trip instead of SEARCH then FETCH. (Without
    // such evidence "n:*" would still fetch the newest message, §6.4.8.)
    ok = take("UID FETCH " + from, how, io, {}, {}, &at);
  } else {
    const auto sent = SteadyClock::now();
    auto rs = s.command("UID SEARCH UID " + from, io, Stage::imap_wait);
    if (!rs) {
      fail_all(rs.error());
      return false;
    }
    const Stamp done = Stamp::now();
    at = sampled(sent);
    std::vector<std::uint32_t> fresh;
    for (const auto& r : rs.value())
      if (auto uids = imap::search_result(r))
        for (auto uid : *uids)
          if (uid >= scan_from_) fresh.push_back(uid);  // "n:*" also matches the highest UID below n (§6.4.8)
    if (!fresh.empty()) ok = take("UID FETCH " + check::uid_set(fresh), how, io, at, done, nullptr);
  }
  // Every UID since the last scan was looked at: a probe not among them
  // was not there at the search's server moment.
  timing_.consumed();
  if (at != SteadyClock::time_point{}) timing_.missed(at);
  return ok;
}

bool MailboxHub::catch_up(const Deadline& io) {
  std::vector<std::string> tokens;
  {
    std::lock_guard lk(mu_);
    for (const auto& [token, p] : pending_) tokens.push_back(token);
  }
  // Per token the single watcher's key (check::token_criteria), ORed in
  // prefix form ("OR OR a b c" is (a OR b) OR c), at most kPerSearch tokens
  // per SEARCH so the nesting stays shallow (servers bound it; serve at 64).
  constexpr std::size_t kPerSearch = 16;
  std::vector<std::uint32_t> found;
  SteadyClock::time_point searched{};
  Stamp done;
  for (std::size_t at = 0; at < tokens.size(); at += kPerSearch) {
    const std::size_t n = std::min(kPerSearch, tokens.size() - at);
    std::string keys;
    for (std::size_t i = 1; i < n; ++i) keys += "OR ";
    for (std::size_t i = at; i < at + n; ++i)
      keys += "(" + check::token_criteria(tokens[i]) + ") ";
    keys.pop_back();
    const auto sent = SteadyClock::now();
    auto rs = leg_->session->command("UID SEARCH " + keys, io, Stage::imap_wait);
    if (!rs) {
      fail_all(rs.error());
      return false;
    }
    done = Stamp::now();
    searched = sampled(sent);
    for (const auto& r : rs.value())
      if (auto uids = imap::search_result(r)) found.insert(found.end(), uids->begin(), uids->end());
  }
  // The folder's earlier life is unknown: a probe found here landed after
  // its route's acceptance (the route clips the window there) and before
  // the search.
  const bool ok = found.empty() || take("UID FETCH " + check::uid_set(found), "poll", io, searched, done, nullptr);
  if (searched != SteadyClock::time_point{}) timing_.missed(searched);
  return ok;
}

bool MailboxHub::take(const std::string& fetch, const std::string& how, const Deadline& io,
                      SteadyClock::time_point searched, Stamp search_done, SteadyClock::time_point* fetched_at) {
  imap::Session& s = *leg_->session;
  const auto t0 = SteadyClock::now();
  auto fetched = s.command(fetch + " (UID BODY.PEEK[HEADER])", io, Stage::imap_fetch);
  if (!fetched) {
    fail_all(fetched.error());
    return false;
  }
  const Stamp done = Stamp::now();
  const auto fetch_us = std::chrono::duration_cast<Micros>(done.steady - t0).count();
  if (fetched_at) {
    // This FETCH was the search: its server moment is the scan's.
    searched = *fetched_at = sampled(t0);
    search_done = done;
  }
  // The evidence: the completion that reported new mail (or the push), else this scan.
  const Stamp seen = timing_.evidence ? *timing_.evidence : search_done;

  struct Hit {
    std::shared_ptr<Ticket> ticket;
    Sighting sighting;
  };
  std::vector<Hit> hits;
  std::uint32_t highest = 0;
  for (const auto& r : fetched.value()) {
    auto uid = imap::fetch_uid(r);
    // "n:*" also matches the highest UID below n (RFC 3501 §6.4.8): not new.
    if (!uid || r.literals.empty() || (fetched_at && *uid < scan_from_)) continue;
    highest = std::max(highest, *uid);
    ++headers_fetched_;
    const std::string& header = r.literals.front();
    std::string token = probe_token_of(header);
    if (token.empty()) continue;
    std::shared_ptr<Ticket> t;
    {
      std::lock_guard lk(mu_);
      if (auto it = pending_.find(token); it != pending_.end()) t = it->second.ticket;
    }
    if (!t || !check::header_has_token(header, token) || !t->claim()) continue;
    // Several probes land in one mailbox: the evidence may be another's.
    const check::LandingWindow landed = timing_.window_for(imap::fetch_number(r), s.expunges(), searched);
    Sighting sg;
    sg.where = where_;
    sg.mailbox = leg_->mailbox;
    sg.uid = *uid;
    sg.seen = seen;
    sg.window = landed;
    sg.searched = searched;
    sg.rtt = timing_.rtt;
    sg.method = how;
    sg.header = header;
    sg.fetch_us = fetch_us;
    hits.push_back({std::move(t), std::move(sg)});
  }
  if (fetched_at) {
    if (highest >= scan_from_) scan_from_ = highest + 1;
    // Mail announced before this FETCH's results (in the NOOP completions it
    // passed over) is in them: "n:*" was evaluated after it. Mail announced
    // after them (a server may sync at a command's end) is not: look again.
    bool announced_after = false;  // an EXISTS after the last FETCH response (or with none at all)
    bool any_fetch = false;
    for (const auto& r : fetched.value()) {
      if (imap::fetch_uid(r)) {
        any_fetch = true;
        announced_after = false;
      } else if (imap::exists_count(r)) {
        announced_after = true;
      }
    }
    if (any_fetch && !announced_after) (void)s.take_new_mail();
  }
  // Exactly the claimed UIDs, in one batch (check/cleanup.hpp never expunges others).
  std::vector<std::uint32_t> to_delete;
  for (const auto& h : hits)
    if (h.ticket->cleanup()) to_delete.push_back(h.sighting.uid);
  std::optional<check::CleanupResult> cleaned;
  if (!to_delete.empty()) cleaned = check::delete_probes(s, to_delete, leg_->caps, io);
  for (auto& h : hits) {
    if (h.ticket->cleanup()) h.sighting.cleanup = cleaned;
    h.ticket->complete(std::move(h.sighting));
  }
  return true;
}

void MailboxHub::run(const Deadline& deadline, const std::atomic<bool>* stop) {
  imap::Session& s = *leg_->session;
  bool idle = leg_->caps.count("IDLE") > 0;
  auto last_scan = SteadyClock::now();
  auto stopped = [&] { return (stop && stop->load()) || deadline.expired(); };
  while (true) {
    if (stopped()) {
      fail_all(Failure(Stage::imap_wait, Result::timeout, "stopped while waiting for delivery"));
      return;
    }
    if (prune() == 0) {
      std::unique_lock lk(mu_);
      if (closed_ && pending_.empty()) return;
      // Nothing to look for yet: wait for a ticket (bounded, to notice a stop).
      cv_.wait_for(lk, milliseconds(50), [&] { return !pending_.empty() || closed_; });
      continue;
    }
    SteadyClock::time_point newest, until_tp;
    {
      std::lock_guard lk(mu_);
      newest = newest_;
      until_tp = SteadyClock::time_point::max();
      for (const auto& [token, p] : pending_) until_tp = std::min(until_tp, p.ticket->wait_until());
    }
    const auto now = SteadyClock::now();
    auto elapsed = std::chrono::duration_cast<milliseconds>(now - newest);
    until_tp = std::min(until_tp, deadline.at);
    const Deadline io{std::min(deadline.at, SteadyClock::now() + milliseconds(30000))};
    // The mailbox itself, in the fast phase after the newest ticket: NOOPs
    // kept in flight on a short cadence (check/noop_pacer.hpp), as a single
    // check waits, since a server's IDLE push may lag (Dovecot batches its
    // change notifications for half a second). The junk folder, where a
    // probe rarely goes, keeps to IDLE.
    if (where_ == "inbox" && now - newest < check::kFastPhase) {
      if (s.take_new_mail()) {
        // Announced with the replies of the last scan or deletion, after
        // what they covered (a server syncs at a command's end): evidence
        // now, with that reply's server moment, and the scan goes at once
        // instead of a NOOP round trip later.
        const Stamp at = Stamp::now();
        timing_.hit(at.steady - (timing_.rtt ? *timing_.rtt / 2 : Micros(0)), at, {s.exists(), s.expunges()});
        last_scan = at.steady;
        if (!scan("poll")) return;
        continue;
      }
      check::NoopPacer pacer(newest, timing_.last_miss, check_frequency_);
      const auto phase_end = std::min({until_tp, newest + check::kFastPhase});
      // A poke scans at once only where a round trip is shorter than the
      // cadence (or not yet known): across a WAN, ending the fast poll for
      // it would stop the NOOPs for two round trips (the drain, the scan),
      // and the next NOOP finds the probe sooner and within a tighter window.
      const bool pokes_scan = !timing_.rtt || *timing_.rtt < check::noop_cadence(milliseconds(0), check_frequency_);
      auto r = check::fast_poll(
          s, pacer, phase_end, io, [&] { return stopped() || (pokes_scan && poked_.load()) || prune() == 0; },
          milliseconds(2), /*leave_flight_on_hit=*/true);  // the scan's command() passes over their completions
      if (!r) return fail_all(r.error());
      count_checks(pacer.sent_count());
      timing_.take_rtt(pacer.rtt());
      timing_.missed(pacer.last_miss());
      if (r.value().hit) timing_.evidenced(r.value().seen, *pacer.window(), {s.exists(), s.expunges()});
      if ((poked_.exchange(false) && pokes_scan) || r.value().hit) {
        last_scan = SteadyClock::now();
        if (!scan("poll")) return;
      }
      continue;
    }
    const auto floor = where_ == "inbox" ? milliseconds(0) : check::kJunkPollsEvery;
    until_tp = std::min({until_tp, now + check::poll_interval(elapsed, check_frequency_, floor), deadline.at});
    const Deadline until{until_tp};

    bool pushed = false;
    if (idle) {
      auto st = s.idle_start(io);
      if (!st && (st.error().result == Result::imap_no || st.error().result == Result::imap_bad)) {
        idle = false;  // advertised but refused (some proxies do): poll instead
        continue;
      }
      if (!st) return fail_all(st.error());
      auto r = s.idle_wait(until);
      if (!r) return fail_all(r.error());
      pushed = r.value();
      if (pushed) timing_.pushed(Stamp::now(), {s.exists(), s.expunges()});  // before DONE's round trip
      if (auto d = s.idle_done(io); !d) return fail_all(d.error());
    } else {
      while (!until.expired() && !stopped())
        std::this_thread::sleep_for(std::min(milliseconds(20), milliseconds(until.remaining_ms())));
    }
    bool polled = false;
    if (!pushed) {
      // NOOP makes the server report new mail (RFC 3501 §6.1.2, §7.3.1).
      const auto sent = SteadyClock::now();
      auto r = s.command("NOOP", io, Stage::imap_wait);
      if (!r) return fail_all(r.error());
      const auto at = sampled(sent);
      polled = s.take_new_mail();
      if (polled) timing_.hit(at, Stamp::now(), {s.exists(), s.expunges()});
      else timing_.missed(at);
    }
    count_checks();
    bool safety = SteadyClock::now() - last_scan >= check_frequency_;
    if (pushed || polled || safety) {
      last_scan = SteadyClock::now();
      if (!scan(pushed ? "idle" : "poll")) return;
    }
  }
}

}  // namespace mailprobe::routes
