#pragma once

// `--policy`: the lookups (DNS TXT and TLSA, the HTTPS policy fetch). The
// judgement itself is pure (verdict.hpp); this file only gathers its inputs,
// and probe/policy_fold.hpp folds the verdict into a probe result.

#include <chrono>
#include <memory>
#include <string>

#include "policy/verdict.hpp"

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

}  // namespace mailprobe::policy
