#pragma once

// The pure verdict: which stage failed and why, from the transport outcome,
// the reconstructed dialogue, the TLS facts and the policy (insecure, warn
// days). The first failing step in dialogue order wins.

#include "probe/probe_result.hpp"

namespace mailprobe::probe {

/// Fills r.stage, r.result, r.reply_code and r.error from the rest of r.
void judge(ProbeResult& r);

}  // namespace mailprobe::probe
