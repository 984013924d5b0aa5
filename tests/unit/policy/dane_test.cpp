#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "policy/dane.hpp"
#include "policy/pkix_name.hpp"

using namespace mailprobe::policy;

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key new_key() { return Key(EVP_EC_gen("P-256")); }

void add_ext(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(e != nullptr);
  X509_add_ext(x, e, -1);
  X509_EXTENSION_free(e);
}

/// A certificate for `key`, signed by issuer (or self-signed), valid from
/// `from_days` to `to_days` relative to now.
Cert make_cert(const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool ca, const char* san,
               long from_days = -1, long to_days = 30) {
  static long serial = 1;
  Cert x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), to_days * 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer ? issuer : x.get();
  X509_set_issuer_name(x.get(), X509_get_subject_name(signer));
  add_ext(x.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (san) add_ext(x.get(), signer, NID_subject_alt_name, san);
  REQUIRE(X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0);
  return x;
}

std::string der(X509* x) {
  unsigned char* buf = nullptr;
  int n = i2d_X509(x, &buf);
  std::string s(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
  OPENSSL_free(buf);
  return s;
}

/// The TLSA record a zone operator would publish for `x`.
TlsaRecord record_for(X509* x, int usage, int selector, int matching) {
  unsigned char* buf = nullptr;
  int n = selector == 0 ? i2d_X509(x, &buf) : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &buf);
  std::vector<unsigned char> sel(buf, buf + n);
  OPENSSL_free(buf);
  TlsaRecord r;
  r.usage = static_cast<std::uint8_t>(usage);
  r.selector = static_cast<std::uint8_t>(selector);
  r.matching = static_cast<std::uint8_t>(matching);
  if (matching == 0) {
    r.data = sel;
  } else {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(sel.data(), sel.size(), md, &len, matching == 1 ? EVP_sha256() : EVP_sha512(), nullptr);
    r.data.assign(md, md + len);
  }
  return r;
}

struct Pki {
  Key ca_key = new_key(), leaf_key = new_key();
  Cert ca = make_cert("Test CA", ca_key.get(), nullptr, nullptr, true, nullptr);
  Cert leaf = make_cert("mx.example.org", leaf_key.get(), ca.get(), ca_key.get(), false, "DNS:mx.example.org");
  std::vector<std::string> chain() const { return {der(leaf.get()), der(ca.get())}; }
};

}  // namespace

