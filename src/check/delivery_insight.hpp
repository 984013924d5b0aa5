#pragma once

// What the probe's own header says about its trip: Received hops (RFC 5321
// §4.4), Authentication-Results (RFC 8601) and spam scores. Pure.

#include <string_view>

#include "check/check_report.hpp"

namespace mailprobe::check {

/// Fills the hop, queue-id join, authentication and spam fields of `r` from
/// the fetched header block. `submitted` is when the SMTP leg began.
void analyse_header(CheckReport& r, std::string_view header, WallClock::time_point submitted);

}  // namespace mailprobe::check
