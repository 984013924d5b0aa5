#pragma once

// The Prometheus text-format rendering of a Record for node_exporter's
// textfile collector (ecosystem.md §5.1). Naming:
//   - every kPrometheus field cell with a numeric or boolean value becomes a
//     gauge `mailprobe_<key>` (booleans 0/1, timestamps unix seconds) with
//     the column help as HELP (the key when help is empty); string fields are
//     skipped; absent/NaN values print no lines at all (no HELP or TYPE
//     either, so no empty metric family);
//   - labels: `measurement="<Record.measurement>"` first, then the kPrometheus
//     tag cells sorted by key (empty values left out). The measurement label
//     keeps series of different commands apart when they share one textfile
//     directory (node_exporter merges all *.prom files into one namespace);
//   - `mailprobe_success` (from Record.success, unless a cell already
//     produced it) and `mailprobe_last_run_timestamp_seconds` (Record.time)
//     are always appended;
//   - no sample timestamps: node_exporter rejects files that have them.
// Names are sanitised to [a-zA-Z0-9_] (':' is for recording rules).

#include <span>
#include <string>
#include <string_view>

#include "report/record.hpp"
#include "report/textfile.hpp"  // write_textfile(): the atomic writer for this output

namespace mailprobe::report {

/// The whole textfile: "# HELP", "# TYPE ... gauge" and one sample per metric,
/// every line ending in "\n".
std::string to_prometheus(const Record& record);

/// Several records in one exposition (e.g. one per MX address): each metric
/// family gets its HELP/TYPE once, followed by every record's sample.
std::string to_prometheus(std::span<const Record> records);

/// `prefix` + `name` with every character outside [a-zA-Z0-9_] replaced by '_'
/// (a leading digit gets a '_' in front when prefix is empty).
std::string metric_name(std::string_view prefix, std::string_view name);

/// A label value body (without quotes): '\' -> "\\", '"' -> "\"", LF -> "\n".
std::string escape_label_value(std::string_view s);

}  // namespace mailprobe::report