TEST_SUITE("policy::dane") {
  TEST_CASE("every usage/selector/matching combination RFC 7672 allows matches its own chain") {
    Pki pki;
    for (int usage : {2, 3})
      for (int selector : {0, 1})
        for (int matching : {0, 1, 2}) {
          CAPTURE(usage);
          CAPTURE(selector);
          CAPTURE(matching);
          X509* subject = usage == 3 ? pki.leaf.get() : pki.ca.get();
          TlsaRecord r = record_for(subject, usage, selector, matching);
          auto m = match_dane({r}, pki.chain(), "mx.example.org");
          CHECK(m.matched);
          CHECK(m.record == to_text(r));
          CHECK(m.problem.empty());
        }
  }

  TEST_CASE("a stale TLSA record after a certificate change fails, for every combination") {
    Pki old_pki, new_pki;
    for (int usage : {2, 3})
      for (int selector : {0, 1})
        for (int matching : {0, 1, 2}) {
          CAPTURE(usage);
          CAPTURE(selector);
          CAPTURE(matching);
          X509* subject = usage == 3 ? old_pki.leaf.get() : old_pki.ca.get();
          auto m = match_dane({record_for(subject, usage, selector, matching)}, new_pki.chain(), "mx.example.org");
          CHECK_FALSE(m.matched);
          CHECK(m.problem == "no TLSA record matches the certificate chain");
        }
  }

  TEST_CASE("a rollover RRset (old and new) passes on the second record") {
    Pki old_pki, new_pki;
    auto m = match_dane({record_for(old_pki.leaf.get(), 3, 1, 1), record_for(new_pki.leaf.get(), 3, 1, 1)},
                        new_pki.chain(), "mx.example.org");
    CHECK(m.matched);
    CHECK(m.record == to_text(record_for(new_pki.leaf.get(), 3, 1, 1)));
  }

  TEST_CASE("DANE-EE skips name and expiry checks (RFC 7672 §3.1.1)") {
    Pki pki;
    CHECK(match_dane({record_for(pki.leaf.get(), 3, 1, 1)}, pki.chain(), "other.example.net").matched);
    Key k = new_key();
    Cert expired = make_cert("mx.example.org", k.get(), nullptr, nullptr, false, "DNS:mx.example.org", -30, -1);
    CHECK(match_dane({record_for(expired.get(), 3, 0, 1)}, {der(expired.get())}, "mx.example.org").matched);
  }

  TEST_CASE("DANE-TA needs the MX name in the certificate (RFC 7672 §3.2.3)") {
    Pki pki;
    auto m = match_dane({record_for(pki.ca.get(), 2, 0, 1)}, pki.chain(), "other.example.net");
    CHECK_FALSE(m.matched);
    CHECK(m.problem.find("does not match other.example.net") != std::string::npos);
  }

  TEST_CASE("DANE-TA needs the trust anchor in the chain and a chain that verifies to it") {
    Pki pki;
    // The server sent only its leaf: the anchor is not there to match.
    CHECK_FALSE(match_dane({record_for(pki.ca.get(), 2, 1, 1)}, {der(pki.leaf.get())}, "mx.example.org").matched);
    // The leaf is not signed by the anchor that matched.
    Pki other;
    auto m = match_dane({record_for(other.ca.get(), 2, 1, 1)}, {der(pki.leaf.get()), der(other.ca.get())},
                        "mx.example.org");
    CHECK_FALSE(m.matched);
    CHECK(m.problem.find("matches but") != std::string::npos);
    // An expired leaf under a matching anchor fails verification.
    Key k = new_key();
    Cert expired = make_cert("mx.example.org", k.get(), pki.ca.get(), pki.ca_key.get(), false,
                             "DNS:mx.example.org", -30, -1);
    CHECK_FALSE(match_dane({record_for(pki.ca.get(), 2, 0, 1)}, {der(expired.get()), der(pki.ca.get())},
                           "mx.example.org").matched);
  }

  TEST_CASE("a DANE-EE record of the issuer does not match (EE looks at the leaf only)") {
    Pki pki;
    CHECK_FALSE(match_dane({record_for(pki.ca.get(), 3, 1, 1)}, pki.chain(), "mx.example.org").matched);
  }

  TEST_CASE("no chain or an unparsable certificate is one clear problem") {
    Pki pki;
    TlsaRecord r = record_for(pki.leaf.get(), 3, 1, 1);
    CHECK(match_dane({r}, {}, "mx.example.org").problem == "no peer certificate");
    CHECK(match_dane({r}, {"garbage"}, "mx.example.org").problem == "peer certificate does not parse");
  }

  TEST_CASE("MTA-STS name check: DNS-ID only, leftmost wildcard, never the CN (RFC 8461 §4.2)") {
    Pki pki;
    CHECK(dns_id_matches(der(pki.leaf.get()), "mx.example.org"));
    CHECK(dns_id_matches(der(pki.leaf.get()), "MX.example.org."));
    CHECK_FALSE(dns_id_matches(der(pki.leaf.get()), "mx2.example.org"));
    Key k = new_key();
    Cert cn_only = make_cert("mx.example.org", k.get(), pki.ca.get(), pki.ca_key.get(), false, nullptr);
    CHECK_FALSE(dns_id_matches(der(cn_only.get()), "mx.example.org"));
    Cert wild = make_cert("wild", k.get(), pki.ca.get(), pki.ca_key.get(), false, "DNS:*.example.org");
    CHECK(dns_id_matches(der(wild.get()), "mx.example.org"));
    CHECK_FALSE(dns_id_matches(der(wild.get()), "a.mx.example.org"));
    CHECK_FALSE(dns_id_matches(der(wild.get()), "example.org"));
    CHECK_FALSE(dns_id_matches("not a certificate", "mx.example.org"));
  }
}
