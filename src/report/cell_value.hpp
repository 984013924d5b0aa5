#pragma once

// Format-neutral readings of a cell Value, shared by the formatters so that
// "absent" and "numeric" mean the same thing in every output.

#include <optional>
#include <string>

#include "report/record.hpp"

namespace mailprobe::report {

/// True for monostate and for NaN/Inf numbers: no format prints those
/// (line protocol has no NaN, JSON has no Inf), so they count as absent.
bool is_absent(const Value& v);

/// The value as a double: bool 0/1, integer, finite number, timestamp as unix
/// seconds. nullopt for strings and absent values.
std::optional<double> as_number(const Value& v);

/// The value as text for a tag or label: strings verbatim, booleans
/// "true"/"false", numbers shortest, timestamps ISO 8601. "" when absent.
std::string as_text(const Value& v);

}  // namespace mailprobe::report
