#pragma once

// SASL client messages for bearer tokens and the checks a token must pass
// before it is handed to libcurl (which builds the same bytes itself, see
// vauth/oauth2.c): these are the reference the unit tests hold libcurl's
// wire format to, and the gate that keeps a malformed token off the wire.

#include <string>
#include <string_view>

namespace mailprobe::auth {

/// XOAUTH2 initial client response (Google "XOAUTH2 protocol", Microsoft
/// "Authenticate an IMAP, POP or SMTP connection using OAuth"):
/// "user=" user ^A "auth=Bearer " token ^A ^A. Not base64-encoded.
std::string xoauth2_message(std::string_view user, std::string_view token);

/// OAUTHBEARER initial client response, RFC 7628 §3.1: a GS2 header
/// "n,a=<saslname>," (RFC 5801 §4; "=" and "," escaped as =3D and =2C), then
/// host, port and auth key/value pairs, each ended by ^A, and a final ^A.
std::string oauthbearer_message(std::string_view user, std::string_view host, int port,
                                std::string_view token);

/// "" when `token` is a valid RFC 6750 §2.1 b64token (1*( ALPHA / DIGIT /
/// "-" / "." / "_" / "~" / "+" / "/" ) *"="); otherwise why not, without
/// quoting the token. Anything else (spaces, ^A, CR/LF) would corrupt the
/// SASL message or inject protocol lines.
std::string token_problem(std::string_view token);

/// Standard base64 (RFC 4648 §4) with padding, as SASL carries responses.
std::string base64_encode(std::string_view bytes);

}  // namespace mailprobe::auth
