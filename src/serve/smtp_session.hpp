#pragma once

// The SMTP server dialogue (RFC 5321) as a sans-I/O state machine: bytes go in
// through feed(), reply text comes out of take_output(), and accepted messages
// go to a DeliverySink. It never touches a socket or a clock of its own; the
// connection loop drives it and acts on wants_close() / wants_starttls().
//
// Deliberate choices on bad input:
//  - commands may end in CRLF or a bare LF (telnet-friendly); message data may
//    not: a bare LF inside DATA rejects the message (554 5.6.0), and only
//    CRLF "." CRLF ends the data, so "\n.\n" cannot smuggle a second message
//    (RFC 5321 §2.3.8, §4.1.1.4);
//  - a line longer than 1000 octets including CRLF (RFC 5321 §4.5.3.1.6) gets
//    "500 5.5.2 Line too long" as a command, and rejects the message in DATA;
//  - NUL bytes are refused: a command containing NUL gets 500, a message
//    containing NUL is rejected (554 5.6.0; RFC 5322 §3.5, RFC 6152 §3);
//  - other 8-bit octets are stored verbatim (8BITMIME is advertised);
//  - a connection that ends mid-DATA stores nothing;
//  - BDAT (RFC 3030 CHUNKING): the chunk is read by its size, whatever it
//    holds, also when the command is refused (§2: the server reads and
//    discards it); the assembled message then meets the DATA rules above
//    (NUL, bare LF, line length, size), since we advertise no BINARYMIME; a
//    BDAT whose size cannot be parsed leaves the stream unframed, so it gets
//    501 and the connection closes; DATA after a BDAT in one transaction is
//    refused (§2).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "serve/faults.hpp"
#include "serve/progress.hpp"
#include "serve/users.hpp"

namespace mailprobe::serve {

struct Recipient {
  std::string user;     // canonical local user
  std::string address;  // as given in RCPT TO, without brackets
};

/// One accepted message, handed to the sink once the final "." arrives.
struct Delivery {
  std::string queue_id;
  std::string helo;
  std::string peer_ip;
  std::string hostname;
  std::string protocol;  // SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA (RFC 3848)
  std::string mail_from;
  std::vector<Recipient> recipients;
  std::string data;  // dot-unstuffed, CRLF lines, without our Received header
  WallClock::time_point received_at{};
  std::size_t session_message = 1;  // this message's number within its SMTP session
};

/// "Received: from ... by ... with ... id ... for <rcpt>; date" (RFC 5321 §4.4), CRLF-terminated.
std::string received_header(const Delivery& d, const Recipient& r);

/// Where accepted messages go. Implementations may block; failure yields a 451 reply.
class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  virtual Status deliver(const Delivery& d) = 0;
};

struct SmtpSettings {
  std::string hostname = "localhost";
  std::size_t max_message_size = 10 * 1024 * 1024;
  bool tls_available = false;  // a TLS context exists, so STARTTLS may be offered
  bool implicit_tls = false;   // the connection is already TLS (SMTPS)
  bool require_tls = false;    // 530 for mail commands until STARTTLS
  bool require_auth = false;   // 530 at MAIL until AUTH succeeded
  bool auth_enabled = true;
  std::string peer_ip = "127.0.0.1";
  std::function<std::string()> next_queue_id;         // default: random hex
  std::function<WallClock::time_point()> now;         // default: system clock
};

class SmtpSession {
 public:
  /// Users, faults and sink must outlive the session.
  SmtpSession(SmtpSettings settings, const Users& users, const Faults& faults, DeliverySink& sink);

  /// Queues the greeting (220, or an injected GREETING reply); may request close (GREETING drop).
  void start();
  /// Consumes bytes from the client; replies accumulate for take_output().
  void feed(std::string_view bytes);
  /// Returns and clears the pending reply text.
  std::string take_output();

  /// The connection must be closed once the output is written.
  bool wants_close() const { return close_; }
  /// STARTTLS was accepted: write the output, then run the TLS handshake and call on_tls_established().
  bool wants_starttls() const { return starttls_pending_; }
  /// The TLS handshake finished; the session is reset (RFC 3207 §4.2).
  void on_tls_established();
  /// The peer was idle too long: 421 and close.
  void on_idle_timeout();
  /// The server is stopping: 421 and close.
  void on_shutdown();
  /// Complete lines consumed so far (a line timeout restarts at each one).
  std::uint64_t lines() const { return lines_; }
  /// What the client is in the middle of (for the connection's time bounds).
  Progress progress() const {
    if (state_ == State::data || state_ == State::bdat) return Progress::data;
    return in_.empty() && !discarding_ ? Progress::idle : Progress::line;
  }
  /// Number of messages accepted so far.
  std::size_t accepted() const { return accepted_; }

 private:
  enum class State { command, data, bdat, auth_plain, auth_login_user, auth_login_pass };

  void handle_line(std::string_view line, bool crlf);
  void handle_command(std::string_view line);
  void handle_data_line(std::string_view line, bool crlf);
  void finish_data();
  void do_bdat(std::string_view arg);
  /// The chunk of the current BDAT has been read whole.
  void end_chunk();
  /// NUL, bare LF and overlong lines in a message that came in chunks.
  void scan_chunked_data();
  void do_ehlo(std::string_view verb, std::string_view arg);
  void do_mail(std::string_view arg);
  void do_rcpt(std::string_view arg);
  void do_data(std::string_view arg);
  void do_starttls(std::string_view arg);
  void do_auth(std::string_view arg);
  void auth_response(std::string_view line);
  void auth_response_plain_initial(std::string_view initial);
  void check_credentials(std::string_view login, std::string_view password);
  void reset_transaction();
  void reply(std::string_view line);
  bool tls_active() const { return tls_active_; }
  bool offer_starttls() const;
  bool offer_auth() const;
  std::string protocol() const;

  SmtpSettings settings_;
  const Users& users_;
  const Faults& faults_;
  DeliverySink& sink_;

  State state_ = State::command;
  std::string in_;
  std::string out_;
  bool discarding_ = false;  // inside an overlong line
  bool close_ = false;
  std::uint64_t lines_ = 0;
  bool starttls_pending_ = false;
  bool tls_active_ = false;
  bool greeting_rejected_ = false;
  bool esmtp_ = false;
  std::string helo_;
  std::string auth_user_;
  std::string login_name_;
  bool in_transaction_ = false;
  std::string mail_from_;
  std::vector<Recipient> rcpts_;
  std::string data_;
  bool data_prev_crlf_ = true;
  bool data_too_long_ = false;
  bool data_too_big_ = false;
  bool data_bare_lf_ = false;
  bool data_nul_ = false;
  // BDAT: octets of the current chunk still to read; its reply (a refusal,
  // or "" = judge the chunk); whether it is the last; the transaction used BDAT.
  std::uint64_t chunk_left_ = 0;
  std::string chunk_refusal_;
  bool chunk_last_ = false;
  bool chunked_ = false;
  std::size_t accepted_ = 0;
};

}  // namespace mailprobe::serve
