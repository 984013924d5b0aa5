#include "imap/curl_link.hpp"

#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/ascii.hpp"
#include "net/connect_time.hpp"
#include "net/sasl_challenge.hpp"
#include "net/port_hint.hpp"

namespace mailprobe::imap {

namespace {

std::string stopped_text(Stage s) { return "stopped by signal during " + std::string(to_string(s)); }

struct LoginTrace {
  std::vector<std::string>* lines;
  std::string partial;
  Stage stage = Stage::imap_greeting;
  bool greeted = false;
  std::string last_status_text;  // text of the last tagged response
  const std::atomic<bool>* stop = nullptr;
  bool stopped = false;
  bool tcp_connected = false;  // libcurl logged "Connected to"
  std::optional<SteadyClock::time_point> tcp_connected_at;  // ... at this instant
  bool oauth = false;          // logging in with a bearer token
  bool auth_sent = false;      // AUTHENTICATE went out
  std::optional<std::string> challenge;  // decoded "+ <b64>" after a rejected token
  std::string auth_caps;       // AUTH=... capabilities seen, space-separated
  const net::Endpoint* ep = nullptr;
  CURL* handle = nullptr;
  bool sniffed = false;   // looked for an implicit-TLS server behind the silence
  std::string port_hint;  // a port/TLS-mode mix-up was recognised (net/port_hint.hpp)
  char errbuf[CURL_ERROR_SIZE] = {};
  net::DialogueLog* log = nullptr;  // -v transcript
  int log_conn = -1;
};

/// Collects the AUTH= capabilities (RFC 3501 §7.2.1) of a CAPABILITY
/// response or an OK [CAPABILITY ...] greeting.
void note_auth_caps(LoginTrace& t, std::string_view line) {
  std::string up = ascii_upper(line);
  if (up.find("CAPABILITY") == std::string::npos) return;
  t.auth_caps.clear();
  for (std::size_t pos = up.find(" AUTH="); pos != std::string::npos; pos = up.find(" AUTH=", pos + 1)) {
    auto end = up.find_first_of(" ]", pos + 6);
    t.auth_caps += (t.auth_caps.empty() ? "" : " ") + up.substr(pos + 6, end == std::string::npos ? end : end - pos - 6);
  }
}

// Called about once a second while idle; non-zero aborts the transfer.
int xferinfo_cb(void* userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<LoginTrace*>(userp);
  if (t->stop && t->stop->load()) {
    t->stopped = true;
    return 1;
  }
  // A plain-text connection that stays silent may be an implicit-TLS port
  // (RFC 8314 §3.3: the client speaks first there): look once, on the side.
  if (t->ep->tls != net::TlsMode::tls && t->tcp_connected_at && !t->sniffed && !t->greeted &&
      SteadyClock::now() - *t->tcp_connected_at >= net::kGreetingSniffAfter) {
    t->sniffed = true;
    char* ip = nullptr;
    if (curl_easy_getinfo(t->handle, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip &&
        net::speaks_tls_at_once(ip, t->ep->port, net::kGreetingSniffAfter)) {
      t->port_hint = net::implicit_tls_hint(net::Leg::imap, t->ep->port);
      return 1;
    }
  }
  return 0;
}

size_t header_cb(char* data, size_t size, size_t nitems, void* userp) {
  auto* t = static_cast<LoginTrace*>(userp);
  size_t n = size * nitems;
  if (t->log) t->log->received(t->log_conn, std::string_view(data, n));
  net::split_lines(t->partial, data, n, [t](std::string line) {
    if (!t->greeted && t->port_hint.empty())
      if (auto h = net::foreign_greeting_hint(net::Leg::imap, line, t->ep->port)) t->port_hint = *h;
    t->greeted = true;
    if (line.rfind("* ", 0) == 0) note_auth_caps(*t, line);
    // RFC 7628 §3.2.2: a rejected bearer token gets a "+" with base64 JSON.
    if (t->oauth && t->auth_sent)
      if (auto c = net::decode_challenge(line)) t->challenge = std::move(c);
    if (line.rfind("* ", 0) != 0 && line.rfind("+", 0) != 0) {
      auto sp = line.find(' ');
      t->last_status_text = sp == std::string::npos ? line : line.substr(sp + 1);
      if (t->stage == Stage::imap_starttls && t->last_status_text.rfind("OK", 0) == 0)
        t->stage = Stage::imap_tls;  // the handshake follows the tagged OK
    }
    t->lines->push_back(std::move(line));
  });
  return t->port_hint.empty() ? n : 0;  // 0 aborts: the greeting is not IMAP
}

int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto* t = static_cast<LoginTrace*>(userp);
  if (net::is_connected_text(type, std::string_view(data, size)) && !t->tcp_connected) {
    t->tcp_connected = true;
    t->tcp_connected_at = SteadyClock::now();
  }
  if (type != CURLINFO_HEADER_OUT) return 0;
  if (t->log) t->log->sent(t->log_conn, std::string_view(data, size));
  std::string_view cmd(data, size);
  auto sp = cmd.find(' ');
  std::string verb = ascii_upper(cmd.substr(sp == std::string_view::npos ? 0 : sp + 1));
  if (verb.rfind("STARTTLS", 0) == 0) t->stage = Stage::imap_starttls;
  else if (verb.rfind("LOGIN", 0) == 0 || verb.rfind("AUTHENTICATE", 0) == 0) t->stage = Stage::imap_login;
  if (verb.rfind("AUTHENTICATE", 0) == 0) t->auth_sent = true;
  return 0;
}

}  // namespace

Outcome<std::unique_ptr<CurlLink>> CurlLink::open(const net::Endpoint& ep, const net::TlsPolicy& tls,
                                                  const net::Credentials& creds, const Deadline& dl,
                                                  LinkInfo& info, const std::atomic<bool>* stop,
                                                  net::DialogueLog* log, const char* log_label) {
  net::CurlPtr h(curl_easy_init());
  if (!h) return Failure(Stage::imap_connect, Result::internal_error, "curl_easy_init failed");
  CURL* c = h.get();
  std::string url = net::make_url(ep.tls == net::TlsMode::tls ? "imaps" : "imap", ep, "");
  LoginTrace trace;
  trace.lines = &info.login_lines;
  trace.stop = stop;
  trace.oauth = creds.oauth();
  trace.ep = &ep;
  trace.handle = c;
  trace.log = log;
  if (log) trace.log_conn = log->open(net::Dialect::imap, log_label);
  net::set_target(c, url, nullptr);
  net::apply_common(c, ep, tls, creds, dl);
  net::set_connect_only(c);
  net::set_callbacks(c, {.header = header_cb, .debug = debug_cb, .progress = xferinfo_cb, .user = &trace,
                         .errbuf = trace.errbuf});
  auto t0 = SteadyClock::now();
  CURLcode rc = curl_easy_perform(c);
  info.connect_us =
      net::anchored_connect_us(trace.tcp_connected_at, t0, net::info_us(c, CURLINFO_CONNECT_TIME_T));
  info.tls_us = net::span_us(info.connect_us, net::info_us(c, CURLINFO_APPCONNECT_TIME_T));
  char* ip = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) info.ip = ip;
  if (rc != CURLE_OK) {
    net::TransferFacts f = net::transfer_facts(c, rc, net::Leg::imap, ep.tls == net::TlsMode::tls,
                                               trace.tcp_connected || info.connect_us.has_value(), trace.errbuf);
    f.stopped = trace.stopped;
    f.port_hint = trace.port_hint;
    f.greeted = trace.greeted;
    f.dialogue_stage = trace.stage;
    f.last_text = trace.last_status_text;
    f.bearer = creds.mechanism;
    f.auth_sent = trace.auth_sent;
    f.challenge = trace.challenge;
    f.offered_auth = trace.auth_caps;
    return net::classify(f);
  }
  info.login_us = std::chrono::duration_cast<Micros>(SteadyClock::now() - t0).count();
  curl_socket_t sock = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &sock) != CURLE_OK || sock == CURL_SOCKET_BAD)
    return Failure(Stage::imap_login, Result::internal_error, "no active socket after login");
  // Our own callbacks must not fire during send/recv: clear them.
  net::clear_callbacks(c);
  return std::unique_ptr<CurlLink>(new CurlLink(std::move(h), static_cast<long>(sock), stop, log, trace.log_conn));
}

