#pragma once

// Sans-I/O view of an SMTP dialogue that libcurl drives: fed with the
// commands going out and the reply lines coming in (each with a monotonic
// timestamp), it knows which stage the dialogue is in, what the server said
// last, and how long each stage took. The sender feeds it from libcurl's
// debug and header callbacks; tests feed it transcripts.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "smtp/reply.hpp"

namespace mailprobe::smtp {

class Progress {
 public:
  explicit Progress(SteadyClock::time_point started) : started_(started) {}

  /// A command line we sent (without CRLF). Only its verb is kept, so AUTH
  /// payloads never end up in memory longer than the call. `timed`: its
  /// reply may serve as an RTT sample (false for MAIL and RCPT pipelined
  /// with a BDAT chunk, whose replies the server may hold until it has
  /// processed the chunk, RFC 2920 §3.1).
  void on_command(std::string_view line, SteadyClock::time_point at, bool timed = true);
  /// A raw reply line from the server.
  void on_line(std::string_view line, SteadyClock::time_point at);

  /// The stage the dialogue is in now (where a failure would be reported).
  Stage stage() const { return stage_; }
  /// The last complete reply, if any, and whether it answers the last command.
  const std::optional<Reply>& last_reply() const { return last_reply_; }
  bool awaiting_reply() const { return awaiting_; }
  bool auth_succeeded() const { return auth_ok_; }
  /// Number of complete replies seen so far (tells a line that ended a reply).
  int replies() const { return replies_; }
  /// True when the session part is over and libcurl's next command is MAIL
  /// FROM: the AUTH exchange succeeded (RFC 4954 §4: 235), or, when no AUTH
  /// will follow (no credentials, or none offered), the last EHLO/HELO was
  /// accepted — after STARTTLS's 220 when `starttls` (RFC 3207 §4.2: the
  /// EHLO that counts is the one on the TLS session).
  bool envelope_next(bool have_creds, bool starttls) const;
  /// True once MAIL FROM went out (the envelope began).
  bool mail_started() const { return mail_sent_.has_value(); }
  /// Another transaction on the same session follows (RFC 5321 §3.3: after
  /// the final reply to the end of data the client may begin a new one with
  /// MAIL). Forgets the last transaction's envelope times and final reply;
  /// the session part (greeting, capabilities, TLS, AUTH times) and the
  /// smallest RTT stay.
  void next_transaction();

  const std::optional<Reply>& greeting() const { return greeting_; }
  /// Capabilities from the last EHLO reply (after STARTTLS if there was one).
  const EhloCaps& caps() const { return caps_; }
  /// The reply to the end of DATA or to BDAT LAST (the final 250, or the rejection).
  const std::optional<Reply>& final_reply() const { return final_reply_; }
  std::optional<SteadyClock::time_point> accepted_at() const { return accepted_at_; }

  // Stage durations in microseconds; nullopt when the stage did not happen.
  std::optional<std::int64_t> greeting_us(SteadyClock::time_point connected) const;
  std::optional<std::int64_t> starttls_tls_us() const;  // STARTTLS 220 → next command
  std::optional<std::int64_t> auth_us() const;
  std::optional<std::int64_t> transaction_us() const;  // MAIL FROM → final reply
  std::optional<std::int64_t> data_us() const;         // 354 (or BDAT sent) → final reply
  /// Smallest round trip of a command the server answers without work of
  /// its own: the network RTT plus little else. Taken from the transaction's
  /// MAIL, RCPT (NOOP, RSET), whose send times are exact, once there is one
  /// (not when pipelined with BDAT: see on_command's `timed`); else from
  /// EHLO, HELO, STARTTLS (stamped by libcurl after the write, so possibly
  /// short). nullopt before the first such reply.
  std::optional<std::int64_t> rtt_us() const { return own_rtt_us_ ? own_rtt_us_ : setup_rtt_us_; }

 private:
  void on_reply(const Reply& r, SteadyClock::time_point at);

  SteadyClock::time_point started_;
  Stage stage_ = Stage::smtp_greeting;
  std::string last_verb_;
  bool timed_ = true;     // the last command's reply may be an RTT sample
  bool awaiting_ = true;  // the greeting is the first awaited reply
  bool auth_ok_ = false;
  bool in_data_ = false;  // 354 seen, the final reply is next
  bool quitting_ = false; // QUIT sent: its 221 must not mask the reply that ended the dialogue
  ReplyAssembler assembler_;
  std::optional<Reply> last_reply_, greeting_, final_reply_;
  EhloCaps caps_;
  std::optional<SteadyClock::time_point> command_at_;  // when the last command went out
  std::optional<std::int64_t> own_rtt_us_, setup_rtt_us_;  // see rtt_us()
  int replies_ = 0;
  std::optional<SteadyClock::time_point> greeting_at_, starttls_ok_at_, tls_done_at_, auth_sent_,
      auth_done_, mail_sent_, data_go_at_, accepted_at_, final_at_;
};

}  // namespace mailprobe::smtp
