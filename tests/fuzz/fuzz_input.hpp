#pragma once

// Shared by the libFuzzer harnesses: the input as a string_view, and a split
// of one input into several chunks (so that stream parsers also see their
// input cut at arbitrary places, as reads from a socket would cut it).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace mailprobe::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

/// The first byte picks a chunk length of 1-64; the rest is cut into chunks of it.
inline std::vector<std::string_view> chunks(std::string_view in) {
  std::vector<std::string_view> out;
  if (in.empty()) return out;
  std::size_t n = static_cast<unsigned char>(in.front()) % 64 + 1;
  in.remove_prefix(1);
  while (!in.empty()) {
    std::size_t k = n < in.size() ? n : in.size();
    out.push_back(in.substr(0, k));
    in.remove_prefix(k);
  }
  return out;
}

}  // namespace mailprobe::fuzz