bool CurlLink::wait(bool for_read, const Deadline& dl) {
  pollfd p{static_cast<int>(sock_), static_cast<short>(for_read ? POLLIN : POLLOUT), 0};
  // With a stop flag, poll in short slices: a signal that lands just before
  // poll() would otherwise go unnoticed until the deadline.
  while (true) {
    long left = dl.remaining_ms(60'000);
    int ms = static_cast<int>(stop_ ? std::min(left, 100L) : left);
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (stopped() || dl.expired() || !stop_) return false;
  }
}

Status CurlLink::send(std::string_view data, const Deadline& dl, Stage stage) {
  if (log_) log_->sent(log_conn_, data);
  while (!data.empty()) {
    size_t sent = 0;
    CURLcode rc = curl_easy_send(h_.get(), data.data(), data.size(), &sent);
    if (rc == CURLE_AGAIN) {
      if (stopped()) return Failure(stage, Result::timeout, stopped_text(stage));
      if (dl.expired()) return Failure(stage, Result::timeout, "timed out sending to the IMAP server");
      wait(false, dl);
      continue;
    }
    if (rc != CURLE_OK) return Failure(stage, Result::connection_closed, curl_easy_strerror(rc));
    data.remove_prefix(sent);
  }
  return ok();
}

Outcome<std::string> CurlLink::recv(const Deadline& dl, Stage stage) {
  char buf[16384];
  while (true) {
    // Drain until AGAIN before polling: TLS may hold decrypted bytes the
    // socket no longer shows as readable (curl_easy_recv.3).
    size_t n = 0;
    CURLcode rc = curl_easy_recv(h_.get(), buf, sizeof buf, &n);
    if (rc == CURLE_OK) {
      if (n == 0) return Failure(stage, Result::connection_closed, "the IMAP server closed the connection");
      if (log_) log_->received(log_conn_, std::string_view(buf, n));
      return std::string(buf, n);
    }
    if (rc != CURLE_AGAIN) return Failure(stage, Result::connection_closed, curl_easy_strerror(rc));
    if (stopped()) return Failure(stage, Result::timeout, stopped_text(stage));
    if (dl.expired()) return std::string();
    wait(true, dl);
    if (dl.expired()) {
      // One last non-blocking read so a reply that arrived at the deadline counts.
      rc = curl_easy_recv(h_.get(), buf, sizeof buf, &n);
      if (rc == CURLE_OK && n > 0) {
        if (log_) log_->received(log_conn_, std::string_view(buf, n));
        return std::string(buf, n);
      }
      return std::string();
    }
  }
}

void CurlLink::hang_up() { ::shutdown(static_cast<int>(sock_), SHUT_RDWR); }

std::pair<std::string, std::string> CurlLink::tls_details() {
  const SSL* ssl = net::live_ssl(h_.get());
  if (!ssl) return {};
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  return {SSL_get_version(ssl), c ? SSL_CIPHER_get_name(c) : ""};
}

}  // namespace mailprobe::imap
