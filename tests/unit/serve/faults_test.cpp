#include "serve/faults.hpp"

#include <doctest/doctest.h>

using namespace mailprobe::serve;

TEST_SUITE("serve::faults") {
  TEST_CASE("--smtp-reply syntax") {
    Faults f;
    CHECK(f.add_smtp_reply("rcpt=450 4.2.0 try later"));
    REQUIRE(f.smtp_override("RCPT"));
    CHECK(f.smtp_override("RCPT")->line() == "450 4.2.0 try later");
    CHECK(f.add_smtp_reply("DOT=554"));
    CHECK(f.smtp_override("DOT")->line() == "554");
    CHECK_FALSE(f.add_smtp_reply("RCPT"));
    CHECK_FALSE(f.add_smtp_reply("FOO=450 x"));
    CHECK_FALSE(f.add_smtp_reply("RCPT=45 x"));
    CHECK_FALSE(f.add_smtp_reply("RCPT=650 x"));
    CHECK_FALSE(f.add_smtp_drop("FOO"));
    CHECK(f.add_smtp_drop("data"));
    CHECK(f.smtp_drops("DATA"));
  }

  TEST_CASE("--imap-reply syntax and UID lookup") {
    Faults f;
    CHECK(f.add_imap_reply("select=no gone"));
    CHECK(f.imap_override("SELECT", false)->line() == "NO gone");
    CHECK_FALSE(f.add_imap_reply("SELECT=MAYBE x"));
    CHECK(f.add_imap_reply("UID FETCH=BAD x"));
    CHECK(f.imap_override("FETCH", true));
    CHECK_FALSE(f.imap_override("FETCH", false));
  }

  TEST_CASE("--junk-match looks at the header only") {
    Faults f;
    f.junk_match = {"X-Spam: yes"};
    CHECK(f.is_junk("Subject: a\r\nX-Spam: yes\r\n\r\nbody"));
    CHECK_FALSE(f.is_junk("Subject: a\r\n\r\nX-Spam: yes\r\n"));
  }
}
