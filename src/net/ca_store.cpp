#include "net/ca_store.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/file_check.hpp"

namespace mailprobe::net {

namespace {

/// The file's identity and change time: a bundle replaced while a long
/// execd run goes on is read again.
std::string identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path;
  return path + '\0' + std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ':' +
         std::to_string(st.st_size) + ':' + std::to_string(st.st_mtim.tv_sec) + '.' +
         std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

bool holds_hashed_certs(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool found = false;
  while (const dirent* e = ::readdir(d)) {
    // c_rehash / openssl rehash names: 8 hex digits, '.', a decimal index.
    const std::string_view n(e->d_name);
    const auto dot = n.find('.');
    if (dot != 8 || dot + 1 >= n.size()) continue;
    const auto hex = n.substr(0, 8), idx = n.substr(9);
    if (hex.find_first_not_of("0123456789abcdef") == std::string_view::npos &&
        idx.find_first_not_of("0123456789") == std::string_view::npos) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

namespace {

X509_STORE* build(const std::string& ca_file) {
  X509_STORE* s = X509_STORE_new();
  if (!s) return nullptr;
  bool ok = true;
  if (!ca_file.empty()) {
    ok = X509_STORE_load_file(s, ca_file.c_str()) == 1;
  } else {
    // OpenSSL's conventions: $SSL_CERT_FILE and $SSL_CERT_DIR (a
    // colon-separated list) when set, else the default hashed directory,
    // whose CAs are parsed only when a chain needs them.
    const char* file = std::getenv(X509_get_default_cert_file_env());
    const char* dir = std::getenv(X509_get_default_cert_dir_env());
    if ((file && *file) || (dir && *dir)) {
      if (file && *file) ok = X509_STORE_load_file(s, file) == 1;
      if (ok && dir && *dir) ok = X509_STORE_load_path(s, dir) == 1;
    } else if (holds_hashed_certs(X509_get_default_cert_dir())) {
      ok = X509_STORE_load_path(s, X509_get_default_cert_dir()) == 1;
    } else {
      // No hashed directory (a system without c_rehash links): the bundle
      // libcurl itself would have read, else OpenSSL's default file.
      const char* bundle = curl_version_info(CURLVERSION_NOW)->cainfo;
      ok = X509_STORE_load_file(s, bundle && *bundle ? bundle : X509_get_default_cert_file()) == 1;
    }
  }
  if (!ok) {
    X509_STORE_free(s);
    return nullptr;
  }
  return s;
}

/// The store for `ca_file` ("" = the system store), kept until exit. A
/// store replaced because its file changed is kept too: a handle set up
/// with it may not have handshaked yet (CURLOPT_SSL_CTX_DATA holds the bare
/// pointer), and a bundle changes rarely. nullptr when it cannot be built.
X509_STORE* shared_store(const std::string& ca_file) {
  // Never destroyed: handshakes on other threads may still use the stores
  // while static destructors run at exit (and a leak checker then still
  // sees them reachable).
  static std::mutex& mu = *new std::mutex;
  static auto& cache = *new std::map<std::string, std::pair<std::string, X509_STORE*>>;  // ca_file -> (identity, store)
  const std::string id = ca_file.empty() ? std::string() : identity(ca_file);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(ca_file);
  if (it != cache.end() && it->second.first == id && it->second.second) return it->second.second;
  X509_STORE* s = build(ca_file);
  if (!s) return nullptr;
  cache[ca_file] = {id, s};
  return s;
}

// CURLOPT_SSL_CTX_FUNCTION: libcurl calls it with the connection's fresh
// SSL_CTX before the handshake; set1 takes a reference of its own.
CURLcode hand_over_store(CURL*, void* ssl_ctx, void* store) {
  SSL_CTX_set1_cert_store(static_cast<SSL_CTX*>(ssl_ctx), static_cast<X509_STORE*>(store));
  return CURLE_OK;
}

}  // namespace

std::string ca_file_problem(const std::string& path) {
  if (auto p = readable_file_problem(path); !p.empty()) return p;
  X509_STORE* s = shared_store(path);
  if (!s || sk_X509_OBJECT_num(X509_STORE_get0_objects(s)) == 0) {
    ERR_clear_error();
    return "is not a PEM CA bundle (no readable -----BEGIN CERTIFICATE----- block): give the CA "
           "certificate(s) in PEM";
  }
  return {};
}

void use_shared_ca_store(CURL* h, const TlsPolicy& tls) {
  // Nothing for libcurl to parse by itself (its default is the whole bundle).
  curl_easy_setopt(h, CURLOPT_CAINFO, nullptr);
  curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  if (tls.insecure) return;
  X509_STORE* store = shared_store(tls.ca_file);
  if (!store) {
    if (!tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
    else curl_easy_setopt(h, CURLOPT_CAINFO, curl_version_info(CURLVERSION_NOW)->cainfo);
    return;
  }
  curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, hand_over_store);
  curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, store);
}

}  // namespace mailprobe::net
