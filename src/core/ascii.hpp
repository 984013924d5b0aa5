#pragma once

// ASCII case helpers for protocol keywords (SMTP verbs, IMAP atoms, header
// names, MIME tokens). Locale-independent: only A-Z/a-z change.

#include <string>
#include <string_view>

namespace mailprobe {

/// ASCII lower-case copy.
std::string ascii_lower(std::string_view s);
/// ASCII upper-case copy.
std::string ascii_upper(std::string_view s);
/// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b);

}  // namespace mailprobe
