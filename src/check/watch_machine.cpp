#include "check/watch_machine.hpp"

#include <algorithm>

#include "check/watcher.hpp"

namespace mailprobe::check {

using std::chrono::milliseconds;

WatchMachine::WatchMachine(SteadyClock::time_point started, SteadyClock::time_point wait_until,
                           SteadyClock::time_point deadline, milliseconds check_frequency, bool idle,
                           milliseconds min_interval)
    : started_(started),
      wait_until_(wait_until),
      deadline_(deadline),
      last_search_(started),
      check_frequency_(check_frequency),
      min_interval_(min_interval),
      idle_(idle) {}

bool WatchMachine::take_round_finished() {
  bool r = round_finished_;
  round_finished_ = false;
  return r;
}

WatchMachine::Action WatchMachine::head(SteadyClock::time_point now, bool stop_requested) {
  if (stop_requested) return {Act::stop};
  if (now >= wait_until_ || now >= deadline_) return {Act::give_up};
  auto elapsed = std::chrono::duration_cast<milliseconds>(now - started_);
  until_ = std::min({now + poll_interval(elapsed, check_frequency_, min_interval_), wait_until_, deadline_});
  pushed_ = polled_ = false;
  return idle_ ? Action{Act::idle_start} : Action{Act::sleep, until_};
}

WatchMachine::Action WatchMachine::after_wait(SteadyClock::time_point now, bool stop_requested) {
  // Told to stop (another folder found the probe, or a signal): no NOOP to
  // finish the round, whose answer nobody would read.
  if (stop_requested) return {Act::stop};
  if (!pushed_) return {Act::noop};
  return round_end(now, stop_requested);
}

WatchMachine::Action WatchMachine::round_end(SteadyClock::time_point now, bool stop_requested) {
  ++tries_;
  round_finished_ = true;
  const bool safety = now - last_search_ >= check_frequency_;
  if (pushed_ || polled_ || safety) return {Act::search, {}, pushed_ ? "idle" : "poll"};
  return head(now, stop_requested);
}

WatchMachine::Action WatchMachine::next(SteadyClock::time_point now, const Input& in) {
  switch (in.event) {
    case Event::begin:
      ++tries_;
      return {Act::search, {}, "poll"};
    case Event::searched:
      last_search_ = in.searched_at;
      if (in.found) return {Act::found};
      return head(now, in.stop_requested);
    case Event::idle_refused:
      idle_ = false;  // advertised but refused (some proxies do): poll instead
      return head(now, in.stop_requested);
    case Event::idle_started:
      return {Act::idle_wait, until_};
    case Event::idle_ended:
      pushed_ = in.pushed;
      return {Act::idle_done};
    case Event::idle_closed:
      pushed_ = pushed_ || in.pushed;  // EXISTS with DONE's completion counts as pushed
      return after_wait(now, in.stop_requested);
    case Event::slept:
      return after_wait(now, in.stop_requested);
    case Event::nooped:
      polled_ = in.new_mail;
      return round_end(now, in.stop_requested);
  }
  return {Act::give_up};
}

}  // namespace mailprobe::check
