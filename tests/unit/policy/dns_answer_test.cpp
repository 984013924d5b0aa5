#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "policy/dns_answer.hpp"
#include "policy/policy_dns.hpp"

using namespace mailprobe::policy;

namespace {

/// DNS wire-format responses (RFC 1035 §4.1) for canned answers.
struct Wire {
  std::vector<unsigned char> b;
  void u16(unsigned v) {
    b.push_back(static_cast<unsigned char>(v >> 8));
    b.push_back(static_cast<unsigned char>(v & 0xFF));
  }
  void name(const std::string& dotted) {
    std::size_t pos = 0;
    while (pos < dotted.size()) {
      auto dot = dotted.find('.', pos);
      if (dot == std::string::npos) dot = dotted.size();
      b.push_back(static_cast<unsigned char>(dot - pos));
      for (std::size_t i = pos; i < dot; ++i) b.push_back(static_cast<unsigned char>(dotted[i]));
      pos = dot + 1;
    }
    b.push_back(0);
  }
  Wire(unsigned flags, unsigned ancount, unsigned qtype) {
    u16(0x4242);
    u16(flags);
    u16(1);
    u16(ancount);
    u16(0);
    u16(0);
    name("_25._tcp.mx.example.org");
    u16(qtype);
    u16(1);
  }
  void rr(unsigned type, const std::vector<unsigned char>& rdata) {
    u16(0xC00C);
    u16(type);
    u16(1);
    u16(0);
    u16(300);
    u16(static_cast<unsigned>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
  }
};

}  // namespace

TEST_SUITE("policy::dns_answer") {
  TEST_CASE("the AD bit and the records of the asked type are returned") {
    Wire w(0x81A0, 2, kTypeTlsa);  // QR RD RA AD
    w.rr(5, {0});                  // a CNAME-typed RR is skipped
    w.rr(kTypeTlsa, {3, 1, 1, 0xaa});
    auto a = parse_rr_answer(w.b, kTypeTlsa);
    REQUIRE(a);
    CHECK(a->rcode == 0);
    CHECK(a->authenticated);
    REQUIRE(a->rdata.size() == 1);
    CHECK(a->rdata[0] == std::vector<unsigned char>{3, 1, 1, 0xaa});
  }

  TEST_CASE("without AD the answer is not authenticated; rcodes are returned") {
    Wire w(0x8180, 0, kTypeTlsa);
    auto a = parse_rr_answer(w.b, kTypeTlsa);
    REQUIRE(a);
    CHECK_FALSE(a->authenticated);
    CHECK(a->rdata.empty());
    Wire nx(0x8183, 0, kTypeTlsa);
    auto n = parse_rr_answer(nx.b, kTypeTlsa);
    REQUIRE(n);
    CHECK(n->rcode == 3);
  }

  TEST_CASE("a truncated message is a dns_error") {
    Wire w(0x81A0, 1, kTypeTlsa);
    w.rr(kTypeTlsa, {3, 1, 1, 0xaa});
    w.b.resize(w.b.size() - 3);
    CHECK_FALSE(parse_rr_answer(w.b, kTypeTlsa));
    CHECK_FALSE(parse_rr_answer(std::vector<unsigned char>{1, 2, 3}, kTypeTlsa));
  }

  TEST_CASE("TXT strings of one record are concatenated (RFC 8461 §3.1)") {
    std::vector<unsigned char> rd = {7, 'v', '=', 'S', 'T', 'S', 'v', '1', 4, ';', 'i', 'd', '='};
    rd.push_back(1);
    rd.push_back('x');
    auto t = txt_text(rd);
    REQUIRE(t);
    CHECK(t.value() == "v=STSv1;id=x");
    CHECK(txt_text(std::vector<unsigned char>{}).value().empty());
    CHECK_FALSE(txt_text(std::vector<unsigned char>{5, 'a', 'b'}));
  }
}
