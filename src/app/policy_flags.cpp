#include "app/policy_flags.hpp"

#include "app/usage_error.hpp"
#include "dns/resolver.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::app {

namespace {

[[noreturn]] void usage(const std::string& msg) { throw UsageError(msg); }

}  // namespace

bool PolicyFlags::wants_credentials() const {
  for (const auto& e : expect)
    if (e.kind == policy::ExpectKind::auth_refused) return true;
  return false;
}

void add_policy_flags(cxxopts::Options& spec) {
  // clang-format off
  spec.add_options()
    ("policy", "smtp/mx: judge MTA-STS (RFC 8461), DANE (RFC 7672) and TLS-RPT (RFC 8460); result=policy_violation when honouring senders would refuse the MX")
    ("policy-domain", "smtp --policy: the mail domain whose MTA-STS and TLS-RPT apply (default: DANE only)", cxxopts::value<std::string>())
    ("mta-sts-connect-to", "--policy: fetch the MTA-STS policy from ADDR:PORT instead of mta-sts.DOMAIN:443 (the name is still verified)", cxxopts::value<std::string>())
    ("expect", "smtp: a negative check, repeatable: auth-refused (with --username and a wrong password), no-auth-before-tls, relay-refused=USER@FOREIGN, tls-required=USER@DOMAIN", cxxopts::value<std::vector<std::string>>());
  // clang-format on
}

PolicyFlags parse_policy_flags(const cxxopts::ParseResult& args, const PolicyModeFacts& m) {
  using policy::ExpectKind;
  PolicyFlags out;
  out.enabled = args.count("policy") > 0;
  if (out.enabled && !m.mx && !m.smtp) usage("--policy applies to probe smtp and probe mx");
  if (args.count("policy-domain")) {
    if (!out.enabled || !m.smtp) usage("--policy-domain applies to probe smtp --policy");
    out.domain = args["policy-domain"].as<std::string>();
    if (!net::host_problem(out.domain).empty()) usage("invalid --policy-domain " + out.domain);
  }
  if (args.count("mta-sts-connect-to")) {
    if (!out.enabled) usage("--mta-sts-connect-to applies with --policy");
    out.sts_connect_to = args["mta-sts-connect-to"].as<std::string>();
    std::string addr;
    int port = 0;
    if (!dns::parse_dns_server(out.sts_connect_to, addr, port) || out.sts_connect_to.find(':') == std::string::npos)
      usage("--mta-sts-connect-to must be IPv4:PORT");
  }
  if (args.count("expect")) {
    if (!m.smtp) usage("--expect applies to probe smtp");
    if (m.seed_schema) usage("--expect does not combine with --schema seed");
    for (const auto& text : args["expect"].as<std::vector<std::string>>()) {
      auto e = policy::parse_expectation(text);
      if (!e) usage(e.error().reply_text);
      if (m.implicit_tls && (e->kind == ExpectKind::tls_required || e->kind == ExpectKind::no_auth_before_tls))
        usage("--expect " + text + " needs a STARTTLS or plaintext port, not --tls tls");
      out.expect.push_back(e.value());
    }
  }
  return out;
}

}  // namespace mailprobe::app
