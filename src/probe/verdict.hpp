#pragma once

// The pure verdict: which stage failed and why, from the transport outcome,
// the reconstructed dialogue, the TLS facts and the policy (insecure, warn
// days). The first failing step in dialogue order wins.

#include "net/classify.hpp"
#include "probe/probe_result.hpp"

namespace mailprobe::probe {

/// What went wrong below the protocol, from what the transfer saw. Pure.
Transport transport_of(const net::TransferFacts& f);

/// Fills r.stage, r.result, r.reply_code and r.error from the rest of r.
void judge(ProbeResult& r);

}  // namespace mailprobe::probe
