#include <doctest/doctest.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "routes/mailbox_hub.hpp"
#include "support/scripted_transport.hpp"

using namespace mailprobe;
using namespace mailprobe::routes;
using namespace std::chrono;
using mailprobe::test::ScriptedTransport;

namespace {

const std::string kOurs = "0123456789abcdef0123456789abcdef";
const std::string kTheirs = "fedcba9876543210fedcba9876543210";

std::string fetch_line(int seq, int uid, const std::string& header) {
  return "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(uid) + " BODY[HEADER] {" +
         std::to_string(header.size()) + "}\r\n" + header + ")\r\n";
}

std::unique_ptr<check::ImapLeg> scripted_leg(ScriptedTransport& t, std::set<std::string> caps) {
  auto leg = std::make_unique<check::ImapLeg>();
  leg->session = std::make_unique<imap::Session>(t);
  leg->caps = std::move(caps);
  leg->mailbox = "INBOX";
  leg->uidnext = 5;
  return leg;
}

}  // namespace

TEST_SUITE("routes::mailbox_hub") {
  TEST_CASE("the probe token of a header: X-Mailprobe-Token, else the Subject's tail") {
    CHECK(probe_token_of("Subject: x\r\nX-Mailprobe-Token: " + kOurs + "\r\n\r\n") == kOurs);
    CHECK(probe_token_of("X-Mailprobe-Token: 0123456789ABCDEF0123456789ABCDEF\r\n") == kOurs);
    CHECK(probe_token_of("Subject: [e2e]  ### 2026-12-01T20:00:00 ### " + kOurs + "\r\n") == kOurs);
    CHECK(probe_token_of("Subject: hello\r\nFrom: a@b\r\n").empty());
    CHECK(probe_token_of("X-Mailprobe-Token: short\r\n").empty());
  }

  TEST_CASE("one scan finds this run's probe, deletes exactly its UID and leaves another source's") {
    // The NOOP reported new mail, so the scan fetches the headers since the
    // last scan at once (UID FETCH n:*), without a SEARCH round trip first.
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "inbox", milliseconds(2000));
    auto ours = std::make_shared<Ticket>(kOurs, 1, true);
    ours->arm(SteadyClock::now() + seconds(5));
    const std::string h_ours = "Subject: a\r\nX-Mailprobe-Token: " + kOurs + "\r\n\r\n";
    const std::string h_theirs = "Subject: b\r\nX-Mailprobe-Token: " + kTheirs + "\r\n\r\n";
    t.serve("* 2 EXISTS\r\nm1 OK NOOP done\r\n");
    t.serve(fetch_line(1, 5, h_theirs) + fetch_line(2, 6, h_ours) + "m2 OK done\r\n");
    t.serve("m3 OK stored\r\n");
    t.serve("* 2 EXPUNGE\r\nm4 OK expunged\r\n");
    hub.add(ours);
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto out = ours->wait();
    hub.close();
    loop.join();
    REQUIRE(out.found);
    CHECK(out.found->uid == 6);
    CHECK(out.found->where == "inbox");
    CHECK(out.found->method == "poll");
    CHECK(out.found->header == h_ours);
    // Seen when the NOOP's completion brought the EXISTS, inside a landing
    // window that ends at that NOOP's server moment; the round trip is kept.
    REQUIRE(out.found->window);
    CHECK(out.found->window->before >= out.found->window->after);
    CHECK(out.found->window->before <= out.found->seen.steady);
    CHECK_FALSE(out.found->window->pushed);
    CHECK(out.found->rtt);
    REQUIRE(out.found->cleanup);
    CHECK(out.found->cleanup->action == "expunged");
    CHECK(t.sent().find("m2 UID FETCH 5:* (UID BODY.PEEK[HEADER])\r\n") != std::string::npos);
    CHECK(t.sent().find("SEARCH") == std::string::npos);
    CHECK(t.sent().find("m3 UID STORE 6 +FLAGS.SILENT (\\Deleted)\r\n") != std::string::npos);
    CHECK(t.sent().find("m4 UID EXPUNGE 6\r\n") != std::string::npos);
    CHECK(t.sent().find("STORE 5") == std::string::npos);
    CHECK(hub.headers_fetched() == 2);
  }

