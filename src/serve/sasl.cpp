#include "serve/sasl.hpp"

#include "core/slice.hpp"

#include <vector>

#include <openssl/evp.h>

namespace mailprobe::serve {

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  if (in.empty()) return std::string();
  std::vector<unsigned char> out(in.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts '=' padding as zero bytes; drop them.
  std::size_t len = static_cast<std::size_t>(n);
  if (in.back() == '=') --len;
  if (in.size() >= 2 && in[in.size() - 2] == '=') --len;
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string base64_encode(std::string_view in) {
  std::vector<unsigned char> out(4 * ((in.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::optional<PlainCredentials> parse_plain(std::string_view decoded) {
  auto a = decoded.find('\0');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = decoded.find('\0', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  if (decoded.find('\0', b + 1) != std::string_view::npos) return std::nullopt;
  PlainCredentials c;
  c.authzid = std::string(slice(decoded, 0, a));
  c.authcid = std::string(slice(decoded, a + 1, b - a - 1));
  c.password = std::string(slice(decoded, b + 1));
  if (c.authcid.empty()) return std::nullopt;
  return c;
}

}  // namespace mailprobe::serve
