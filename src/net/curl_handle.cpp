#include "net/curl_handle.hpp"

#include <openssl/x509.h>

#include <cerrno>
#include <cstring>

#include "net/port_hint.hpp"

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
  if (creds.present()) {
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
                                          Stage tls_stage, Stage current_stage, const char* errbuf) {
  std::string msg = curl_easy_strerror(rc);
  std::string detail = errbuf ? errbuf : "";
  Protocol proto = tls_stage == Stage::imap_tls ? Protocol::imap : Protocol::smtp;
  long port = 0;
  curl_easy_getinfo(h, CURLINFO_PRIMARY_PORT, &port);
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
      if (vr != X509_V_OK)
        return Failure(tls_stage, Result::tls_verify_failed,
                       std::string("certificate not trusted (") + X509_verify_cert_error_string(vr) +
                           "): give the CA that issued it with --ca-file");
      return Failure(tls_stage, Result::tls_verify_failed, detail.empty() ? msg : detail);
    }
    case CURLE_SSL_CONNECT_ERROR:
      if (detail.find("wrong version number") != std::string::npos)
        return Failure(tls_stage, Result::tls_error, plain_text_port_hint(proto, port));
      return Failure(tls_stage, Result::tls_error, detail.empty() ? msg : msg + ": " + detail);
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
