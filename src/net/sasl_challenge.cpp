#include "net/sasl_challenge.hpp"

namespace mailprobe::net {

namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

constexpr std::size_t kMaxText = 300;

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = b64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<std::string> decode_challenge(std::string_view line) {
  std::string_view payload;
  if (line.rfind("334 ", 0) == 0) payload = line.substr(4);
  else if (line.rfind("+ ", 0) == 0) payload = line.substr(2);
  else return std::nullopt;
  while (!payload.empty() && payload.back() == ' ') payload.remove_suffix(1);
  if (payload.empty()) return std::nullopt;
  auto raw = base64_decode(payload);
  if (!raw || raw->empty()) return std::nullopt;
  std::string out;
  for (unsigned char c : *raw) {
    if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
  }
  if (out.empty()) return std::nullopt;
  if (out.size() > kMaxText) out.resize(kMaxText);
  return out;
}

std::string rejected_text(const std::optional<std::string>& challenge, std::string_view final_reply) {
  std::string t = "server rejected the token: ";
  if (challenge) t += *challenge;
  else t.append(final_reply.empty() ? std::string_view("no reason given") : final_reply);
  return t;
}

}  // namespace mailprobe::net
