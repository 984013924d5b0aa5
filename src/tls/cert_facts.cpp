#include "tls/cert_facts.hpp"

#include <ctime>
#include <memory>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace mailprobe::tls {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct Asn1TimeFree {
  void operator()(ASN1_TIME* t) const { ASN1_TIME_free(t); }
};
struct GenNamesFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 order and escaping, but keep UTF-8 readable.
  unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::optional<WallClock::time_point> to_time_point(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return WallClock::from_time_t(timegm(&tm));
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  int n = ASN1_STRING_length(ip);
  char buf[INET6_ADDRSTRLEN] = {};
  if ((n == 4 && inet_ntop(AF_INET, p, buf, sizeof buf)) || (n == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf)))
    return buf;
  return "?";
}

std::vector<std::string> sans_of(const X509& cert) {
  std::vector<std::string> out;
  std::unique_ptr<GENERAL_NAMES, GenNamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (gn->type == GEN_IPADD) {
      out.push_back("IP:" + ip_text(gn->d.iPAddress));
    }
  }
  return out;
}

std::string serial_of(const X509& cert) {
  const ASN1_INTEGER* s = X509_get0_serialNumber(&cert);
  BIGNUM* bn = ASN1_INTEGER_to_BN(s, nullptr);
  if (bn == nullptr) return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

}  // namespace

CertFacts cert_facts(const X509& cert, WallClock::time_point now) {
  CertFacts f;
  f.subject = name_text(X509_get_subject_name(&cert));
  f.issuer = name_text(X509_get_issuer_name(&cert));
  f.sans = sans_of(cert);
  f.serial = serial_of(cert);
  const ASN1_TIME* nb = X509_get0_notBefore(&cert);
  const ASN1_TIME* na = X509_get0_notAfter(&cert);
  if (auto t = to_time_point(nb)) f.not_before = *t;
  if (auto t = to_time_point(na)) f.not_after = *t;
  // ASN1_TIME_diff(to - from): day and second parts share one sign, |sec| < 86400.
  std::unique_ptr<ASN1_TIME, Asn1TimeFree> ref(ASN1_TIME_set(nullptr, WallClock::to_time_t(now)));
  int days = 0, secs = 0;
  if (ref && na != nullptr && ASN1_TIME_diff(&days, &secs, ref.get(), na) == 1) {
    f.days_until_expiry = days;
    f.seconds_until_expiry = static_cast<std::int64_t>(days) * 86400 + secs;
    f.expired = f.seconds_until_expiry <= 0;
  }
  if (ref && nb != nullptr && ASN1_TIME_diff(&days, &secs, ref.get(), nb) == 1)
    f.not_yet_valid = days > 0 || secs > 0;
  return f;
}

bool verifies_for_host(const X509& cert, std::string_view host) {
  std::string h(host);
  if (!h.empty() && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  X509* x = const_cast<X509*>(&cert);  // the check functions take non-const but do not modify
  // An IP literal is matched against iPAddress SANs only (RFC 6125 §1.7.2 leaves
  // IP identities out; X509_check_ip_asc implements the common practice).
  if (X509_check_ip_asc(x, h.c_str(), 0) == 1) return true;
  return X509_check_host(x, h.c_str(), h.size(), 0, nullptr) == 1;
}

TlsFacts tls_facts(const SSL& ssl, std::string_view host, WallClock::time_point now) {
  TlsFacts t;
  t.version = SSL_get_version(&ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(&ssl)) {
    t.cipher = SSL_CIPHER_get_name(c);
    t.cipher_bits = SSL_CIPHER_get_bits(c, nullptr);
  }
  std::unique_ptr<X509, X509Free> leaf(SSL_get1_peer_certificate(&ssl));
  if (leaf) {
    t.cert = cert_facts(*leaf, now);
    t.host_ok = verifies_for_host(*leaf, host);
  }
  // Client side: SSL_get_peer_cert_chain includes the leaf (OpenSSL docs).
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(&ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      unsigned char* der = nullptr;
      int n = i2d_X509(sk_X509_value(chain, i), &der);
      if (n <= 0) continue;
      t.chain_der.emplace_back(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
      OPENSSL_free(der);
    }
  }
  t.verify_code = SSL_get_verify_result(&ssl);
  if (t.verify_code != X509_V_OK) t.verify_error = X509_verify_cert_error_string(t.verify_code);
  if (!leaf && t.verify_code == X509_V_OK) {
    t.verify_code = X509_V_ERR_UNSPECIFIED;
    t.verify_error = "no peer certificate";
  }
  return t;
}

PeerChain::PeerChain(const SSL& ssl) {
  // Client side: SSL_get_peer_cert_chain includes the leaf (OpenSSL docs).
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(&ssl);
  if (chain != nullptr) chain_ = X509_chain_up_ref(chain);
}

PeerChain::PeerChain(PeerChain&& o) noexcept : chain_(o.chain_) { o.chain_ = nullptr; }

PeerChain& PeerChain::operator=(PeerChain&& o) noexcept {
  if (this != &o) {
    if (chain_) sk_X509_pop_free(static_cast<STACK_OF(X509)*>(chain_), X509_free);
    chain_ = o.chain_;
    o.chain_ = nullptr;
  }
  return *this;
}

PeerChain::~PeerChain() {
  if (chain_) sk_X509_pop_free(static_cast<STACK_OF(X509)*>(chain_), X509_free);
}

bool PeerChain::empty() const {
  return chain_ == nullptr || sk_X509_num(static_cast<STACK_OF(X509)*>(chain_)) == 0;
}

long PeerChain::verify(const std::string& ca_file, std::string& error) const {
  error.clear();
  if (empty()) {
    error = "no peer certificate";
    return X509_V_ERR_UNSPECIFIED;
  }
  auto* chain = static_cast<STACK_OF(X509)*>(chain_);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  if (!store) return X509_V_ERR_OUT_OF_MEM;
  int loaded = ca_file.empty() ? X509_STORE_set_default_paths(store.get())
                               : X509_STORE_load_file(store.get(), ca_file.c_str());
  if (loaded != 1) {
    error = "cannot load CA certificates";
    return X509_V_ERR_UNSPECIFIED;
  }
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                     X509_STORE_CTX_free);
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), sk_X509_value(chain, 0), chain) != 1)
    return X509_V_ERR_OUT_OF_MEM;
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  long code = X509_STORE_CTX_get_error(ctx.get());
  error = X509_verify_cert_error_string(code);
  return code == X509_V_OK ? X509_V_ERR_UNSPECIFIED : code;
}

}  // namespace mailprobe::tls
