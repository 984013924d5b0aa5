#pragma once

// SASL helpers shared by the SMTP (RFC 4954) and IMAP (RFC 3501 §6.2.2)
// AUTH dialogues: base64 via OpenSSL and the PLAIN message (RFC 4616).

#include <optional>
#include <string>
#include <string_view>

namespace mailprobe::serve {

/// Strict base64 decode (OpenSSL EVP_DecodeBlock); nullopt on malformed input.
std::optional<std::string> base64_decode(std::string_view in);
/// Base64 encode (OpenSSL EVP_EncodeBlock), no line breaks.
std::string base64_encode(std::string_view in);

struct PlainCredentials {
  std::string authzid;
  std::string authcid;
  std::string password;
};

/// Parses a decoded RFC 4616 PLAIN message "authzid NUL authcid NUL passwd"; nullopt if malformed.
std::optional<PlainCredentials> parse_plain(std::string_view decoded);

}  // namespace mailprobe::serve
