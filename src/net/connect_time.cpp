#include "net/connect_time.hpp"

#include <algorithm>

namespace mailprobe::net {

std::optional<std::int64_t> anchored_connect_us(std::optional<SteadyClock::time_point> connected_at,
                                                SteadyClock::time_point started,
                                                std::optional<std::int64_t> curl_connect_us) {
  if (connected_at) {
    auto us = std::chrono::duration_cast<Micros>(*connected_at - started).count();
    return std::max<std::int64_t>(us, 0);
  }
  if (curl_connect_us) return std::max<std::int64_t>(*curl_connect_us, 0);
  return std::nullopt;
}

std::optional<std::int64_t> span_us(std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
  if (!from || !to) return std::nullopt;
  return std::max<std::int64_t>(*to - *from, 0);
}

}  // namespace mailprobe::net
