#pragma once

// argv → CheckConfig for `mailprobe check`. Every flag of seed 002 keeps its
// name, meaning and default; validation happens here, before any network
// I/O, so a bad value is a one-line usage error and nothing is sent.

#include <string>
#include <vector>

#include "app/flags.hpp"
#include "check/config.hpp"

namespace mailprobe::app {

struct ParsedCheck {
  check::CheckConfig config;
  bool help = false;        // --help was given: help_text holds the usage
  std::string help_text;
  bool execd = false;       // --execd: one check per line on stdin
  std::string list_fields;  // --list-fields FORMAT: print the field table and exit
  std::vector<std::string> warnings;  // for stderr (argv passwords, plaintext credentials, --insecure)
};

/// Parses and validates; throws UsageError (or a cxxopts parse error) with
/// one line (no trailing newline). Environment lookups go through `env` so
/// tests can supply their own environment.
ParsedCheck parse_check_args(int argc, char** argv, GetenvFn env = real_getenv, bool stdout_is_tty = false,
                             bool stderr_is_tty = false);

}  // namespace mailprobe::app
