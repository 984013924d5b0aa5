#pragma once

// The InfluxDB line protocol rendering of a Record (ecosystem.md §3):
//   measurement[,tag=value...] field=value[,...] [unix_nanos]\n
// Tags are the kInflux Role::tag cells sorted by key; fields are the kInflux
// Role::field cells in table order. Field types are fixed per column:
//   boolean -> true/false, integer -> 42i, number -> float with a '.'
//   ("0.0", "1.5", "1.0e+21"), string -> "quoted", timestamp -> float unix
//   seconds with microsecond resolution. Timestamp cells appear only when
//   their column carries kInflux; seconds keep them in the schema's one time
//   unit (durations are `*_seconds`, Prometheus uses `*_timestamp_seconds`).
// Absent values, NaN/Inf and empty tag values are left out, never guessed.

#include <string>
#include <string_view>

#include "report/record.hpp"

namespace mailprobe::report {

/// One line of line protocol ending in "\n", timestamped with record.time in
/// nanoseconds (no timestamp if record.time is the epoch, so the receiver
/// uses its own clock). Returns "" when no field or no measurement is left:
/// line protocol requires both, and an empty output is a valid "no metric".
std::string to_influx(const Record& record);

/// A measurement name: controls removed, comma and space escaped, trailing
/// backslashes dropped, and an odd run of backslashes before comma/space
/// shortened by one (parsers read `\X` as a unit, so `\\,` would end the name).
std::string escape_measurement(std::string_view s);

/// A tag key, tag value or field key: as escape_measurement() with comma,
/// '=' and space as the special characters. "" means: leave the tag out.
std::string escape_tag(std::string_view s);

/// A string field value with its quotes: controls removed, '"' and '\'
/// escaped, cut to 64 KiB (the InfluxDB limit) on a UTF-8 boundary.
std::string quote_field_string(std::string_view s);

/// A float field value: shortest round-trip text with a '.'; caller must
/// pass a finite value.
std::string format_float_field(double v);

}  // namespace mailprobe::report
