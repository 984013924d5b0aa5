#pragma once

// Sends one message over SMTP and reports what happened at every stage.
// libcurl (CONNECT_ONLY) sets the session up: greeting, EHLO, RFC 3207
// STARTTLS, RFC 4954 AUTH. The transaction is ours on that connection
// (smtp/envelope.hpp): MAIL, RCPT and BDAT with the content in one flight
// when the server offers RFC 3030 CHUNKING and RFC 2920 PIPELINING (one
// round trip), else MAIL, RCPT and DATA (pipelined when offered) and the
// dot-stuffed content; then QUIT (its 221 awaited at most 2 s). Blocking;
// bounded by the request's deadline.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/dialogue_log.hpp"
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
  std::string message;   // CRLF message; dot-stuffed when sent (envelope.hpp)
  Deadline deadline;
  /// When set, connect to this address instead of resolving server.host; the
  /// host name still names the server for TLS verification (MX delivery).
  std::string connect_to;
  /// When set and it becomes true (SIGTERM), the transfer is aborted within
  /// about a second and the report fails with result=timeout at the stage
  /// the dialogue was in. Not owned; may be null.
  const std::atomic<bool>* stop = nullptr;
  /// When set, called (on the sending thread, and it may block) once the
  /// session is set up (greeting, EHLO, TLS, AUTH) and before MAIL FROM goes
  /// out. Returning false ends the dialogue before any envelope command is
  /// sent (the report then fails with internal_error at the current stage;
  /// the caller reports its own reason).
  std::function<bool()> before_mail;
  /// When set, called on the sending thread the moment the final reply to
  /// the end of data arrives, if it is a 250 (before QUIT), with its time and
  /// the smallest command round trip so far (Progress::rtt_us).
  std::function<void(Stamp, std::optional<std::int64_t>)> on_accepted;
  /// `check -v`: the dialogue goes here as it happens (masked). Not owned; may be null.
  net::DialogueLog* log = nullptr;
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
  /// Smallest command round trip (Progress::rtt_us): the leg's network RTT.
  std::optional<std::int64_t> rtt_us;
};

/// An SMTP session that carries one transaction after another (RFC 5321
/// §3.3: after the final reply to the end of data, a new MAIL may begin the
/// next). send_message() is one session with one transaction; routes that
/// submit as the same account share sessions (routes/submission_pool.hpp).
/// Not thread-safe: one transaction at a time.
class Session {
 public:
  /// Connects and sets the session up (greeting, EHLO, STARTTLS, AUTH) as
  /// `setup` says: its server, tls, creds, helo, connect_to, deadline, stop
  /// and log (the envelope, message and callbacks are not used). Blocks;
  /// never throws for network conditions (a failure shows in send()).
  explicit Session(const SendRequest& setup);
  /// close().
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Set up, and every transaction so far ended with its final 250 on an
  /// intact connection: another may follow.
  bool ready() const;
  /// One transaction: t's from, to, message, deadline, stop, before_mail and
  /// on_accepted (its server, tls and creds must be the setup's). On a
  /// session that could not be set up, returns that failure. The report's
  /// session fields (greeting, caps, TLS, dns/connect/tls/greeting/auth
  /// times, started) are the session's, the same for each transaction.
  SendReport send(const SendRequest& t);
  /// Several transactions in one flight (RFC 2920 §3.1: BDAT is not among
  /// the commands that must end a group; RFC 3030 §4.2), when the server
  /// offers PIPELINING and CHUNKING: every MAIL, RCPT and BDAT <n> LAST with
  /// its chunk goes out in one write, and the replies are read in order, so
  /// n transactions cost one round trip. Otherwise one send() after another
  /// (ending at the first that leaves the session unusable). Each request as
  /// for send(); before_mail is not called (the routes that batch have their
  /// mailbox watched before they submit). One report per request, in order;
  /// `retry[i]` says request i was not taken (the server had closed the
  /// session, or closed it with a 421 to an earlier MAIL, RFC 5321 §3.8):
  /// a fresh session may send it again.
  std::vector<SendReport> send_batch(const std::vector<const SendRequest*>& ts, std::vector<bool>& retry);
  /// The last send() found that the server had closed this session, which
  /// had carried a transaction before: an I/O failure before any reply, or a
  /// 421 to MAIL (RFC 5321 §3.8). Nothing was taken; a fresh session may
  /// try again.
  bool closed_before_mail() const;
  /// Transactions begun on this session.
  int transactions() const;
  /// QUIT (its 221 awaited at most 2 s) unless the connection is broken or
  /// MAIL was held back; then the connection is closed. Idempotent.
  void close();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Blocks until the message is accepted, the dialogue fails, the deadline
/// passes or req.stop turns true; never throws. `failure` is empty exactly
/// when the final 250 arrived.
SendReport send_message(const SendRequest& req);

}  // namespace mailprobe::smtp
