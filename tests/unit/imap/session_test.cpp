#include <doctest/doctest.h>

#include "imap/session.hpp"
#include "support/scripted_transport.hpp"

using namespace mailprobe;
using namespace mailprobe::imap;
using mailprobe::test::ScriptedTransport;

TEST_SUITE("imap::session") {
  TEST_CASE("commands get their own tags and complete at the matching tagged OK") {
    ScriptedTransport t;
    Session s(t);
    t.serve("* 4 EXISTS\r\n* OK [UIDNEXT 10] next\r\nm1 OK [READ-WRITE] SELECT done\r\n");
    auto r = s.command("SELECT INBOX", Deadline::in(std::chrono::seconds(1)), Stage::imap_select);
    REQUIRE(r);
    CHECK(t.sent() == "m1 SELECT INBOX\r\n");
    CHECK(r.value().size() == 3);
    CHECK(s.exists() == 4);
  }

  TEST_CASE("tagged NO and BAD become failures at the given stage with the server's words") {
    ScriptedTransport t;
    Session s(t);
    t.serve("m1 NO [NONEXISTENT] Mailbox doesn't exist\r\n");
    auto r = s.command("SELECT Nope", Deadline::in(std::chrono::seconds(1)), Stage::imap_select);
    REQUIRE_FALSE(r);
    CHECK(r.error().stage == Stage::imap_select);
    CHECK(r.error().result == Result::imap_no);
    CHECK(r.error().reply_text.find("doesn't exist") != std::string::npos);
    t.serve("m2 BAD syntax\r\n");
    auto b = s.command("FOO", Deadline::in(std::chrono::seconds(1)), Stage::imap_wait);
    REQUIRE_FALSE(b);
    CHECK(b.error().result == Result::imap_bad);
  }

  TEST_CASE("BYE and a closed connection are connection_closed; silence is a timeout") {
    ScriptedTransport t;
    Session s(t);
    t.serve("* BYE shutting down\r\n");
    auto r = s.command("NOOP", Deadline::in(std::chrono::seconds(1)), Stage::imap_wait);
    REQUIRE_FALSE(r);
    CHECK(r.error().result == Result::connection_closed);

    ScriptedTransport t2;
    Session s2(t2);
    t2.closed_when_empty = true;
    auto c = s2.command("NOOP", Deadline::in(std::chrono::seconds(1)), Stage::imap_wait);
    CHECK(c.error().result == Result::connection_closed);

    ScriptedTransport t3;
    Session s3(t3);
    auto q = s3.command("NOOP", Deadline::in(std::chrono::milliseconds(1)), Stage::imap_wait);
    REQUIRE_FALSE(q);
    CHECK(q.error().result == Result::timeout);
  }

  TEST_CASE("IDLE: + continuation, pushed EXISTS wakes the wait, DONE ends it (RFC 2177)") {
    ScriptedTransport t;
    Session s(t);
    t.serve("* 2 EXISTS\r\nm1 OK selected\r\n");
    REQUIRE(s.command("SELECT INBOX", Deadline::in(std::chrono::seconds(1)), Stage::imap_select));
    s.take_new_mail();
    t.serve("+ idling\r\n");
    REQUIRE(s.idle_start(Deadline::in(std::chrono::seconds(1))));
    t.serve("* 3 EXISTS\r\n");
    auto w = s.idle_wait(Deadline::in(std::chrono::seconds(1)));
    REQUIRE(w);
    CHECK(w.value());
    t.serve("m2 OK IDLE terminated\r\n");
    REQUIRE(s.idle_done(Deadline::in(std::chrono::seconds(1))));
    CHECK(t.sent() == "m1 SELECT INBOX\r\nm2 IDLE\r\nDONE\r\n");
  }

  TEST_CASE("an arrival right after another client's EXPUNGE still counts as new mail (RFC 3501 §7.4.1)") {
    ScriptedTransport t;
    Session s(t);
    t.serve("* 5 EXISTS\r\nm1 OK selected\r\n");
    REQUIRE(s.command("SELECT INBOX", Deadline::in(std::chrono::seconds(1)), Stage::imap_select));
    s.take_new_mail();
    t.serve("* 2 EXPUNGE\r\n* 5 EXISTS\r\nm2 OK NOOP\r\n");
    REQUIRE(s.command("NOOP", Deadline::in(std::chrono::seconds(1)), Stage::imap_wait));
    CHECK(s.take_new_mail());
    CHECK(s.exists() == 5);
  }

  TEST_CASE("an IDLE wait without news ends at its deadline with false") {
    ScriptedTransport t;
    Session s(t);
    t.serve("+ idling\r\n");
    REQUIRE(s.idle_start(Deadline::in(std::chrono::seconds(1))));
    t.serve("* OK still here\r\n");
    auto w = s.idle_wait(Deadline::in(std::chrono::milliseconds(5)));
    REQUIRE(w);
    CHECK_FALSE(w.value());
  }

  TEST_CASE("a server that refuses IDLE is reported, not hung on") {
    ScriptedTransport t;
    Session s(t);
    t.serve("m1 BAD unknown command\r\n");
    auto st = s.idle_start(Deadline::in(std::chrono::seconds(1)));
    REQUIRE_FALSE(st);
    CHECK(st.error().result == Result::imap_bad);
  }
}
