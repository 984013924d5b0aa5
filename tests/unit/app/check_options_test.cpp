#include <doctest/doctest.h>

#include <cxxopts.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/check_options.hpp"
#include "app/usage_error.hpp"

using namespace mailprobe;
using namespace mailprobe::app;
using check::OutputFormat;

namespace {

std::map<std::string, std::string> g_env;
const char* fake_env(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? nullptr : it->second.c_str();
}

struct Argv {
  std::vector<std::string> s;
  std::vector<char*> p;
  explicit Argv(std::vector<std::string> a) : s(std::move(a)) {
    s.insert(s.begin(), "mailprobe check");
    for (auto& x : s) p.push_back(x.data());
  }
  int argc() const { return static_cast<int>(p.size()); }
  char** argv() { return p.data(); }
};

std::vector<std::string> seed_args() {
  return {"--email-from", "alice@my-domain", "--email-to", "bob@other-domain", "--smtp-host", "mail.my-domain",
          "--smtp-username", "alice", "--imap-host", "mail.other-domain", "--imap-username", "bob"};
}

/// The parse result, or nullopt with the usage error's one line in `err`.
std::optional<ParsedCheck> parse(std::vector<std::string> args, std::string& err) {
  Argv a(std::move(args));
  try {
    return parse_check_args(a.argc(), a.argv(), fake_env);
  } catch (const UsageError& e) {
    err = e.what();
  } catch (const cxxopts::exceptions::exception& e) {
    err = e.what();
  }
  return std::nullopt;
}

}  // namespace

TEST_SUITE("app::check_options") {
  TEST_CASE("seed 002 defaults") {
    g_env = {{"MAILPROBE_SMTP_PASSWORD", "s"}, {"MAILPROBE_IMAP_PASSWORD", "i"}};
    std::string err;
    auto p = parse(seed_args(), err);
    REQUIRE_MESSAGE(p, err);
    const auto& c = p->config;
    CHECK(c.prefix == "[e2e email monitoring] ");
    CHECK(c.check_frequency == std::chrono::milliseconds(2000));
    CHECK(c.max_checks == 30);
    CHECK(c.smtp.port == 587);
    CHECK(c.imap.port == 143);
    CHECK(c.smtp.tls == net::TlsMode::starttls);
    CHECK(c.imap.tls == net::TlsMode::starttls);
    CHECK(c.format == OutputFormat::json);
    CHECK(c.mailbox == "INBOX");
    CHECK(c.timeout == std::chrono::seconds(60));
    CHECK(c.smtp_creds.password == "s");
    CHECK(c.imap_creds.password == "i");
    CHECK(p->warnings.empty());
  }

  TEST_CASE("fractional check frequency and the argv password warning") {
    g_env.clear();
    std::string err;
    auto args = seed_args();
    for (auto x : {"--check-frequency", "0.25", "--smtp-password", "s", "--imap-password", "i"}) args.push_back(x);
    auto p = parse(args, err);
    REQUIRE_MESSAGE(p, err);
    CHECK(p->config.check_frequency == std::chrono::milliseconds(250));
    CHECK(p->warnings.size() == 2);
  }

  TEST_CASE("bad values are rejected with a one-line reason") {
    g_env = {{"MAILPROBE_SMTP_PASSWORD", "s"}, {"MAILPROBE_IMAP_PASSWORD", "i"}};
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--smtp-port", "0"}, "--smtp-port"},
        {{"--imap-port", "70000"}, "--imap-port"},
        {{"--smtp-tls", "ssl"}, "--smtp-tls"},
        {{"--prefix", "a\r\nBcc: x@y"}, "--prefix"},
        {{"--output-format", "xml"}, "--output-format"},
        {{"--max-checks", "0"}, "--max-checks"},
        {{"--timeout", "0"}, "--timeout"},
        {{"--imap-password-file", "/nonexistent"}, "cannot read"},
        {{"--schema", "legacy"}, "influx"},
        {{"--textfile", "/tmp/x.txt", "--output-format", "prometheus"}, ".prom"},
        {{"--imap-mailbox", "Entw\xC3\xBCrfe"}, "ASCII"},
        {{"--junk-mailbox", ""}, "--junk-mailbox"},
        {{"--helo", "a%20b"}, "--helo"},
        {{"--helo", "evil.example\r\nRSET"}, "--helo"},
        {{"--output-format", "nagios", "-w", "x:y:z"}, "nagios range"},
        {{"--execd", "--output-format", "text"}, "multi-line"},
        {{"--execd", "--output-format", "prometheus"}, "--textfile"},
    };
    for (const auto& [extra, needle] : cases) {
      auto args = seed_args();
      args.insert(args.end(), extra.begin(), extra.end());
      std::string err;
      auto p = parse(args, err);
      CHECK_MESSAGE(!p, extra.front());
      CHECK_MESSAGE(err.find(needle) != std::string::npos, err);
      CHECK(err.find('\n') == std::string::npos);
    }
    std::string err;
    auto args = seed_args();
    args[1] = "alice@my-domain\nRCPT TO:<x@y>";
    CHECK_FALSE(parse(args, err));
    CHECK(err.find("--email-from") != std::string::npos);
  }

  TEST_CASE("a missing IMAP password is a usage error, not a failed login") {
    g_env.clear();
    std::string err;
    CHECK_FALSE(parse(seed_args(), err));
    CHECK(err.find("IMAP password") != std::string::npos);
  }

  TEST_CASE("plaintext credentials warn") {
    g_env = {{"MAILPROBE_SMTP_PASSWORD", "s"}, {"MAILPROBE_IMAP_PASSWORD", "i"}};
    std::string err;
    auto args = seed_args();
    for (auto x : {"--smtp-tls", "none", "--imap-tls", "none"}) args.push_back(x);
    auto p = parse(args, err);
    REQUIRE(p);
    CHECK(p->warnings.size() == 2);
  }
}
