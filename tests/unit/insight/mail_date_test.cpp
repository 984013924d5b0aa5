#include <doctest/doctest.h>

#include "insight/mail_date.hpp"
#include "time_helpers.hpp"

using namespace mailprobe::insight;
using mailprobe::insight::test::utc;

TEST_CASE("mail date: RFC 5322 §3.3 canonical form and zones") {
  CHECK(parse_mail_date("Mon, 2 Jun 2025 10:00:00 +0200") == utc(2025, 6, 2, 8, 0, 0));
  CHECK(parse_mail_date("Mon, 02 Jun 2025 10:00:00 -0730") == utc(2025, 6, 2, 17, 30, 0));
  CHECK(parse_mail_date("Sun, 22 Nov 2026 18:17:06 +0000") == utc(2026, 11, 22, 18, 17, 6));
  CHECK(parse_mail_date("Sun, 22 Nov 2026 18:17:06 -0000") == utc(2026, 11, 22, 18, 17, 6));
}

TEST_CASE("mail date: obsolete and in-the-wild forms") {
  auto t = utc(2025, 6, 2, 8, 0, 0);
  CHECK(parse_mail_date("2 Jun 2025 10:00:00 +0200") == t);                     // no day-of-week
  CHECK(parse_mail_date("Mon, 2 Jun 2025 10:00:00 +0200 (CEST)") == t);         // comment
  CHECK(parse_mail_date("Mon,  2 Jun 2025   10:00:00   +0200  ") == t);         // extra spaces
  CHECK(parse_mail_date("Mon, 2 Jun 25 10:00:00 +0200") == t);                  // 2-digit year
  CHECK(parse_mail_date("Mon, 2 Jun 125 10:00:00 +0200") == t);                 // 3-digit year
  CHECK(parse_mail_date("Mon, 2 Jun 2025 08:00:00 GMT") == t);
  CHECK(parse_mail_date("Mon, 2 Jun 2025 08:00:00 UT") == t);
  CHECK(parse_mail_date("Mon, 2 Jun 2025 08:00:00 Z") == t);
  CHECK(parse_mail_date("Mon, 2 Jun 2025 04:00:00 EDT") == t);
  CHECK(parse_mail_date("Mon, 2 Jun 2025 01:00:00 PDT") == t);
  CHECK(parse_mail_date("Mon, 2 Jun 2025 08:00 +0000") == t);                   // no seconds
  CHECK(parse_mail_date("Mon Jun  2 08:00:00 2025") == t);                      // asctime, no zone = UTC
  CHECK(parse_mail_date("mon, 2 JUNE 2025 10:00:00 +0200") == t);
  CHECK(parse_mail_date("Mon, 2 Jun 99 08:00:00 +0000") == utc(1999, 6, 2, 8, 0, 0));
  CHECK(parse_mail_date("(comment first) Mon, 2 Jun 2025 08:00:00 (UTC) +0000") == t);
  CHECK(parse_mail_date("Wed, 31 Dec 2025 23:59:60 +0000") == utc(2025, 12, 31, 23, 59, 59));  // leap second
}

TEST_CASE("mail date: garbage is rejected, not guessed") {
  CHECK_FALSE(parse_mail_date(""));
  CHECK_FALSE(parse_mail_date("yesterday"));
  CHECK_FALSE(parse_mail_date("Mon, 31 Feb 2025 10:00:00 +0000"));
  CHECK_FALSE(parse_mail_date("Mon, 2 Foo 2025 10:00:00 +0000"));
  CHECK_FALSE(parse_mail_date("Mon, 2 Jun 2025 25:00:00 +0000"));
  CHECK_FALSE(parse_mail_date("Mon, 2 Jun 2025"));
  CHECK_FALSE(parse_mail_date("Mon, 2 Jun 2025 10:00:00 +0099"));
  CHECK_FALSE(parse_mail_date(std::string(300, '1')));
  CHECK_FALSE(parse_mail_date("(((((((("));
}
