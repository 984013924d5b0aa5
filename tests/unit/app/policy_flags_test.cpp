#include <doctest/doctest.h>

#include <cxxopts.hpp>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "app/probe_options.hpp"
#include "app/usage_error.hpp"

using namespace mailprobe;
using namespace mailprobe::app;

namespace {

/// The options, or the usage error's text.
struct Parsed {
  std::optional<Options> options;
  std::string error;
  explicit operator bool() const { return options.has_value(); }
  const Options& value() const { return options.value(); }
};

const char* no_env(const char*) { return nullptr; }
const char* wrong_password_env(const char* name) {
  return std::strcmp(name, "MAILPROBE_PASSWORD") == 0 ? "wrong" : nullptr;
}

Parsed parse(std::vector<std::string> args, GetenvFn env = no_env) {
  args.insert(args.begin(), "mailprobe probe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Parsed p;
  try {
    p.options = parse_probe_options(static_cast<int>(args.size()), argv.data(), false, env);
  } catch (const UsageError& e) {
    p.error = e.what();
  } catch (const cxxopts::exceptions::exception& e) {
    p.error = e.what();
  }
  return p;
}

}  // namespace

TEST_SUITE("app::policy_flags") {
  TEST_CASE("--policy on mx and smtp; --dns-server is allowed with it on smtp") {
    auto mx = parse({"mx", "example.org", "--policy"});
    REQUIRE(mx);
    CHECK(mx.value().policy.enabled);
    auto smtp = parse({"smtp", "--host", "mx.example.org", "--policy", "--policy-domain", "example.org",
                       "--dns-server", "127.0.0.1:5353", "--mta-sts-connect-to", "127.0.0.1:8443"});
    REQUIRE(smtp);
    CHECK(smtp.value().policy.domain == "example.org");
    CHECK(smtp.value().policy.sts_connect_to == "127.0.0.1:8443");
    CHECK(smtp.value().dns_server == "127.0.0.1:5353");
    CHECK_FALSE(parse({"smtp", "--host", "mx.example.org", "--dns-server", "127.0.0.1"}));
    CHECK_FALSE(parse({"smtp", "--host", "mx.example.org", "--policy", "--mx-port", "26"}));
  }

  TEST_CASE("--expect forms are kept in order; bad combinations are usage errors") {
    auto o = parse({"smtp", "--host", "mx", "--expect", "no-auth-before-tls", "--expect", "relay-refused=a@b.example",
                    "--expect", "tls-required=c@d.example"});
    REQUIRE(o);
    REQUIRE(o.value().policy.expect.size() == 3);
    CHECK(o.value().policy.expect[1].kind == policy::ExpectKind::relay_refused);
    CHECK(o.value().policy.expect[2].address == "c@d.example");
    for (std::vector<std::string> bad : {
             std::vector<std::string>{"imap", "--host", "mx", "--policy"},
             {"mx", "example.org", "--expect", "no-auth-before-tls"},
             {"smtp", "--host", "mx", "--expect", "auth-refused"},  // needs --username
             {"smtp", "--host", "mx", "--tls", "tls", "--expect", "no-auth-before-tls"},
             {"smtp", "--host", "mx", "--schema", "seed", "--expect", "no-auth-before-tls"},
             {"smtp", "--host", "mx", "--policy-domain", "example.org"},
             {"smtp", "--host", "mx", "--policy", "--policy-domain", "exa mple.org"},
             {"smtp", "--host", "mx", "--policy", "--mta-sts-connect-to", "127.0.0.1"},
             {"mx", "example.org", "--policy", "--policy-domain", "example.org"},
         }) {
      CAPTURE(bad.front());
      auto r = parse(bad);
      REQUIRE_FALSE(r);
      CHECK_FALSE(r.error.empty());
    }
  }

  TEST_CASE("--username is accepted on smtp for --expect auth-refused") {
    auto o = parse({"smtp", "--host", "mx", "--username", "alice", "--expect", "auth-refused"}, wrong_password_env);
    REQUIRE(o);
    CHECK(o.value().policy.wants_credentials());
    CHECK(o.value().password == "wrong");
  }
}
