#include "check/watcher.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include "check/fast_poll.hpp"
#include "check/wait_timing.hpp"
#include "check/watch_machine.hpp"
#include "message/probe_message.hpp"

namespace mailprobe::check {

using std::chrono::milliseconds;

milliseconds poll_interval(milliseconds elapsed, milliseconds check_frequency, milliseconds min_interval) {
  milliseconds v = elapsed < milliseconds(500)    ? milliseconds(10)
                   : elapsed < milliseconds(3000) ? milliseconds(50)
                                                  : std::max(milliseconds(250), elapsed / 10);
  return std::min(std::max(v, min_interval), check_frequency);
}

std::string token_criteria(const std::string& token) {
  return "OR HEADER " + std::string(message::kTokenHeader) + " " + token + " SUBJECT " + token;
}

std::string search_command(const std::string& token, std::uint32_t uid_from, const std::string& criteria) {
  // RFC 3501 §6.4.4: HEADER/SUBJECT match substrings case-insensitively; the
  // token is 32 hex characters, so a hit is ours. SUBJECT covers servers that
  // do not index custom X- headers.
  const std::string c = criteria.empty() ? token_criteria(token) : criteria;
  return "UID SEARCH UID " + std::to_string(uid_from ? uid_from : 1) + ":* " + c;
}

bool header_has_token(std::string_view header, std::string_view token) {
  // Unfold: CRLF followed by WSP continues the previous line.
  std::string unfolded;
  unfolded.reserve(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    char c = header[i];
    if (c == '\r') continue;
    if (c == '\n' && i + 1 < header.size() && (header[i + 1] == ' ' || header[i + 1] == '\t')) continue;
    unfolded.push_back(c);
  }
  std::size_t pos = 0;
  while (pos < unfolded.size()) {
    auto eol = unfolded.find('\n', pos);
    std::string_view line(unfolded.data() + pos, (eol == std::string::npos ? unfolded.size() : eol) - pos);
    pos = eol == std::string::npos ? unfolded.size() : eol + 1;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if ((name == "x-mailprobe-token" || name == "subject" || name == "message-id") &&
        line.substr(colon + 1).find(token) != std::string_view::npos)
      return true;
  }
  return false;
}

namespace {

struct Watch {
  imap::Session& s;
  const WaitPlan& plan;
  std::set<std::uint32_t> rejected;  // hits whose header did not carry the token
  SteadyClock::time_point searched_at{};  // when the last UID SEARCH returned
  bool searched = false;                  // the first search is behind us

  // One UID SEARCH; returns the first candidate UID, or 0.
  Outcome<std::uint32_t> search() {
    const std::uint32_t from = !searched && plan.first_uid_from ? plan.first_uid_from : plan.uid_from;
    searched = true;
    auto rs = s.command(search_command(plan.token, from, plan.criteria), plan.deadline, Stage::imap_wait);
    searched_at = SteadyClock::now();
    if (!rs) return rs.error();
    for (const auto& r : rs.value())
      if (auto uids = imap::search_result(r))
        for (auto uid : *uids)
          if (uid >= from && !rejected.count(uid)) return uid;
    return std::uint32_t{0};
  }

  // Fetches the hit and checks it really is what we look for. `seq`: its
  // message sequence number, when the server gave it.
  Outcome<std::string> confirm(std::uint32_t uid, std::optional<std::uint32_t>& seq) {
    auto rs = s.command("UID FETCH " + std::to_string(uid) + " (UID " + plan.fetch_item + ")", plan.deadline,
                        Stage::imap_fetch);
    if (!rs) return rs.error();
    for (const auto& r : rs.value()) {
      if (imap::fetch_uid(r) != uid || r.literals.empty()) continue;
      seq = imap::fetch_number(r);
      const std::string& got = r.literals.front();
      if (plan.accept ? plan.accept(got) : header_has_token(got, plan.token)) return got;
    }
    rejected.insert(uid);
    return std::string();
  }