  TEST_CASE("two probes in one scan: the one numbered above the announced count landed after the evidence") {
    // The NOOP announced 1 message; by the FETCH a second had arrived. The
    // first landed within the NOOP's window, the second after the NOOP's
    // server moment and before the fetch's: its window must not end earlier.
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "inbox", milliseconds(2000));
    auto a = std::make_shared<Ticket>(kOurs, 1, true);
    auto b = std::make_shared<Ticket>(kTheirs, 1, true);
    a->arm(SteadyClock::now() + seconds(5));
    b->arm(SteadyClock::now() + seconds(5));
    const std::string h_a = "X-Mailprobe-Token: " + kOurs + "\r\n\r\n";
    const std::string h_b = "X-Mailprobe-Token: " + kTheirs + "\r\n\r\n";
    t.serve("* 1 EXISTS\r\nm1 OK NOOP done\r\n");
    t.serve(fetch_line(1, 5, h_a) + fetch_line(2, 6, h_b) + "* 2 EXISTS\r\nm2 OK done\r\n");
    t.serve("m3 OK stored\r\n");
    t.serve("* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nm4 OK expunged\r\n");
    hub.add(a);
    hub.add(b);
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto out_a = a->wait();
    auto out_b = b->wait();
    hub.close();
    loop.join();
    REQUIRE(out_a.found);
    REQUIRE(out_b.found);
    REQUIRE(out_a.found->window);
    REQUIRE(out_b.found->window);
    CHECK(out_a.found->window->before < out_a.found->searched);  // the NOOP's moment, before the fetch's
    CHECK(out_b.found->window->after == out_a.found->window->before);
    CHECK(out_b.found->window->before == out_b.found->searched);
    CHECK(t.sent().find("m3 UID STORE 5:6 +FLAGS.SILENT (\\Deleted)\r\n") != std::string::npos);
  }

  TEST_CASE("a scan without news of new mail (a route's 250 poked it) searches first, then fetches what it found") {
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "inbox", milliseconds(2000));
    auto ours = std::make_shared<Ticket>(kOurs, 1, true);
    ours->arm(SteadyClock::now() + seconds(5));
    const std::string h_ours = "X-Mailprobe-Token: " + kOurs + "\r\n\r\n";
    t.serve("* SEARCH 7\r\nm1 OK done\r\n");
    t.serve(fetch_line(3, 7, h_ours) + "m2 OK done\r\n");
    t.serve("m3 OK stored\r\n");
    t.serve("* 3 EXPUNGE\r\nm4 OK expunged\r\n");
    hub.add(ours);
    hub.poke();  // no round trip known yet: a poke scans at once
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto out = ours->wait();
    hub.close();
    loop.join();
    REQUIRE(out.found);
    CHECK(out.found->uid == 7);
    REQUIRE(out.found->window);
    CHECK(out.found->window->before == out.found->searched);  // no evidence: the search bounds it
    CHECK(t.sent().find("m1 UID SEARCH UID 5:*\r\n") != std::string::npos);
    CHECK(t.sent().find("m2 UID FETCH 7 (UID BODY.PEEK[HEADER])\r\n") != std::string::npos);
  }

  TEST_CASE("UID FETCH n:* answering only an older message (RFC 3501 §6.4.8) takes nothing and keeps n") {
    // EXISTS rose, but the new message was expunged by another client before
    // the fetch: "5:*" then matches the highest UID below 5. The next scan
    // still starts at 5.
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "inbox", milliseconds(2000));
    auto ours = std::make_shared<Ticket>(kOurs, 1, true);
    ours->arm(SteadyClock::now() + seconds(5));
    const std::string h_old = "X-Mailprobe-Token: " + kOurs + "\r\n\r\n";  // even with our token: not new
    const std::string h_ours = "X-Mailprobe-Token: " + kOurs + "\r\n\r\n";
    t.serve("* 2 EXISTS\r\nm1 OK NOOP done\r\n");
    t.serve(fetch_line(1, 4, h_old) + "m2 OK done\r\n");
    t.serve("* 3 EXISTS\r\nm3 OK NOOP done\r\n");
    t.serve(fetch_line(3, 8, h_ours) + "m4 OK done\r\n");
    t.serve("m5 OK stored\r\n");
    t.serve("* 3 EXPUNGE\r\nm6 OK expunged\r\n");
    hub.add(ours);
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto out = ours->wait();
    hub.close();
    loop.join();
    REQUIRE(out.found);
    CHECK(out.found->uid == 8);
    const std::string sent = t.sent();
    CHECK(sent.find("m2 UID FETCH 5:* (UID BODY.PEEK[HEADER])\r\n") != std::string::npos);
    CHECK(sent.find("m4 UID FETCH 5:* (UID BODY.PEEK[HEADER])\r\n") != std::string::npos);
    CHECK(sent.find("STORE 4") == std::string::npos);
    CHECK(sent.find("m5 UID STORE 8 +FLAGS.SILENT (\\Deleted)\r\n") != std::string::npos);
  }

  TEST_CASE("a folder opened late catches up: one token SEARCH over the whole folder, then its UIDNEXT") {
    // The lazily opened junk folder (mailbox_group.hpp): probes filed there
    // before its SELECT are below its UIDNEXT, so a scan from it would miss them.
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "junk", milliseconds(2000));
    auto ours = std::make_shared<Ticket>(kOurs, 1, true);
    auto other = std::make_shared<Ticket>(kTheirs, 1, true);
    ours->arm(SteadyClock::now() + seconds(5));
    other->arm(SteadyClock::now() + seconds(5));
    hub.add(ours);
    hub.add(other);
    const std::string h_ours = "Subject: a\r\nX-Mailprobe-Token: " + kOurs + "\r\n\r\n";
    t.serve("* SEARCH 3\r\nm1 OK done\r\n");
    t.serve(fetch_line(1, 3, h_ours) + "m2 OK done\r\n");
    t.serve("m3 OK stored\r\n");
    t.serve("* 1 EXPUNGE\r\nm4 OK expunged\r\n");
    REQUIRE(hub.catch_up(Deadline::in(seconds(5))));
    auto out = ours->wait();
    REQUIRE(out.found);
    CHECK(out.found->uid == 3);  // below the folder's UIDNEXT (5)
    CHECK(out.found->where == "junk");
    const std::string sent = t.sent();
    CHECK(sent.find("m1 UID SEARCH OR (OR HEADER X-Mailprobe-Token " + kOurs + " SUBJECT " + kOurs +
                    ") (OR HEADER X-Mailprobe-Token " + kTheirs + " SUBJECT " + kTheirs + ")\r\n") !=
          std::string::npos);
    CHECK(sent.find("m2 UID FETCH 3 (UID BODY.PEEK[HEADER])\r\n") != std::string::npos);
    CHECK(sent.find("m4 UID EXPUNGE 3\r\n") != std::string::npos);
    CHECK_FALSE(other->settled());  // still watched by the folder's later scans
  }

  TEST_CASE("a catch-up for many probes keeps each SEARCH's OR nesting shallow") {
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "junk", milliseconds(2000));
    std::vector<std::shared_ptr<Ticket>> tickets;
    for (int i = 0; i < 20; ++i) {
      char tok[33];
      std::snprintf(tok, sizeof tok, "%032x", i + 1);
      tickets.push_back(std::make_shared<Ticket>(tok, 1, true));
      tickets.back()->arm(SteadyClock::now() + seconds(5));
      hub.add(tickets.back());
    }
    t.serve("* SEARCH\r\nm1 OK done\r\n");
    t.serve("* SEARCH\r\nm2 OK done\r\n");
    REQUIRE(hub.catch_up(Deadline::in(seconds(5))));
    const std::string sent = t.sent();
    std::string fifteen_ors;
    for (int i = 0; i < 15; ++i) fifteen_ors += "OR ";
    CHECK(sent.find("m1 UID SEARCH " + fifteen_ors + "(OR HEADER") != std::string::npos);  // 16 tokens
    CHECK(sent.find("m2 UID SEARCH OR OR OR (OR HEADER") != std::string::npos);  // the other 4
    CHECK(sent.find("m3 ") == std::string::npos);  // nothing found: nothing fetched
    CHECK(hub.headers_fetched() == 0);
  }

  TEST_CASE("with cleanup off nothing is deleted") {
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {"UIDPLUS"}), "inbox", milliseconds(2000));
    auto ours = std::make_shared<Ticket>(kOurs, 1, false);
    ours->arm(SteadyClock::now() + seconds(5));
    const std::string h = "X-Mailprobe-Token: " + kOurs + "\r\n\r\n";
    t.serve("* 1 EXISTS\r\nm1 OK NOOP done\r\n");
    t.serve(fetch_line(1, 5, h) + "m2 OK done\r\n");
    hub.add(ours);
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto out = ours->wait();
    hub.close();
    loop.join();
    REQUIRE(out.found);
    CHECK_FALSE(out.found->cleanup);
    CHECK(t.sent().find("STORE") == std::string::npos);
  }

  TEST_CASE("a connection failure releases every pending ticket with that failure") {
    ScriptedTransport t;
    t.closed_when_empty = true;
    MailboxHub hub(scripted_leg(t, {}), "inbox", milliseconds(2000));
    auto a = std::make_shared<Ticket>(kOurs, 1, true);
    auto b = std::make_shared<Ticket>(kTheirs, 1, true);
    hub.add(a);
    hub.add(b);
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto oa = a->wait();
    auto ob = b->wait();
    loop.join();  // returns by itself after the failure
    CHECK_FALSE(oa.found);
    REQUIRE(oa.failure);
    CHECK(oa.failure->result == Result::connection_closed);
    REQUIRE(ob.failure);
    // A ticket added after the failure is released at once.
    auto c = std::make_shared<Ticket>(kOurs, 1, true);
    hub.add(c);
    REQUIRE(c->wait().failure);
  }

  TEST_CASE("a ticket whose wait window ended is released without a failure") {
    ScriptedTransport t;
    MailboxHub hub(scripted_leg(t, {}), "inbox", milliseconds(2000));
    auto a = std::make_shared<Ticket>(kOurs, 1, true);
    a->arm(SteadyClock::now());
    hub.add(a);
    hub.close();
    std::thread loop([&] { hub.run(Deadline::in(seconds(10)), nullptr); });
    auto out = a->wait();
    loop.join();
    CHECK_FALSE(out.found);
    CHECK_FALSE(out.failure);
    CHECK(t.sent().empty());
  }
}

