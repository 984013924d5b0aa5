#include "check/delivery_insight.hpp"

#include "insight/auth_results.hpp"
#include "insight/received.hpp"

namespace mailprobe::check {

void analyse_header(CheckReport& r, std::string_view header, WallClock::time_point submitted) {
  insight::HopReport hops = insight::analyse_received(header, submitted);
  r.hop_count = static_cast<std::int64_t>(hops.hop_count);
  r.clock_skew = hops.clock_skew;
  if (hops.slowest_delay) r.slowest_hop_us = hops.slowest_delay->count();
  if (hops.slowest_index && *hops.slowest_index < hops.hops.size()) r.slowest_hop = hops.hops[*hops.slowest_index].by;
  for (const auto& id : hops.receiving_ids) {
    if (!r.receiving_ids.empty()) r.receiving_ids += ',';
    r.receiving_ids += id;
  }
  insight::Verdicts v = insight::parse_verdicts(header);
  r.spf = v.spf.value_or("");
  r.dkim = v.dkim.value_or("");
  r.dmarc = v.dmarc.value_or("");
  r.spam_score = v.spam_score;
  r.spam_flag = v.spam_flag;
}

}  // namespace mailprobe::check
