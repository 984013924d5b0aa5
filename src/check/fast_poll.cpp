#include "check/fast_poll.hpp"

#include <algorithm>

namespace mailprobe::check {

namespace {

/// Feeds one response to the pacer. Returns true when it completed the hit.
Outcome<bool> take(imap::Session& s, NoopPacer& pacer, const imap::Response& r, FastPollResult& out) {
  if (s.take_new_mail()) pacer.new_mail();
  if (r.kind != imap::Response::Kind::tagged) return false;
  auto now = SteadyClock::now();
  auto c = pacer.completed(r.tag, now);
  if (c.ours && r.status() != "OK")
    return Failure(Stage::imap_wait, r.status() == "BAD" ? Result::imap_bad : Result::imap_no,
                   "NOOP refused: " + r.text);
  if (c.hit && !out.hit) {
    out.hit = true;
    out.seen = Stamp::now();
    return true;
  }
  return false;
}

}  // namespace

Outcome<FastPollResult> fast_poll(imap::Session& s, NoopPacer& pacer, SteadyClock::time_point until,
                                  const Deadline& dl, const std::function<bool()>& should_stop,
                                  std::chrono::milliseconds slice, bool leave_flight_on_hit) {
  FastPollResult out;
  auto stopped = [&] { return should_stop && should_stop(); };
  while (!out.hit && !stopped()) {
    auto now = SteadyClock::now();
    if (now >= until || dl.expired()) break;
    if (pacer.due(now)) {
      auto tag = s.send_command("NOOP", dl, Stage::imap_wait);
      if (!tag) return tag.error();
      pacer.sent(tag.value(), now);
    }
    // Read until the next NOOP is due (or the phase ends).
    auto wake = std::min({pacer.next_due(), until, dl.at});
    if (pacer.in_flight() >= kMaxInFlight) wake = std::min(until, dl.at);
    if (slice.count() > 0) wake = std::min(wake, now + slice);
    auto r = s.next_response(Deadline{wake}, Stage::imap_wait);
    if (!r) return r.error();
    if (!r.value()) continue;
    auto h = take(s, pacer, *r.value(), out);
    if (!h) return h.error();
  }
  if (out.hit && leave_flight_on_hit) return out;
  // Drain: our NOOPs' completions still update the RTT, and a late one may
  // still carry the hit.
  while (pacer.in_flight() > 0) {
    auto r = s.next_response(dl, Stage::imap_wait);
    if (!r) return r.error();
    if (!r.value()) return Failure(Stage::imap_wait, Result::timeout, "NOOP unanswered before the deadline");
    auto h = take(s, pacer, *r.value(), out);
    if (!h) return h.error();
  }
  return out;
}

}  // namespace mailprobe::check
