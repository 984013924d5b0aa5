#pragma once

// Documentation generated from THE field table, so telegraf/README.md (and
// any other copy) can be checked against the code and never drift.

#include <string>

namespace mailprobe::check {

/// The `mail_delivery` metrics table (every tag and field with its type,
/// unit and formats) followed by the result-code table, as markdown.
/// This is exactly what `mailprobe check --list-fields` prints.
std::string fields_markdown();

}  // namespace mailprobe::check
