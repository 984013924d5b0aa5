#pragma once

// Just enough RFC 5322 message structure for IMAP FETCH and SEARCH: the
// header/body split and header fields with folding undone (RFC 5322 §2.2.3).

#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::serve {

/// The header block including the blank line that ends it (RFC 3501 BODY[HEADER]).
std::string_view header_block(std::string_view message);
/// Everything after the blank line (RFC 3501 BODY[TEXT]).
std::string_view body_text(std::string_view message);

struct HeaderField {
  std::string name;   // as written
  std::string raw;    // the field's raw lines including CRLF
  std::string value;  // unfolded, leading whitespace trimmed
};

/// The header fields in order.
std::vector<HeaderField> header_fields(std::string_view message);
/// RFC 3501 §6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT: the chosen raw fields plus the blank line.
std::string select_fields(std::string_view message, const std::vector<std::string>& names, bool exclude);
/// Case-insensitive (ASCII) substring test; an empty needle always matches.
bool contains_ci(std::string_view haystack, std::string_view needle);

}  // namespace mailprobe::serve
