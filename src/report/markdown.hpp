#pragma once

// Markdown tables generated from the field tables, for README.md and
// telegraf/README.md, so the documentation cannot drift from the code.

#include <span>
#include <string>
#include <string_view>

#include "report/record.hpp"

namespace mailprobe::report {

/// "Measurement `<measurement>`:" and a table with one row per spec:
/// key | role | type (as line protocol stores it: tags are strings,
/// timestamps floats) | unit | formats | description. '|' in text is escaped.
std::string metrics_table(std::span<const FieldSpec* const> specs, std::string_view measurement);

/// A table of every Result token and its result_code, in code order.
std::string result_table();

}  // namespace mailprobe::report
