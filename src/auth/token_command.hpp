#pragma once

// --X-token-command: a helper program whose standard output is the access
// token. Run directly with execvp (no shell: nothing in the command line is
// expanded, and no secret passes through argv), stdin from /dev/null,
// stderr discarded (a helper may print secrets there), time-bounded.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::auth {

/// Splits a command line into argv: words separated by blanks; '...' keeps
/// everything literally, "..." keeps blanks and honours \" and \\, a
/// backslash outside quotes escapes the next character. nullopt on an
/// unterminated quote or an empty command.
std::optional<std::vector<std::string>> split_command(std::string_view line);

struct CommandOutput {
  bool ok = false;
  std::string out;    // stdout with trailing CR/LF stripped (when ok)
  std::string error;  // why not (when !ok): exit status, signal, timeout, exec failure
};

/// Runs argv[0] (PATH lookup) and waits at most `limit`; a helper still
/// running then is killed (SIGKILL to its process group). Output past
/// 64 KiB is an error. Blocks the calling thread.
CommandOutput run_token_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

}  // namespace mailprobe::auth
