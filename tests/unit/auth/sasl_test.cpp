#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/sasl_challenge.hpp"
#include "auth/sasl.hpp"
#include "net/sasl_mechanism.hpp"

using namespace mailprobe;
using namespace mailprobe::auth;

TEST_SUITE("auth::sasl") {
  TEST_CASE("XOAUTH2 message is user=, auth=Bearer, each ended by ^A, and a final ^A") {
    CHECK(xoauth2_message("alice@mailprobe.test", "ya29.abc") ==
          std::string("user=alice@mailprobe.test\x01" "auth=Bearer ya29.abc\x01\x01"));
  }

  TEST_CASE("XOAUTH2 in base64 matches Google's documented example") {
    // developers.google.com/gmail/imap/xoauth2-protocol, "someuser@example.com" / "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
    std::string m = xoauth2_message("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    CHECK(base64_encode(m) ==
          "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  }

  TEST_CASE("OAUTHBEARER follows RFC 7628 §3.1 with host and port and escapes the saslname") {
    CHECK(oauthbearer_message("user@example.com", "server.example.com", 143, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==") ==
          std::string("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                      "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"));
    CHECK(oauthbearer_message("a=b,c", "h", 587, "t").rfind("n,a=a=3Db=2Cc,\x01", 0) == 0);
  }

  TEST_CASE("token_problem accepts RFC 6750 b64token and refuses what would break the SASL message") {
    CHECK(token_problem("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig-_~+/==").empty());
    for (const char* bad : {"", "=abc", "a b", "abc\x01", "abc\r\nA1 LOGOUT", "ab=c", "tok\"en"}) {
      INFO(bad);
      CHECK(!token_problem(bad).empty());
    }
    // The reason never quotes the token.
    CHECK(token_problem("secret value").find("secret") == std::string::npos);
  }

  TEST_CASE("base64 round trip for every length class") {
    for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\x00\xff\x01", 3)}) {
      auto d = net::base64_decode(base64_encode(s));
      REQUIRE(d);
      CHECK(*d == s);
    }
  }

  TEST_CASE("mechanism names parse and map to SASL names") {
    CHECK(net::parse_mechanism("xoauth2") == net::SaslMechanism::xoauth2);
    CHECK(net::parse_mechanism("oauthbearer") == net::SaslMechanism::oauthbearer);
    CHECK(net::parse_mechanism("password") == net::SaslMechanism::password);
    CHECK(!net::parse_mechanism("XOAUTH2"));
    CHECK(net::sasl_name(net::SaslMechanism::xoauth2) == "XOAUTH2");
    CHECK(net::sasl_name(net::SaslMechanism::oauthbearer) == "OAUTHBEARER");
    CHECK(net::sasl_name(net::SaslMechanism::password).empty());
  }
}
