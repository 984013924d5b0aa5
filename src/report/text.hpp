#pragma once

// The human rendering of a Record for terminals and cron mail:
//   OK: <summary>            (or "FAILED: <summary>")
//     <label>  <value>       one aligned line per present kText cell
// Labels are the column help (the key when help is empty), cut to 44
// columns; values: seconds "0.123 s", micro-seconds "12.3 ms", booleans
// yes/no, timestamps ISO 8601, other units appended ("3 bytes"). Control
// characters in any text are removed so server replies cannot drive the
// terminal.

#include <string>

#include "report/record.hpp"

namespace mailprobe::report {

/// The report, every line ending in "\n". Absent cells are skipped.
std::string to_text(const Record& record);

}  // namespace mailprobe::report
