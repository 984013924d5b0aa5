#pragma once

// Where one mail leg's OAuth2 access token comes from. First match wins:
//   1. --X-token-file     one line, re-read on every check (an external
//                         refresher may rotate it at any time);
//   2. --X-token-command  a helper's stdout (token_command.hpp);
//   3. --X-oauth2-token-url ...  a built-in fetch from the token endpoint:
//      the refresh-token grant (RFC 6749 §6) when a refresh-token file is
//      given, else the client-credentials grant (§4.4). Fetched tokens are
//      cached (token_cache.hpp) and renewed early.
// Every failure is result token_error at the leg's *_token stage; no text
// produced here contains a secret.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "net/sasl_mechanism.hpp"
#include "auth/token_cache.hpp"
#include "core/clock.hpp"
#include "core/failure.hpp"
#include "net/endpoint.hpp"
#include "net/https_post.hpp"

namespace mailprobe::auth {

struct FetchSpec {
  std::string token_url;           // https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token
  std::string client_id;
  std::string client_secret_file;  // read on every fetch; optional for public clients
  std::string scope;               // space-separated; optional with a refresh token
  std::string refresh_token_file;  // set = refresh-token grant
  bool configured() const { return !token_url.empty(); }
};

struct TokenSpec {
  net::SaslMechanism mechanism = net::SaslMechanism::password;
  std::string token_file;
  std::vector<std::string> token_command;  // argv, run without a shell
  std::chrono::milliseconds command_limit{10'000};
  FetchSpec fetch;
  /// Which source is used ("file", "command", "fetch"), "" when none is set.
  std::string source() const;
};

/// The application/x-www-form-urlencoded body of the token request
/// (RFC 6749 §4.4.2 or §6; the client authenticates with client_id and
/// client_secret in the body, §2.3.1, which Microsoft and Google accept).
/// `secret` and `refresh_token` may be empty (public client / client grant).
std::string token_request_body(const FetchSpec& f, const std::string& secret, const std::string& refresh_token);

/// RFC 3986 §2.1 percent-encoding of everything but unreserved characters
/// (§2.3), as the form encoding of the token request needs.
std::string form_escape(std::string_view s);

/// The cache key of a fetch: endpoint, client, scope and refresh-token file.
std::string fetch_cache_key(const FetchSpec& f);

/// The HTTPS POST (net::https_post_form by default; tests pass a fake).
using PostFn = std::function<net::HttpReply(const std::string& url, const std::string& body)>;

struct TokenContext {
  Stage stage = Stage::smtp_token;
  Deadline deadline;
  TokenCache* cache = nullptr;  // null: no caching
  PostFn post;
  WallClock::time_point now = WallClock::now();
};

/// The real POST: net::https_post_form verified with `tls`, bounded by `deadline`.
PostFn https_poster(const net::TlsPolicy& tls, const Deadline& deadline);

/// Gets the token for `spec`. Blocking (file read, helper, or HTTPS).
/// The token is checked against RFC 6750 §2.1 before it is returned.
Outcome<std::string> get_token(const TokenSpec& spec, const TokenContext& ctx);

/// Tells the cache that the server rejected the token from `spec` (so the
/// next check fetches a new one instead of reusing it until it expires).
void token_rejected(const TokenSpec& spec, TokenCache* cache);

/// Replaces every occurrence of each (non-empty) secret in `text` with "***".
std::string redact(std::string text, std::initializer_list<std::string_view> secrets);

}  // namespace mailprobe::auth
