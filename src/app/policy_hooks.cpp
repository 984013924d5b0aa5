#include "app/policy_hooks.hpp"

#include <map>

#include <arpa/inet.h>

#include "policy/evaluate.hpp"
#include "policy/expect_fields.hpp"
#include "policy/expect_run.hpp"
#include "probe/policy_fold.hpp"
#include "probe/transcript.hpp"

namespace mailprobe::app {

using namespace policy;

namespace {

PolicyConfig config_of(const Options& o, const std::string& domain, int port) {
  PolicyConfig c;
  c.domain = domain;
  c.port = port;
  c.timeout = o.timeout;
  c.dns_server = o.dns_server;
  c.ca_file = o.ca_file;
  c.sts_connect_to = o.policy.sts_connect_to;
  return c;
}

}  // namespace

void apply_policy_to_service(const Options& o, probe::ProbeResult& r) {
  if (!o.policy.enabled) return;
  PolicyConfig c = config_of(o, o.policy.domain, o.port);
  std::shared_ptr<const DomainPolicy> domain;
  if (!c.domain.empty()) domain = lookup_domain_policy(c);
  // DANE names a host (RFC 7672 §2.2.3); an IP literal has no TLSA records.
  unsigned char buf[16];
  bool ip = inet_pton(AF_INET, o.host.c_str(), buf) == 1 || inet_pton(AF_INET6, o.host.c_str(), buf) == 1;
  probe::apply_policy(r, domain, ip ? TlsaSet{} : lookup_tlsa(o.host, c));
}

void apply_policy_to_mx(const Options& o, std::vector<probe::MxTarget>& targets) {
  if (!o.policy.enabled) return;
  PolicyConfig c = config_of(o, o.host, o.mx_port);
  auto domain = lookup_domain_policy(c);
  const bool mx_secure = mx_authenticated(c);
  std::map<std::string, TlsaSet> tlsa;  // one lookup per exchange, not per address
  for (auto& t : targets) {
    auto it = tlsa.find(t.mx.host);
    if (it == tlsa.end()) {
      it = tlsa.emplace(t.mx.host, lookup_tlsa(t.mx.host, c)).first;
      it->second.mx_insecure = !mx_secure;
    }
    probe::apply_policy(t.probe, domain, it->second);
  }
}

std::vector<report::Record> run_expectations(const Options& o, const probe::ProbeResult& health) {
  std::vector<report::Record> out;
  ExpectConfig c;
  c.host = o.host;
  c.port = o.port;
  c.tls = o.tls;
  c.ca_file = o.ca_file;
  c.insecure = o.insecure;
  c.timeout = o.timeout;
  c.ehlo_name = o.ehlo_name;
  c.username = o.username;
  c.password = o.password;
  c.redact = probe::redact_command;  // verbs only, never a secret
  c.mail_from = o.email_from.empty() ? "mailprobe@" + o.ehlo_name : o.email_from;
  for (const auto& e : o.policy.expect) {
    ExpectRow row{o.host, o.port, e, {}};
    if (e.kind == ExpectKind::no_auth_before_tls) {
      // Judged from the health dialogue's plaintext EHLO (before STARTTLS).
      bool answered = health.smtp && health.smtp->ehlo.answered && health.smtp->caps.has_value();
      row.outcome = judge_plaintext_auth(answered, answered ? health.smtp->caps->auth : std::vector<std::string>{});
    } else {
      row.outcome = run_expectation(e, c);
    }
    out.push_back(expect_record(row, WallClock::now()));
  }
  return out;
}

}  // namespace mailprobe::app
