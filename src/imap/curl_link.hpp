#pragma once

// The IMAP byte pipe: libcurl with CURLOPT_CONNECT_ONLY does DNS, TCP, TLS
// or STARTTLS (RFC 2595 §3.1) and LOGIN/AUTHENTICATE, then hands us the
// connection; from there our own command layer (session.hpp) talks IMAP
// through curl_easy_send/recv (docs/libcurl-mail.md §2.5; curl test 677).
// libcurl has no IDLE, which is why this exists.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/curl_handle.hpp"
#include "imap/transport.hpp"
#include "net/dialogue_log.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::imap {

struct LinkInfo {
  std::vector<std::string> login_lines;  // every server line seen while logging in
  std::string ip;
  std::optional<std::int64_t> connect_us, tls_us, login_us;  // login_us: connect start → logged in
};

class CurlLink final : public Transport {
 public:
  /// Connects, secures and logs in. Failures carry imap_connect, imap_tls,
  /// imap_greeting, imap_starttls or imap_login. `stop` (not owned, may be
  /// null) turning true (SIGTERM) ends login and any later send/recv that
  /// would block within about 100 ms, as result=timeout at the stage then.
  static Outcome<std::unique_ptr<CurlLink>> open(const net::Endpoint& ep, const net::TlsPolicy& tls,
                                                 const net::Credentials& creds, const Deadline& dl,
                                                 LinkInfo& info,
                                                 const std::atomic<bool>* stop = nullptr,
                                                 net::DialogueLog* log = nullptr, const char* log_label = "imap");

  /// Writes all of data before the deadline.
  Status send(std::string_view data, const Deadline& dl, Stage stage) override;
  /// Returns whatever bytes are available, waiting until some arrive or the
  /// deadline passes. An empty string means the deadline passed (not an error);
  /// a closed connection is a connection_closed Failure.
  Outcome<std::string> recv(const Deadline& dl, Stage stage) override;

  /// Shuts the socket down at once (queued bytes still go out, nothing more
  /// is read), so that closing the handle does not wait on the server:
  /// libcurl's own LOGOUT at cleanup then fails fast instead of taking a
  /// round trip. Later send/recv fail with connection_closed.
  void hang_up();

  /// TLS protocol and cipher ("" on plaintext). Valid after the first recv().
  std::pair<std::string, std::string> tls_details();

 private:
  CurlLink(net::CurlPtr h, long sock, const std::atomic<bool>* stop, net::DialogueLog* log, int log_conn)
      : h_(std::move(h)), sock_(sock), stop_(stop), log_(log), log_conn_(log_conn) {}
  bool wait(bool for_read, const Deadline& dl);
  bool stopped() const { return stop_ && stop_->load(); }

  net::CurlPtr h_;
  long sock_;
  const std::atomic<bool>* stop_;
  net::DialogueLog* log_;  // -v transcript (not owned; may be null)
  int log_conn_;
};

}  // namespace mailprobe::imap
