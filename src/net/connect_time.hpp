#pragma once

// When did TCP come up? libcurl's CONNECT_TIME_T is not a reliable answer in
// STARTTLS mode: it can be recorded after the greeting has already arrived
// (seen with Exim and Cyrus), which inflates connect spans and makes the
// greeting span negative. libcurl's verbose "Connected to" line is logged the
// moment the socket connects; the legs stamp it with the steady clock and
// anchor on it. Pure; no curl.

#include <cstdint>
#include <optional>

#include "core/clock.hpp"

namespace mailprobe::net {

/// DNS + TCP connect in microseconds since `started`: from the "Connected to"
/// instant when it was seen, else libcurl's CONNECT_TIME_T (`curl_connect_us`).
/// Never negative; nullopt when neither is known.
std::optional<std::int64_t> anchored_connect_us(std::optional<SteadyClock::time_point> connected_at,
                                                SteadyClock::time_point started,
                                                std::optional<std::int64_t> curl_connect_us);

/// `to - from` in microseconds, clamped at 0 (two clocks a few microseconds
/// apart must not turn a real span negative); nullopt if either is missing.
std::optional<std::int64_t> span_us(std::optional<std::int64_t> from, std::optional<std::int64_t> to);

}  // namespace mailprobe::net
