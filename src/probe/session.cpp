#include "probe/session.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "net/connect_time.hpp"
#include "net/curl_handle.hpp"
#include "probe/verdict.hpp"

namespace mailprobe::probe {

namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Capture {
  CURL* curl = nullptr;
  std::string host;
  Transcript transcript;
  std::optional<tls::TlsFacts> tls;
  tls::PeerChain chain;
  std::string partial_out;
  /// When libcurl logged "Connected to": TCP is up. CONNECT_TIME_T stays 0
  /// when an implicit-TLS handshake then fails, so this is what tells a TLS
  /// failure from a connect failure.
  std::optional<SteadyClock::time_point> tcp_connected;
};

void capture_tls(Capture& cap) {
  if (cap.tls) return;
  curl_tlssessioninfo* info = nullptr;
  // TLS_SSL_PTR is only valid inside a callback (libcurl-mail.md §1.7).
  if (curl_easy_getinfo(cap.curl, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr) return;
  if (info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) return;
  const SSL* ssl = static_cast<const SSL*>(info->internals);
  if (!SSL_is_init_finished(ssl)) return;
  cap.tls = tls::tls_facts(*ssl, cap.host);
  // Verification is done after the transfer so it does not skew the timings.
  cap.chain = tls::PeerChain(*ssl);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto& cap = *static_cast<Capture*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  cap.transcript.push_back({SteadyClock::now(), Dir::in, std::move(line)});
  capture_tls(cap);
  return size * n;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto& cap = *static_cast<Capture*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    net::split_lines(cap.partial_out, data, size, [&cap](std::string line) {
      cap.transcript.push_back({SteadyClock::now(), Dir::out, redact_command(line)});
    });
  } else if (type == CURLINFO_TEXT) {
    std::string_view text(data, size);
    // libcurl's OpenSSL backend logs this once the handshake is complete.
    if (text.rfind("SSL connection using", 0) == 0)
      cap.transcript.push_back({SteadyClock::now(), Dir::tls_up, {}});
    else if (text.rfind("Connected to ", 0) == 0 && !cap.tcp_connected)
      cap.tcp_connected = SteadyClock::now();
  }
  return 0;
}

Transport classify(CURLcode rc, long os_errno) {
  switch (rc) {
    case CURLE_OK: return Transport::ok;
    case CURLE_COULDNT_RESOLVE_HOST: return Transport::dns;
    case CURLE_COULDNT_CONNECT: return os_errno == ECONNREFUSED ? Transport::refused : Transport::connect_failed;
    case CURLE_OPERATION_TIMEDOUT: return Transport::timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: return Transport::closed;
    case CURLE_SSL_CONNECT_ERROR: return Transport::tls;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE: return Transport::tls_verify;
    case CURLE_USE_SSL_FAILED: return Transport::starttls_failed;
    case CURLE_LOGIN_DENIED: return Transport::login_denied;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_QUOTE_ERROR: return Transport::reply_error;
    default: return Transport::other;
  }
}

std::int64_t info_us(CURL* c, CURLINFO what) {
  curl_off_t v = 0;
  if (curl_easy_getinfo(c, what, &v) != CURLE_OK) return -1;
  return static_cast<std::int64_t>(v);
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string session_url(const SessionConfig& c) {
  std::string scheme = c.protocol == Protocol::smtp ? "smtp" : "imap";
  if (c.tls == TlsMode::tls) scheme += "s";
  std::string url = scheme + "://" + bracketed(c.host) + ":" + std::to_string(c.port) + "/";
  // The SMTP URL path is the EHLO name (libcurl-mail.md §1.1).
  if (c.protocol == Protocol::smtp) url += c.ehlo_name;
  return url;
}

ProbeResult run_session(const SessionConfig& c) {
  ProbeResult r;
  r.protocol = c.protocol;
  r.host = c.host;
  r.port = c.port;
  r.tls_mode = c.tls;
  r.insecure = c.insecure;
  r.warn_days = c.warn_days;

  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) {
    r.stage = Stage::config;
    r.result = Result::internal_error;
    r.error = "curl_easy_init failed";
    return r;
  }
  CURL* h = curl.get();
  Capture cap;
  cap.curl = h;
  cap.host = c.host;
  char errbuf[CURL_ERROR_SIZE] = {};
  std::string url = session_url(c);
  curl_slist* resolve = nullptr;
  if (!c.connect_ip.empty()) {
    std::string entry = c.host + ":" + std::to_string(c.port) + ":" + bracketed(c.connect_ip);
    resolve = curl_slist_append(nullptr, entry.c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> resolve_owner(resolve, curl_slist_free_all);

  long timeout_ms = static_cast<long>(c.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, std::max(1L, (timeout_ms + 999) / 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 4 * timeout_ms);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  if (resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   c.tls == TlsMode::starttls ? static_cast<long>(CURLUSESSL_ALL)
                                              : static_cast<long>(CURLUSESSL_NONE));
  if (!c.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, c.ca_file.c_str());
  const bool login = !c.username.empty();
  if (login) {
    // Secrets only cross a verified channel: libcurl verifies (fails closed).
    curl_easy_setopt(h, CURLOPT_USERNAME, c.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.password.c_str());
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c.insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c.insecure ? 0L : 2L);
  } else {
    // Read-only: let the handshake complete so the certificate can be
    // reported, then judge the verify result ourselves (§1.7).
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
  curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &cap);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &cap);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

  r.start = Stamp::now();
  CURLcode rc = curl_easy_perform(h);
  auto end = SteadyClock::now();

  long os_errno = 0;
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
  r.transport = classify(rc, os_errno);
  if (rc != CURLE_OK) r.transport_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  char* ip = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) r.ip = ip;

  std::int64_t dns = info_us(h, CURLINFO_NAMELOOKUP_TIME_T);
  std::int64_t conn = info_us(h, CURLINFO_CONNECT_TIME_T);
  std::int64_t app = info_us(h, CURLINFO_APPCONNECT_TIME_T);
  r.total_us = std::chrono::duration_cast<Micros>(end - r.start.steady).count();
  if (dns >= 0 && (conn > 0 || r.transport != Transport::dns)) r.dns_us = dns;
  // Anchor on the "Connected to" instant, on the transcript's own clock:
  // CONNECT_TIME_T can land after the greeting in STARTTLS mode (net/connect_time.hpp).
  if (auto anchored = net::anchored_connect_us(cap.tcp_connected, r.start.steady,
                                               conn > 0 ? std::optional<std::int64_t>(conn) : std::nullopt))
    conn = *anchored;
  if (conn > 0) {
    r.connect_us = std::max<std::int64_t>(conn - std::max<std::int64_t>(dns, 0), 0);
    r.connected_at = r.start.wall + Micros(conn);
  }
  SteadyClock::time_point greeting_from = r.start.steady + Micros(std::max<std::int64_t>(conn, 0));
  if (c.tls == TlsMode::tls && app > 0) {
    r.tls_handshake_us = std::max<std::int64_t>(app - conn, 0);
    greeting_from = r.start.steady + Micros(std::max(app, conn));
  }
  // The greeting cannot precede its own anchor: never a negative span.
  greeting_from = greeting_anchor(cap.transcript, greeting_from);
  r.tls = cap.tls;
  if (r.tls) {
    // libcurl did not verify (read-only mode) or did with the same CA file:
    // verify the captured chain ourselves against --ca-file or the system store.
    r.tls->verify_code = cap.chain.verify(c.ca_file, r.tls->verify_error);
  }
  if (c.protocol == Protocol::smtp) {
    r.smtp = analyze_smtp(cap.transcript, greeting_from);
    if (c.tls == TlsMode::starttls) r.tls_handshake_us = r.smtp->tls_handshake_us;
  } else {
    r.imap = analyze_imap(cap.transcript, greeting_from);
    if (c.tls == TlsMode::starttls) r.tls_handshake_us = r.imap->tls_handshake_us;
  }
  judge(r);
  return r;
}

}  // namespace mailprobe::probe
