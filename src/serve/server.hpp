#pragma once

// The embedded loopback mail server: SMTP, SMTPS, IMAP and IMAPS listeners,
// a thread per connection, one shared MailStore. Used by `mailprobe serve`
// (serve_command.cpp) and in-process by `mailprobe demo`.
//
//   ServerOptions o;                 // defaults: 127.0.0.1, free ports, users alice/bob,
//   o.tls_cert_out = "/tmp/ca.pem";  // self-signed TLS, memory store
//   auto s = Server::start(o);       // listening when it returns
//   if (!s) ...s.error()...
//   s.value()->ports().smtp;         // then point clients at it; trust ca_file()
//   s.value()->stop();

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/failure.hpp"
#include "serve/faults.hpp"
#include "serve/mail_store.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

/// Everything the CLI can set. Port 0 picks a free port; -1 disables that listener.
struct ServerOptions {
  std::string listen = "127.0.0.1";
  int smtp_port = 0;
  int smtps_port = 0;
  int imap_port = 0;
  int imaps_port = 0;
  std::string hostname = "localhost";     // greeting, Received header
  Users users = Users::demo();
  std::string maildir;                    // empty: in memory
  bool tls = true;                        // STARTTLS + implicit TLS listeners
  std::string tls_cert, tls_key;          // empty: generate a self-signed certificate
  std::string tls_cert_out;               // where the generated PEM goes (empty: a temp file)
  std::chrono::hours cert_validity{24 * 7};
  bool require_tls = false;               // SMTP 530 / IMAP LOGINDISABLED until STARTTLS
  bool require_auth = false;              // SMTP 530 at MAIL until AUTH
  std::size_t max_message_size = 10 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{5 * 60 * 1000};        // SMTP
  std::chrono::milliseconds imap_idle_timeout{30 * 60 * 1000};  // IMAP, IDLE included (RFC 3501 §5.4)
  /// A command line must be complete this long after its first byte, and a
  /// DATA body (or an IMAP command with literals) this long after it began,
  /// however steadily the client trickles bytes in.
  std::chrono::milliseconds line_timeout{2 * 60 * 1000};
  std::chrono::milliseconds data_timeout{10 * 60 * 1000};  // RFC 5321 §4.5.3.2.6 allows 10 min for DATA
  /// Concurrent sessions in all; clients beyond get 421 / BYE. Lowered at
  /// start to what RLIMIT_NOFILE allows (two descriptors per session).
  std::size_t max_connections = 1000;
  /// Concurrent sessions from one client address, so that one client cannot
  /// take every slot (0: half of max_connections).
  std::size_t max_connections_per_ip = 0;
  std::size_t imap_max_output = 1024 * 1024;  // pending IMAP responses before reading stops
  Faults faults;
  std::FILE* debug_out = nullptr;         // --debug: received messages are printed here
  std::FILE* log = stderr;                // one line per accepted message and IMAP login; null = silent
};

/// The ports actually bound (-1 = disabled).
struct Ports {
  int smtp = -1;
  int smtps = -1;
  int imap = -1;
  int imaps = -1;
};

class Server {
 public:
  /// Opens the store, prepares TLS, binds every listener and starts the accept thread.
  /// Returns once all listeners accept connections. Fails with Stage::config (bad options,
  /// unusable maildir or certificate) or Stage::none/connection_failed (bind errors).
  static Outcome<std::unique_ptr<Server>> start(ServerOptions options);

  /// The bound ports.
  Ports ports() const;
  /// PEM file of the server certificate that clients should trust (empty without TLS).
  std::string ca_file() const;
  /// The connection cap in force (after the RLIMIT_NOFILE adjustment).
  std::size_t max_connections() const;
  /// The mail store, for inspection (tests, demo).
  MailStore& store();

  /// Stops accepting, ends every session (421 / BYE), delivers delayed mail, joins all
  /// threads. Idempotent; blocks until done.
  void stop();
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailprobe::serve
