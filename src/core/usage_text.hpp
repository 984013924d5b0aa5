#pragma once

// One line for every command-line mistake the option parser (cxxopts)
// reports, in mailprobe's own words: the option with its dashes, the value
// that failed, and the nearest known option when the name is a typo.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe {

/// The candidate nearest to `word` (Levenshtein), if it is close enough to
/// be a typo (at most 2 edits, or a third of the word) and the only one.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

/// Rewrites a cxxopts parse error:
///   Option ‘imap-hots’ does not exist    -> unknown option --imap-hots (did you mean --imap-host?)
///   Argument ‘abc’ failed to parse       -> --timeout: 'abc' is not a number
///   Option ‘timeout’ is missing an argument -> --timeout needs a value
/// `options` are the long names without dashes; `args` the command line
/// (to find which option a bad value belongs to). Unknown texts pass through.
std::string usage_text(std::string_view cxxopts_what, const std::vector<std::string>& options,
                       const std::vector<std::string>& args);

/// The long option names ("--name") in a cxxopts help text, in order.
std::vector<std::string> long_options_in_help(std::string_view help);

}  // namespace mailprobe
