#pragma once

// `mailprobe probe mx DOMAIN`: every address of every MX probed on port 25
// with STARTTLS, ranked by preference, then connect latency (seed 001's
// "lowest-latency MX"). Ranking is pure; probing uses session.hpp.

#include <string>
#include <vector>

#include "dns/mx.hpp"
#include "probe/probe_result.hpp"
#include "report/record.hpp"

namespace mailprobe::probe {

struct MxTarget {
  dns::MxRecord mx;
  std::string address;       // "" when the exchange did not resolve
  ProbeResult probe;         // judged result for this address
};

/// Sorts in place: preference ascending; among equals healthy first, then by
/// connect latency (unmeasured last), then host and address for stability.
void rank_mx(std::vector<MxTarget>& targets);

/// Records for output: one per target with `rank` (1-based), `preference`,
/// `mx_host`, `address`; or a single failure record (stage dns_mx) when the
/// domain has no usable MX. Measurement "mx_probe".
std::vector<report::Record> mx_records(const std::string& domain, const std::vector<MxTarget>& ranked,
                                       const Failure* lookup_failure, WallClock::time_point start);

}  // namespace mailprobe::probe
