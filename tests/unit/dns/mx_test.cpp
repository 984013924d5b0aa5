#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "dns/mx.hpp"

using namespace mailprobe;

namespace {

/// Builds DNS wire-format responses (RFC 1035 §4.1) for canned-answer tests.
struct Wire {
  std::vector<unsigned char> b;
  void u16(unsigned v) {
    b.push_back(static_cast<unsigned char>(v >> 8));
    b.push_back(static_cast<unsigned char>(v & 0xFF));
  }
  void u32(unsigned long v) {
    u16(static_cast<unsigned>(v >> 16));
    u16(static_cast<unsigned>(v & 0xFFFF));
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
  void header(unsigned rcode, unsigned ancount) {
    u16(0x1234);
    u16(0x8180 | rcode);  // QR, RD, RA
    u16(1);
    u16(ancount);
    u16(0);
    u16(0);
  }
  void question(const std::string& qname, unsigned qtype = 15) {
    name(qname);
    u16(qtype);
    u16(1);
  }
  /// An MX RR owned by the question name (pointer 0xC00C); the exchange is a
  /// full name or, when `ptr` is non-zero, "label" + compression pointer.
  void mx(unsigned pref, const std::string& exchange, unsigned ptr = 0, const std::string& label = {}) {
    u16(0xC00C);
    u16(15);
    u16(1);
    u32(3600);
    std::vector<unsigned char> rdata;
    Wire r;
    r.u16(pref);
    if (ptr) {
      r.b.push_back(static_cast<unsigned char>(label.size()));
      for (char c : label) r.b.push_back(static_cast<unsigned char>(c));
      r.u16(0xC000 | ptr);
    } else {
      r.name(exchange);
    }
    u16(static_cast<unsigned>(r.b.size()));
    b.insert(b.end(), r.b.begin(), r.b.end());
  }
};

}  // namespace

TEST_SUITE("dns::mx") {
  TEST_CASE("MX records are parsed and sorted by preference") {
    Wire w;
    w.header(0, 3);
    w.question("example.org");
    w.mx(20, "mx2.example.org");
    w.mx(10, "mx1.example.org");
    w.mx(10, "mx0.example.net");
    auto r = dns::parse_mx_answer(w.b);
    REQUIRE(r);
    REQUIRE(r.value().size() == 3);
    CHECK(r.value()[0].preference == 10);
    CHECK(r.value()[0].host == "mx0.example.net");
    CHECK(r.value()[1].host == "mx1.example.org");
    CHECK(r.value()[2].preference == 20);
    CHECK_FALSE(r.value()[0].implicit);
    CHECK_FALSE(dns::is_null_mx(r.value()));
  }

  TEST_CASE("compressed exchange names are expanded") {
    Wire w;
    w.header(0, 1);
    w.question("example.org");  // "example.org" starts at offset 12
    w.mx(5, "", 12, "mail");
    auto r = dns::parse_mx_answer(w.b);
    REQUIRE(r);
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].host == "mail.example.org");
    CHECK(r.value()[0].preference == 5);
  }

  TEST_CASE("a null MX (RFC 7505) is recognised") {
    Wire w;
    w.header(0, 1);
    w.question("nomail.example");
    w.mx(0, "");
    auto r = dns::parse_mx_answer(w.b);
    REQUIRE(r);
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].host.empty());
    CHECK(dns::is_null_mx(r.value()));
  }

  TEST_CASE("NODATA gives an empty list; NXDOMAIN and SERVFAIL are dns_error") {
    Wire nodata;
    nodata.header(0, 0);
    nodata.question("example.org");
    auto r = dns::parse_mx_answer(nodata.b);
    REQUIRE(r);
    CHECK(r.value().empty());

    Wire nx;
    nx.header(3, 0);
    nx.question("nope.example");
    auto r2 = dns::parse_mx_answer(nx.b);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().result == Result::dns_error);
    CHECK(r2.error().reply_text == "NXDOMAIN");

    Wire sf;
    sf.header(2, 0);
    sf.question("example.org");
    auto r3 = dns::parse_mx_answer(sf.b);
    REQUIRE_FALSE(r3);
    CHECK(r3.error().reply_text == "DNS rcode 2");
  }

  TEST_CASE("truncated or garbage messages are dns_error, not a crash") {
    Wire w;
    w.header(0, 2);
    w.question("example.org");
    w.mx(10, "mx1.example.org");
    auto full = w.b;
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{20}, full.size() - 3}) {
      std::vector<unsigned char> part(full.begin(), full.begin() + static_cast<long>(cut));
      CHECK_FALSE(dns::parse_mx_answer(part));
    }
  }

  TEST_CASE("non-MX records in the answer (a CNAME) are skipped") {
    Wire w;
    w.header(0, 2);
    w.question("alias.example.org");
    // CNAME alias.example.org -> real.example.org
    w.u16(0xC00C);
    w.u16(5);
    w.u16(1);
    w.u32(60);
    Wire target;
    target.name("real.example.org");
    w.u16(static_cast<unsigned>(target.b.size()));
    w.b.insert(w.b.end(), target.b.begin(), target.b.end());
    w.mx(10, "mx.real.example.org");
    auto r = dns::parse_mx_answer(w.b);
    REQUIRE(r);
    REQUIRE(r.value().size() == 1);
    CHECK(r.value()[0].host == "mx.real.example.org");
  }
}
