#pragma once

// The watcher's decisions without its I/O: when to search, IDLE, NOOP,
// sleep, give up or stop. A pure state machine over time points the caller
// supplies; wait_for_probe (watcher.cpp) is the thin loop that performs each
// Action and feeds back what happened, and tests step it on a fake clock.
//
// One round: wait (IDLE until a push or the poll interval, else sleep), then
// NOOP unless the server pushed (RFC 3501 §6.1.2, §7.3.1), then UID SEARCH
// when something may have arrived or check_frequency passed since the last
// search. The first search happens at once (fast local delivery).

#include <chrono>
#include <string>

#include "core/clock.hpp"

namespace mailprobe::check {

class WatchMachine {
 public:
  enum class Event {
    begin,          // nothing happened yet
    searched,       // a UID SEARCH (and its confirming FETCH) returned; see `found`
    idle_refused,   // IDLE was answered NO/BAD: poll from now on
    idle_started,   // the "+" continuation arrived
    idle_ended,     // IDLE's wait ended; see `pushed`
    idle_closed,    // DONE got its tagged completion; see `pushed`
    slept,          // the sleep ended
    nooped,         // NOOP returned; see `new_mail`
  };
  enum class Act {
    search,      // UID SEARCH + confirm; report `searched`
    idle_start,  // send IDLE; report idle_started or idle_refused
    idle_wait,   // wait for a push until `until`; report idle_ended
    idle_done,   // send DONE; report idle_closed
    sleep,       // sleep until `until` (stop requests may end it early); report slept
    noop,        // NOOP; report nooped with new_mail
    found,       // the last search confirmed the probe: finished
    give_up,     // the plan's window (or the run's deadline) is over: finished, not found
    stop,        // a stop was requested: finished
  };
  struct Action {
    Act act;
    SteadyClock::time_point until{};  // idle_wait / sleep
    const char* method = "";          // search: "idle" or "poll" (how the probe would have been seen)
  };
  struct Input {
    Event event = Event::begin;
    bool found = false;         // searched
    SteadyClock::time_point searched_at{};  // searched: when the SEARCH itself returned
    bool pushed = false;        // idle_ended; idle_closed: EXISTS came with DONE's completion
    bool new_mail = false;      // nooped
    bool stop_requested = false;
  };

  /// `started` is when the wait began; the window ends at `wait_until`, the
  /// run at `deadline` (whichever is first). `min_interval` slows the
  /// poll_interval() schedule down for a watcher that needs less resolution
  /// (a side folder); check_frequency still caps it.
  WatchMachine(SteadyClock::time_point started, SteadyClock::time_point wait_until,
               SteadyClock::time_point deadline, std::chrono::milliseconds check_frequency, bool idle,
               std::chrono::milliseconds min_interval = std::chrono::milliseconds(0));

  /// The next action after `in` happened at `now`.
  Action next(SteadyClock::time_point now, const Input& in);

  int tries() const { return tries_; }          // searches and rounds so far (seed 002's "checks")
  bool idle() const { return idle_; }           // still using IDLE
  /// True once per finished round: the caller reports progress then.
  bool take_round_finished();

 private:
  Action head(SteadyClock::time_point now, bool stop_requested);
  Action after_wait(SteadyClock::time_point now, bool stop_requested);
  Action round_end(SteadyClock::time_point now, bool stop_requested);

  SteadyClock::time_point started_, wait_until_, deadline_, last_search_, until_{};
  std::chrono::milliseconds check_frequency_, min_interval_;
  bool idle_;
  bool pushed_ = false, polled_ = false, round_finished_ = false;
  int tries_ = 0;
};

}  // namespace mailprobe::check
