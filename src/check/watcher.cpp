#include "check/watcher.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>

#include "check/watch_machine.hpp"
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
  SteadyClock::time_point searched_at{};  // when the last UID SEARCH returned

  // One UID SEARCH; returns the first candidate UID, or 0.
  Outcome<std::uint32_t> search() {
    auto rs = s.command(search_command(plan.token, plan.uid_from, plan.criteria), plan.deadline, Stage::imap_wait);
    searched_at = SteadyClock::now();
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
};

/// One search and, on a hit, its confirming fetch. True (and `out` filled)
/// when the probe is confirmed.
Outcome<bool> try_search(Watch& w, const char* how, WaitOutcome& out) {
  auto uid = w.search();
  if (!uid) return uid.error();
  if (uid.value() == 0) return false;
  Stamp seen = Stamp::now();
  auto t0 = SteadyClock::now();
  auto header = w.confirm(uid.value());
  if (!header) return header.error();
  if (header.value().empty()) return false;
  out.found = true;
  out.uid = uid.value();
  out.seen = seen;
  out.method = how;
  out.header = header.value();
  out.fetch_us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
  return true;
}

}  // namespace

Outcome<WaitOutcome> wait_for_probe(imap::Session& s, const WaitPlan& plan, const ProgressFn& progress,
                                    const std::function<bool()>& should_stop) {
  auto stopped = [&] { return should_stop && should_stop(); };
  Watch w{s, plan, {}};
  WaitOutcome out;
  const auto started = SteadyClock::now();
  WatchMachine m(started, plan.wait_until, plan.deadline.at, plan.check_frequency, plan.idle);
  WatchMachine::Input in;
  // The thin loop: perform what the machine says, tell it what happened.
  while (true) {
    WatchMachine::Action a = m.next(SteadyClock::now(), in);
    if (m.take_round_finished() && progress)
      progress(std::chrono::duration<double>(SteadyClock::now() - started).count(), m.tries(),
               m.idle() ? "idle+poll" : "poll");
    in = {};
    switch (a.act) {
      case WatchMachine::Act::found:
      case WatchMachine::Act::give_up:
        out.tries = m.tries();
        return out;  // found, or found=false
      case WatchMachine::Act::stop:
        out.tries = m.tries();
        out.stopped = true;  // not a failure of this mailbox: the caller asked
        return out;
      case WatchMachine::Act::search: {
        auto r = try_search(w, a.method, out);
        if (!r) return r.error();
        in.event = WatchMachine::Event::searched;
        in.found = r.value();
        in.searched_at = w.searched_at;
        break;
      }
      case WatchMachine::Act::idle_start: {
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
        auto r = s.idle_wait(Deadline{a.until});
        if (!r) return r.error();
        in.event = WatchMachine::Event::idle_ended;
        in.pushed = r.value();
        break;
      }
      case WatchMachine::Act::idle_done:
        if (auto d = s.idle_done(plan.deadline); !d) return d.error();
        in.event = WatchMachine::Event::idle_closed;
        // RFC 2177 lets the EXISTS come with IDLE's completion after DONE
        // (Cyrus sends it with the tagged OK): IDLE found it, no NOOP needed.
        in.pushed = s.take_new_mail();
        break;
      case WatchMachine::Act::sleep: {
        Deadline until{a.until};
        while (!until.expired() && !stopped())
          std::this_thread::sleep_for(std::min(milliseconds(20), milliseconds(until.remaining_ms())));
        in.event = WatchMachine::Event::slept;
        break;
      }
      case WatchMachine::Act::noop: {
        auto r = s.command("NOOP", plan.deadline, Stage::imap_wait);
        if (!r) return r.error();
        in.event = WatchMachine::Event::nooped;
        in.new_mail = s.take_new_mail();
        break;
      }
    }
    in.stop_requested = stopped();
  }
}

}  // namespace mailprobe::check
