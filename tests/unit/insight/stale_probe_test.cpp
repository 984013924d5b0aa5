#include <doctest/doctest.h>

#include "check/cleanup.hpp"
#include "imap/response.hpp"
#include "insight/junk_mailbox.hpp"
#include "insight/stale_probe.hpp"
#include "time_helpers.hpp"

using namespace mailprobe;
using namespace mailprobe::insight;
using mailprobe::insight::test::utc;

namespace {

imap::Response one(const std::string& bytes) {
  imap::ResponseReader r;
  r.feed(bytes);
  auto resp = r.next();
  REQUIRE(resp);
  return *resp;
}

imap::ListEntry entry(std::vector<std::string> attrs, std::string name) { return {std::move(attrs), std::move(name)}; }

}  // namespace

TEST_CASE("stale probe: Dovecot FETCH with INTERNALDATE and the token header literal") {
  std::string hdr = "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n\r\n";
  auto r = one("* 3 FETCH (UID 17 INTERNALDATE \"22-Nov-2026 17:17:06 +0100\" BODY[HEADER.FIELDS (X-MAILPROBE-TOKEN)] {" +
               std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\n");
  auto p = read_fetched_probe(r);
  REQUIRE(p);
  CHECK(p->uid == 17);
  CHECK(p->internal_date == utc(2026, 11, 22, 16, 17, 6));
  CHECK(p->token == "0123456789abcdef0123456789abcdef");
  auto now = utc(2026, 11, 22, 17, 17, 6);
  CHECK(is_stale_probe(*p, now, std::chrono::seconds(3600)));      // exactly one hour: old
  CHECK_FALSE(is_stale_probe(*p, now, std::chrono::seconds(3601)));  // one second short: kept
}

TEST_CASE("stale probe: a header without a real token, or no date, never qualifies") {
  auto now = utc(2030, 1, 1, 0, 0, 0);
  for (std::string hdr : {"X-Mailprobe-Token: \r\n\r\n", "X-Mailprobe-Token: not-a-token\r\n\r\n",
                          "X-Mailprobe-Token: 0123456789abcdef0123456789abcde\r\n\r\n", "\r\n",
                          "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n"
                          "X-Mailprobe-Token: 0123456789abcdef0123456789abcdef\r\n\r\n"}) {
    CAPTURE(hdr);
    auto r = one("* 1 FETCH (UID 5 INTERNALDATE \" 2-Jan-2020 00:00:00 +0000\" BODY[HEADER.FIELDS (X-MAILPROBE-TOKEN)] {" +
                 std::to_string(hdr.size()) + "}\r\n" + hdr + ")\r\n");
    auto p = read_fetched_probe(r);
    REQUIRE(p);
    CHECK(p->internal_date == utc(2020, 1, 2, 0, 0, 0));
    CHECK_FALSE(is_stale_probe(*p, now, std::chrono::seconds(0)));
  }
  auto flags_only = one("* 1 FETCH (UID 5 FLAGS (\\Seen))\r\n");
  auto p = read_fetched_probe(flags_only);
  REQUIRE(p);
  CHECK_FALSE(is_stale_probe(*p, now, std::chrono::seconds(0)));
  CHECK_FALSE(read_fetched_probe(one("* 3 EXISTS\r\n")));
}

TEST_CASE("stale probe: INTERNALDATE parsing") {
  CHECK(parse_internaldate("\"01-Jan-2026 00:00:00 -0500\"") == utc(2026, 1, 1, 5, 0, 0));
  CHECK(parse_internaldate(" 1-Jan-2026 00:00:00 +0000") == utc(2026, 1, 1, 0, 0, 0));
  CHECK_FALSE(parse_internaldate("01 Jan 2026"));
  CHECK_FALSE(parse_internaldate("garbage"));
  CHECK(is_token_text("0123456789ABCDEF0123456789abcdef"));
  CHECK_FALSE(is_token_text("0123456789abcdef0123456789abcdeg"));
}

TEST_CASE("junk mailbox: \\Junk wins, then the fallback names, never \\Noselect") {
  CHECK(choose_junk_mailbox({entry({"\\HasNoChildren"}, "INBOX"), entry({"\\HasNoChildren"}, "Spam"),
                             entry({"\\HasNoChildren", "\\Junk"}, "Courrier ind&AOk-sirable")}) ==
        "Courrier ind&AOk-sirable");
  CHECK(choose_junk_mailbox({entry({}, "INBOX"), entry({}, "Spam"), entry({}, "Junk")}) == "Junk");
  CHECK(choose_junk_mailbox({entry({}, "Junk E-mail")}) == "Junk E-mail");
  CHECK(choose_junk_mailbox({entry({"\\Noselect", "\\HasChildren"}, "[Gmail]"), entry({}, "[Gmail]/Spam")}) ==
        "[Gmail]/Spam");
  CHECK(choose_junk_mailbox({entry({"\\Noselect", "\\Junk"}, "Junk")}).empty());
  CHECK(choose_junk_mailbox({entry({}, "INBOX.spam")}) == "INBOX.spam");
  CHECK(choose_junk_mailbox({entry({}, "INBOX"), entry({}, "Sent")}).empty());
}

TEST_CASE("cleanup: UID sets are compact and sorted") {
  CHECK(check::uid_set({5}) == "5");
  CHECK(check::uid_set({9, 3, 4, 5, 5, 11, 12}) == "3:5,9,11:12");
  CHECK(check::uid_set({}).empty());
}
