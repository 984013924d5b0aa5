#pragma once

// Small files that hold one secret line (client secret, refresh token,
// access token) or the token cache: read whole, written atomically with
// mode 0600 from creation on.

#include <optional>
#include <string>

namespace mailprobe::auth {

/// The first line of `path`, one trailing LF or CRLF stripped. nullopt with
/// `why` set ("cannot read the <what> '<path>'", empty, more than one line).
/// `why` never quotes the content.
std::optional<std::string> read_one_line(const std::string& path, const char* what, std::string& why);

/// Replaces `path` with `content` through a temporary file in the same
/// directory and rename(2), so readers see the old or the new file, never a
/// partial one. The new file has mode 0600. Returns "" or why not.
std::string write_private_file(const std::string& path, const std::string& content);

}  // namespace mailprobe::auth
