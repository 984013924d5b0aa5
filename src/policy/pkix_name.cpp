#include "policy/pkix_name.hpp"

#include <memory>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace mailprobe::policy {

bool dns_id_matches(const std::string& leaf_der, std::string_view host) {
  const auto* p = reinterpret_cast<const unsigned char*>(leaf_der.data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, static_cast<long>(leaf_der.size())),
                                                  X509_free);
  if (!cert || host.empty()) return false;
  std::string h(host);
  if (h.back() == '.') h.pop_back();
  // NEVER_CHECK_SUBJECT: no CN fallback; NO_PARTIAL_WILDCARDS: "*" is a whole label.
  return X509_check_host(cert.get(), h.c_str(), h.size(),
                         X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

}  // namespace mailprobe::policy
