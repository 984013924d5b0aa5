#include <doctest/doctest.h>

#include <chrono>
#include <memory>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/cert_facts.hpp"

using namespace mailprobe;
using namespace std::chrono_literals;

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

void add_ext(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext != nullptr);
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A self-signed EC certificate valid from not_before to not_after.
CertPtr make_cert(const char* cn, const char* san, std::time_t not_before, std::time_t not_after) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  REQUIRE(key);
  CertPtr x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 0x1234);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), not_before);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), not_after);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Probe Test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509_set_pubkey(x.get(), key.get());
  if (san != nullptr) add_ext(x.get(), NID_subject_alt_name, san);
  REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  return x;
}

}  // namespace

TEST_SUITE("tls::cert_facts") {
  TEST_CASE("days until expiry for a cert with a known notAfter") {
    auto now = WallClock::from_time_t(1'800'000'000);  // fixed "now"
    std::time_t t0 = WallClock::to_time_t(now);
    // 10 days and 3 hours left: whole days = 10.
    auto cert = make_cert("mail.example.org", "DNS:mail.example.org,IP:127.0.0.1", t0 - 86400,
                          t0 + 10 * 86400 + 3 * 3600);
    auto f = tls::cert_facts(*cert, now);
    CHECK(f.days_until_expiry == 10);
    CHECK(f.seconds_until_expiry == 10 * 86400 + 3 * 3600);
    CHECK_FALSE(f.expired);
    CHECK_FALSE(f.not_yet_valid);
    CHECK(WallClock::to_time_t(f.not_after) == t0 + 10 * 86400 + 3 * 3600);
    CHECK(WallClock::to_time_t(f.not_before) == t0 - 86400);
    CHECK(f.subject == "CN=mail.example.org,O=Probe Test");
    CHECK(f.issuer == f.subject);
    REQUIRE(f.sans.size() == 2);
    CHECK(f.sans[0] == "DNS:mail.example.org");
    CHECK(f.sans[1] == "IP:127.0.0.1");
    CHECK(f.serial == "1234");
  }

  TEST_CASE("an expired cert has negative days") {
    auto now = WallClock::from_time_t(1'800'000'000);
    std::time_t t0 = WallClock::to_time_t(now);
    auto cert = make_cert("old.example.org", nullptr, t0 - 100 * 86400, t0 - 2 * 86400 - 60);
    auto f = tls::cert_facts(*cert, now);
    CHECK(f.expired);
    CHECK(f.days_until_expiry == -2);
    CHECK(f.seconds_until_expiry == -(2 * 86400 + 60));
    CHECK(f.sans.empty());
  }

  TEST_CASE("a cert valid only in the future is flagged") {
    auto now = WallClock::from_time_t(1'800'000'000);
    std::time_t t0 = WallClock::to_time_t(now);
    auto cert = make_cert("new.example.org", nullptr, t0 + 3600, t0 + 90 * 86400);
    CHECK(tls::cert_facts(*cert, now).not_yet_valid);
  }

  TEST_CASE("host name checks use SANs, IP literals and wildcards") {
    std::time_t t0 = WallClock::to_time_t(WallClock::now());
    auto cert = make_cert("ignored.other.org", "DNS:*.example.org,DNS:localhost,IP:127.0.0.1,IP:::1",
                          t0 - 60, t0 + 86400);
    CHECK(tls::cert_facts(*cert).sans.back() == "IP:::1");
    CHECK(tls::verifies_for_host(*cert, "mx.example.org"));
    CHECK(tls::verifies_for_host(*cert, "localhost"));
    CHECK(tls::verifies_for_host(*cert, "127.0.0.1"));
    CHECK(tls::verifies_for_host(*cert, "[::1]"));
    CHECK(tls::verifies_for_host(*cert, "::1"));
    CHECK_FALSE(tls::verifies_for_host(*cert, "a.b.example.org"));
    CHECK_FALSE(tls::verifies_for_host(*cert, "example.org"));
    CHECK_FALSE(tls::verifies_for_host(*cert, "127.0.0.2"));
    // With DNS SANs present, the CN is not consulted (RFC 6125 §6.4.4).
    CHECK_FALSE(tls::verifies_for_host(*cert, "ignored.other.org"));
    CHECK_FALSE(tls::verifies_for_host(*cert, ""));
  }

  TEST_CASE("without SANs the CN is the name") {
    std::time_t t0 = WallClock::to_time_t(WallClock::now());
    auto cert = make_cert("cn-only.example.org", nullptr, t0 - 60, t0 + 86400);
    CHECK(tls::verifies_for_host(*cert, "cn-only.example.org"));
  }
}
