#pragma once

// Non-throwing substring for parsers. std::string_view::substr throws
// std::out_of_range when `pos` is past the end; on offsets derived from
// network or file input that turns a parser bug into a process abort (issue
// 17, D1). slice() clamps instead: a start past the end gives an empty view,
// a count past the end stops at the end. Parsers use it for every offset
// computed from input; `.at()` is not used on input-derived indices.

#include <cstddef>
#include <string_view>

namespace mailprobe {

/// s[pos, pos + n) clamped to s; never throws.
constexpr std::string_view slice(std::string_view s, std::size_t pos,
                                 std::size_t n = std::string_view::npos) noexcept {
  if (pos >= s.size()) return {};
  std::size_t left = s.size() - pos;
  return std::string_view(s.data() + pos, n < left ? n : left);
}

}  // namespace mailprobe
