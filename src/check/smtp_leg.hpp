#pragma once

// The SMTP leg on its own thread, overlapped with the IMAP login: DNS,
// connect, TLS, EHLO and AUTH run while the IMAP leg logs in and selects,
// and MAIL FROM waits until release(true). A run whose IMAP leg fails calls
// release(false) (or just destroys the leg): the dialogue then ends before
// any envelope command, so no probe is sent that nobody could find.
// MX mode (RFC 5321 §5.1) tries the candidates in order on the same thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "check/config.hpp"
#include "core/clock.hpp"
#include "core/failure.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

struct Acceptance {
  Stamp at;                               // the final 250 arrived
  std::optional<std::int64_t> rtt_us;     // the leg's smallest command round trip by then
};

class SmtpLeg {
 public:
  SmtpLeg() = default;
  SmtpLeg(const SmtpLeg&) = delete;
  SmtpLeg& operator=(const SmtpLeg&) = delete;
  /// release(false) and join: never leaves a thread behind.
  ~SmtpLeg();

  /// Starts sending `req` on a thread (req.before_mail, on_accepted and stop
  /// are set here; `stop` is the run's signal flag, not owned, may be null).
  void start(const CheckConfig& cfg, smtp::SendRequest req, const std::atomic<bool>* stop);
  /// Lets MAIL FROM go out (true), or ends the dialogue before it (false).
  void release(bool go);
  /// Blocks until the final 250 arrived (its time) or the leg ended without
  /// one (nullopt; join() then says why). A set stop flag aborts the leg.
  std::optional<Acceptance> wait_accepted();
  /// Waits for the thread (QUIT included) and returns its report.
  const smtp::SendReport& join();

  /// MX mode: candidates tried, and a failure before any was (no MX).
  std::optional<std::int64_t> mx_tried;
  std::optional<Failure> mx_failure;
  std::string server;  // host:port of the server last tried

 private:
  bool wait_gate();  // on the leg's thread: true once released with go

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<bool> gate_;              // release()'s verdict
  std::optional<Acceptance> accepted_;
  bool done_ = false;                     // the thread has finished
  std::atomic<bool> abort_{false};        // the sender's stop flag
  const std::atomic<bool>* run_stop_ = nullptr;
  Deadline deadline_;
  smtp::SendReport report_;
};

}  // namespace mailprobe::check
