#include "check/watcher.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include "check/fast_poll.hpp"
#include "message/probe_message.hpp"

namespace mailprobe::check {

using std::chrono::milliseconds;

milliseconds poll_interval(milliseconds elapsed, milliseconds check_frequency) {
  milliseconds v = elapsed < milliseconds(500)    ? milliseconds(10)
                   : elapsed < milliseconds(3000) ? milliseconds(50)
                                                  : std::max(milliseconds(250), elapsed / 10);
  return std::min(v, check_frequency);
}

std::string search_command(const std::string& token, std::uint32_t uid_from, const std::string& criteria) {
  // RFC 3501 §6.4.4: HEADER/SUBJECT match substrings case-insensitively; the
  // token is 32 hex characters, so a hit is ours. SUBJECT covers servers that
  // do not index custom X- headers.
  std::string c = criteria.empty()
                      ? "OR HEADER " + std::string(message::kTokenHeader) + " " + token + " SUBJECT " + token
                      : criteria;
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

  // One UID SEARCH; returns the first candidate UID, or 0.
  Outcome<std::uint32_t> search() {
    auto rs = s.command(search_command(plan.token, plan.uid_from, plan.criteria), plan.deadline, Stage::imap_wait);
    if (!rs) return rs.error();
    for (const auto& r : rs.value())
      if (auto uids = imap::search_result(r))
        for (auto uid : *uids)
          if (uid >= plan.uid_from && !rejected.count(uid)) return uid;
    return std::uint32_t{0};
  }

  // Fetches the hit and checks it really is what we look for.
  Outcome<std::string> confirm(std::uint32_t uid) {
    auto rs = s.command("UID FETCH " + std::to_string(uid) + " (UID " + plan.fetch_item + ")", plan.deadline,
                        Stage::imap_fetch);
    if (!rs) return rs.error();
    for (const auto& r : rs.value()) {
      if (imap::fetch_uid(r) != uid || r.literals.empty()) continue;
      const std::string& got = r.literals.front();
      if (plan.accept ? plan.accept(got) : header_has_token(got, plan.token)) return got;
    }
    rejected.insert(uid);
    return std::string();
  }

  struct Hit {
    std::uint32_t uid = 0;  // 0: no candidate
    std::string header;     // the confirmed header; "" if it did not carry the token
    SteadyClock::time_point searched, fetched;
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
    bool search_done = false;
    while (true) {
      Stage stage = search_done ? Stage::imap_fetch : Stage::imap_wait;
      auto r = s.next_response(plan.deadline, stage);
      if (!r) return r.error();
      if (!r.value()) return Failure(stage, Result::timeout, "no complete IMAP response before the deadline");
      const imap::Response& resp = *r.value();
      if (auto uids = imap::search_result(resp)) found.insert(found.end(), uids->begin(), uids->end());
      if (auto u = imap::fetch_uid(resp); u && !resp.literals.empty()) headers[*u] = resp.literals.front();
      if (resp.kind != imap::Response::Kind::tagged) continue;
      if (resp.tag != st.value() && resp.tag != ft.value()) continue;
      if (resp.status() != "OK")
        return Failure(stage, resp.status() == "BAD" ? Result::imap_bad : Result::imap_no, resp.text);
      if (resp.tag == st.value()) {
        search_done = true;
        hit.searched = SteadyClock::now();
        continue;
      }
      hit.fetched = SteadyClock::now();
      break;
    }
    for (auto uid : found) {
      if (uid < plan.uid_from || rejected.count(uid)) continue;
      hit.uid = uid;
      auto h = headers.find(uid);
      if (h == headers.end()) return hit;  // not fetched: the caller confirms it alone
      if (plan.accept ? plan.accept(h->second) : header_has_token(h->second, plan.token)) hit.header = h->second;
      else rejected.insert(uid);
      return hit;
    }
    return hit;
  }
};

}  // namespace

