#pragma once

// The SMTP leg of a check on its own thread, so that the watch for the probe
// starts the moment the final 250 arrives and not after QUIT: a server may
// hold its 221 (Exim ~200 ms), and the goodbye must not delay a measurement.

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
  /// Joins the thread if finish() was not called.
  ~SendLeg();

  /// Starts send_over_route(req) on a new thread: straight to req.server, or
  /// in MX mode to each MX host in turn (RFC 5321 §5.1). `cfg` must outlive
  /// the leg.
  void start(const CheckConfig& cfg, smtp::SendRequest req);
  /// Blocks until the final 250 arrived (true) or the send ended without it
  /// (false). Bounded by the request's deadline.
  bool wait_accepted();
  /// Joins the thread (QUIT included) and returns the whole outcome.
  RouteOutcome& finish();

 private:
  void signal(bool accepted);

  RouteOutcome out_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool decided_ = false;  // accepted, or the send is over
  bool accepted_ = false;
};

}  // namespace mailprobe::check
