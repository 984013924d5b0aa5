#pragma once

// The token endpoint's JSON reply (RFC 6749 §5.1 success, §5.2 error),
// parsed without I/O. Error texts never contain the access token.

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace mailprobe::auth {

struct TokenGrant {
  std::string access_token;
  /// RFC 6749 §5.1 expires_in; zero when the reply gave none (then the
  /// token is used for this run only and never cached).
  std::chrono::seconds lifetime{0};
  /// A new refresh token, when the server rotates it (RFC 6749 §6); "" if none.
  std::string refresh_token;
};

/// `http_status` and `body` of the POST. A 2xx reply must be a JSON object
/// with a string access_token, token_type Bearer (RFC 6749 §7.1, case-
/// insensitive) if present, and expires_in as a number or a numeric string
/// (Azure AD v1 sends a string). Any other status is an error whose text
/// names the status plus error and error_description (§5.2) when the body
/// is such JSON, e.g. "HTTP 401: invalid_client: AADSTS7000215: Invalid
/// client secret provided...". Returns the grant or the error text.
std::variant<TokenGrant, std::string> parse_token_reply(long http_status, std::string_view body);

}  // namespace mailprobe::auth
