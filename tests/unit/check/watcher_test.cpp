#include <doctest/doctest.h>

#include "check/cleanup.hpp"
#include "check/watcher.hpp"
#include "support/scripted_transport.hpp"

using namespace mailprobe;
using namespace mailprobe::check;
using namespace std::chrono;
using mailprobe::test::ScriptedTransport;

TEST_SUITE("check::watcher") {
  TEST_CASE("polls fast at first, then back off up to --check-frequency") {
    CHECK(poll_interval(milliseconds(0), milliseconds(2000)) == milliseconds(10));
    CHECK(poll_interval(milliseconds(500), milliseconds(2000)) == milliseconds(50));
    CHECK(poll_interval(milliseconds(2999), milliseconds(2000)) == milliseconds(50));
    CHECK(poll_interval(milliseconds(3000), milliseconds(2000)) == milliseconds(300));
    CHECK(poll_interval(milliseconds(60000), milliseconds(2000)) == milliseconds(2000));
    CHECK(poll_interval(milliseconds(1000), milliseconds(20)) == milliseconds(20));
    CHECK(poll_interval(milliseconds(0), milliseconds(5)) == milliseconds(5));
  }

  TEST_CASE("the search looks only at new UIDs, by token header or subject") {
    CHECK(search_command("abc", 42) ==
          "UID SEARCH UID 42:* OR HEADER X-Mailprobe-Token abc SUBJECT abc");
    CHECK(search_command("abc", 0).find("UID 1:*") != std::string::npos);
  }

  TEST_CASE("the header must really carry the token, folded or not") {
    std::string tok = "0123456789abcdef0123456789abcdef";
    CHECK(header_has_token("Subject: x\r\nX-Mailprobe-Token: " + tok + "\r\n", tok));
    CHECK(header_has_token("Subject: [e2e]  ### 2026 ###\r\n " + tok + "\r\n", tok));  // folded
    CHECK_FALSE(header_has_token("X-Other: " + tok + "\r\nSubject: hi\r\n", tok));
    CHECK_FALSE(header_has_token("Subject: nothing\r\n", tok));
    CHECK_FALSE(header_has_token("", tok));
  }

  TEST_CASE("a probe already delivered is found by the first search and confirmed") {
    ScriptedTransport t;
    imap::Session s(t);
    std::string tok = "0123456789abcdef0123456789abcdef";
    std::string hdr = "X-Mailprobe-Token: " + tok + "\r\n\r\n";
    t.serve("* SEARCH 7\r\nm1 OK done\r\n");
    t.serve("* 3 FETCH (UID 7 BODY[HEADER] {" + std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm2 OK done\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 5;
    plan.wait_until = SteadyClock::now() + seconds(1);
    plan.deadline = Deadline::in(seconds(1));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().uid == 7);
    CHECK(w.value().tries == 1);
    CHECK(w.value().method == "poll");
    CHECK(t.sent().find("UID FETCH 7 (UID BODY.PEEK[HEADER])") != std::string::npos);
  }

  TEST_CASE("an EXISTS after a search's results is evidence: search and fetch go at once, no NOOP first") {
    // Dovecot runs SEARCH on its view, then syncs and announces the new
    // message before the completion (RFC 3501 §7.3.1): that search missed
    // but proves nothing, and the probe landed by its server moment.
    ScriptedTransport t;
    imap::Session s(t);
    std::string tok = "0123456789abcdef0123456789abcdef";
    std::string hdr = "X-Mailprobe-Token: " + tok + "\r\n\r\n";
    t.serve("* SEARCH\r\n* 1 EXISTS\r\nm1 OK done\r\n");
    t.serve_after("m3 UID FETCH", "* SEARCH 7\r\nm2 OK done\r\n* 1 FETCH (UID 7 BODY[HEADER] {" +
                                      std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm3 OK done\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 5;
    plan.fast_phase = true;
    plan.wait_until = SteadyClock::now() + seconds(2);
    plan.deadline = Deadline::in(seconds(2));
    const auto before = SteadyClock::now();
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().uid == 7);
    CHECK(t.sent().find("NOOP") == std::string::npos);
    CHECK(t.sent().find("m2 UID SEARCH UID 5:*") != std::string::npos);
    CHECK(t.sent().find("m3 UID FETCH 5:* (UID BODY.PEEK[HEADER])") != std::string::npos);
    // Landed between the wait's start and the first search's moment.
    REQUIRE(w.value().window);
    CHECK(w.value().window->after <= w.value().window->before);
    CHECK(w.value().window->before <= SteadyClock::now());
    CHECK(w.value().window->after >= before - seconds(1));
  }

  TEST_CASE("a folder selected late: the first search covers the whole folder, later ones only new UIDs") {
    // The junk folder is selected while the envelope is in flight, so the
    // probe (UID 7) may be below the UIDNEXT (9) that SELECT reported.
    ScriptedTransport t;
    imap::Session s(t);
    std::string tok = "0123456789abcdef0123456789abcdef";
    std::string hdr = "X-Mailprobe-Token: " + tok + "\r\n\r\n";
    t.serve("* SEARCH 7\r\nm1 OK done\r\n");
    t.serve("* 3 FETCH (UID 7 BODY[HEADER] {" + std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm2 OK done\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 9;
    plan.first_uid_from = 1;
    plan.wait_until = SteadyClock::now() + seconds(1);
    plan.deadline = Deadline::in(seconds(1));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().uid == 7);
    CHECK(t.sent().find("m1 UID SEARCH UID 1:* OR HEADER X-Mailprobe-Token " + tok) != std::string::npos);

    // Without first_uid_from the same answer is below the range and not taken.
    ScriptedTransport t2;
    imap::Session s2(t2);
    t2.serve("* SEARCH 7\r\nm1 OK done\r\n");
    WaitPlan p2 = plan;
    p2.first_uid_from = 0;
    p2.wait_until = SteadyClock::now();
    auto w2 = wait_for_probe(s2, p2, {}, {});
    REQUIRE(w2);
    CHECK_FALSE(w2.value().found);
    CHECK(t2.sent().find("m1 UID SEARCH UID 9:*") != std::string::npos);
  }

  TEST_CASE("IDLE push then search finds it; method is idle") {
    ScriptedTransport t;
    imap::Session s(t);
    std::string tok = "feedfeedfeedfeedfeedfeedfeedfeed";
    std::string hdr = "Subject: p ### t ### " + tok + "\r\n\r\n";
    t.serve("* SEARCH\r\nm1 OK done\r\n");
    t.serve("+ idling\r\n");
    t.serve("* 9 EXISTS\r\n");
    t.serve("m2 OK idle done\r\n");
    t.serve("* SEARCH 12\r\nm3 OK\r\n");
    t.serve("* 9 FETCH (UID 12 BODY[HEADER] {" + std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm4 OK\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 10;
    plan.idle = true;
    plan.wait_until = SteadyClock::now() + seconds(2);
    plan.deadline = Deadline::in(seconds(2));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().method == "idle");
    CHECK(w.value().tries == 2);
  }

  TEST_CASE("EXISTS with IDLE's tagged completion (Cyrus) counts as idle, with no NOOP after") {
    ScriptedTransport t;
    imap::Session s(t);
    std::string tok = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
    std::string hdr = "X-Mailprobe-Token: " + tok + "\r\n\r\n";
    t.serve("* SEARCH\r\nm1 OK\r\n");
    t.serve("+ idling\r\n");
    // Nothing while idling; after DONE the EXISTS and the tagged OK come together.
    t.serve_after("DONE\r\n", "* 5 EXISTS\r\nm2 OK Completed\r\n");
    t.serve("* SEARCH 21\r\nm3 OK\r\n");
    t.serve("* 5 FETCH (UID 21 BODY[HEADER] {" + std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm4 OK\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 20;
    plan.idle = true;
    plan.wait_until = SteadyClock::now() + seconds(2);
    plan.deadline = Deadline::in(seconds(2));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().method == "idle");
    CHECK(t.sent().find("NOOP") == std::string::npos);
    CHECK(t.sent().find("m3 UID SEARCH UID 20:*") != std::string::npos);
  }

  TEST_CASE("a stop request ends the wait without a failure: stopped, not found") {
    ScriptedTransport t;
    imap::Session s(t);
    t.serve("* SEARCH\r\nm1 OK\r\n");
    WaitPlan plan;
    plan.token = "x";
    plan.wait_until = SteadyClock::now() + seconds(2);
    plan.deadline = Deadline::in(seconds(2));
    auto w = wait_for_probe(s, plan, {}, [] { return true; });
    REQUIRE(w);  // the junk leg's watch, stopped when the inbox watch ends, is no junk_error
    CHECK_FALSE(w.value().found);
    CHECK(w.value().stopped);
    CHECK(w.value().tries == 1);
  }

  TEST_CASE("IDLE advertised but refused: the watcher polls instead of failing") {
    ScriptedTransport t;
    imap::Session s(t);
    std::string tok = "abababababababababababababababab";
    std::string hdr = "X-Mailprobe-Token: " + tok + "\r\n\r\n";
    t.serve("* SEARCH\r\nm1 OK\r\n");
    t.serve("m2 NO IDLE is disabled here\r\n");
    t.serve("* 4 EXISTS\r\nm3 OK NOOP\r\n");
    t.serve("* SEARCH 8\r\nm4 OK\r\n");
    t.serve("* 4 FETCH (UID 8 BODY[HEADER] {" + std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\nm5 OK\r\n");
    WaitPlan plan;
    plan.token = tok;
    plan.uid_from = 8;
    plan.idle = true;
    plan.wait_until = SteadyClock::now() + seconds(2);
    plan.deadline = Deadline::in(seconds(2));
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK(w.value().found);
    CHECK(w.value().method == "poll");
    CHECK(t.sent().find("m3 NOOP") != std::string::npos);
  }

  TEST_CASE("nothing arrives: the wait ends at its bound with found=false") {
    ScriptedTransport t;
    imap::Session s(t);
    t.serve("* SEARCH\r\nm1 OK\r\n");
    for (int i = 2; i < 200; ++i) t.serve("m" + std::to_string(i) + " OK NOOP\r\n");
    WaitPlan plan;
    plan.token = "x";
    plan.wait_until = SteadyClock::now() + milliseconds(120);
    plan.deadline = Deadline::in(seconds(2));
    plan.check_frequency = milliseconds(1000);
    auto w = wait_for_probe(s, plan, {}, {});
    REQUIRE(w);
    CHECK_FALSE(w.value().found);
    CHECK(w.value().tries >= 2);
  }

  TEST_CASE("cleanup chooses UID EXPUNGE, then MOVE, then flag-only") {
    CHECK(choose_cleanup({"UIDPLUS", "MOVE"}) == CleanupPlan::uid_expunge);
    CHECK(choose_cleanup({"MOVE"}) == CleanupPlan::move_to_trash);
    CHECK(choose_cleanup({"IMAP4REV1"}) == CleanupPlan::flag_only);
  }

  TEST_CASE("cleanup with UIDPLUS names only the probe's UID") {
    ScriptedTransport t;
    imap::Session s(t);
    t.serve("m1 OK stored\r\n");
    t.serve("* 3 EXPUNGE\r\nm2 OK expunged\r\n");
    auto c = delete_probe(s, 77, {"UIDPLUS"}, Deadline::in(seconds(1)));
    CHECK(c.action == "expunged");
    CHECK(t.sent() == "m1 UID STORE 77 +FLAGS.SILENT (\\Deleted)\r\nm2 UID EXPUNGE 77\r\n");
  }

  TEST_CASE("cleanup without UIDPLUS moves to the \\Trash special-use mailbox") {
    ScriptedTransport t;
    imap::Session s(t);
    t.serve("* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\Trash) \"/\" \"Deleted Items\"\r\nm1 OK\r\n");
    t.serve("m2 OK moved\r\n");
    auto c = delete_probe(s, 5, {"MOVE"}, Deadline::in(seconds(1)));
    CHECK(c.action == "moved_to_trash");
    CHECK(t.sent().find("m2 UID MOVE 5 \"Deleted Items\"\r\n") != std::string::npos);
    CHECK(t.sent().find("EXPUNGE") == std::string::npos);
  }

  TEST_CASE("cleanup with neither flags, and EXPUNGEs only when the probe is the lone \\Deleted") {
    ScriptedTransport t;
    imap::Session s(t);
    t.serve("m1 OK\r\n");
    t.serve("* SEARCH 5 6\r\nm2 OK\r\n");
    auto c = delete_probe(s, 5, {}, Deadline::in(seconds(1)));
    CHECK(c.action == "flagged");
    CHECK(t.sent() == "m1 UID STORE 5 +FLAGS.SILENT (\\Deleted)\r\nm2 UID SEARCH DELETED\r\n");
    CHECK(t.sent().find("CLOSE") == std::string::npos);
  }
}
