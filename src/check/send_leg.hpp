#pragma once

// The SMTP leg of a check on its own thread, so that the watch for the probe
// starts the moment the final 250 arrives and not after QUIT: a server may
// hold its 221 (Exim ~200 ms), and the goodbye must not delay a measurement.
//
// It also overlaps the IMAP login: started with a gate, the leg connects,
// secures, greets and authenticates at once, and MAIL FROM waits until
// release(true). release(false) (or destroying the leg) ends the dialogue
// before any envelope command, so a run whose IMAP leg fails sends no probe.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "check/config.hpp"
#include "check/route.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {


class SendLeg final {
 public:
  SendLeg() = default;
  SendLeg(const SendLeg&) = delete;
  SendLeg& operator=(const SendLeg&) = delete;
  /// Joins the thread: the goodbye (QUIT, its 221 awaited at most 2 s) ends
  /// first. A leg still waiting at its gate is released with false.
  ~SendLeg();

  /// Starts send_over_route(req) on a new thread: straight to req.server, or
  /// in MX mode to each MX host in turn (RFC 5321 §5.1). `cfg` must outlive
  /// the leg.
  /// With `gated`, MAIL FROM waits for release(). `run_stop` (the run's
  /// signal flag, may be null) aborts the leg within about a second.
  void start(const CheckConfig& cfg, smtp::SendRequest req, bool gated = false,
             const std::atomic<bool>* run_stop = nullptr);
  /// Lets MAIL FROM go out (true), or ends the dialogue before it (false).
  void release(bool go);
  /// Blocks until the final 250 arrived (true) or the send ended without it
  /// (false). Bounded by the request's deadline.
  bool wait_accepted();
  /// When the final 250 arrived, and the leg's smallest command round trip
  /// by then (valid after wait_accepted() returned true).
  Stamp accepted_at() const { return accepted_at_; }
  std::optional<std::int64_t> rtt_us() const { return rtt_us_; }
  /// Blocks until the transaction is over and returns its outcome. The QUIT
  /// goes on on the leg's thread (the outcome's session is not handed out),
  /// so a server that holds its 221 delays only the destructor.
  RouteOutcome& finish();

 private:
  void signal(bool accepted);
  bool wait_gate();  // on the leg's thread: true once released with go

  RouteOutcome out_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool decided_ = false;  // accepted, or the send is over
  bool done_ = false;     // out_ is final (the QUIT may still be under way)
  bool accepted_ = false;
  std::optional<bool> gate_;           // release()'s verdict
  std::atomic<bool> abort_{false};     // the sender's stop flag
  const std::atomic<bool>* run_stop_ = nullptr;
  Deadline deadline_;
  Stamp accepted_at_;
  std::optional<std::int64_t> rtt_us_;
};

}  // namespace mailprobe::check
