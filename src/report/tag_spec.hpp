#pragma once

// Specs for tags that no command table declares: the user's --tag
// key=value pairs. A Cell points at its FieldSpec, so the spec of each
// distinct key is created once and lives until the process exits (the keys
// come from the command line and the routes file: a handful).

#include <string>
#include <string_view>

#include "report/record.hpp"

namespace mailprobe::report {

/// The spec of user tag `key` (Role::tag, string, every format). Thread-safe;
/// the same key always gives the same pointer.
const FieldSpec* tag_spec(std::string_view key);

/// Whether `key` may be a user tag: 1-64 characters from [a-z0-9_],
/// starting with a letter, and not a key any table already uses (the caller
/// checks collisions with its table). Returns "" or what is wrong.
std::string tag_key_problem(std::string_view key);

}  // namespace mailprobe::report
