#include "check/noop_pacer.hpp"

#include <algorithm>

namespace mailprobe::check {

using std::chrono::milliseconds;

milliseconds noop_cadence(milliseconds elapsed, milliseconds check_frequency) {
  (void)elapsed;  // flat for now: the fast phase is short and the parameter keeps the contract
  return std::min(milliseconds(20), check_frequency);
}

bool NoopPacer::due(SteadyClock::time_point now) const {
  return now >= next_ && flight_.size() < kMaxInFlight;
}

void NoopPacer::sent(std::string tag, SteadyClock::time_point at) {
  flight_.push_back({std::move(tag), at});
  ++sent_count_;
  auto cadence = noop_cadence(std::chrono::duration_cast<milliseconds>(at - started_), check_frequency_);
  // Keep the grid (no drift from late wake-ups), but never send a burst to
  // catch up after falling more than one cadence behind.
  next_ += cadence;
  if (next_ <= at) next_ = at + cadence;
}

NoopPacer::Completion NoopPacer::completed(const std::string& tag, SteadyClock::time_point at) {
  Completion c;
  SteadyClock::time_point sent_at{};
  for (auto it = flight_.begin(); it != flight_.end(); ++it) {
    if (it->tag != tag) continue;
    c.ours = true;
    sent_at = it->sent;
    flight_.erase(it);
    break;
  }
  if (!c.ours) {
    // Not a NOOP of ours: it still carries a pending EXISTS, but without its
    // send time we can only bound the server time by the arrival.
    if (pending_hit_) {
      pending_hit_ = false;
      c.hit = true;
      window_ = LandingWindow{last_miss_, std::max(last_miss_, at)};
    }
    return c;
  }
  auto rtt = std::chrono::duration_cast<Micros>(at - sent_at);
  if (!rtt_ || rtt < *rtt_) rtt_ = rtt;
  SteadyClock::time_point mid = sent_at + (at - sent_at) / 2;
  if (pending_hit_) {
    pending_hit_ = false;
    c.hit = true;
    window_ = LandingWindow{last_miss_, std::max(last_miss_, mid)};
  } else {
    last_miss_ = std::max(last_miss_, mid);
  }
  return c;
}

void NoopPacer::miss_at(SteadyClock::time_point at) { last_miss_ = std::max(last_miss_, at); }

}  // namespace mailprobe::check
