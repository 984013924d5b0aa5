#pragma once

// Which flags an IMAP client may set, and flag-list lookups (RFC 3501 §2.3.2,
// §9 flag). Shared by STORE and APPEND.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/imap_parser.hpp"

namespace mailprobe::serve::imap {

/// Case-insensitive membership.
bool has_flag(const std::vector<std::string>& flags, std::string_view f);

/// The flags a client may set (STORE, APPEND): system flags other than
/// \Recent, in canonical spelling, and keyword atoms, without duplicates.
/// Anything else, such as a string holding CRLF, is refused with `error`, so
/// stored flags can always be echoed in FLAGS responses (issue 17, D8).
std::optional<std::vector<std::string>> client_flags(const std::vector<const Token*>& toks, std::string* error);

}  // namespace mailprobe::serve::imap
