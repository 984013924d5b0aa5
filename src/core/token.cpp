#include "core/token.hpp"

#include <openssl/rand.h>

namespace mailprobe {

std::optional<std::string> random_token() {
  unsigned char bytes[16];
  // RAND_bytes returns 1 on success, 0 or -1 otherwise: compare with 1.
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::nullopt;
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

}  // namespace mailprobe
