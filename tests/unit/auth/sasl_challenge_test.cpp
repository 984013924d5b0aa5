#include <doctest/doctest.h>

#include "net/sasl_challenge.hpp"

using namespace mailprobe::net;

TEST_SUITE("net::sasl_challenge") {
  TEST_CASE("Dovecot's XOAUTH2 failure challenge on IMAP decodes to its JSON") {
    auto c = decode_challenge("+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=");
    REQUIRE(c);
    CHECK(*c == R"({"status":"401","schemes":"bearer","scope":"mail"})");
  }

  TEST_CASE("an SMTP 334 challenge decodes the same way (RFC 4954 §4)") {
    auto c = decode_challenge("334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    REQUIRE(c);
    CHECK(*c == R"({"status":"invalid_token"})");
  }

  TEST_CASE("lines that are not a decodable continuation give nothing") {
    for (const char* l : {"334 ", "+ ", "+", "235 2.7.0 Authentication successful", "A1 NO [AUTHENTICATIONFAILED]",
                          "+ not*base64", "334 VXNlcm5hbWU6x"}) {
      INFO(l);
      CHECK(!decode_challenge(l));
    }
  }

  TEST_CASE("control bytes are dropped and long payloads are cut") {
    auto c = decode_challenge("+ AXsiYSI6MX0K");  // "\x01{\"a\":1}\n"
    REQUIRE(c);
    CHECK(*c == R"({"a":1})");
    std::string big = "+ ";
    for (int i = 0; i < 250; ++i) big += "QUFB";  // "AAA" x 250: 750 bytes decoded
    auto b = decode_challenge(big);
    REQUIRE(b);
    CHECK(b->size() == 300);
  }

  TEST_CASE("rejected_text prefers the challenge, else the final reply") {
    CHECK(rejected_text(std::string(R"({"status":"401"})"), "NO [AUTHENTICATIONFAILED]") ==
          R"(server rejected the token: {"status":"401"})");
    CHECK(rejected_text(std::nullopt, "535 5.7.8 Error: authentication failed") ==
          "server rejected the token: 535 5.7.8 Error: authentication failed");
  }
}
