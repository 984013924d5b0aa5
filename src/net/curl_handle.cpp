#include "net/curl_handle.hpp"

#include "net/ca_store.hpp"

#include <openssl/x509.h>

#include <algorithm>

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
  use_shared_ca_store(h, tls);
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

TransferFacts transfer_facts(CURL* h, CURLcode rc, Leg leg, bool implicit_tls, bool tcp_logged,
                             const char* errbuf) {
  TransferFacts f;
  curl_easy_getinfo(h, CURLINFO_PRIMARY_PORT, &f.port);
  long verify = X509_V_OK;
  if (rc == CURLE_PEER_FAILED_VERIFICATION && curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK &&
      verify != X509_V_OK)
    f.verify_reason = X509_verify_cert_error_string(verify);
  if (errbuf) f.tls_detail = errbuf;
  f.leg = leg;
  f.code = rc;
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &f.os_errno);
  f.tcp_connected = tcp_logged || info_us(h, CURLINFO_CONNECT_TIME_T).has_value();
  f.tls_done = info_us(h, CURLINFO_APPCONNECT_TIME_T).has_value();
  f.implicit_tls = implicit_tls;
  return f;
}

const SSL* live_ssl(CURL* h) {
  curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr) return nullptr;
  if (info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) return nullptr;
  return static_cast<const SSL*>(info->internals);
}

void set_callbacks(CURL* h, const Callbacks& cb) {
  if (cb.header) {
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb.header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, cb.user);
  }
  if (cb.debug) {
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, cb.debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, cb.user);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  }
  if (cb.progress) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb.progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, cb.user);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
  if (cb.errbuf) curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cb.errbuf);
  if (cb.read) {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, cb.read);
    curl_easy_setopt(h, CURLOPT_READDATA, cb.user);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, cb.upload_size);
  }
}

void clear_callbacks(CURL* h) {
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, nullptr);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, nullptr);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, nullptr);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // the caller's buffer may not outlive the login
}

void set_target(CURL* h, const std::string& url, curl_slist* resolve) {
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
}

SlistPtr resolve_entry(const std::string& host, int port, const std::string& address) {
  std::string addr = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  return SlistPtr(curl_slist_append(nullptr, (host + ":" + std::to_string(port) + ":" + addr).c_str()));
}

void set_connect_only(CURL* h) {
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
}

void apply_probe(CURL* h, const ProbeTransfer& p) {
  long timeout_ms = static_cast<long>(p.timeout.count());
  if (p.error_buffer) curl_easy_setopt(h, CURLOPT_ERRORBUFFER, p.error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, std::max(1L, (timeout_ms + 999) / 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 4 * timeout_ms);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   p.tls == TlsMode::starttls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_NONE));
  if (!p.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, p.ca_file.c_str());
  if (p.creds.present()) {
    // Secrets only cross a verified channel: libcurl verifies (fails closed).
    curl_easy_setopt(h, CURLOPT_USERNAME, p.creds.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, p.creds.password.c_str());
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, p.insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, p.insecure ? 0L : 2L);
  } else {
    // Read-only: let the handshake complete so the certificate can be
    // reported, then judge the verify result ourselves (§1.7).
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
  curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
}

}  // namespace mailprobe::net
