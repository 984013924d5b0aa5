// Regression tests for issue 17 (D1-D5, D8, D10 and the APPEND/RECENT
// findings): each hostile input from the reliability review, replayed
// through the IMAP session or the parser it reached.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "imap_harness.hpp"
#include "serve/imap_parser.hpp"
#include "serve/mime.hpp"

using namespace mailprobe;
using namespace mailprobe::serve;
using mailprobe::serve::test::Harness;

namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

bool has(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_SUITE("serve::robustness") {
  TEST_CASE("D1: a comment ending in a backslash (fuzz-repro mime_fuzz-skip_cfws-trailing-backslash.min)") {
    // The two bytes "(\" made the CFWS skipper step past the end and substr throw.
    CHECK_FALSE(parse_content_type("(\\"));
    CHECK_FALSE(parse_disposition("(\\"));
    CHECK(parse_content_type("text/plain (\\"));
    auto ct = parse_content_type("text/plain; charset=utf-8 (\\");
    REQUIRE(ct);
    CHECK(ct->subtype == "PLAIN");
    // fuzz-repro mime_fuzz-crash-3536298a...: header-ish bytes, quotes and backslashes.
    std::string crash = "(\xffro\xff\xff" "From:m \"q\\\nro\xff\xff" "From:m \"q\\ \"q\\";
    (void)parse_mime(crash);
    (void)parse_mime("Content-Type: (\\\r\n\r\nbody\r\n");
  }

  TEST_CASE("D1 end to end: FETCH BODYSTRUCTURE of the crafted message answers and the session goes on") {
    Harness h;
    h.deliver("Subject: boom\r\nContent-Type: (\\\r\n\r\nbody\r\n");
    h.deliver("Subject: boom\r\nContent-Disposition: attachment (\\\r\nContent-Transfer-Encoding: (\\\r\n\r\nx\r\n");
    h.login();
    h.send("b SELECT INBOX\r\n");
    std::string r = h.send("c FETCH 1:2 (BODYSTRUCTURE BODY BODY[1] BODY[1.MIME])\r\n");
    CHECK(has(r, "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\""));
    CHECK(has(r, "* 2 FETCH"));
    CHECK(has(r, "c OK FETCH completed"));

    CHECK(has(h.send("d FETCH 1:2 FULL\r\n"), "d OK FETCH completed"));
    CHECK(h.send("e NOOP\r\n") == "e OK NOOP completed\r\n");
  }

  TEST_CASE("D2: SEARCH NOT/OR chains deeper than 64 are refused, not recursed into") {
    Harness h;
    h.deliver("Subject: a\r\n\r\nx\r\n");
    h.login();
    h.send("b SELECT INBOX\r\n");
    CHECK(h.send("c SEARCH " + repeat("NOT ", 15000) + "ALL\r\n") == "c BAD Search keys nested too deeply\r\n");
    CHECK(h.send("d SEARCH " + repeat("OR ALL ", 9000) + "ALL\r\n") == "d BAD Search keys nested too deeply\r\n");
    // The chain continued through a literal (the four-line variant of the finding).
    std::string cmd = "e SEARCH " + repeat("NOT ", 10000) + "OR SUBJECT {1+}\r\nx " + repeat("NOT ", 10000) + "ALL\r\n";
    CHECK(h.send(cmd) == "e BAD Search keys nested too deeply\r\n");
    // Moderate nesting still works, through parentheses too.
    CHECK(h.send("f SEARCH " + repeat("NOT ", 10) + "NOT ALL\r\n") == "* SEARCH\r\nf OK SEARCH completed\r\n");
    CHECK(h.send("g SEARCH " + repeat("(", 20) + "ALL" + repeat(")", 20) + "\r\n") == "* SEARCH 1\r\ng OK SEARCH completed\r\n");
  }

  TEST_CASE("D3: LIST wildcard matching is linear") {
    CHECK(imap::list_match("*", "INBOX"));
    CHECK(imap::list_match("in%", "INBOX"));
    CHECK(imap::list_match("*u*k", "Junk"));
    CHECK(imap::list_match("J*%*k", "Junk"));
    CHECK_FALSE(imap::list_match("J*x", "Junk"));
    CHECK_FALSE(imap::list_match("Junk?", "Junk"));
    CHECK(imap::list_match("", ""));
    CHECK_FALSE(imap::list_match("", "Junk"));
    Harness h;
    h.login();
    auto t0 = std::chrono::steady_clock::now();
    std::string r = h.send("b LIST \"\" \"" + repeat("*", 60000) + "Z\"\r\n");
    r += h.send("c LIST \"\" \"" + repeat("%", 60000) + "Z\"\r\n");
    r += h.send("d LIST \"\" " + repeat("*", 160) + "\r\n");
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(r == "b OK LIST completed\r\nc OK LIST completed\r\n"
               "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
               "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\nd OK LIST completed\r\n");
    CHECK(took < std::chrono::seconds(5));  // backtracking never finished 160 stars
  }

  TEST_CASE("D4: the literal limit bounds all literals of one command together") {
    Harness h;
    h.settings.max_literal = 1000;
    h.login();
    CHECK(h.send("a APPEND INBOX {600+}\r\n" + std::string(600, 'x')) == "");
    // The second literal would bring the command to 1200 bytes.
    CHECK(h.send(" {600}\r\n") == "a BAD Literal too large\r\n");
    CHECK(h.send("b APPEND INBOX {600+}\r\n" + std::string(600, 'x') + " {600+}\r\n") == "* BYE Literal too large\r\n");
    CHECK(h.s->wants_close());
    Harness g;
    g.settings.max_literal = 1000;
    g.login();
    std::string m = "Subject: s\r\n\r\n" + std::string(400, 'y');
    CHECK(has(g.send("c APPEND INBOX {6+}\r\n\\Draft {" + std::to_string(m.size()) + "+}\r\n" + m + "\r\n"), "c BAD"));
  }

  TEST_CASE("D5: pipelined FETCHes stop at max_output until the output is taken") {
    Harness h;
    h.settings.max_output = 64 * 1024;
    h.deliver("Subject: big\r\n\r\n" + std::string(200 * 1024, 'z') + "\r\n");
    h.login();
    h.send("b SELECT INBOX\r\n");
    std::string cmds;
    for (int i = 0; i < 50; ++i) cmds += "f" + std::to_string(i) + " FETCH 1 BODY.PEEK[]\r\n";
    h.s->feed(cmds);
    std::string first = h.s->take_output();
    CHECK(first.size() < 300 * 1024);  // one response, not fifty
    CHECK(h.s->output_blocked());
    std::size_t rounds = 1, total = first.size();
    while (h.s->output_blocked()) {
      h.s->feed({});
      std::string more = h.s->take_output();
      CHECK(more.size() < 300 * 1024);
      total += more.size();
      ++rounds;
      REQUIRE(rounds < 100);
    }
    CHECK(rounds == 50);
    CHECK(total > 50u * 200 * 1024);
    CHECK(h.send("z NOOP\r\n") == "z OK NOOP completed\r\n");
  }

  TEST_CASE("D8: APPEND flags are validated like STORE flags, so no text can be injected") {
    Harness h;
    h.login();
    std::string m = "Subject: s\r\n\r\nbody\r\n";
    std::string lit = "{" + std::to_string(m.size()) + "+}\r\n" + m;
    std::string inject = "x\r\n* 99 EXISTS\r\n* BYE injected";
    CHECK(h.send("a APPEND INBOX ({" + std::to_string(inject.size()) + "+}\r\n" + inject + ") " + lit + "\r\n") ==
          "a BAD Flags must be atoms\r\n");
    CHECK(h.send("b APPEND INBOX (\\Recent) " + lit + "\r\n") == "b BAD Cannot store flag \\Recent\r\n");
    CHECK(h.send("c APPEND INBOX (\"\\\\Seen\") " + lit + "\r\n") == "c BAD Flags must be atoms\r\n");
    CHECK(has(h.send("d APPEND INBOX (\\seen $Label1 \\Seen) " + lit + "\r\n"), "d OK [APPENDUID"));
    h.send("e SELECT INBOX\r\n");
    CHECK(h.send("f FETCH 1 FLAGS\r\n") == "* 1 FETCH (FLAGS ($Label1 \\Recent \\Seen))\r\nf OK FETCH completed\r\n");
  }

  TEST_CASE("APPEND with a date-time the clock cannot hold is BAD, not an overflow (fuzz-repro regress-append-year-4353-overflow)") {
    Harness h;
    h.login();
    std::string m = "Subject: x\r\n\r\n";
    std::string lit = "{" + std::to_string(m.size()) + "+}\r\n" + m;
    CHECK(h.send("a APPEND INBOX \" 7-Feb-4353 21:52:25 -0800\" " + lit + "\r\n") == "a BAD Date-time out of range\r\n");
    CHECK(has(h.send("b APPEND INBOX \" 7-Feb-2261 21:52:25 -0800\" " + lit + "\r\n"), "b OK [APPENDUID"));
  }

  TEST_CASE("APPEND date-time becomes the INTERNALDATE (RFC 3501 §6.3.11)") {
    CHECK(imap::parse_date_time(" 7-Feb-1994 21:52:25 -0800") == 760686745);
    CHECK(imap::parse_date_time("17-Jul-1996 02:44:25 +0000") == 837571465);
    CHECK_FALSE(imap::parse_date_time("17-Jul-1996 02:44:25"));
    CHECK_FALSE(imap::parse_date_time("17-Jul-1996 24:44:25 +0000"));
    CHECK_FALSE(imap::parse_date_time("17-Foo-1996 02:44:25 +0000"));
    CHECK_FALSE(imap::parse_date_time("17-Jul-1996 02:44:25 +00x0"));
    Harness h;
    h.login();
    std::string m = "Subject: s\r\n\r\nbody\r\n";
    std::string lit = "{" + std::to_string(m.size()) + "+}\r\n" + m;
    CHECK(has(h.send("a APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 +0200\" " + lit + "\r\n"), "a OK"));
    CHECK(has(h.send("b APPEND INBOX \" 7-Feb-1994 21:52:25 -0800\" " + lit + "\r\n"), "b OK"));
    CHECK(h.send("c APPEND INBOX \"yesterday\" " + lit + "\r\n") == "c BAD Invalid date-time\r\n");
    h.send("d SELECT INBOX\r\n");
    CHECK(h.send("e FETCH 1:2 INTERNALDATE\r\n") ==
          "* 1 FETCH (INTERNALDATE \"17-Jul-1996 00:44:25 +0000\")\r\n"
          "* 2 FETCH (INTERNALDATE \"08-Feb-1994 05:52:25 +0000\")\r\ne OK FETCH completed\r\n");
  }

  TEST_CASE("D10: tokenize() refuses literal sizes near 2^64 (fuzz-repro imap_command_fuzz-tokenize-literal-size-wrap.txt)") {
    CHECK_FALSE(imap::tokenize("{18446744073709551592}\r\n"));
    CHECK_FALSE(imap::tokenize("{18446744073709551615}\r\nab"));
    CHECK_FALSE(imap::tokenize("x {3}\r\nab"));
    auto ok = imap::tokenize("x {2}\r\nab");
    REQUIRE(ok);
    CHECK((*ok)[1].text == "ab");
  }
}
