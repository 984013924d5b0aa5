#pragma once

// Everything one service-health probe learned; the field table (fields.hpp)
// reads from it. Durations are microseconds, -1 when not measured.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "probe/imap_dialogue.hpp"
#include "probe/smtp_dialogue.hpp"
#include "tls/cert_facts.hpp"
#include "net/endpoint.hpp"
#include "policy/verdict.hpp"

namespace mailprobe::probe {

enum class Protocol { smtp, imap };
/// The TLS modes are those of every other leg (net::to_string names them).
using TlsMode = net::TlsMode;

std::string_view to_string(Protocol p);

/// What went wrong below the protocol: set by the I/O layer from libcurl's
/// result, consumed by the pure verdict.
enum class Transport {
  ok,
  dns,               // name did not resolve
  refused,           // TCP RST
  connect_failed,    // unreachable, other connect errors
  timeout,           // connect or reply timeout
  closed,            // peer closed / recv error
  tls,               // handshake failed
  tls_verify,        // verification failed inside libcurl (credentials mode)
  starttls_failed,   // libcurl's CURLE_USE_SSL_FAILED
  login_denied,
  reply_error,       // a negative reply libcurl stopped on
  other,
};

struct ProbeResult {
  Protocol protocol = Protocol::smtp;
  std::string host;
  int port = 0;
  TlsMode tls_mode = TlsMode::none;
  std::string ip;                        // the address actually connected
  Stamp start{};
  std::optional<WallClock::time_point> connected_at;

  Transport transport = Transport::ok;
  std::string transport_error;           // libcurl's error text

  std::int64_t dns_us = -1, connect_us = -1, tls_handshake_us = -1, total_us = -1;

  std::optional<SmtpDialogue> smtp;
  std::optional<ImapDialogue> imap;
  std::optional<tls::TlsFacts> tls;
  int warn_days = 0;
  bool insecure = false;

  // Optional probe message (--send-email-flag).
  bool send_requested = false;
  std::optional<int> send_code;
  std::string send_text, queue_id;
  std::int64_t send_us = -1;

  // --policy: MTA-STS / DANE / TLS-RPT verdict (policy/evaluate.hpp).
  std::optional<policy::HostVerdict> policy;

  // The verdict.
  Stage stage = Stage::none;
  Result result = Result::internal_error;
  int reply_code = 0;
  std::string error;
  bool success() const { return result == Result::success; }
};

}  // namespace mailprobe::probe
