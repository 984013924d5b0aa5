#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "app/check_options.hpp"
#include "app/usage_error.hpp"
#include "unit/report/temp_dir.hpp"

using namespace mailprobe;

namespace {

const char* no_env(const char*) { return nullptr; }

std::optional<app::ParsedCheck> parse(std::vector<std::string> extra, std::string& err) {
  std::vector<std::string> s = {"mailprobe check", "--email-from", "alice@a.test", "--email-to", "bob@b.test",
                                "--smtp-host", "smtp.a.test", "--smtp-username", "alice@a.test",
                                "--imap-host", "imap.b.test", "--imap-username", "bob@b.test"};
  s.insert(s.end(), extra.begin(), extra.end());
  std::vector<char*> p;
  for (auto& x : s) p.push_back(x.data());
  try {
    return app::parse_check_args(static_cast<int>(p.size()), p.data(), no_env);
  } catch (const app::UsageError& e) {
    err = e.what();
  } catch (const cxxopts::exceptions::exception& e) {
    err = e.what();
  }
  return std::nullopt;
}

}  // namespace

TEST_SUITE("app::oauth_flags") {
  TEST_CASE("OAuth2 on both legs needs no password; the fetch and file sources are read") {
    report::testing::TempDir dir;
    std::ofstream(dir.path() + "/secret") << "s\n";
    std::ofstream(dir.path() + "/tok") << "t\n";
    std::string err;
    auto p = parse({"--smtp-auth", "xoauth2", "--smtp-oauth2-token-url", "https://login.example/tenant/oauth2/v2.0/token",
                    "--smtp-oauth2-client-id", "app", "--smtp-oauth2-client-secret-file", dir.path() + "/secret",
                    "--smtp-oauth2-scope", "https://outlook.office365.com/.default",
                    "--imap-auth", "oauthbearer", "--imap-token-file", dir.path() + "/tok"},
                   err);
    REQUIRE_MESSAGE(p, err);
    const auto& c = p->config;
    CHECK(c.smtp_creds.mechanism == net::SaslMechanism::xoauth2);
    CHECK(c.imap_creds.mechanism == net::SaslMechanism::oauthbearer);
    CHECK(c.smtp_creds.password.empty());
    CHECK(c.smtp_token.source() == "fetch");
    CHECK(c.smtp_token.fetch.client_secret_file == dir.path() + "/secret");
    CHECK(c.imap_token.source() == "file");
    CHECK(p->warnings.empty());
  }

  TEST_CASE("the token command is split without a shell") {
    std::string err;
    auto p = parse({"--imap-password", "x", "--smtp-auth", "xoauth2", "--smtp-token-command", "helper --for 'a b'"}, err);
    REQUIRE_MESSAGE(p, err);
    CHECK(p->config.smtp_token.token_command == std::vector<std::string>{"helper", "--for", "a b"});
  }

  TEST_CASE("more than one source: first match wins with a warning") {
    report::testing::TempDir dir;
    std::ofstream(dir.path() + "/tok") << "t\n";
    std::string err;
    auto p = parse({"--smtp-password", "x", "--imap-auth", "xoauth2", "--imap-token-file", dir.path() + "/tok",
                    "--imap-token-command", "x"},
                   err);
    REQUIRE_MESSAGE(p, err);
    CHECK(p->config.imap_token.source() == "file");
    REQUIRE(p->warnings.size() == 2);  // the argv password, and the ignored command
    CHECK(std::count(p->warnings.begin(), p->warnings.end(),
                     "imap: more than one token source given; using the token file (order: file, command, fetch)") == 1);
  }

  TEST_CASE("usage errors") {
    struct Case {
      std::vector<std::string> args;
      std::string error;
    };
    std::vector<Case> cases = {
        {{"--imap-auth", "xoauth"}, "--imap-auth must be password, xoauth2 or oauthbearer, got 'xoauth'"},
        {{"--imap-auth", "xoauth2"}, "--imap-auth xoauth2 needs --imap-token-file, --imap-token-command or --imap-oauth2-token-url"},
        {{"--imap-password", "p", "--imap-token-command", "x"}, "a token source for imap needs --imap-auth xoauth2 or oauthbearer"},
        {{"--imap-auth", "xoauth2", "--imap-oauth2-token-url", "http://idp/token", "--imap-oauth2-client-id", "c"},
         "--imap-oauth2-token-url must be https://"},
        {{"--imap-auth", "xoauth2", "--imap-oauth2-token-url", "https://idp/token"},
         "--imap-oauth2-token-url needs --imap-oauth2-client-id"},
        {{"--imap-auth", "xoauth2", "--imap-oauth2-client-id", "c"}, "the --imap-oauth2-* flags need --imap-oauth2-token-url"},
        {{"--imap-auth", "xoauth2", "--imap-token-file", "/nonexistent/tok"}, "cannot read --imap-token-file '/nonexistent/tok'"},
        {{"--imap-auth", "xoauth2", "--imap-token-command", "a 'b"}, "--imap-token-command has an unterminated quote or is empty"},
    };
    for (const auto& c : cases) {
      std::string err;
      INFO(c.error);
      CHECK(!parse(c.args, err));
      CHECK(err == c.error);
    }
  }
}
