#pragma once

// Where `mailprobe probe` calls issue 16's code: three calls, each a no-op
// unless --policy or --expect was given.

#include <vector>

#include "app/probe_options.hpp"
#include "probe/mx_rank.hpp"
#include "probe/probe_result.hpp"
#include "report/record.hpp"

namespace mailprobe::app {

/// probe smtp --policy: DANE of HOST:PORT (TLSA _PORT._tcp.HOST), plus
/// MTA-STS and TLS-RPT of --policy-domain; folds the verdict into `r`.
void apply_policy_to_service(const Options& o, probe::ProbeResult& r);

/// probe mx --policy: the domain's MTA-STS and TLS-RPT once, the TLSA of each
/// exchange once; folds a verdict into every target.
void apply_policy_to_mx(const Options& o, std::vector<probe::MxTarget>& targets);

/// probe smtp --expect: runs each check in order, one record each.
std::vector<report::Record> run_expectations(const Options& o, const probe::ProbeResult& health);

}  // namespace mailprobe::app
