#include <doctest/doctest.h>

#include <memory>

#include "policy/verdict.hpp"

using namespace mailprobe::policy;

namespace {

std::shared_ptr<const DomainPolicy> sts(StsMode mode, std::vector<std::string> mx) {
  auto d = std::make_shared<DomainPolicy>();
  d->domain = "example.org";
  d->sts_record = StsRecord{"1"};
  StsPolicy p;
  p.mode = mode;
  p.mx = std::move(mx);
  p.max_age = 86400;
  d->sts_policy = p;
  return d;
}

HostTls good_tls() {
  HostTls t;
  t.tls_up = true;
  t.pkix_valid = true;
  return t;
}

TlsaSet tlsa(bool authenticated, std::vector<TlsaRecord> records) {
  TlsaSet t;
  t.looked_up = true;
  t.authenticated = authenticated;
  t.records = std::move(records);
  return t;
}

TlsaRecord ee_sha256(unsigned char fill) {
  TlsaRecord r;
  r.usage = 3;
  r.selector = 1;
  r.matching = 1;
  r.data.assign(32, fill);
  return r;
}

}  // namespace

TEST_SUITE("policy::verdict") {
  TEST_CASE("MTA-STS enforce: a listed MX with a valid certificate passes") {
    auto v = judge_host(sts(StsMode::enforce, {"*.example.org"}), "mx1.example.org", {}, good_tls());
    CHECK(v.violation.empty());
    CHECK(v.mx_in_policy == true);
    CHECK(v.pkix_valid == true);
  }

  TEST_CASE("MTA-STS enforce: a host missing from mx is a violation") {
    auto v = judge_host(sts(StsMode::enforce, {"mx2.example.org"}), "mx1.example.org", {}, good_tls());
    CHECK(v.mx_in_policy == false);
    CHECK(v.violation == "MTA-STS enforce: mx1.example.org is not listed in the policy's mx");
  }

  TEST_CASE("MTA-STS enforce: no TLS or a PKIX failure is a violation") {
    HostTls bad = good_tls();
    bad.pkix_valid = false;
    auto v = judge_host(sts(StsMode::enforce, {"mx1.example.org"}), "mx1.example.org", {}, bad);
    CHECK(v.violation == "MTA-STS enforce: certificate not PKIX-valid for mx1.example.org");
    auto n = judge_host(sts(StsMode::enforce, {"mx1.example.org"}), "mx1.example.org", {}, HostTls{});
    CHECK(n.violation == "MTA-STS enforce: no TLS session with mx1.example.org");
  }

  TEST_CASE("MTA-STS testing reports but never violates; none is not evaluated") {
    HostTls bad;
    auto t = judge_host(sts(StsMode::testing, {"other.example.org"}), "mx1.example.org", {}, bad);
    CHECK(t.violation.empty());
    CHECK(t.mx_in_policy == false);
    CHECK(t.pkix_valid == false);
    auto n = judge_host(sts(StsMode::none, {}), "mx1.example.org", {}, bad);
    CHECK(n.violation.empty());
    CHECK_FALSE(n.mx_in_policy.has_value());
  }

  TEST_CASE("a TXT record without a fetched policy does not apply") {
    auto d = std::make_shared<DomainPolicy>();
    d->sts_record = StsRecord{"1"};
    d->sts_error = "MTA-STS policy fetch: HTTP 404";
    auto v = judge_host(d, "mx1.example.org", {}, HostTls{});
    CHECK(v.violation.empty());
    CHECK_FALSE(v.mx_in_policy.has_value());
  }

  TEST_CASE("DANE: unauthenticated records are insecure, never a pass or a violation") {
    auto v = judge_host(nullptr, "mx1.example.org", tlsa(false, {ee_sha256(1)}), good_tls());
    CHECK(v.dane == DaneState::insecure);
    CHECK(v.tlsa_records == 1);
    CHECK(v.violation.empty());
    CHECK(v.dane_error.find("AD bit") != std::string::npos);
  }

  TEST_CASE("DANE: authenticated TLSA of a host named by an insecure MX RRset is insecure (RFC 7672 §2.2.1)") {
    TlsaSet t = tlsa(true, {ee_sha256(1)});
    t.mx_insecure = true;
    auto v = judge_host(nullptr, "mx1.example.org", t, good_tls());
    CHECK(v.dane == DaneState::insecure);
    CHECK(v.violation.empty());
    CHECK(v.dane_error.find("MX records not DNSSEC-authenticated") == 0);
  }

  TEST_CASE("DANE: no records is none; not looked up is none with zero records") {
    CHECK(judge_host(nullptr, "mx1.example.org", tlsa(true, {}), good_tls()).dane == DaneState::none);
    auto v = judge_host(nullptr, "mx1.example.org", TlsaSet{}, good_tls());
    CHECK(v.dane == DaneState::none);
    CHECK(v.tlsa_records == 0);
  }

  TEST_CASE("DANE: authenticated records that do not match fail with a violation") {
    auto v = judge_host(nullptr, "mx1.example.org", tlsa(true, {ee_sha256(1)}), good_tls());
    CHECK(v.dane == DaneState::fail);
    CHECK(v.violation.find("DANE: ") == 0);
  }

  TEST_CASE("DANE: records but no TLS session fail") {
    auto v = judge_host(nullptr, "mx1.example.org", tlsa(true, {ee_sha256(1)}), HostTls{});
    CHECK(v.dane == DaneState::fail);
    CHECK(v.violation == "DANE: TLSA records published but no TLS session");
  }

  TEST_CASE("DANE: only PKIX usages means no usable record, TLS still mandatory") {
    TlsaRecord pkix = ee_sha256(1);
    pkix.usage = 1;
    auto v = judge_host(nullptr, "mx1.example.org", tlsa(true, {pkix}), good_tls());
    CHECK(v.dane == DaneState::none);
    CHECK(v.dane_error.find("unusable for SMTP") != std::string::npos);
    CHECK(v.violation.empty());
    auto n = judge_host(nullptr, "mx1.example.org", tlsa(true, {pkix}), HostTls{});
    CHECK_FALSE(n.violation.empty());
  }

  TEST_CASE("DANE: malformed records count and a lookup failure is a violation") {
    TlsaSet t = tlsa(true, {});
    t.malformed = 2;
    auto v = judge_host(nullptr, "mx1.example.org", t, good_tls());
    CHECK(v.tlsa_records == 2);
    CHECK(v.dane_error == "no usable TLSA record (malformed TLSA record)");
    TlsaSet f;
    f.looked_up = true;
    f.error = "_25._tcp.mx1.example.org TLSA: DNS rcode 2";
    auto e = judge_host(nullptr, "mx1.example.org", f, good_tls());
    CHECK(e.dane == DaneState::fail);
    CHECK(e.violation == "DANE: TLSA lookup failed, DANE senders defer");
    CHECK(e.dane_error == f.error);
  }

  TEST_CASE("both policies' violations are joined") {
    auto v = judge_host(sts(StsMode::enforce, {"mx2.example.org"}), "mx1.example.org",
                        tlsa(true, {ee_sha256(1)}), good_tls());
    CHECK(v.violation.find("MTA-STS enforce") == 0);
    CHECK(v.violation.find("; DANE: ") != std::string::npos);
  }
}
