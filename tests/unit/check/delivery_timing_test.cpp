#include <doctest/doctest.h>

#include "check/delivery_timing.hpp"
#include "check/imap_leg.hpp"

using namespace mailprobe;
using namespace mailprobe::check;
using namespace std::chrono;

TEST_SUITE("check::delivery_timing") {
  TEST_CASE("delivery is the landing estimate minus the server's acceptance") {
    auto t0 = SteadyClock::time_point{} + hours(1);
    // 250 arrived at 100 with a 50 ms SMTP RTT: the server sent it at 75.
    // Last miss at server time 85, hit at 105: landed ~95 +- 10.
    LandingWindow w{t0 + milliseconds(85), t0 + milliseconds(105)};
    auto d = delivery_timing(w, t0 + milliseconds(75));
    CHECK(d.delivery_us == 20'000);
    CHECK(d.error_us == 10'000);
  }

  TEST_CASE("an IDLE push places the landing at the push, bounded by the whole window") {
    auto t0 = SteadyClock::time_point{} + hours(1);
    LandingWindow w{t0 + milliseconds(85), t0 + milliseconds(405), true};
    auto d = delivery_timing(w, t0 + milliseconds(75));
    CHECK(d.delivery_us == 330'000);
    CHECK(d.error_us == 320'000);
  }

  TEST_CASE("never negative") {
    auto t0 = SteadyClock::time_point{} + hours(1);
    LandingWindow w{t0, t0 + milliseconds(2)};
    CHECK(delivery_timing(w, t0 + milliseconds(5)).delivery_us == 0);
  }

  TEST_CASE("without a window the old first-seen measure is kept") {
    CheckReport r;
    WaitOutcome w;
    Stamp acc = Stamp::now();
    w.seen = Stamp{acc.steady + milliseconds(30), acc.wall + milliseconds(30)};
    record_delivery(r, w, acc.steady, acc);
    CHECK(r.delivery_us == 30'000);
    CHECK_FALSE(r.delivery_error_us);
  }

  TEST_CASE("without a window, a sighting read before the 250 is 0, not negative (routes on loopback)") {
    CheckReport r;
    WaitOutcome w;
    Stamp acc = Stamp::now();
    w.seen = Stamp{acc.steady - microseconds(234), acc.wall - microseconds(234)};
    record_delivery(r, w, acc.steady, acc);
    CHECK(r.delivery_us == 0);
  }
}

TEST_SUITE("check::imap_leg") {
  TEST_CASE("capabilities come from the LOGIN completion's code (RFC 3501 §7.1)") {
    auto caps = login_capabilities({"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready", "A001 OK begin TLS",
                                    "A003 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS MOVE] Logged in"});
    REQUIRE(caps);
    CHECK(caps->count("IDLE") == 1);
    CHECK(caps->count("UIDPLUS") == 1);
    CHECK(caps->count("STARTTLS") == 0);
  }

  TEST_CASE("capabilities seen only before login do not count") {
    CHECK_FALSE(login_capabilities({"* OK [CAPABILITY IMAP4rev1 IDLE] ready", "A002 OK Logged in"}));
    CHECK_FALSE(login_capabilities({}));
    CHECK_FALSE(login_capabilities({"A002 NO [CAPABILITY IMAP4rev1] bad"}));
  }

  TEST_CASE("an untagged CAPABILITY inside the login's own response counts (Dovecot after AUTHENTICATE)") {
    auto caps = login_capabilities({"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready", "A001 OK begin TLS",
                                    "* CAPABILITY IMAP4rev1 AUTH=PLAIN", "A003 OK Pre-login capabilities listed",
                                    "* CAPABILITY IMAP4rev1 IDLE UIDPLUS MOVE", "A004 OK Logged in"});
    REQUIRE(caps);
    CHECK(caps->count("UIDPLUS") == 1);
    CHECK(caps->count("AUTH=PLAIN") == 0);
    // The pre-login CAPABILITY command's answer is not the login's.
    CHECK_FALSE(login_capabilities({"* CAPABILITY IMAP4rev1 IDLE", "A003 OK Pre-login capabilities listed",
                                    "A004 OK Logged in"}));
  }
}

#include "support/answering_transport.hpp"

TEST_SUITE("check::imap_leg select") {
  TEST_CASE("LIST and SELECT in one flight: the junk folder, UIDNEXT, and SELECT's failure stage") {
    mailprobe::test::AnsweringTransport t;
    ImapLeg leg;
    leg.session = std::make_unique<imap::Session>(t);
    t.answer("* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Junk) \"/\" Spam\r\nm1 OK LIST done\r\n");
    t.answer("* 3 EXISTS\r\n* OK [UIDNEXT 42] next\r\nm2 OK [READ-WRITE] SELECT done\r\n");
    std::string junk;
    auto st = select_and_find_junk(leg, "INBOX", Deadline::in(seconds(1)), junk);
    REQUIRE(st);
    CHECK(junk == "Spam");
    CHECK(leg.uidnext == 42);
    CHECK(t.sent() == "m1 LIST \"\" \"*\"\r\nm2 SELECT INBOX\r\n");

    mailprobe::test::AnsweringTransport t2;
    ImapLeg leg2;
    leg2.session = std::make_unique<imap::Session>(t2);
    t2.answer("m1 OK LIST done\r\n");
    t2.answer("m2 NO [NONEXISTENT] no such mailbox\r\n");
    auto st2 = select_and_find_junk(leg2, "Nope", Deadline::in(seconds(1)), junk);
    REQUIRE_FALSE(st2);
    CHECK(st2.error().stage == Stage::imap_select);
    CHECK(st2.error().result == Result::imap_no);
  }

}
