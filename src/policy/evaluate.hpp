#pragma once

// `--policy`: the lookups (DNS TXT and TLSA, the HTTPS policy fetch) and the
// fold of the verdict into a probe result. The judgement itself is pure
// (verdict.hpp); this file only gathers its inputs.

#include <chrono>
#include <memory>
#include <string>

#include "policy/verdict.hpp"
#include "probe/probe_result.hpp"

namespace mailprobe::policy {

struct PolicyConfig {
  std::string domain;                       // MTA-STS / TLS-RPT domain; "" = DANE only
  int port = 25;                            // TLSA base: _PORT._tcp.HOST (RFC 7672 §2.2.3)
  std::chrono::milliseconds timeout{5000};  // per DNS query and for the HTTPS fetch
  std::string dns_server;                   // "" = /etc/resolv.conf
  std::string ca_file;                      // for the HTTPS fetch; "" = system store
  std::string sts_connect_to;               // "ADDR:PORT" for the policy fetch; "" = mta-sts.DOMAIN:443
};

/// MTA-STS (TXT, then the policy over HTTPS, RFC 8461 §3) and TLS-RPT
/// (RFC 8460 §3) of config.domain. Never fails: problems land in the
/// *_error members. Blocks for up to about 3 x timeout.
std::shared_ptr<const DomainPolicy> lookup_domain_policy(const PolicyConfig& config);

/// The TLSA RRset of _PORT._tcp.HOST with its AD bit (RFC 7672 §2.2).
TlsaSet lookup_tlsa(const std::string& host, const PolicyConfig& config);

/// True if the MX answer of config.domain carries the AD bit (RFC 7672
/// §2.2.1: DANE applies to MX hosts only from a secure MX RRset).
bool mx_authenticated(const PolicyConfig& config);

/// Judges `r` (a finished STARTTLS probe of r.host) and stores the verdict in
/// r.policy. A violation turns a healthy (or merely PKIX-failed or expiring)
/// result into policy_violation at stage policy; a DANE pass turns a PKIX
/// tls_verify_failed into success, since DNSSEC authenticates the peer
/// (RFC 7672 §3.1).
void apply_policy(probe::ProbeResult& r, std::shared_ptr<const DomainPolicy> domain, const TlsaSet& tlsa);

}  // namespace mailprobe::policy
