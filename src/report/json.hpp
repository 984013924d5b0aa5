#pragma once

// The JSON rendering of a Record: one compact object on one line (Telegraf
// execd reads JSON line by line), keys in table order. The only RapidJSON user.

#include <string>

#include "report/record.hpp"

namespace mailprobe::report {

/// One compact JSON object (no trailing newline) of the kJson cells:
/// boolean -> true/false, integer -> integer, number -> double, string ->
/// string (ill-formed UTF-8 replaced by U+FFFD, controls escaped), timestamp
/// -> ISO 8601 UTC string with microseconds. Absent values and NaN/Inf are
/// omitted, or written as null when the column is json_always.
std::string to_json(const Record& record);

}  // namespace mailprobe::report
