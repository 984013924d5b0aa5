#pragma once

// The SMTP route of one check: the configured submission server, or in MX
// mode (--smtp-host mx:) the recipient domain's exchanges in preference order.

#include <cstdint>
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
};

/// Sends `req` over the route. RFC 5321 §5.1: in MX mode the hosts are tried
/// in order until one takes the message; only failures to reach or greet a
/// host move on to the next, and never past the deadline. Blocks.
RouteOutcome send_over_route(smtp::SendRequest req, const CheckConfig& cfg, const Deadline& dl);

}  // namespace mailprobe::check
