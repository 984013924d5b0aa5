#include "net/curl_handle.hpp"

#include <cerrno>
#include <cstring>

namespace mailprobe::net {

std::string make_url(const std::string& scheme, const Endpoint& ep, const std::string& path) {
  return scheme + "://" + ep.authority() + "/" + path;
}

void apply_common(CURL* h, const Endpoint& ep, const TlsPolicy& tls, const Credentials& creds,
                  const Deadline& deadline) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   ep.tls == TlsMode::starttls ? static_cast<long>(CURLUSESSL_ALL)
                                               : static_cast<long>(CURLUSESSL_NONE));
  if (!tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (tls.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (creds.present() && creds.oauth()) {
    apply_bearer(h, creds);
  } else if (creds.present()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, creds.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, creds.password.c_str());
    curl_easy_setopt(h, CURLOPT_SASL_IR, 1L);  // one round trip for AUTH PLAIN
  }
  long left = deadline.remaining_ms();
  if (left < 1) left = 1;
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, left);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left);
  // Per-reply timeout in whole seconds (the _MS variant needs curl 8.6).
  long secs = (left + 999) / 1000;
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs < 1 ? 1L : secs);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
}

std::optional<std::int64_t> info_us(CURL* h, CURLINFO what) {
  curl_off_t v = 0;
  if (curl_easy_getinfo(h, what, &v) != CURLE_OK || v <= 0) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::optional<Failure> classify_transport(CURL* h, CURLcode rc, Stage connect_stage,
                                          Stage tls_stage, Stage current_stage) {
  std::string msg = curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return Failure(connect_stage, Result::dns_error, msg);
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno == ECONNREFUSED)
        return Failure(connect_stage, Result::connection_refused, std::strerror(ECONNREFUSED));
      if (os_errno != 0) msg += std::string(": ") + std::strerror(static_cast<int>(os_errno));
      return Failure(connect_stage, Result::connection_failed, msg);
    }
    case CURLE_OPERATION_TIMEDOUT:
      return Failure(current_stage, Result::timeout, msg);
    case CURLE_PEER_FAILED_VERIFICATION: {
      long vr = 0;
      curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &vr);
      return Failure(tls_stage, Result::tls_verify_failed, msg);
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
      return Failure(tls_stage, Result::tls_error, msg);
    default:
      return std::nullopt;
  }
}

}  // namespace mailprobe::net
