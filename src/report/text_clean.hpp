#pragma once

// Text hygiene shared by every formatter: server replies and user input may
// carry invalid UTF-8 or control characters (CR/LF, TAB, ESC sequences) that
// would break a line-oriented format or a terminal.

#include <string>
#include <string_view>

namespace mailprobe::report {

/// `s` with every ill-formed UTF-8 sequence (overlong, surrogate, > U+10FFFF,
/// truncated, stray continuation byte) replaced by U+FFFD, one per bad byte.
std::string valid_utf8(std::string_view s);

/// valid_utf8(s) without control characters (C0, DEL, C1): leading and
/// trailing runs are dropped, each inner run becomes one space so words stay
/// apart ("550-a\r\n550 b" -> "550-a 550 b").
std::string without_controls(std::string_view s);

/// Number of code points in valid UTF-8 `s` (its width for ASCII-ish text).
std::size_t code_points(std::string_view s);

}  // namespace mailprobe::report
