#include "tls/ca_file.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <sys/stat.h>

#include <map>
#include <memory>
#include <mutex>

#include "core/file_check.hpp"

namespace mailprobe::tls {

namespace {

std::string parse_problem(const std::string& path) {
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

}  // namespace

std::string ca_file_problem(const std::string& path) {
  if (auto p = readable_file_problem(path); !p.empty()) return p;
  // A routes file names the same bundle for every route: parse each file
  // once per process (keyed by identity and change time, so a file replaced
  // in between is parsed again).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return parse_problem(path);
  const std::string key = path + '\0' + std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ':' +
                          std::to_string(st.st_size) + ':' + std::to_string(st.st_mtim.tv_sec) + '.' +
                          std::to_string(st.st_mtim.tv_nsec);
  static std::mutex mu;
  static std::map<std::string, std::string> seen;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = seen.find(key); it != seen.end()) return it->second;
  }
  std::string problem = parse_problem(path);
  std::lock_guard<std::mutex> lock(mu);
  seen.emplace(key, problem);
  return problem;
}

}  // namespace mailprobe::tls
