// Issue 17, D9: a hostile server must not make the response reader buffer
// without bound or rescan what it has already seen.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "imap/response.hpp"

using namespace mailprobe::imap;

TEST_SUITE("imap::response limits") {
  TEST_CASE("an announced 4 GiB literal is an overflow at once, and nothing more is buffered") {
    ResponseReader rd;
    rd.feed("* 1 FETCH (BODY[] {4294967295}\r\n" + std::string(4096, 'x'));
    CHECK_FALSE(rd.next());
    CHECK(rd.overflow());
    rd.feed(std::string(1 << 20, 'y'));
    CHECK_FALSE(rd.next());
    CHECK(rd.overflow());
  }

  TEST_CASE("a literal up to kMaxLiteral is still gathered") {
    ResponseReader rd;
    std::string big(1 << 20, 'b');
    rd.feed("* 1 FETCH (BODY[] {" + std::to_string(big.size()) + "}\r\n" + big + ")\r\n");
    auto r = rd.next();
    REQUIRE(r);
    CHECK(r->literals.at(0).size() == big.size());
    CHECK_FALSE(rd.overflow());
  }

  TEST_CASE("an endless {1} literal chain costs linear time and ends at kMaxResponse") {
    ResponseReader rd;
    rd.feed("* 1 FETCH (X ");
    auto t0 = std::chrono::steady_clock::now();
    std::string chunk;
    for (int i = 0; i < 1000; ++i) chunk += "{1}\r\nX";
    for (int i = 0; i < 200; ++i) {  // 200 000 literals, 1.2 MB
      rd.feed(chunk);
      CHECK_FALSE(rd.next());
    }
    // The rescanning reader needed hours for this; 10 s leaves room for sanitizers and load.
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
    CHECK_FALSE(rd.overflow());
    rd.feed(")\r\n* OK next\r\n");
    auto r = rd.next();
    REQUIRE(r);
    CHECK(r->literals.size() == 200000);
    auto n = rd.next();
    REQUIRE(n);
    CHECK(n->text == "OK next");
  }

  TEST_CASE("a line without an end is an overflow past kMaxLine, a bare LF ends a line") {
    ResponseReader rd;
    rd.feed("* OK lax\n* OK strict\r\n");
    CHECK(rd.next()->text == "OK lax");
    CHECK(rd.next()->text == "OK strict");
    std::string part(64 * 1024, 'a');
    for (std::size_t i = 0; i * part.size() <= ResponseReader::kMaxLine; ++i) {
      rd.feed(part);
      CHECK_FALSE(rd.next());
    }
    CHECK(rd.overflow());
  }
}
