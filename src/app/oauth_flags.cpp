#include "app/oauth_flags.hpp"

#include <unistd.h>

#include "app/usage_error.hpp"
#include "auth/token_command.hpp"

namespace mailprobe::app {

namespace {

/// Control characters would break the form body, the cache key or a log line.
std::string plain_value(const cxxopts::ParseResult& r, const std::string& name) {
  if (!r.count(name)) return {};
  std::string v = r[name].as<std::string>();
  if (v.empty()) throw UsageError{"--" + name + " is empty"};
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) throw UsageError{"--" + name + " contains a control character"};
  return v;
}

std::string readable_file(const cxxopts::ParseResult& r, const std::string& name) {
  std::string p = plain_value(r, name);
  if (!p.empty() && ::access(p.c_str(), R_OK) != 0) throw UsageError{"cannot read --" + name + " '" + p + "'"};
  return p;
}

}  // namespace

void add_oauth_options(cxxopts::Options& o, const std::string& leg, const std::string& group) {
  const std::string L = leg == "smtp" ? "SMTP" : "IMAP";
  // clang-format off
  o.add_options(group)
    (leg + "-auth", "password, xoauth2 or oauthbearer (RFC 7628): OAuth2 sends only that SASL mechanism",
        cxxopts::value<std::string>()->default_value("password"))
    (leg + "-token-file", "OAuth2: file holding the " + L + " access token (one line, re-read every check)",
        cxxopts::value<std::string>())
    (leg + "-token-command", "OAuth2: program printing the access token (run without a shell, 10 s limit)",
        cxxopts::value<std::string>())
    (leg + "-oauth2-token-url", "OAuth2: fetch tokens from this https:// endpoint", cxxopts::value<std::string>())
    (leg + "-oauth2-client-id", "OAuth2 fetch: the application (client) id", cxxopts::value<std::string>())
    (leg + "-oauth2-client-secret-file", "OAuth2 fetch: file holding the client secret", cxxopts::value<std::string>())
    (leg + "-oauth2-scope", "OAuth2 fetch: scope, e.g. https://outlook.office365.com/.default",
        cxxopts::value<std::string>())
    (leg + "-oauth2-refresh-token-file", "OAuth2 fetch: file holding a refresh token (refresh-token grant; "
        "without it: client credentials)", cxxopts::value<std::string>());
  // clang-format on
}

auth::TokenSpec parse_oauth_flags(const cxxopts::ParseResult& r, const std::string& leg,
                                  std::vector<std::string>& warnings) {
  auth::TokenSpec s;
  const std::string mech = r[leg + "-auth"].as<std::string>();
  auto m = net::parse_mechanism(mech);
  if (!m) throw UsageError{"--" + leg + "-auth must be password, xoauth2 or oauthbearer, got '" + mech + "'"};
  s.mechanism = *m;

  s.token_file = readable_file(r, leg + "-token-file");
  if (auto cmd = plain_value(r, leg + "-token-command"); !cmd.empty()) {
    auto argv = auth::split_command(cmd);
    if (!argv) throw UsageError{"--" + leg + "-token-command has an unterminated quote or is empty"};
    s.token_command = std::move(*argv);
  }
  auth::FetchSpec& f = s.fetch;
  f.token_url = plain_value(r, leg + "-oauth2-token-url");
  f.client_id = plain_value(r, leg + "-oauth2-client-id");
  f.client_secret_file = readable_file(r, leg + "-oauth2-client-secret-file");
  f.scope = plain_value(r, leg + "-oauth2-scope");
  f.refresh_token_file = readable_file(r, leg + "-oauth2-refresh-token-file");
  const bool fetch_flags = !f.client_id.empty() || !f.client_secret_file.empty() || !f.scope.empty() ||
                           !f.refresh_token_file.empty();
  if (!f.token_url.empty()) {
    // RFC 6749 §3.2: the token endpoint MUST be reached over TLS.
    if (f.token_url.rfind("https://", 0) != 0) throw UsageError{"--" + leg + "-oauth2-token-url must be https://"};
    if (f.client_id.empty()) throw UsageError{"--" + leg + "-oauth2-token-url needs --" + leg + "-oauth2-client-id"};
  } else if (fetch_flags) {
    throw UsageError{"the --" + leg + "-oauth2-* flags need --" + leg + "-oauth2-token-url"};
  }

  const std::string src = s.source();
  if (s.mechanism == net::SaslMechanism::password) {
    if (!src.empty())
      throw UsageError{"a token source for " + leg + " needs --" + leg + "-auth xoauth2 or oauthbearer"};
    return s;
  }
  if (src.empty())
    throw UsageError{"--" + leg + "-auth " + mech + " needs --" + leg + "-token-file, --" + leg +
                     "-token-command or --" + leg + "-oauth2-token-url"};
  // First match wins: file, then command, then the built-in fetch.
  int given = !s.token_file.empty() + !s.token_command.empty() + f.configured();
  if (given > 1)
    warnings.push_back(leg + ": more than one token source given; using the token " + src +
                       " (order: file, command, fetch)");
  return s;
}

}  // namespace mailprobe::app
