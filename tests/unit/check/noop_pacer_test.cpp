#include <doctest/doctest.h>

#include "check/fast_poll.hpp"
#include "check/noop_pacer.hpp"
#include "check/watcher.hpp"
#include "support/answering_transport.hpp"

using namespace mailprobe;
using namespace mailprobe::check;
using namespace std::chrono;
using mailprobe::test::AnsweringTransport;

namespace {
const SteadyClock::time_point t0 = SteadyClock::time_point{} + hours(1);
SteadyClock::time_point at(int ms) { return t0 + milliseconds(ms); }
}  // namespace

TEST_SUITE("check::noop_pacer") {
  TEST_CASE("cadence: 20 ms through the fast phase, capped by check_frequency") {
    CHECK(noop_cadence(milliseconds(0), milliseconds(2000)) == milliseconds(20));
    CHECK(noop_cadence(milliseconds(500), milliseconds(2000)) == milliseconds(20));
    CHECK(noop_cadence(milliseconds(2999), milliseconds(2000)) == milliseconds(20));
    CHECK(noop_cadence(milliseconds(0), milliseconds(5)) == milliseconds(5));
  }

  TEST_CASE("NOOPs go out on the cadence whether or not the previous one was answered") {
    NoopPacer p(t0, t0, milliseconds(2000));
    CHECK(p.due(at(0)));
    p.sent("m2", at(0));
    CHECK_FALSE(p.due(at(5)));  // not yet due, though nothing came back
    CHECK_FALSE(p.due(at(15)));
    CHECK(p.due(at(20)));
    p.sent("m3", at(23));      // a late wake-up does not shift the grid
    CHECK(p.next_due() == at(40));
    p.sent("m4", at(85));      // far behind: no burst to catch up
    CHECK(p.next_due() == at(105));
    CHECK(p.in_flight() == 3);
  }

  TEST_CASE("the in-flight bound stops sending until completions come back") {
    NoopPacer p(t0, t0, milliseconds(2000));
    for (std::size_t i = 0; i < kMaxInFlight; ++i) p.sent("m" + std::to_string(i), at(static_cast<int>(10 * i)));
    CHECK_FALSE(p.due(at(10'000)));
    p.completed("m0", at(10'000));
    CHECK(p.due(at(10'000)));
  }

  TEST_CASE("the EXISTS belongs to the next completion; window from the last miss to the hit") {
    // RTT 50 ms: each NOOP is processed ~25 ms after it is sent.
    NoopPacer p(t0, at(-5), milliseconds(2000));
    p.sent("m2", at(0));
    p.sent("m3", at(10));
    p.sent("m4", at(20));
    auto c = p.completed("m2", at(50));  // miss, server time 25
    CHECK(c.ours);
    CHECK_FALSE(c.hit);
    p.new_mail();                        // "* 4 EXISTS" arrives just before m3's OK
    c = p.completed("m3", at(60));       // hit, server time 35
    CHECK(c.hit);
    REQUIRE(p.window());
    CHECK(p.window()->after == at(25));
    CHECK(p.window()->before == at(35));
    CHECK(p.window()->estimate() == at(30));
    CHECK(p.window()->half_width() == milliseconds(5));
    CHECK(p.rtt() == milliseconds(50));
    CHECK_FALSE(p.completed("m4", at(70)).hit);  // later completions are misses again
  }

  TEST_CASE("a hit on the first completion reaches back to the given last miss") {
    NoopPacer p(t0, at(-40), milliseconds(2000));
    p.sent("m5", at(0));
    p.new_mail();
    auto c = p.completed("m5", at(20));
    CHECK(c.hit);
    CHECK(p.window()->after == at(-40));
    CHECK(p.window()->before == at(10));
  }

  TEST_CASE("a hit that proved to be other mail moves the start of the next window") {
    NoopPacer p(t0, t0, milliseconds(2000));
    p.sent("m2", at(0));
    p.new_mail();
    CHECK(p.completed("m2", at(10)).hit);
    p.miss_at(at(30));  // the search found nothing at server time 30
    p.sent("m4", at(40));
    p.new_mail();
    CHECK(p.completed("m4", at(50)).hit);
    CHECK(p.window()->after == at(30));
    CHECK(p.window()->before == at(45));
  }

  TEST_CASE("a completion that is not ours still carries the EXISTS, bounded by its arrival") {
    NoopPacer p(t0, at(0), milliseconds(2000));
    p.new_mail();
    auto c = p.completed("m9", at(30));
    CHECK_FALSE(c.ours);
    CHECK(c.hit);
    CHECK(p.window()->before == at(30));
    CHECK_FALSE(p.rtt());
  }
}

TEST_SUITE("check::fast_poll") {
  TEST_CASE("pipelined NOOPs: the one answered after the EXISTS is the hit, none left in flight") {
    AnsweringTransport t;
    imap::Session s(t);
    t.answer("* 3 EXISTS\r\nm1 OK SELECT done\r\n");
    REQUIRE(s.command("SELECT INBOX", Deadline::in(seconds(1)), Stage::imap_select));
    s.take_new_mail();
    t.answer("m2 OK NOOP\r\n");
    t.answer("m3 OK NOOP\r\n");
    t.answer("* 4 EXISTS\r\nm4 OK NOOP\r\n");
    t.answer("m5 OK NOOP\r\n");
    auto start = SteadyClock::now();
    NoopPacer p(start, start, milliseconds(2000));
    auto r = fast_poll(s, p, start + seconds(1), Deadline::in(seconds(2)), {});
    REQUIRE(r);
    CHECK(r.value().hit);
    CHECK(p.in_flight() == 0);
    CHECK(t.sent().find("m1 SELECT INBOX\r\nm2 NOOP\r\nm3 NOOP\r\nm4 NOOP\r\n") == 0);
    REQUIRE(p.window());
    CHECK(p.window()->after <= p.window()->before);
    CHECK(r.value().seen.steady >= p.window()->before);
    CHECK(s.exists() == 4);
  }

  TEST_CASE("no new mail: the phase ends at `until` and every NOOP was answered") {
    AnsweringTransport t;
    imap::Session s(t);
    for (int i = 1; i <= 200; ++i) t.answer("m" + std::to_string(i) + " OK NOOP\r\n");
    auto start = SteadyClock::now();
    NoopPacer p(start, start, milliseconds(2000));
    auto r = fast_poll(s, p, start + milliseconds(60), Deadline::in(seconds(2)), {});
    REQUIRE(r);
    CHECK_FALSE(r.value().hit);
    CHECK(p.sent_count() >= 2);
    CHECK(p.sent_count() <= 5);  // ~3 at 20 ms cadence in 60 ms, not one per recv
    CHECK(p.in_flight() == 0);
  }

  TEST_CASE("a refused NOOP fails the wait at imap_wait") {
    AnsweringTransport t;
    imap::Session s(t);
    t.answer("m1 BAD unknown command\r\n");
    auto start = SteadyClock::now();
    NoopPacer p(start, start, milliseconds(2000));
    auto r = fast_poll(s, p, start + seconds(1), Deadline::in(seconds(2)), {});
    REQUIRE_FALSE(r);
    CHECK(r.error().stage == Stage::imap_wait);
    CHECK(r.error().result == Result::imap_bad);
  }
}

TEST_SUITE("check::watcher fast phase") {
  TEST_CASE("a hit in the fast phase: SEARCH and FETCH go in one flight; seen is the EXISTS's arrival") {
    AnsweringTransport t;
    imap::Session s(t);
    std::string tok = "0123456789abcdef0123456789abcdef";
    std::string hdr = "X-Mailprobe-Token: " + tok + "\r\n\r\n";
    t.answer("* SEARCH\r\nm1 OK done\r\n");            // the first search misses
    t.answer("* 4 EXISTS\r\nm2 OK NOOP\r\n");          // the NOOP that sees it
    t.answer("* SEARCH 7\r\nm3 OK done\r\n");
    t.answer("* 4 FETCH (UID 7 BODY[HEADER] {" + std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm4 OK done\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 5;
    plan.fast_phase = true;
    plan.wait_until = SteadyClock::now() + seconds(2);
    plan.deadline = Deadline::in(seconds(2));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().uid == 7);
    CHECK(w.value().method == "poll");
    CHECK(t.sent().find("m2 NOOP\r\nm3 UID SEARCH UID 5:* ") != std::string::npos);
    CHECK(t.sent().find("\r\nm4 UID FETCH 5:* (UID BODY.PEEK[HEADER])\r\n") != std::string::npos);
    CHECK(t.lines() == 4);  // no separate confirming FETCH
    REQUIRE(w.value().window);
    CHECK(w.value().window->before <= w.value().seen.steady);
    CHECK(w.value().commands == 4);
    CHECK(w.value().rtt);
  }

  TEST_CASE("an EXISTS for other mail: the fetched header lacks the token, the watch goes on") {
    AnsweringTransport t;
    imap::Session s(t);
    std::string tok = "0123456789abcdef0123456789abcdef";
    std::string other = "Subject: hello\r\n\r\n";
    t.answer("* SEARCH\r\nm1 OK done\r\n");
    t.answer("* 4 EXISTS\r\nm2 OK NOOP\r\n");
    t.answer("* SEARCH 7\r\nm3 OK done\r\n");  // a server whose SEARCH over-matches
    t.answer("* 4 FETCH (UID 7 BODY[HEADER] {" + std::to_string(other.size()) + "}\r\n" + other + ")\r\nm4 OK done\r\n");
    for (int i = 5; i < 400; ++i) t.answer("m" + std::to_string(i) + " OK NOOP\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 5;
    plan.fast_phase = true;
    plan.wait_until = SteadyClock::now() + milliseconds(150);
    plan.deadline = Deadline::in(seconds(2));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK_FALSE(w.value().found);
    CHECK(t.lines() > 5);  // NOOPs went on after the false hit
  }
}
