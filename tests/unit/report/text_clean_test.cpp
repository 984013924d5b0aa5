#include "report/text_clean.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mailprobe::report;
using namespace std::string_literals;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";
}

TEST_SUITE("report::text_clean") {
  TEST_CASE("well-formed UTF-8 of every length passes unchanged") {
    const std::string s = "a\xC3\xBC\xE2\x82\xAC\xF0\x9F\x98\x80";  // a ü € 😀
    CHECK(valid_utf8(s) == s);
    CHECK(code_points(s) == 4);
  }

  TEST_CASE("each byte of an ill-formed sequence becomes one U+FFFD") {
    CHECK(valid_utf8("a\x80z") == "a" + kFffd + "z");                        // stray continuation
    CHECK(valid_utf8("\xC0\xAF") == kFffd + kFffd);                          // overlong '/'
    CHECK(valid_utf8("\xED\xA0\x80") == kFffd + kFffd + kFffd);              // surrogate D800
    CHECK(valid_utf8("\xF4\x90\x80\x80") == kFffd + kFffd + kFffd + kFffd);  // above U+10FFFF
    CHECK(valid_utf8("ok\xE2\x82") == "ok" + kFffd + kFffd);                 // truncated at the end
    CHECK(valid_utf8("\xFF") == kFffd);
  }

  TEST_CASE("valid_utf8 keeps control characters and NUL") {
    CHECK(valid_utf8("a\0b\r\n"s) == "a\0b\r\n"s);
  }

  TEST_CASE("control runs inside text become one space, at the ends they vanish") {
    CHECK(without_controls("\r\n550-a\r\n550 b\r\n") == "550-a 550 b");
    CHECK(without_controls("a\tb") == "a b");
    CHECK(without_controls("a\r\n\r\nb") == "a b");
    CHECK(without_controls("a\0b"s) == "a b");
    CHECK(without_controls("\n") == "");
    CHECK(without_controls("") == "");
  }

  TEST_CASE("escape sequences lose their ESC/CSI so they cannot drive a terminal") {
    CHECK(without_controls("a\x1b[31mb") == "a [31mb");
    CHECK(without_controls("a\x7f"
                           "b") == "a b");
    CHECK(without_controls("a\xC2\x9B"
                           "31mb") == "a 31mb");  // C1 CSI U+009B
  }

  TEST_CASE("without_controls keeps non-control non-ASCII and repairs bad UTF-8") {
    CHECK(without_controls("\xC2\xA0\xC3\xBC") == "\xC2\xA0\xC3\xBC");  // NBSP ü
    CHECK(without_controls("x\xFF") == "x" + kFffd);
  }
}
