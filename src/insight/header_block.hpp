#pragma once

// A message's header section as raw bytes in, unfolded fields out. Shared by
// every insight parser. Pure, bounded: never throws, never recurses, and stops
// at fixed limits so hostile input costs linear time at most.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.hpp"

namespace mailprobe::insight {

/// Bytes of header section examined at most; the rest is ignored.
inline constexpr std::size_t kMaxHeaderBytes = 1u << 20;
/// Header fields kept at most (a real message has a few dozen).
inline constexpr std::size_t kMaxHeaderFields = 4096;

struct HeaderField {
  std::string name;   // as sent (compare with iequals)
  std::string value;  // unfolded (RFC 5322 §2.2.3: CRLF before WSP removed), trimmed
};

/// Splits a header section (RFC 5322 §2.2) into fields in the order sent,
/// top first. Accepts CRLF or bare LF; ends at the first empty line. A
/// continuation line (starting with SP or HTAB) joins the previous field;
/// lines without a colon are skipped.
std::vector<HeaderField> parse_header_block(std::string_view raw);

/// Values of every field named `name` (case-insensitive), top first.
std::vector<std::string> header_values(const std::vector<HeaderField>& fields, std::string_view name);

/// Offset of the body: just past the first empty line, or raw.size() if none.
std::size_t body_offset(std::string_view raw);

/// ASCII case-insensitive search (equality and case folding: core/ascii.hpp).
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from = 0);
using ::mailprobe::ascii_lower;
using ::mailprobe::iequals;

/// Trims SP, HTAB, CR and LF at both ends.
std::string_view trim(std::string_view s);

}  // namespace mailprobe::insight
