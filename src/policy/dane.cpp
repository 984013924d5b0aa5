#include "policy/dane.hpp"

#include <memory>
#include <optional>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace mailprobe::policy {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

/// The selected bytes (RFC 6698 §2.1.2): the whole certificate or its
/// SubjectPublicKeyInfo, DER encoded.
std::vector<unsigned char> selected(X509* cert, std::uint8_t selector) {
  unsigned char* buf = nullptr;
  int n = selector == 0 ? i2d_X509(cert, &buf) : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &buf);
  if (n <= 0) return {};
  std::vector<unsigned char> out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}

/// RFC 6698 §2.1.3: full (0), SHA-256 (1), SHA-512 (2).
bool matches(X509* cert, const TlsaRecord& r) {
  std::vector<unsigned char> sel = selected(cert, r.selector);
  if (sel.empty()) return false;
  if (r.matching == 0) return sel == r.data;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* type = r.matching == 1 ? EVP_sha256() : EVP_sha512();
  if (EVP_Digest(sel.data(), sel.size(), md, &len, type, nullptr) != 1) return false;
  return std::vector<unsigned char>(md, md + len) == r.data;
}

/// Verifies the leaf up to `anchor` (a certificate of the chain) for TLS
/// server use. Returns "" or OpenSSL's reason.
std::string verify_to_anchor(X509* leaf, X509* anchor, const std::vector<X509Ptr>& chain) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
      sk_X509_new_null(), [](STACK_OF(X509)* s) { sk_X509_free(s); });
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  if (!store || !untrusted || !ctx) return "out of memory";
  if (X509_STORE_add_cert(store.get(), anchor) != 1) return "cannot use the trust anchor";
  // The anchor need not be self-signed (RFC 7671 §5.2.2): a partial chain ends there.
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  for (const auto& c : chain) sk_X509_push(untrusted.get(), c.get());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) return "out of memory";
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) == 1) return {};
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

}  // namespace

DaneMatch match_dane(const std::vector<TlsaRecord>& records, const std::vector<std::string>& chain_der,
                     std::string_view host) {
  DaneMatch out;
  std::vector<X509Ptr> chain;
  for (const auto& der : chain_der) {
    auto x = parse_der(der);
    if (!x) {
      out.problem = "peer certificate does not parse";
      return out;
    }
    chain.push_back(std::move(x));
  }
  if (chain.empty()) {
    out.problem = "no peer certificate";
    return out;
  }
  std::string ta_problem;
  for (const auto& r : records) {
    if (r.usage == 3) {
      if (matches(chain[0].get(), r)) {
        out.matched = true;
        out.record = to_text(r);
        return out;
      }
    } else if (r.usage == 2) {
      for (std::size_t i = 1; i < chain.size(); ++i) {
        if (!matches(chain[i].get(), r)) continue;
        std::string why = verify_to_anchor(chain[0].get(), chain[i].get(), chain);
        std::string name(host);
        if (why.empty() && X509_check_host(chain[0].get(), name.c_str(), name.size(),
                                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) != 1)
          why = "certificate does not match " + name;
        if (why.empty()) {
          out.matched = true;
          out.record = to_text(r);
          return out;
        }
        if (ta_problem.empty()) ta_problem = "DANE-TA record " + to_text(r).substr(0, 6) + "... matches but: " + why;
      }
    }
  }
  out.problem = ta_problem.empty() ? "no TLSA record matches the certificate chain" : ta_problem;
  return out;
}

}  // namespace mailprobe::policy
