#pragma once

// argv → CheckConfig. Every flag of seed 002 keeps its name, meaning and
// default; validation happens here, before any network I/O, so a bad value
// is a one-line usage error and nothing is sent.

#include <optional>
#include <string>
#include <vector>

#include "check/config.hpp"

namespace mailprobe::check {

struct ParsedCheck {
  CheckConfig config;
  bool help = false;        // --help was given: help_text holds the usage
  std::string help_text;
  bool execd = false;       // --execd: one check per line on stdin
  std::vector<std::string> warnings;  // for stderr (argv passwords, plaintext credentials, --insecure)
};

/// Parses and validates. On error returns nullopt and sets `error` to one
/// line (no trailing newline). Environment lookups go through `getenv_fn`
/// so tests can supply their own environment.
std::optional<ParsedCheck> parse_check_args(int argc, char** argv, std::string& error,
                                            const char* (*getenv_fn)(const char*) = nullptr,
                                            bool stdout_is_tty = false, bool stderr_is_tty = false);

}  // namespace mailprobe::check
