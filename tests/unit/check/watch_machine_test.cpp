#include <doctest/doctest.h>

#include <chrono>

#include "check/watch_machine.hpp"

using namespace mailprobe;
using namespace mailprobe::check;
using namespace std::chrono_literals;
using Act = WatchMachine::Act;
using Event = WatchMachine::Event;

namespace {

/// A fake clock: the machine only ever sees these time points.
struct FakeClock {
  SteadyClock::time_point now = SteadyClock::time_point{} + 1000s;
  void tick(SteadyClock::duration d) { now += d; }
};

WatchMachine::Input event(Event e) {
  WatchMachine::Input in;
  in.event = e;
  return in;
}

WatchMachine::Input searched(bool found, SteadyClock::time_point at) {
  WatchMachine::Input in = event(Event::searched);
  in.found = found;
  in.searched_at = at;
  return in;
}

}  // namespace

TEST_SUITE("check::watch_machine") {
  TEST_CASE("the first action is an immediate poll search; a confirmed hit finishes") {
    FakeClock c;
    WatchMachine m(c.now, c.now + 60s, c.now + 70s, 2000ms, false);
    auto a = m.next(c.now, event(Event::begin));
    CHECK(a.act == Act::search);
    CHECK(std::string(a.method) == "poll");
    c.tick(5ms);
    CHECK(m.next(c.now, searched(true, c.now)).act == Act::found);
    CHECK(m.tries() == 1);
  }

  TEST_CASE("polling: sleep the poll interval, NOOP, search only when NOOP saw new mail") {
    FakeClock c;
    const auto t0 = c.now;
    WatchMachine m(t0, t0 + 60s, t0 + 70s, 2000ms, false);
    m.next(c.now, event(Event::begin));
    auto a = m.next(c.now, searched(false, c.now));
    REQUIRE(a.act == Act::sleep);
    CHECK(a.until == t0 + 10ms);  // 10 ms steps in the first 0.5 s
    c.now = a.until;
    CHECK(m.next(c.now, event(Event::slept)).act == Act::noop);
    WatchMachine::Input quiet = event(Event::nooped);
    a = m.next(c.now, quiet);
    CHECK(a.act == Act::sleep);  // nothing new, check_frequency not reached: no search
    CHECK(m.take_round_finished());
    CHECK(m.tries() == 2);
    c.now = a.until;
    m.next(c.now, event(Event::slept));
    WatchMachine::Input mail = event(Event::nooped);
    mail.new_mail = true;
    a = m.next(c.now, mail);
    CHECK(a.act == Act::search);
    CHECK(std::string(a.method) == "poll");
    CHECK(m.tries() == 3);
  }

  TEST_CASE("a minimum interval slows the schedule for a side folder; check_frequency still caps it") {
    FakeClock c;
    const auto t0 = c.now;
    WatchMachine slow(t0, t0 + 60s, t0 + 70s, 2000ms, true, 100ms);
    slow.next(c.now, event(Event::begin));
    REQUIRE(slow.next(c.now, searched(false, c.now)).act == Act::idle_start);
    auto a = slow.next(c.now, event(Event::idle_started));
    REQUIRE(a.act == Act::idle_wait);
    CHECK(a.until == t0 + 100ms);  // not the first half second's 10 ms
    WatchMachine capped(t0, t0 + 60s, t0 + 70s, 40ms, false, 100ms);
    capped.next(c.now, event(Event::begin));
    a = capped.next(c.now, searched(false, c.now));
    REQUIRE(a.act == Act::sleep);
    CHECK(a.until == t0 + 40ms);  // the user's --check-frequency is the ceiling
  }

  TEST_CASE("IDLE: a push ends the wait, DONE, then a search credited to idle") {
    FakeClock c;
    const auto t0 = c.now;
    WatchMachine m(t0, t0 + 60s, t0 + 70s, 2000ms, true);
    m.next(c.now, event(Event::begin));
    CHECK(m.next(c.now, searched(false, c.now)).act == Act::idle_start);
    auto a = m.next(c.now, event(Event::idle_started));
    REQUIRE(a.act == Act::idle_wait);
    CHECK(a.until == t0 + 10ms);
    c.tick(3ms);
    WatchMachine::Input push = event(Event::idle_ended);
    push.pushed = true;
    CHECK(m.next(c.now, push).act == Act::idle_done);
    a = m.next(c.now, event(Event::idle_closed));
    CHECK(a.act == Act::search);  // no NOOP after a push
    CHECK(std::string(a.method) == "idle");
  }

  TEST_CASE("IDLE refused (NO/BAD): the watcher polls from then on") {
    FakeClock c;
    WatchMachine m(c.now, c.now + 60s, c.now + 70s, 2000ms, true);
    m.next(c.now, event(Event::begin));
    m.next(c.now, searched(false, c.now));
    CHECK(m.next(c.now, event(Event::idle_refused)).act == Act::sleep);
    CHECK_FALSE(m.idle());
  }

  TEST_CASE("a search runs at least every check_frequency even without news") {
    FakeClock c;
    const auto t0 = c.now;
    WatchMachine m(t0, t0 + 600s, t0 + 700s, 100ms, false);
    m.next(c.now, event(Event::begin));
    auto a = m.next(c.now, searched(false, c.now));
    int rounds_without_search = 0;
    while (a.act == Act::sleep) {
      c.now = a.until;
      m.next(c.now, event(Event::slept));
      a = m.next(c.now, event(Event::nooped));
      ++rounds_without_search;
    }
    CHECK(a.act == Act::search);
    CHECK(c.now - t0 >= 100ms);
    CHECK(rounds_without_search == 10);  // 10 ms steps up to the 100 ms safety search
  }

  TEST_CASE("nothing arrives: the 30-check wait ends exactly at its bound, in no real time") {
    FakeClock c;
    const auto t0 = c.now;
    const auto bound = t0 + 2000ms * 30;
    WatchMachine m(t0, bound, t0 + 120s, 2000ms, false);
    auto a = m.next(c.now, event(Event::begin));
    int searches = 1;
    auto last_search = c.now;
    SteadyClock::duration longest_gap{};
    a = m.next(c.now, searched(false, c.now));
    while (a.act != Act::give_up) {
      REQUIRE(a.act == Act::sleep);
      CHECK(a.until <= bound);
      c.now = a.until;
      m.next(c.now, event(Event::slept));
      a = m.next(c.now, event(Event::nooped));
      if (a.act == Act::search) {
        ++searches;
        longest_gap = std::max(longest_gap, c.now - last_search);
        last_search = c.now;
        a = m.next(c.now, searched(false, c.now));
      }
    }
    CHECK(c.now == bound);
    // A search at least every check_frequency, late by at most one poll interval.
    CHECK(longest_gap >= 2000ms);
    CHECK(longest_gap <= 4000ms);
    CHECK(searches >= 15);
    CHECK(m.tries() > searches);
  }

  TEST_CASE("the run's deadline ends the wait before the window does") {
    FakeClock c;
    const auto t0 = c.now;
    WatchMachine m(t0, t0 + 60s, t0 + 1s, 2000ms, false);
    m.next(c.now, event(Event::begin));
    auto a = m.next(c.now, searched(false, c.now));
    while (a.act == Act::sleep) {
      c.now = a.until;
      m.next(c.now, event(Event::slept));
      a = m.next(c.now, event(Event::nooped));
    }
    CHECK(a.act == Act::give_up);
    CHECK(c.now == t0 + 1s);
  }

  TEST_CASE("a stop request is honoured at the next decision") {
    FakeClock c;
    WatchMachine m(c.now, c.now + 60s, c.now + 70s, 2000ms, false);
    m.next(c.now, event(Event::begin));
    auto a = m.next(c.now, searched(false, c.now));
    c.now = a.until;
    m.next(c.now, event(Event::slept));
    WatchMachine::Input in = event(Event::nooped);
    in.stop_requested = true;
    CHECK(m.next(c.now, in).act == Act::stop);
  }

  TEST_CASE("a stop request after IDLE's DONE ends the round without its NOOP (a side watcher told to stop)") {
    FakeClock c;
    WatchMachine m(c.now, c.now + 60s, c.now + 70s, 2000ms, true);
    m.next(c.now, event(Event::begin));
    CHECK(m.next(c.now, searched(false, c.now)).act == Act::idle_start);
    CHECK(m.next(c.now, event(Event::idle_started)).act == Act::idle_wait);
    CHECK(m.next(c.now, event(Event::idle_ended)).act == Act::idle_done);
    WatchMachine::Input in = event(Event::idle_closed);
    in.stop_requested = true;
    CHECK(m.next(c.now, in).act == Act::stop);
    // Without the request, the same round polls with a NOOP.
    WatchMachine m2(c.now, c.now + 60s, c.now + 70s, 2000ms, true);
    m2.next(c.now, event(Event::begin));
    m2.next(c.now, searched(false, c.now));
    m2.next(c.now, event(Event::idle_started));
    m2.next(c.now, event(Event::idle_ended));
    CHECK(m2.next(c.now, event(Event::idle_closed)).act == Act::noop);
  }
}
