#include "probe/policy_fold.hpp"

#include "policy/pkix_name.hpp"
#include "probe/verdict.hpp"

namespace mailprobe::probe {

policy::HostTls host_tls(const ProbeResult& r) {
  policy::HostTls tls;
  if (r.tls) {
    tls.tls_up = true;
    // RFC 8461 §4.2: a chain to a trusted root, unexpired, and the MX name as a DNS-ID.
    tls.pkix_valid = r.tls->chain_ok() && !(r.tls->cert && r.tls->cert->expired) && !r.tls->chain_der.empty() &&
                     policy::dns_id_matches(r.tls->chain_der.front(), r.host);
    tls.chain_der = r.tls->chain_der;
  }
  return tls;
}

void apply_policy(ProbeResult& r, std::shared_ptr<const policy::DomainPolicy> domain, const policy::TlsaSet& tlsa) {
  policy::HostVerdict v = policy::judge_host(std::move(domain), r.host, tlsa, host_tls(r));
  const bool overridable = r.success() || r.result == Result::cert_expiring || r.result == Result::tls_verify_failed;
  if (!v.violation.empty() && overridable) {
    r.stage = Stage::policy;
    r.result = Result::policy_violation;
    r.reply_code = 0;
    r.error = v.violation;
  } else if (v.dane == policy::DaneState::pass && r.result == Result::tls_verify_failed) {
    // Judge the dialogue again without the PKIX checks, so steps after TLS
    // still count.
    const bool insecure = r.insecure;
    r.insecure = true;
    judge(r);
    r.insecure = insecure;
  }
  r.policy = std::move(v);
}

}  // namespace mailprobe::probe
