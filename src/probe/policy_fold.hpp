#pragma once

// `--policy`: folds the policy verdict (policy/verdict.hpp, judged from the
// lookups of policy/evaluate.hpp) into a finished probe result.

#include <memory>

#include "policy/verdict.hpp"
#include "probe/probe_result.hpp"

namespace mailprobe::probe {

/// What the probe of r.host established, as the policy judgement needs it. Pure.
policy::HostTls host_tls(const ProbeResult& r);

/// Judges `r` (a finished STARTTLS probe of r.host) and stores the verdict in
/// r.policy. A violation turns a healthy (or merely PKIX-failed or expiring)
/// result into policy_violation at stage policy; a DANE pass turns a PKIX
/// tls_verify_failed into success, since DNSSEC authenticates the peer
/// (RFC 7672 §3.1). Pure.
void apply_policy(ProbeResult& r, std::shared_ptr<const policy::DomainPolicy> domain, const policy::TlsaSet& tlsa);

}  // namespace mailprobe::probe
