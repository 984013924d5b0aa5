#pragma once

// Facts about a peer certificate and a TLS session, read through the OpenSSL
// 3 API. Independent of any protocol: the probe reads them from the SSL* that
// libcurl exposes inside a callback, the check command may reuse them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

typedef struct x509_st X509;
typedef struct ssl_st SSL;

namespace mailprobe::tls {

/// What a single X.509 certificate says about itself.
struct CertFacts {
  std::string subject;                 // RFC 2253 form, e.g. "CN=localhost"
  std::string issuer;                  // RFC 2253 form
  std::vector<std::string> sans;       // "DNS:name" and "IP:addr" entries, in order
  std::string serial;                  // hex
  WallClock::time_point not_before{};
  WallClock::time_point not_after{};
  std::int64_t seconds_until_expiry = 0;  // notAfter - now; negative once expired
  std::int64_t days_until_expiry = 0;     // whole days (truncated toward zero)
  bool expired = false;
  bool not_yet_valid = false;
};

/// Reads subject, issuer, SANs, validity and expiry of `cert` relative to `now`
/// (ASN1_TIME_diff). Never fails: unreadable parts stay empty/zero.
CertFacts cert_facts(const X509& cert, WallClock::time_point now = WallClock::now());

/// True if `cert` is valid for `host`: X509_check_ip_asc for an IP literal,
/// X509_check_host (SANs, then CN when no DNS SAN) for a name.
bool verifies_for_host(const X509& cert, std::string_view host);

/// The negotiated session and the peer's leaf certificate.
struct TlsFacts {
  std::string version;     // "TLSv1.3"
  std::string cipher;      // OpenSSL name, "TLS_AES_256_GCM_SHA384"
  int cipher_bits = 0;
  std::optional<CertFacts> cert;  // nullopt if the peer sent none
  bool host_ok = false;           // verifies_for_host(leaf, host)
  long verify_code = -1;          // SSL_get_verify_result; 0 = X509_V_OK
  std::string verify_error;       // X509_verify_cert_error_string, "" when ok
  std::vector<std::string> chain_der;  // the peer chain as sent, leaf first, DER (DANE matching)
  bool chain_ok() const { return verify_code == 0; }
  /// Chain verifies and the name matches.
  bool verified() const { return chain_ok() && host_ok; }
};

/// Reads the facts of a live, handshaken session. Does not take ownership.
TlsFacts tls_facts(const SSL& ssl, std::string_view host,
                   WallClock::time_point now = WallClock::now());

/// The peer's certificate chain (leaf first), copied out of a live SSL* so it
/// can be verified after the connection is gone. Move-only owner.
class PeerChain {
 public:
  PeerChain() = default;
  explicit PeerChain(const SSL& ssl);
  PeerChain(PeerChain&& o) noexcept;
  PeerChain& operator=(PeerChain&& o) noexcept;
  PeerChain(const PeerChain&) = delete;
  PeerChain& operator=(const PeerChain&) = delete;
  ~PeerChain();
  bool empty() const;

  /// Verifies the chain for TLS server use against `ca_file` (PEM), or the
  /// system store when empty. Returns the X509_V_* code (0 = ok) and fills
  /// `error` with OpenSSL's text when not ok.
  long verify(const std::string& ca_file, std::string& error) const;

 private:
  void* chain_ = nullptr;  // STACK_OF(X509)*, leaf first
};

}  // namespace mailprobe::tls
