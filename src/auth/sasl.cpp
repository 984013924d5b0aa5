#include "auth/sasl.hpp"

namespace mailprobe::auth {

namespace {

/// RFC 5801 §4 saslname: "=" → "=3D", "," → "=2C".
std::string saslname(std::string_view user) {
  std::string out;
  for (char c : user) {
    if (c == '=') out += "=3D";
    else if (c == ',') out += "=2C";
    else out += c;
  }
  return out;
}

bool b64token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

}  // namespace

std::string xoauth2_message(std::string_view user, std::string_view token) {
  std::string m = "user=";
  m.append(user);
  m += "\x01" "auth=Bearer ";
  m.append(token);
  m += "\x01\x01";
  return m;
}

std::string oauthbearer_message(std::string_view user, std::string_view host, int port,
                                std::string_view token) {
  std::string m = "n,a=" + saslname(user) + ",\x01host=";
  m.append(host);
  m += "\x01port=" + std::to_string(port) + "\x01" "auth=Bearer ";
  m.append(token);
  m += "\x01\x01";
  return m;
}

std::string token_problem(std::string_view token) {
  if (token.empty()) return "the access token is empty";
  std::size_t i = 0;
  while (i < token.size() && b64token_char(token[i])) ++i;
  if (i == 0) return "the access token does not start with a token character (RFC 6750 §2.1)";
  while (i < token.size() && token[i] == '=') ++i;
  if (i != token.size())
    return "the access token has a character outside the RFC 6750 §2.1 set at offset " + std::to_string(i);
  return {};
}

std::string base64_encode(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace mailprobe::auth
