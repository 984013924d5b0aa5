#include "policy/verdict.hpp"

#include "policy/dane.hpp"

namespace mailprobe::policy {

namespace {

void add_violation(HostVerdict& v, const std::string& why) {
  if (!v.violation.empty()) v.violation += "; ";
  v.violation += why;
}

void judge_dane(HostVerdict& v, std::string_view host, const TlsaSet& t, const HostTls& tls) {
  if (!t.looked_up) return;
  v.tlsa_records = static_cast<int>(t.records.size()) + t.malformed;
  if (!t.error.empty()) {
    // RFC 7672 §2.2: a TLSA lookup that fails (not "no records") makes the
    // sender defer rather than downgrade.
    v.dane = DaneState::fail;
    v.dane_error = t.error;
    add_violation(v, "DANE: TLSA lookup failed, DANE senders defer");
    return;
  }
  if (v.tlsa_records == 0) return;
  if (!t.authenticated) {
    // RFC 7672 §2.2: records from an insecure zone are ignored; never a pass.
    v.dane = DaneState::insecure;
    v.dane_error = "TLSA answer not DNSSEC-authenticated (AD bit clear)";
    return;
  }
  if (t.mx_insecure) {
    // RFC 7672 §2.2.1: an MX host learned from an insecure MX RRset could be
    // an attacker's; its TLSA records are not used.
    v.dane = DaneState::insecure;
    v.dane_error = "MX records not DNSSEC-authenticated (AD bit clear): DANE does not apply";
    return;
  }
  std::vector<TlsaRecord> usable;
  std::string first_reason = t.malformed ? "malformed TLSA record" : "";
  for (const auto& r : t.records) {
    std::string why = tlsa_unusable_reason(r);
    if (why.empty()) usable.push_back(r);
    else if (first_reason.empty()) first_reason = why;
  }
  if (usable.empty()) {
    // RFC 7672 §2.2: all records unusable: TLS is still mandatory, but the
    // peer is not authenticated.
    v.dane_error = "no usable TLSA record (" + first_reason + ")";
    if (!tls.tls_up) add_violation(v, "DANE: TLSA records published but no TLS session");
    return;
  }
  if (!tls.tls_up) {
    v.dane = DaneState::fail;
    v.dane_error = "no TLS session to match";
    add_violation(v, "DANE: TLSA records published but no TLS session");
    return;
  }
  auto m = match_dane(usable, tls.chain_der, host);
  if (m.matched) {
    v.dane = DaneState::pass;
    v.dane_matched_record = m.record;
    return;
  }
  v.dane = DaneState::fail;
  v.dane_error = m.problem;
  add_violation(v, "DANE: " + m.problem);
}

void judge_sts(HostVerdict& v, std::string_view host, const HostTls& tls) {
  if (!v.domain || !v.domain->sts_applies()) return;
  const StsPolicy& p = *v.domain->sts_policy;
  if (p.mode == StsMode::none) return;
  v.mx_in_policy = policy_lists_mx(p, host);
  v.pkix_valid = tls.tls_up && tls.pkix_valid;
  // RFC 8461 §5.1: in testing mode failures are only reported.
  if (p.mode != StsMode::enforce) return;
  const std::string h(host);
  if (!*v.mx_in_policy) add_violation(v, "MTA-STS enforce: " + h + " is not listed in the policy's mx");
  if (!tls.tls_up) add_violation(v, "MTA-STS enforce: no TLS session with " + h);
  else if (!tls.pkix_valid) add_violation(v, "MTA-STS enforce: certificate not PKIX-valid for " + h);
}

}  // namespace

std::string_view to_string(DaneState s) {
  switch (s) {
    case DaneState::none: return "none";
    case DaneState::pass: return "pass";
    case DaneState::fail: return "fail";
    case DaneState::insecure: return "insecure";
  }
  return "none";
}

HostVerdict judge_host(std::shared_ptr<const DomainPolicy> domain, std::string_view host, const TlsaSet& tlsa,
                       const HostTls& tls) {
  HostVerdict v;
  v.domain = std::move(domain);
  judge_sts(v, host, tls);
  judge_dane(v, host, tlsa, tls);
  return v;
}

}  // namespace mailprobe::policy
