#pragma once

// Where `mailprobe probe` calls this module: three calls, each a no-op
// unless --policy or --expect was given.

#include <vector>

#include "probe/mx_rank.hpp"
#include "probe/options.hpp"
#include "report/record.hpp"

namespace mailprobe::policy {

/// probe smtp --policy: DANE of HOST:PORT (TLSA _PORT._tcp.HOST), plus
/// MTA-STS and TLS-RPT of --policy-domain; folds the verdict into `r`.
void apply_to_service(const probe::Options& o, probe::ProbeResult& r);

/// probe mx --policy: the domain's MTA-STS and TLS-RPT once, the TLSA of each
/// exchange once; folds a verdict into every target.
void apply_to_mx(const probe::Options& o, std::vector<probe::MxTarget>& targets);

/// probe smtp --expect: runs each check in order, one record each.
std::vector<report::Record> run_expectations(const probe::Options& o, const probe::ProbeResult& health);

}  // namespace mailprobe::policy