  struct Hit {
    std::uint32_t uid = 0;  // 0: no candidate
    std::string header;     // the confirmed header; "" if it did not carry the token
    SteadyClock::time_point fetched;
    std::optional<std::uint32_t> seq;  // its message sequence number
  };
  // After evidence of new mail: the SEARCH and a FETCH of every new message's
  // header in one flight (RFC 3501 §5.5; responses come back in order), which
  // saves the confirming round trip. "n:*" names the last message even when
  // none is new (§6.4.8); a header without the token is simply not taken.
  Outcome<Hit> search_and_fetch() {
    Hit hit;
    auto st = s.send_command(search_command(plan.token, plan.uid_from, plan.criteria), plan.deadline,
                             Stage::imap_wait);
    if (!st) return st.error();
    auto ft = s.send_command("UID FETCH " + std::to_string(plan.uid_from ? plan.uid_from : 1) + ":* (UID " +
                                 plan.fetch_item + ")",
                             plan.deadline, Stage::imap_fetch);
    if (!ft) return ft.error();
    std::vector<std::uint32_t> found;
    std::map<std::uint32_t, std::string> headers;
    std::map<std::uint32_t, std::uint32_t> seqs;
    bool search_done = false;
    while (true) {
      Stage stage = search_done ? Stage::imap_fetch : Stage::imap_wait;
      auto r = s.next_response(plan.deadline, stage);
      if (!r) return r.error();
      if (!r.value()) return Failure(stage, Result::timeout, "no complete IMAP response before the deadline");
      const imap::Response& resp = *r.value();
      if (auto uids = imap::search_result(resp)) found.insert(found.end(), uids->begin(), uids->end());
      if (auto u = imap::fetch_uid(resp); u && !resp.literals.empty()) {
        headers[*u] = resp.literals.front();
        if (auto n = imap::fetch_number(resp)) seqs[*u] = *n;
      }
      if (resp.kind != imap::Response::Kind::tagged) continue;
      if (resp.tag != st.value() && resp.tag != ft.value()) continue;
      if (resp.status() != "OK")
        return Failure(stage, resp.status() == "BAD" ? Result::imap_bad : Result::imap_no, resp.text);
      if (resp.tag == st.value()) {
        search_done = true;
        searched_at = SteadyClock::now();
        continue;
      }
      hit.fetched = SteadyClock::now();
      break;
    }
    for (auto uid : found) {
      if (uid < plan.uid_from || rejected.count(uid)) continue;
      hit.uid = uid;
      if (auto n = seqs.find(uid); n != seqs.end()) hit.seq = n->second;
      auto h = headers.find(uid);
      if (h == headers.end()) return hit;  // not fetched: the caller confirms it alone
      if (plan.accept ? plan.accept(h->second) : header_has_token(h->second, plan.token)) hit.header = h->second;
      else rejected.insert(uid);
      return hit;
    }
    // The search may have run before the server took the new mail in (its
    // EXISTS then follows the results); the FETCH behind it ran after, and a
    // header of it that carries the token is the probe all the same.
    for (const auto& [uid, header] : headers) {
      if (uid < plan.uid_from || rejected.count(uid)) continue;
      if (!(plan.accept ? plan.accept(header) : header_has_token(header, plan.token))) continue;
      hit.uid = uid;
      hit.header = header;
      if (auto n = seqs.find(uid); n != seqs.end()) hit.seq = n->second;
      return hit;
    }
    return hit;
  }
};

/// One search and, on a hit, its confirming fetch (in the same flight when
/// new mail was already reported). True (and `out` filled) when the probe is
/// confirmed; `out.seen` is when the evidence arrived (the completion that
/// carried the EXISTS, else the search), `out.window` when it landed.
Outcome<bool> try_search(Watch& w, const char* how, WaitOutcome& out, WaitTiming& t) {
  const auto sent = SteadyClock::now();
  std::uint32_t uid = 0;
  std::optional<std::uint32_t> seq;  // its message sequence number, when fetched
  std::string header;
  SteadyClock::time_point fetch_from{}, fetched{};
  ++t.commands;
  if (t.evidence && w.plan.criteria.empty()) {
    ++t.commands;
    auto hit = w.search_and_fetch();
    if (!hit) return hit.error();
    uid = hit.value().uid;
    header = hit.value().header;
    seq = hit.value().seq;
    fetch_from = w.searched_at;
    fetched = hit.value().fetched;
  } else {
    auto u = w.search();
    if (!u) return u.error();
    uid = u.value();
  }
  const auto mid = t.sample(sent, w.searched_at);
  const WaitTiming before = t;  // the evidence, before it is used up
  t.consumed();
  if (uid != 0 && header.empty() && !w.rejected.count(uid)) {
    ++t.commands;
    fetch_from = SteadyClock::now();
    auto h = w.confirm(uid, seq);
    if (!h) return h.error();
    header = h.value();
    fetched = SteadyClock::now();
  }
  if (uid == 0 || header.empty()) {
    if (uid == 0 && w.s.take_new_mail()) {
      // The response announced new mail after the results (RFC 3501 §7.3.1:
      // a server reports mailbox changes when a command completes; Dovecot
      // searches its view first, then syncs), so this search proves nothing
      // about the probe: the mail landed by the server's moment of it, and
      // the search that can find it goes at once.
      t.hit(mid, Stamp::now(), {w.s.exists(), w.s.expunges()});
      return try_search(w, how, out, t);
    }
    t.missed(mid);  // the probe was not there when the server ran the search
    return false;
  }
  out.found = true;
  out.uid = uid;
  out.seen = before.evidence ? *before.evidence : Stamp{w.searched_at, WallClock::now() - std::chrono::duration_cast<WallClock::duration>(SteadyClock::now() - w.searched_at)};
  out.method = how;
  out.header = header;
  out.fetch_us = std::chrono::duration_cast<Micros>(fetched - fetch_from).count();
  // The evidence may have been other mail that landed first (a mailbox
  // several sources share): wait_timing.hpp's window_for.
  out.window = before.window_for(seq, w.s.expunges(), mid);
  return true;
}

/// noop_pacer.hpp's fast phase after a first search that missed: NOOPs in
/// flight on a cadence until a hit is confirmed (true), the phase ends or a
/// stop is requested (false). `noops` counts the NOOPs sent.
Outcome<bool> fast_phase(imap::Session& s, Watch& w, WaitOutcome& out, WaitTiming& t,
                         SteadyClock::time_point started, const std::function<bool()>& should_stop, int& noops) {
  const WaitPlan& plan = w.plan;
  const auto until = std::min(started + kFastPhase, plan.wait_until);
  Outcome<bool> result = false;
  noops = 0;
  while (SteadyClock::now() < until && !plan.deadline.expired()) {
    // A pacer per stretch of polling: on a hit, its NOOPs still in flight
    // stay there and the search goes out behind them (fast_poll's
    // leave_flight_on_hit; the search's reads pass over their completions,
    // and an EXISTS in one is new evidence, see try_search), a round trip
    // sooner than draining them first.
    NoopPacer pacer(started, t.last_miss, plan.check_frequency);
    auto fp = fast_poll(s, pacer, until, plan.deadline, should_stop, std::chrono::milliseconds(0),
                        /*leave_flight_on_hit=*/true);
    noops += pacer.sent_count();
    if (!fp) {
      result = fp.error();
      break;
    }
    t.take_rtt(pacer.rtt());
    t.missed(pacer.last_miss());
    if (!fp.value().hit) break;
    t.evidenced(fp.value().seen, *pacer.window(), {s.exists(), s.expunges()});
    auto r = try_search(w, "poll", out, t);
    if (!r || r.value()) {
      result = r;
      break;
    }
  }
  t.commands += noops;
  return result;
}

}  // namespace

Outcome<WaitOutcome> wait_for_probe(imap::Session& s, const WaitPlan& plan, const ProgressFn& progress,
                                    const std::function<bool()>& should_stop) {
  auto stopped = [&] { return should_stop && should_stop(); };
  Watch w{s, plan, {}};
  WaitOutcome out;
  const auto started = SteadyClock::now();
  WaitTiming t;
  t.last_miss = plan.not_before != SteadyClock::time_point{} ? plan.not_before : started;
  bool fast_done = !plan.fast_phase;
  int fast_noops = 0;  // tries made by the fast phase, outside the machine
  WatchMachine m(started, plan.wait_until, plan.deadline.at, plan.check_frequency, plan.idle, plan.min_interval);
  auto settle = [&] {
    out.tries = m.tries() + fast_noops;
    out.commands = t.commands;
    out.rtt = t.rtt;
  };
  WatchMachine::Input in;
  // The thin loop: perform what the machine says, tell it what happened.
  while (true) {
    WatchMachine::Action a = m.next(SteadyClock::now(), in);
    if (m.take_round_finished() && progress)
      progress(std::chrono::duration<double>(SteadyClock::now() - started).count(), m.tries() + fast_noops,
               m.idle() ? "idle+poll" : "poll");
    in = {};
    switch (a.act) {
      case WatchMachine::Act::found:
      case WatchMachine::Act::give_up:
        settle();
        return out;  // found, or found=false
      case WatchMachine::Act::stop:
        settle();
        out.stopped = true;  // not a failure of this mailbox: the caller asked
        return out;
      case WatchMachine::Act::search: {
        auto r = try_search(w, a.method, out, t);
        if (!r) return r.error();
        if (!r.value() && !fast_done) {
          fast_done = true;
          auto f = fast_phase(s, w, out, t, started, should_stop, fast_noops);
          if (!f) return f.error();
          if (f.value()) {
            settle();
            return out;
          }
        }
        in.event = WatchMachine::Event::searched;
        in.found = r.value();
        in.searched_at = w.searched_at;
        break;
      }
      case WatchMachine::Act::idle_start: {
        ++t.commands;
        auto st = s.idle_start(plan.deadline);
        if (!st && (st.error().result == Result::imap_no || st.error().result == Result::imap_bad)) {
          in.event = WatchMachine::Event::idle_refused;
          break;
        }
        if (!st) return st.error();
        in.event = WatchMachine::Event::idle_started;
        break;
      }
      case WatchMachine::Act::idle_wait: {
        // In short slices, so a watcher told to stop (another folder found
        // the probe) leaves IDLE within ~25 ms instead of at the slice's end.
        auto r = s.idle_wait(Deadline{std::min(a.until, SteadyClock::now() + milliseconds(25))});
        while (r && !r.value() && SteadyClock::now() < a.until && !stopped())
          r = s.idle_wait(Deadline{std::min(a.until, SteadyClock::now() + milliseconds(25))});
        if (!r) return r.error();
        in.event = WatchMachine::Event::idle_ended;
        in.pushed = r.value();
        if (in.pushed) t.pushed(Stamp::now(), {s.exists(), s.expunges()});
        break;
      }
      case WatchMachine::Act::idle_done:
        if (auto d = s.idle_done(plan.deadline); !d) return d.error();
        in.event = WatchMachine::Event::idle_closed;
        // RFC 2177 lets the EXISTS come with IDLE's completion after DONE
        // (Cyrus sends it with the tagged OK): IDLE found it, no NOOP needed.
        in.pushed = s.take_new_mail();
        if (in.pushed) t.pushed(Stamp::now(), {s.exists(), s.expunges()});
        break;
      case WatchMachine::Act::sleep: {
        Deadline until{a.until};
        while (!until.expired() && !stopped())
          std::this_thread::sleep_for(std::min(milliseconds(20), milliseconds(until.remaining_ms())));
        in.event = WatchMachine::Event::slept;
        break;
      }
      case WatchMachine::Act::noop: {
        const auto sent = SteadyClock::now();
        ++t.commands;
        auto r = s.command("NOOP", plan.deadline, Stage::imap_wait);
        if (!r) return r.error();
        in.event = WatchMachine::Event::nooped;
        in.new_mail = s.take_new_mail();
        const auto mid = t.sample(sent, SteadyClock::now());
        if (in.new_mail) t.hit(mid, Stamp::now(), {s.exists(), s.expunges()});  // NOOP reports new mail (RFC 3501 §6.1.2)
        else t.missed(mid);
        break;
      }
    }
    in.stop_requested = stopped();
  }
}

}  // namespace mailprobe::check