Outcome<WaitOutcome> wait_for_probe(imap::Session& s, const WaitPlan& plan, const ProgressFn& progress,
                                    const std::function<bool()>& should_stop) {
  auto stopped = [&] { return should_stop && should_stop(); };
  Watch w{s, plan, {}};
  WaitOutcome out;
  const auto started = SteadyClock::now();
  auto last_search = started;
  bool idle = plan.idle;
  // Server time of the latest check that did not see the probe.
  SteadyClock::time_point last_miss = plan.not_before != SteadyClock::time_point{} ? plan.not_before : started;
  auto rtt_sample = [&](SteadyClock::time_point sent, SteadyClock::time_point done) {
    auto d = std::chrono::duration_cast<Micros>(done - sent);
    if (!out.rtt || d < *out.rtt) out.rtt = d;
    return sent + (done - sent) / 2;  // the server's moment, on our clock
  };

  // `evidence`/`win`: when the hit was already noticed (an EXISTS); by
  // default the search itself is the evidence.
  auto try_search = [&](const std::string& how, std::optional<Stamp> evidence = {},
                        std::optional<LandingWindow> win = {}) -> Outcome<bool> {
    auto sent = SteadyClock::now();
    ++out.commands;
    if (evidence && plan.criteria.empty()) {
      // Something arrived: search and fetch in one flight.
      ++out.commands;
      auto hit = w.search_and_fetch();
      if (!hit) return hit.error();
      last_search = hit.value().searched;
      auto mid = rtt_sample(sent, last_search);
      if (hit.value().uid != 0 && hit.value().header.empty() &&
          !w.rejected.count(hit.value().uid)) {
        // The FETCH did not cover it (it cannot, in order; but do not guess).
        ++out.commands;
        auto header = w.confirm(hit.value().uid);
        if (!header) return header.error();
        hit.value().header = header.value();
        hit.value().fetched = SteadyClock::now();
      }
      if (hit.value().header.empty()) {
        last_miss = std::max(last_miss, mid);
        return false;
      }
      out.found = true;
      out.uid = hit.value().uid;
      out.seen = *evidence;
      out.method = how;
      out.header = hit.value().header;
      out.fetch_us = std::chrono::duration_cast<Micros>(hit.value().fetched - hit.value().searched).count();
      out.window = win ? *win : LandingWindow{last_miss, std::max(last_miss, mid)};
      return true;
    }
    auto uid = w.search();
    last_search = SteadyClock::now();
    if (!uid) return uid.error();
    auto mid = rtt_sample(sent, last_search);
    if (uid.value() == 0) {
      last_miss = std::max(last_miss, mid);
      return false;
    }
    Stamp seen = evidence ? *evidence : Stamp::now();
    auto t0 = SteadyClock::now();
    ++out.commands;
    auto header = w.confirm(uid.value());
    if (!header) return header.error();
    if (header.value().empty()) {
      last_miss = std::max(last_miss, mid);
      return false;
    }
    out.found = true;
    out.uid = uid.value();
    out.seen = seen;
    out.method = how;
    out.header = header.value();
    out.fetch_us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
    out.window = win ? *win : LandingWindow{last_miss, std::max(last_miss, mid)};
    return true;
  };

  // The probe may already be there (fast local delivery): look once at once.
  ++out.tries;
  if (auto r = try_search("poll"); !r) return r.error();
  else if (r.value()) return out;

  if (plan.fast_phase) {
    // NOOPs in flight on a cadence (noop_pacer.hpp): detection resolution is
    // the cadence, not cadence + RTT. Then the IDLE/NOOP loop below.
    NoopPacer pacer(started, last_miss, plan.check_frequency);
    const auto fast_until = std::min(started + kFastPhase, plan.wait_until);
    const int tries_before = out.tries;
    while (SteadyClock::now() < fast_until && !plan.deadline.expired()) {
      auto fp = fast_poll(s, pacer, fast_until, plan.deadline, should_stop);
      if (!fp) return fp.error();
      out.tries = tries_before + pacer.sent_count();
      if (pacer.rtt() && (!out.rtt || *pacer.rtt() < *out.rtt)) out.rtt = pacer.rtt();
      last_miss = std::max(last_miss, pacer.last_miss());
      if (!fp.value().hit) break;
      auto r = try_search("poll", fp.value().seen, pacer.window());
      if (!r) return r.error();
      if (r.value()) {
        out.commands += pacer.sent_count();
        return out;
      }
      pacer.miss_at(last_miss);  // other mail: the probe was not there at the search
    }
    out.commands += pacer.sent_count();
    if (progress) progress(std::chrono::duration<double>(SteadyClock::now() - started).count(), out.tries, "poll");
  }

  while (true) {
    if (stopped()) {
      out.stopped = true;  // not a failure of this mailbox: the caller asked
      return out;
    }
    auto now = SteadyClock::now();
    if (now >= plan.wait_until || plan.deadline.expired()) return out;  // found=false
    auto elapsed = std::chrono::duration_cast<milliseconds>(now - started);
    auto until_tp = std::min(now + poll_interval(elapsed, plan.check_frequency), plan.wait_until);
    until_tp = std::min(until_tp, plan.deadline.at);
    Deadline until{until_tp};

    bool pushed = false;
    std::optional<Stamp> evidence;
    std::optional<LandingWindow> win;
    if (idle) {
      ++out.commands;
      auto st = s.idle_start(plan.deadline);
      if (!st && (st.error().result == Result::imap_no || st.error().result == Result::imap_bad)) {
        idle = false;  // advertised but refused (some proxies do): poll instead
        continue;
      }
      if (!st) return st.error();
      auto r = s.idle_wait(until);
      if (!r) return r.error();
      pushed = r.value();
      if (pushed) {
        // RFC 2177: the server sent the EXISTS when it saw the mail, one
        // one-way delay (about half the smallest round trip) ago.
        evidence = Stamp::now();
        auto half = out.rtt ? *out.rtt / 2 : Micros(0);
        win = LandingWindow{last_miss, std::max(last_miss, evidence->steady - half)};
      }
      if (auto d = s.idle_done(plan.deadline); !d) return d.error();
      // RFC 2177 lets the EXISTS come with IDLE's completion after DONE
      // (Cyrus sends it with the tagged OK): IDLE found it, no NOOP needed.
      if (!pushed && s.take_new_mail()) {
        pushed = true;
        evidence = Stamp::now();
        auto half = out.rtt ? *out.rtt / 2 : Micros(0);
        win = LandingWindow{last_miss, std::max(last_miss, evidence->steady - half)};
      }
    } else {
      while (!until.expired() && !stopped())
        std::this_thread::sleep_for(std::min(milliseconds(20), milliseconds(until.remaining_ms())));
    }
    bool polled = false;
    if (!pushed) {
      // NOOP makes the server report new mail (RFC 3501 §6.1.2, §7.3.1).
      auto sent = SteadyClock::now();
      ++out.commands;
      auto r = s.command("NOOP", plan.deadline, Stage::imap_wait);
      if (!r) return r.error();
      auto mid = rtt_sample(sent, SteadyClock::now());
      polled = s.take_new_mail();
      if (polled) {
        evidence = Stamp::now();
        win = LandingWindow{last_miss, std::max(last_miss, mid)};
      } else {
        last_miss = std::max(last_miss, mid);
      }
    }
    ++out.tries;
    if (progress) progress(std::chrono::duration<double>(SteadyClock::now() - started).count(), out.tries,
                           idle ? "idle+poll" : "poll");
    bool safety = SteadyClock::now() - last_search >= plan.check_frequency;
    if (pushed || polled || safety) {
      auto r = try_search(pushed ? "idle" : "poll", evidence, win);
      if (!r) return r.error();
      if (r.value()) return out;
    }
  }
}

}  // namespace mailprobe::check
