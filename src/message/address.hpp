#pragma once

#include <string>
#include <string_view>

namespace mailprobe::message {

/// Checks a bare envelope address (local@domain): printable ASCII or UTF-8,
/// no whitespace, control characters, angle brackets or commas; exactly one
/// '@' separating non-empty parts. Returns "" if valid, else the reason.
std::string address_problem(std::string_view addr);

/// The domain part of a valid address.
std::string_view domain_of(std::string_view addr);

/// True if s contains CR, LF or NUL (header injection).
bool has_line_break(std::string_view s);

}  // namespace mailprobe::message
