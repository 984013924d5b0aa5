#pragma once

// Content-Transfer-Encoding decoding (RFC 2045 §6.7, §6.8), minimal and
// forgiving: enough to read a bounce's text, never to round-trip a message.

#include <string>
#include <string_view>

namespace mailprobe::insight {

/// Base64 through OpenSSL's EVP decoder (line breaks allowed). Stops at the
/// first invalid data and returns what was decoded until then.
std::string decode_base64(std::string_view in);

/// Quoted-printable: "=XX" decoded, soft line breaks ("=" CRLF) removed,
/// anything malformed kept as is.
std::string decode_quoted_printable(std::string_view in);

/// Decodes `body` per a Content-Transfer-Encoding value; 7bit, 8bit, binary
/// and unknown encodings return the body unchanged.
std::string decode_transfer_encoding(std::string_view body, std::string_view encoding);

/// A parameter of a Content-Type value (RFC 2045 §5.1), case-insensitive
/// name, quoted or not: param("multipart/report; boundary=\"b\"", "boundary") → b.
std::string content_type_param(std::string_view content_type, std::string_view name);

/// The lower-case "type/subtype" of a Content-Type value ("text/plain" if empty).
std::string media_type(std::string_view content_type);

}  // namespace mailprobe::insight
