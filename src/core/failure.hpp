#pragma once

// Errors as values. Every failed run of a check or probe ends in exactly one
// Failure naming the stage it was in and the kind of failure; both render as
// stable snake_case tokens that become the `stage` and `result` tags of every
// output format, so their text must never change once released.

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mailprobe {

/// Where a run was when it ended. Order is irrelevant; tokens are the contract.
enum class Stage {
  none,            // nothing ran yet (or the run succeeded)
  config,          // validating configuration before any I/O
  smtp_connect,    // DNS + TCP connect of the SMTP leg
  smtp_tls,        // implicit TLS handshake / certificate verification
  smtp_greeting,   // waiting for 220
  smtp_ehlo,
  smtp_starttls,
  smtp_auth,
  smtp_mail,       // MAIL FROM
  smtp_rcpt,       // RCPT TO
  smtp_data,       // DATA, the message body and the final 250
  imap_connect,
  imap_tls,
  imap_greeting,
  imap_starttls,
  imap_login,
  imap_select,
  imap_wait,       // waiting for the probe (IDLE and/or poll)
  imap_fetch,      // confirming the match by fetching its header
  cleanup,
  done,
  smtp_noop,       // health probe: NOOP round trip
  smtp_quit,       // health probe: QUIT / 221
  imap_capability, // CAPABILITY before or after STARTTLS
  imap_noop,
  imap_logout,
  dns_mx,          // MX lookup of `probe mx`
  policy,          // --policy: MTA-STS / DANE judgement after the dialogue
  expect,          // --expect: a negative check of `probe smtp`
};

/// What kind of failure. `result_code` values are stable integers (Telegraf
/// convention: an enum is a tag plus an integer field; success is 0).
enum class Result {
  success = 0,
  timeout = 1,
  dns_error = 2,
  connection_refused = 3,
  connection_failed = 4,
  connection_closed = 5,
  tls_error = 6,
  tls_verify_failed = 7,
  starttls_unavailable = 8,
  auth_failed = 9,
  temp_reject = 10,       // SMTP 4xx
  perm_reject = 11,       // SMTP 5xx
  imap_no = 12,           // IMAP tagged NO
  imap_bad = 13,          // IMAP tagged BAD
  protocol_error = 14,    // a reply that violates the protocol
  not_delivered = 15,     // accepted by SMTP, never seen in the mailbox
  junk = 16,              // delivered, but to the junk folder
  bounced = 17,           // a DSN for the probe came back
  internal_error = 18,
  cert_expiring = 19,     // certificate valid, but expires within the warning threshold
  policy_violation = 20,  // MTA-STS or DANE senders would refuse this MX
  expectation_failed = 21,  // an --expect negative check did not hold
};

std::string_view to_string(Stage s);
std::string_view to_string(Result r);
inline int result_code(Result r) { return static_cast<int>(r); }
/// One line saying what a result means, for docs and the text report.
std::string_view describe(Result r);

/// Every Result in code order, for documentation tables and tests.
const std::vector<Result>& all_results();

/// A failed step: the stage, the kind, and what the server said (if anything).
struct Failure {
  Stage stage = Stage::none;
  Result result = Result::internal_error;
  int reply_code = 0;        // SMTP reply code (IMAP has none; 0 = none)
  std::string reply_text;    // server text, or the OS/libcurl message

  Failure() = default;
  Failure(Stage st, Result r, std::string text = {}, int code = 0)
      : stage(st), result(r), reply_code(code), reply_text(std::move(text)) {}
};

/// A value or a Failure (a small subset of C++23 std::expected).
template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T v) : v_(std::move(v)) {}              // NOLINT: implicit by design
  Outcome(Failure f) : v_(std::move(f)) {}        // NOLINT: implicit by design
  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const Failure& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Failure> v_;
};

/// Outcome of a step that yields nothing but success.
struct Ok {};
using Status = Outcome<Ok>;
inline Status ok() { return Ok{}; }

}  // namespace mailprobe
