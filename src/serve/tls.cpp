#include "serve/tls.hpp"

#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace mailprobe::serve {

namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string ssl_error(const std::string& what) {
  std::string out = what;
  unsigned long e = ERR_get_error();
  if (e) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

Failure config_failure(const std::string& what) {
  return Failure(Stage::config, Result::tls_error, ssl_error(what));
}

std::unique_ptr<SSL_CTX, SslCtxFree> new_server_ctx() {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx) {
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  }
  return ctx;
}

bool add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool wait_fd(int fd, short events, std::chrono::milliseconds left) {
  pollfd p{fd, events, 0};
  int ms = static_cast<int>(std::max<long long>(0, left.count()));
  return ::poll(&p, 1, ms) > 0;
}

}  // namespace

struct TlsContext::Impl {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
};

TlsContext::TlsContext() : impl_(std::make_unique<Impl>()) {}

TlsContext::~TlsContext() {
  if (remove_ca_file_) ::unlink(ca_file_.c_str());
}

Outcome<std::shared_ptr<TlsContext>> TlsContext::from_files(const std::string& cert_file,
                                                            const std::string& key_file) {
  std::shared_ptr<TlsContext> t(new TlsContext());
  t->impl_->ctx = new_server_ctx();
  if (!t->impl_->ctx) return config_failure("SSL_CTX_new");
  SSL_CTX* ctx = t->impl_->ctx.get();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    return config_failure("cannot load certificate " + cert_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return config_failure("cannot load private key " + key_file);
  if (SSL_CTX_check_private_key(ctx) != 1) return config_failure("certificate and key do not match");
  t->ca_file_ = cert_file;
  return t;
}

Outcome<std::shared_ptr<TlsContext>> TlsContext::self_signed(const std::string& cert_out,
                                                             std::chrono::hours validity) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return config_failure("EC key generation failed");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return config_failure("X509_new");
  X509* x = cert.get();
  X509_set_version(x, 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return config_failure("RAND_bytes");
  serial[0] &= 0x7f;  // a positive serial number (RFC 5280 §4.1.2.2)
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(validity.count()) * 3600);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mailprobe serve"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(x, name);
  // A self-signed trust anchor that is also the server certificate.
  if (!add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
      !add_ext(x, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_ext(x, NID_ext_key_usage, "serverAuth") ||
      !add_ext(x, NID_subject_key_identifier, "hash") ||
      !add_ext(x, NID_authority_key_identifier, "keyid:always") ||
      !add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"))
    return config_failure("cannot add certificate extensions");
  if (X509_sign(x, key.get(), EVP_sha256()) == 0) return config_failure("X509_sign");

  std::shared_ptr<TlsContext> t(new TlsContext());
  t->impl_->ctx = new_server_ctx();
  if (!t->impl_->ctx) return config_failure("SSL_CTX_new");
  if (SSL_CTX_use_certificate(t->impl_->ctx.get(), x) != 1 ||
      SSL_CTX_use_PrivateKey(t->impl_->ctx.get(), key.get()) != 1)
    return config_failure("cannot install the generated certificate");

  std::string path = cert_out;
  int fd = -1;
  if (path.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    path = std::string(tmp && *tmp ? tmp : "/tmp") + "/mailprobe-serve-ca-XXXXXX";
    fd = ::mkstemp(path.data());
    if (fd < 0) return Failure(Stage::config, Result::internal_error, "cannot create " + path);
    t->remove_ca_file_ = true;
  }
  std::unique_ptr<std::FILE, FileClose> f(fd >= 0 ? ::fdopen(fd, "w") : std::fopen(path.c_str(), "w"));
  if (!f) return Failure(Stage::config, Result::internal_error, "cannot write " + path);
  if (PEM_write_X509(f.get(), x) != 1) return config_failure("cannot write " + path);
  t->ca_file_ = path;
  return t;
}

struct TlsChannel::Impl {
  std::unique_ptr<SSL, SslFree> ssl;
  int fd = -1;
};

TlsChannel::TlsChannel() : impl_(std::make_unique<Impl>()) {}
TlsChannel::~TlsChannel() = default;

Outcome<std::unique_ptr<TlsChannel>> TlsChannel::accept(const TlsContext& ctx, int fd,
                                                        std::chrono::milliseconds timeout) {
  std::unique_ptr<TlsChannel> ch(new TlsChannel());
  ch->impl_->fd = fd;
  ch->impl_->ssl.reset(SSL_new(ctx.impl().ctx.get()));
  if (!ch->impl_->ssl) return Failure(Stage::none, Result::tls_error, ssl_error("SSL_new"));
  SSL* ssl = ch->impl_->ssl.get();
  SSL_set_fd(ssl, fd);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    ERR_clear_error();
    int r = SSL_accept(ssl);
    if (r == 1) return ch;
    int err = SSL_get_error(ssl, r);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Failure(Stage::none, Result::timeout, "TLS handshake timed out");
    if (err == SSL_ERROR_WANT_READ) {
      if (!wait_fd(fd, POLLIN, left)) return Failure(Stage::none, Result::timeout, "TLS handshake timed out");
    } else if (err == SSL_ERROR_WANT_WRITE) {
      if (!wait_fd(fd, POLLOUT, left)) return Failure(Stage::none, Result::timeout, "TLS handshake timed out");
    } else {
      return Failure(Stage::none, Result::tls_error, ssl_error("TLS handshake failed"));
    }
  }
}

long TlsChannel::read(char* buf, std::size_t n) {
  ERR_clear_error();
  std::size_t got = 0;
  int r = SSL_read_ex(impl_->ssl.get(), buf, n, &got);
  if (r == 1) return static_cast<long>(got);
  int err = SSL_get_error(impl_->ssl.get(), r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return kWouldBlock;
  if (err == SSL_ERROR_ZERO_RETURN) return 0;
  ERR_clear_error();
  return kError;
}

bool TlsChannel::write_all(std::string_view data, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!data.empty()) {
    ERR_clear_error();
    std::size_t wrote = 0;
    int r = SSL_write_ex(impl_->ssl.get(), data.data(), data.size(), &wrote);
    if (r == 1) {
      data.remove_prefix(wrote);
      continue;
    }
    int err = SSL_get_error(impl_->ssl.get(), r);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (err == SSL_ERROR_WANT_WRITE) {
      if (!wait_fd(impl_->fd, POLLOUT, left)) return false;
    } else if (err == SSL_ERROR_WANT_READ) {
      if (!wait_fd(impl_->fd, POLLIN, left)) return false;
    } else {
      ERR_clear_error();
      return false;
    }
  }
  return true;
}

bool TlsChannel::pending() const { return SSL_pending(impl_->ssl.get()) > 0; }

void TlsChannel::shutdown() {
  ERR_clear_error();
  SSL_shutdown(impl_->ssl.get());
  ERR_clear_error();
}

}  // namespace mailprobe::serve
