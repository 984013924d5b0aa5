#include "tls/ca_file.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "core/file_check.hpp"

namespace mailprobe::tls {

std::string ca_file_problem(const std::string& path) {
  if (auto p = readable_file_problem(path); !p.empty()) return p;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!bio) return "cannot be opened";
  int certs = 0;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_free(x);
    ++certs;
  }
  ERR_clear_error();  // the read that ends the loop always fails
  if (certs == 0)
    return "is not a PEM CA bundle (no readable -----BEGIN CERTIFICATE----- block): give the CA "
           "certificate(s) in PEM";
  return {};
}

}  // namespace mailprobe::tls
