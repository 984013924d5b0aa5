#include "probe/session.hpp"

#include <algorithm>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "net/connect_time.hpp"
#include "net/curl_handle.hpp"
#include "probe/verdict.hpp"

namespace mailprobe::probe {

namespace {

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
  const SSL* ssl = net::live_ssl(cap.curl);
  if (ssl == nullptr || !SSL_is_init_finished(ssl)) return;
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

  net::CurlPtr curl(curl_easy_init());
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
  net::SlistPtr resolve;
  if (!c.connect_ip.empty()) resolve = net::resolve_entry(c.host, c.port, c.connect_ip);

  net::set_target(h, url, resolve.get());
  net::ProbeTransfer pt;
  pt.tls = c.tls;
  pt.ca_file = c.ca_file;
  pt.insecure = c.insecure;
  pt.creds = {c.username, c.password};
  pt.timeout = c.timeout;
  pt.error_buffer = errbuf;
  net::apply_probe(h, pt);
  net::set_callbacks(h, {.header = on_header, .debug = on_debug, .user = &cap});

  r.start = Stamp::now();
  CURLcode rc = curl_easy_perform(h);
  auto end = SteadyClock::now();

  r.transport = transport_of(
      net::transfer_facts(h, rc, c.protocol == Protocol::smtp ? net::Leg::smtp : net::Leg::imap,
                          c.tls == TlsMode::tls, cap.tcp_connected.has_value()));
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
