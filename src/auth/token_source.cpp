#include "auth/token_source.hpp"

#include <variant>

#include "auth/sasl.hpp"
#include "auth/secret_file.hpp"
#include "auth/token_command.hpp"
#include "auth/token_reply.hpp"

namespace mailprobe::auth {

namespace {

Outcome<std::string> checked(std::string token, Stage stage, const char* from) {
  if (auto p = token_problem(token); !p.empty()) return Failure(stage, Result::token_error, p + " (" + from + ")");
  return token;
}

Outcome<std::string> fetch(const FetchSpec& f, const TokenContext& ctx) {
  const std::string key = fetch_cache_key(f);
  if (ctx.cache)
    if (auto t = ctx.cache->lookup(key, ctx.now)) return *t;
  std::string why, secret, refresh;
  if (!f.client_secret_file.empty()) {
    auto s = read_one_line(f.client_secret_file, "client secret file", why);
    if (!s) return Failure(ctx.stage, Result::token_error, why);
    secret = std::move(*s);
  }
  if (!f.refresh_token_file.empty()) {
    auto s = read_one_line(f.refresh_token_file, "refresh token file", why);
    if (!s) return Failure(ctx.stage, Result::token_error, why);
    refresh = std::move(*s);
  }
  auto fail = [&](std::string text) {
    return Failure(ctx.stage, Result::token_error, redact(std::move(text), {secret, refresh}));
  };
  if (!ctx.post) return Failure(ctx.stage, Result::internal_error, "no HTTPS client for the token fetch");
  net::HttpReply reply = ctx.post(f.token_url, token_request_body(f, secret, refresh));
  if (!reply.ok()) return fail("token endpoint unreachable: " + reply.error);
  auto parsed = parse_token_reply(reply.status, reply.body);
  if (auto* err = std::get_if<std::string>(&parsed)) return fail(*err);
  TokenGrant g = std::get<TokenGrant>(std::move(parsed));
  if (auto p = token_problem(g.access_token); !p.empty()) return fail(p + " (token endpoint)");
  // RFC 6749 §6: a new refresh token replaces the old one, which the client
  // MUST discard (Microsoft rotates them). Written back to its file; if that
  // fails the old one is kept and still works until it expires.
  if (!refresh.empty() && !g.refresh_token.empty() && g.refresh_token != refresh &&
      g.refresh_token.find_first_of("\r\n") == std::string::npos)
    (void)write_private_file(f.refresh_token_file, g.refresh_token + "\n");
  if (ctx.cache) {
    // A cache that cannot be written costs one fetch per run, not the check.
    (void)ctx.cache->store(key, g.access_token, ctx.now, g.lifetime);
  }
  return g.access_token;
}

}  // namespace

PostFn https_poster(const net::TlsPolicy& tls, const Deadline& deadline) {
  return [tls, deadline](const std::string& url, const std::string& body) {
    return net::https_post_form(url, body, tls, deadline);
  };
}

std::string TokenSpec::source() const {
  if (!token_file.empty()) return "file";
  if (!token_command.empty()) return "command";
  if (fetch.configured()) return "fetch";
  return {};
}

std::string form_escape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string token_request_body(const FetchSpec& f, const std::string& secret, const std::string& refresh_token) {
  std::string b = refresh_token.empty() ? "grant_type=client_credentials"
                                        : "grant_type=refresh_token&refresh_token=" + form_escape(refresh_token);
  if (!f.client_id.empty()) b += "&client_id=" + form_escape(f.client_id);
  if (!secret.empty()) b += "&client_secret=" + form_escape(secret);
  if (!f.scope.empty()) b += "&scope=" + form_escape(f.scope);
  return b;
}

std::string fetch_cache_key(const FetchSpec& f) {
  return cache_key({f.token_url, f.client_id, f.scope, f.refresh_token_file});
}

Outcome<std::string> get_token(const TokenSpec& spec, const TokenContext& ctx) {
  if (!spec.token_file.empty()) {
    std::string why;
    auto t = read_one_line(spec.token_file, "token file", why);
    if (!t) return Failure(ctx.stage, Result::token_error, why);
    return checked(std::move(*t), ctx.stage, "token file");
  }
  if (!spec.token_command.empty()) {
    auto limit = std::min(spec.command_limit, std::chrono::milliseconds(ctx.deadline.remaining_ms()));
    CommandOutput out = run_token_command(spec.token_command, limit);
    if (!out.ok) return Failure(ctx.stage, Result::token_error, out.error);
    return checked(std::move(out.out), ctx.stage, "token command");
  }
  if (spec.fetch.configured()) return fetch(spec.fetch, ctx);
  return Failure(ctx.stage, Result::token_error, "no token source configured");
}

void token_rejected(const TokenSpec& spec, TokenCache* cache) {
  if (cache && spec.token_file.empty() && spec.token_command.empty() && spec.fetch.configured())
    cache->forget(fetch_cache_key(spec.fetch));
}

std::string redact(std::string text, std::initializer_list<std::string_view> secrets) {
  for (auto s : secrets) {
    if (s.empty()) continue;
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) text.replace(pos, s.size(), "***");
  }
  return text;
}

}  // namespace mailprobe::auth