TEST_SUITE("routes::ticket") {
  TEST_CASE("the first claim wins; wait returns once the claimer completes") {
    Ticket t(kOurs, 2, true);
    CHECK(t.claim());
    CHECK_FALSE(t.claim());
    CHECK(t.settled());
    t.release();  // the other watcher lets go: still waiting for the claimer
    std::thread finder([&] {
      std::this_thread::sleep_for(milliseconds(20));
      Sighting s;
      s.uid = 9;
      t.complete(s);
    });
    auto out = t.wait();
    finder.join();
    REQUIRE(out.found);
    CHECK(out.found->uid == 9);
  }

  TEST_CASE("all watchers releasing ends the wait; the first failure is kept") {
    Ticket t(kOurs, 2, true);
    t.release(Failure(Stage::imap_wait, Result::connection_closed, "gone"));
    CHECK_FALSE(t.settled());
    t.release();
    auto out = t.wait();
    CHECK_FALSE(out.found);
    REQUIRE(out.failure);
    CHECK(out.failure->result == Result::connection_closed);
  }

  TEST_CASE("cancel: no watcher may claim it any more") {
    Ticket t(kOurs, 1, true);
    t.cancel();
    CHECK(t.settled());
    CHECK_FALSE(t.claim());
    CHECK_FALSE(t.wait().found);
  }
}
