#pragma once

// Sends one message over SMTP with libcurl (RFC 5321 + RFC 3207 STARTTLS +
// RFC 4954 AUTH) and reports what happened at every stage. Blocking; bounded
// by the request's deadline. Sends QUIT (FORBID_REUSE makes libcurl close,
// and so QUIT, inside the transfer).

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/endpoint.hpp"
#include "smtp/reply.hpp"

namespace mailprobe::smtp {

struct SendRequest {
  net::Endpoint server;
  net::TlsPolicy tls;
  net::Credentials creds;
  std::string helo;      // EHLO domain (the URL path for libcurl)
  std::string from;      // envelope addresses, validated
  std::string to;
  std::string message;   // CRLF message; libcurl dot-stuffs it
  Deadline deadline;
  /// When set, connect to this address instead of resolving server.host; the
  /// host name still names the server for TLS verification (MX delivery).
  std::string connect_to;
  /// When set and it becomes true (SIGTERM), the transfer is aborted within
  /// about a second and the report fails with result=timeout at the stage
  /// the dialogue was in. Not owned; may be null.
  const std::atomic<bool>* stop = nullptr;
  /// When set, called once, on libcurl's thread, the moment the final 250
  /// to the data arrives: before QUIT, whose 221 some servers hold back
  /// (Exim ~200 ms), so that a caller can start measuring delivery at once.
  std::function<void()> on_accepted;
};

struct SendReport {
  Stamp started;                 // just before connecting
  Stamp finished;                // transfer over (after QUIT)
  std::optional<Stamp> accepted; // the final 250 arrived
  std::optional<Failure> failure;

  std::string queue_id;          // from "250 ... queued as X"
  int final_code = 0;
  std::string final_text;
  std::string greeting;
  EhloCaps caps;
  std::string ip;                // the address actually connected
  std::string tls_version, tls_cipher;

  // Stage durations in microseconds; nullopt when the stage did not run.
  std::optional<std::int64_t> dns_us, connect_us, tls_us, greeting_us, auth_us, transaction_us,
      data_us;
};

/// Blocks until the message is accepted, the dialogue fails, the deadline
/// passes or req.stop turns true; never throws. `failure` is empty exactly
/// when the final 250 arrived.
SendReport send_message(const SendRequest& req);

}  // namespace mailprobe::smtp
