#pragma once

// The output formats every command can print a Record in. Which subset a
// command offers is the shell's business (src/app/flags.hpp); the formatters
// themselves live beside this header (json, influx, text, prometheus, nagios).

#include <optional>
#include <string_view>

namespace mailprobe::report {

enum class OutputFormat { json, influx, text, prometheus, nagios };

/// The format's flag value ("json", "influx", ...).
std::string_view to_string(OutputFormat f);

/// The inverse of to_string; nullopt for any other text (case-sensitive).
std::optional<OutputFormat> parse_output_format(std::string_view text);

}  // namespace mailprobe::report
