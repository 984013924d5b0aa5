#pragma once

// The SMTP route of one check: the configured submission server, or in MX
// mode (--smtp-host mx:) the recipient domain's exchanges in preference order.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "check/config.hpp"
#include "smtp/sender.hpp"

namespace mailprobe::check {

struct RouteOutcome {
  std::optional<Failure> lookup_failure;  // MX mode: no candidates (nothing was sent)
  smtp::SendReport sent;                  // the last attempt's report
  std::string server;                     // authority of the last server tried
  std::optional<std::int64_t> tried;      // MX mode: candidates tried
  /// The last attempt's session, still open: its goodbye (Session::close,
  /// QUIT and the 221) is the caller's, so that it never delays the report.
  std::unique_ptr<smtp::Session> session;
};

/// Sends `req` over the route. RFC 5321 §5.1: in MX mode the hosts are tried
/// in order until one takes the message; only failures to reach or greet a
/// host move on to the next, and never past the deadline. Blocks until the
/// transaction is over (the final reply, or the failure); the QUIT is left
/// to the caller (RouteOutcome::session).
RouteOutcome send_over_route(smtp::SendRequest req, const CheckConfig& cfg, const Deadline& dl);

}  // namespace mailprobe::check
