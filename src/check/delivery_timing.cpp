#include "check/delivery_timing.hpp"

#include <algorithm>

namespace mailprobe::check {

DeliveryTiming delivery_timing(const LandingWindow& landed, SteadyClock::time_point accepted_server) {
  DeliveryTiming t;
  // The window cannot start before the acceptance (the watcher starts it
  // there), so a negative value only comes from rounding: clamp it.
  auto d = std::chrono::duration_cast<Micros>(landed.estimate() - accepted_server).count();
  t.delivery_us = std::max<std::int64_t>(0, d);
  t.error_us = landed.error_bound().count();
  return t;
}

void record_delivery(CheckReport& r, const WaitOutcome& w, SteadyClock::time_point accepted_server,
                     const Stamp& accepted_arrival) {
  if (!w.window) {
    r.delivery_us = std::max<std::int64_t>(0, micros_between(accepted_arrival, w.seen));  // never negative
    return;
  }
  auto t = delivery_timing(*w.window, accepted_server);
  r.delivery_us = t.delivery_us;
  r.delivery_error_us = t.error_us;
}

}  // namespace mailprobe::check
