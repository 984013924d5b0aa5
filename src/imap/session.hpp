#pragma once

// Our small IMAP command layer over a logged-in Transport: tagged commands
// (tags "m1", "m2", ... never collide with libcurl's "A001" style), IDLE
// (RFC 2177) and bookkeeping of the unsolicited EXISTS count (RFC 3501
// §7.3.1), which is how new mail shows up.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"
#include "imap/response.hpp"
#include "imap/transport.hpp"

namespace mailprobe::imap {

class Session {
 public:
  explicit Session(Transport& t) : t_(t) {}

  /// Sends "<tag> <command>" and reads until its tagged completion. Returns
  /// every response including the tagged one (last). Tagged NO → imap_no,
  /// BAD → imap_bad, BYE/close → connection_closed, deadline → timeout; all
  /// at `stage`, with the server's text.
  Outcome<std::vector<Response>> command(std::string_view cmd, const Deadline& dl, Stage stage);

  /// Sends "<tag> <command>" without waiting for anything; returns the tag.
  /// Several commands may be in flight (RFC 3501 §5.5); their responses are
  /// read with next_response() and arrive in order.
  Outcome<std::string> send_command(std::string_view cmd, const Deadline& dl, Stage stage);
  /// The next response (EXISTS/EXPUNGE bookkeeping applied), or nullopt when
  /// `until` passes first. BYE or a closed connection → Failure at `stage`.
  Outcome<std::optional<Response>> next_response(const Deadline& until, Stage stage);

  /// Sends IDLE and waits for the "+" continuation.
  Status idle_start(const Deadline& dl);
  /// While idling: waits until the server reports new mail (an EXISTS above
  /// the last known count) or `until` passes. Returns true on new mail.
  /// The overall deadline bounds it too.
  Outcome<bool> idle_wait(const Deadline& until);
  /// Sends DONE and waits for IDLE's tagged completion.
  Status idle_done(const Deadline& dl);

  /// Highest EXISTS count seen so far (0 before SELECT).
  std::uint32_t exists() const { return exists_; }
  /// True if the count rose since the last call (and resets the flag).
  bool take_new_mail();
  /// EXPUNGE responses seen so far (each shifts the sequence numbers above it).
  std::uint64_t expunges() const { return expunges_; }

 private:
  Outcome<Response> read_one(const Deadline& dl, Stage stage);
  void observe(const Response& r);
  std::string next_tag();

  Transport& t_;
  ResponseReader reader_;
  unsigned counter_ = 0;
  std::string idle_tag_;
  std::uint32_t exists_ = 0;
  std::uint64_t expunges_ = 0;
  bool new_mail_ = false;
};

}  // namespace mailprobe::imap
