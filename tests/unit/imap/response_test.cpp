#include <doctest/doctest.h>

#include "imap/response.hpp"

using namespace mailprobe::imap;

TEST_SUITE("imap::response") {
  TEST_CASE("tagged, untagged and continuation responses split at CRLF") {
    ResponseReader rd;
    rd.feed("* OK ready\r\n+ idling\r\nm1 OK done\r\n* 3 EXI");
    auto a = rd.next();
    REQUIRE(a);
    CHECK(a->kind == Response::Kind::untagged);
    CHECK(a->status() == "OK");
    auto b = rd.next();
    REQUIRE(b);
    CHECK(b->kind == Response::Kind::continuation);
    CHECK(b->text == "idling");
    auto c = rd.next();
    REQUIRE(c);
    CHECK(c->kind == Response::Kind::tagged);
    CHECK(c->tag == "m1");
    CHECK(c->status() == "OK");
    CHECK_FALSE(rd.next());  // "* 3 EXI" is incomplete
    rd.feed("STS\r\n");
    auto d = rd.next();
    REQUIRE(d);
    CHECK(exists_count(*d) == 3u);
  }

  TEST_CASE("a literal is gathered whole, even when split across reads (RFC 3501 §4.3)") {
    ResponseReader rd;
    std::string header = "Subject: hi\r\nX-Mailprobe-Token: abc\r\n\r\n";
    std::string wire = "* 5 FETCH (UID 12 BODY[HEADER] {" + std::to_string(header.size()) + "}\r\n" + header + ")\r\n";
    rd.feed(wire.substr(0, 30));
    CHECK_FALSE(rd.next());
    rd.feed(wire.substr(30, 20));
    CHECK_FALSE(rd.next());
    rd.feed(wire.substr(50));
    auto r = rd.next();
    REQUIRE(r);
    REQUIRE(r->literals.size() == 1);
    CHECK(r->literals[0] == header);
    CHECK(fetch_uid(*r) == 12u);
  }

  TEST_CASE("a literal may contain CRLF-looking text and braces") {
    ResponseReader rd;
    std::string lit = "a {3}\r\nxyz\r\n";
    rd.feed("* 1 FETCH (BODY[] {" + std::to_string(lit.size()) + "}\r\n" + lit + " UID 7)\r\n");
    auto r = rd.next();
    REQUIRE(r);
    CHECK(r->literals.at(0) == lit);
    CHECK(fetch_uid(*r) == 7u);
  }

  TEST_CASE("the sequence number of a FETCH response") {
    CHECK(fetch_number(Response{Response::Kind::untagged, "", "7 FETCH (UID 12 BODY[HEADER] {3})", {"abc"}}) == 7u);
    CHECK(fetch_number(Response{Response::Kind::untagged, "", "7 fetch (FLAGS ())", {}}) == 7u);
    CHECK_FALSE(fetch_number(Response{Response::Kind::untagged, "", "7 EXISTS", {}}));
    CHECK_FALSE(fetch_number(Response{Response::Kind::untagged, "", "x FETCH (UID 1)", {}}));
    CHECK_FALSE(fetch_number(Response{Response::Kind::tagged, "m1", "7 FETCH (UID 1)", {}}));
  }

  TEST_CASE("SEARCH results, empty results and modifiers") {
    Response r{Response::Kind::untagged, "", "SEARCH 3 7 9", {}};
    CHECK(search_result(r) == std::vector<std::uint32_t>{3, 7, 9});
    Response e{Response::Kind::untagged, "", "SEARCH", {}};
    CHECK(search_result(e)->empty());
    Response m{Response::Kind::untagged, "", "SEARCH 4 (MODSEQ 917162500)", {}};
    CHECK(search_result(m) == std::vector<std::uint32_t>{4});
    Response x{Response::Kind::untagged, "", "3 EXISTS", {}};
    CHECK_FALSE(search_result(x));
  }

  TEST_CASE("capabilities from an untagged response and from a response code") {
    Response a{Response::Kind::untagged, "", "CAPABILITY IMAP4rev1 IDLE UIDPLUS move", {}};
    auto ca = capabilities(a);
    REQUIRE(ca);
    CHECK(ca->count("IDLE"));
    CHECK(ca->count("MOVE"));
    Response b{Response::Kind::tagged, "A1", "OK [CAPABILITY IMAP4rev1 SPECIAL-USE] Logged in", {}};
    auto cb = capabilities(b);
    REQUIRE(cb);
    CHECK(cb->count("SPECIAL-USE"));
    CHECK_FALSE(cb->count("LOGGED"));
  }

  TEST_CASE("response codes and status text") {
    Response r{Response::Kind::untagged, "", "OK [UIDNEXT 4392] Predicted next UID", {}};
    CHECK(code_number(r, "UIDNEXT") == 4392u);
    CHECK_FALSE(code_number(r, "UIDVALIDITY"));
    Response t{Response::Kind::tagged, "m3", "NO [TRYCREATE] Mailbox doesn't exist", {}};
    CHECK(t.status() == "NO");
    CHECK(t.status_text() == "Mailbox doesn't exist");
  }

  TEST_CASE("LIST entries with special-use attributes and quoted names") {
    Response r{Response::Kind::untagged, "", "LIST (\\HasNoChildren \\Junk) \"/\" \"Junk E-mail\"", {}};
    auto e = list_entry(r);
    REQUIRE(e);
    CHECK(e->name == "Junk E-mail");
    CHECK(e->attributes == std::vector<std::string>{"\\HasNoChildren", "\\Junk"});
    Response n{Response::Kind::untagged, "", "LIST (\\Trash) NIL Trash", {}};
    CHECK(list_entry(n)->name == "Trash");
  }

  TEST_CASE("astring quotes what needs quoting and refuses what needs a literal") {
    CHECK(astring("INBOX") == "INBOX");
    CHECK(astring("Junk E-mail") == "\"Junk E-mail\"");
    CHECK(astring("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(astring("") == "\"\"");
    CHECK_FALSE(astring("a\r\nb"));
    CHECK_FALSE(astring("Entw\xC3\xBCrfe"));
  }

  TEST_CASE("garbage does not crash the reader") {
    ResponseReader rd;
    rd.feed("\r\n{99999999999999999999}\r\n* {abc}\r\n+\r\n\r\n");
    int n = 0;
    while (rd.next()) ++n;
    CHECK(n >= 3);
  }
}
