#pragma once

// delivery_seconds as the servers saw it, not as our polls happened to
// notice it: the SMTP server sent its final 250 one one-way delay before it
// reached us (half the SMTP leg's smallest round trip, equal delays
// assumed), and the probe landed inside the watcher's landing window
// (noop_pacer.hpp: between the last check that missed it and the first that
// saw it, each at its server-side moment). The error bound is half that
// window (all of it for an IDLE push, whose estimate is the window's end);
// path asymmetry is not measurable from one end and is not in it.

#include <cstdint>
#include <optional>

#include "check/check_report.hpp"
#include "check/noop_pacer.hpp"
#include "check/watcher.hpp"

namespace mailprobe::check {

struct DeliveryTiming {
  std::int64_t delivery_us = 0;  // never negative
  std::int64_t error_us = 0;
};

/// When the server sent a reply that arrived at `arrived`: one one-way
/// delay, half the leg's smallest round trip, earlier (0 when unknown). Pure.
inline SteadyClock::time_point server_sent_at(const Stamp& arrived, std::optional<std::int64_t> rtt_us) {
  return arrived.steady - Micros(rtt_us.value_or(0) / 2);
}

/// Landing estimate minus the server's acceptance time. Pure.
DeliveryTiming delivery_timing(const LandingWindow& landed, SteadyClock::time_point accepted_server);

/// Fills r.delivery_us and r.delivery_error_us from what the watcher found;
/// without a landing window, falls back to first seen minus the 250's arrival.
void record_delivery(CheckReport& r, const WaitOutcome& w, SteadyClock::time_point accepted_server,
                     const Stamp& accepted_arrival);

}  // namespace mailprobe::check
