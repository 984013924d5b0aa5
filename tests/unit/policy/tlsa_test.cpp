#include <doctest/doctest.h>

#include <vector>

#include "policy/tlsa.hpp"

using namespace mailprobe::policy;

TEST_SUITE("policy::tlsa") {
  TEST_CASE("RDATA: three octets then the association data") {
    std::vector<unsigned char> rd = {3, 1, 1, 0xab, 0xcd};
    auto r = parse_tlsa_rdata(rd);
    REQUIRE(r);
    CHECK(r->usage == 3);
    CHECK(r->selector == 1);
    CHECK(r->matching == 1);
    CHECK(r->data == std::vector<unsigned char>{0xab, 0xcd});
    CHECK(to_text(r.value()) == "3 1 1 abcd");
  }

  TEST_CASE("RDATA shorter than four octets is malformed") {
    for (std::size_t n = 0; n < 4; ++n) {
      std::vector<unsigned char> rd(n, 3);
      auto r = parse_tlsa_rdata(rd);
      REQUIRE_FALSE(r);
      CHECK(r.error().reply_text.find("TLSA record of") == 0);
    }
  }

  TEST_CASE("usability for SMTP (RFC 7672 §3.1.3, RFC 7671 §5.1)") {
    auto rec = [](int u, int s, int m, std::size_t len) {
      TlsaRecord r;
      r.usage = static_cast<std::uint8_t>(u);
      r.selector = static_cast<std::uint8_t>(s);
      r.matching = static_cast<std::uint8_t>(m);
      r.data.assign(len, 0x11);
      return r;
    };
    for (int u : {2, 3})
      for (int s : {0, 1}) {
        CHECK(tlsa_unusable_reason(rec(u, s, 0, 100)).empty());
        CHECK(tlsa_unusable_reason(rec(u, s, 1, 32)).empty());
        CHECK(tlsa_unusable_reason(rec(u, s, 2, 64)).empty());
      }
    CHECK(tlsa_unusable_reason(rec(0, 0, 1, 32)).find("unusable for SMTP") != std::string::npos);
    CHECK(tlsa_unusable_reason(rec(1, 1, 1, 32)).find("unusable for SMTP") != std::string::npos);
    CHECK(tlsa_unusable_reason(rec(4, 1, 1, 32)) == "unknown usage 4");
    CHECK(tlsa_unusable_reason(rec(3, 2, 1, 32)) == "unknown selector 2");
    CHECK(tlsa_unusable_reason(rec(3, 1, 3, 32)) == "unknown matching type 3");
    CHECK(tlsa_unusable_reason(rec(3, 1, 1, 31)) == "SHA-256 data of 31 octets");
    CHECK(tlsa_unusable_reason(rec(3, 1, 2, 32)) == "SHA-512 data of 32 octets");
  }
}
