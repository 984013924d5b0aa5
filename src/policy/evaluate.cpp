#include "policy/evaluate.hpp"

#include "policy/policy_dns.hpp"
#include "policy/sts_fetch.hpp"

namespace mailprobe::policy {

namespace {

constexpr int kNxdomain = 3;

/// The TXT strings at `name`; empty for NXDOMAIN/NODATA. Failure text for a
/// lookup that did not give an answer.
Outcome<std::vector<std::string>> txt_lookup(const std::string& name, const PolicyConfig& c) {
  auto a = query(name, kTypeTxt, c.timeout, c.dns_server);
  if (!a) return Failure(Stage::none, Result::dns_error, name + " TXT: " + a.error().reply_text);
  if (a->rcode != 0 && a->rcode != kNxdomain)
    return Failure(Stage::none, Result::dns_error, name + " TXT: DNS rcode " + std::to_string(a->rcode));
  std::vector<std::string> out;
  for (const auto& rd : a->rdata) {
    auto t = txt_text(rd);
    if (!t) return Failure(Stage::none, Result::dns_error, name + " TXT: " + t.error().reply_text);
    out.push_back(t.value());
  }
  return out;
}

void lookup_sts(DomainPolicy& d, const PolicyConfig& c) {
  auto txts = txt_lookup("_mta-sts." + c.domain, c);
  if (!txts) {
    d.sts_error = txts.error().reply_text;
    return;
  }
  auto rec = select_sts_record(txts.value());
  if (!rec) {
    d.sts_error = rec.error().reply_text;
    return;
  }
  d.sts_record = rec.value();
  StsFetchConfig f;
  f.domain = c.domain;
  f.ca_file = c.ca_file;
  f.timeout = c.timeout;
  f.connect_to = c.sts_connect_to;
  // The file is fetched even without a TXT record, to report a policy that
  // senders never look for (RFC 8461 §3: they ask for the TXT record first).
  auto body = fetch_sts_policy(f);
  if (!d.sts_record) {
    if (body) d.sts_error = "policy file at " + sts_policy_url(c.domain) + " but no _mta-sts TXT record: senders ignore it";
    return;
  }
  if (!body) {
    d.sts_error = body.error().reply_text;
    return;
  }
  auto p = parse_sts_policy(body.value());
  if (!p) {
    d.sts_error = p.error().reply_text;
    return;
  }
  d.sts_policy = p.value();
}

void lookup_tlsrpt(DomainPolicy& d, const PolicyConfig& c) {
  auto txts = txt_lookup("_smtp._tls." + c.domain, c);
  if (!txts) {
    d.tlsrpt_error = txts.error().reply_text;
    return;
  }
  auto rec = select_tlsrpt_record(txts.value());
  if (!rec) d.tlsrpt_error = rec.error().reply_text;
  else d.tlsrpt = rec.value();
}

}  // namespace

std::shared_ptr<const DomainPolicy> lookup_domain_policy(const PolicyConfig& c) {
  auto d = std::make_shared<DomainPolicy>();
  d->domain = c.domain;
  lookup_sts(*d, c);
  lookup_tlsrpt(*d, c);
  return d;
}

TlsaSet lookup_tlsa(const std::string& host, const PolicyConfig& c) {
  TlsaSet t;
  t.looked_up = true;
  std::string name = "_" + std::to_string(c.port) + "._tcp." + host;
  auto a = query(name, kTypeTlsa, c.timeout, c.dns_server);
  if (!a) {
    t.error = name + " TLSA: " + a.error().reply_text;
    return t;
  }
  if (a->rcode != 0 && a->rcode != kNxdomain) {
    t.error = name + " TLSA: DNS rcode " + std::to_string(a->rcode);
    return t;
  }
  t.authenticated = a->authenticated;
  for (const auto& rd : a->rdata) {
    auto r = parse_tlsa_rdata(rd);
    if (r) t.records.push_back(r.value());
    else ++t.malformed;
  }
  return t;
}

bool mx_authenticated(const PolicyConfig& c) {
  constexpr std::uint16_t kTypeMx = 15;
  auto a = query(c.domain, kTypeMx, c.timeout, c.dns_server);
  return a && a->rcode == 0 && a->authenticated;
}

}  // namespace mailprobe::policy
