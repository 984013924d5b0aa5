#pragma once

// The Prometheus text-format rendering of a Record for node_exporter's
// textfile collector. Naming:
//   - every metric is `<family>_<key>`, where the family comes from the
//     record's measurement: mailprobe_check_ (mail_delivery),
//     mailprobe_probe_smtp_ / _imap_ / _mx_ (smtp_probe, imap_probe, mx_probe).
//     check and probe files in one directory never share a name, so their
//     HELP texts cannot clash (node_exporter drops a family whose HELP
//     differs between files, and still reports node_textfile_scrape_error 0);
//   - every kPrometheus field cell with a numeric or boolean value becomes a
//     gauge (booleans 0/1, timestamps unix seconds) with the column help as
//     HELP (the key when help is empty); string fields are skipped; absent or
//     NaN values print no lines at all;
//   - labels are the identity tags only (what is measured: server, port,
//     mailbox, ...), sorted by key, empty values left out. The outcome tags
//     (result, stage, placement) go only on `<family>_outcome_info` (value 1),
//     so a duration series keeps its identity when the outcome changes;
//   - `<family>_success`, `<family>_last_run_timestamp_seconds` (Record.time)
//     and `<family>_last_success_timestamp_seconds` are appended; the last
//     success is this run's time when it succeeded, else the value carried
//     over from the previous file (the key metric of a batch job);
//   - no sample timestamps: node_exporter rejects files that have them.
// Names are sanitised to [a-zA-Z0-9_] (':' is for recording rules).

#include <span>
#include <string>
#include <string_view>

#include "core/failure.hpp"
#include "report/record.hpp"
#include "report/textfile.hpp"  // write_textfile(): the atomic writer for this output

namespace mailprobe::report {

/// The whole textfile: "# HELP", "# TYPE ... gauge" and one sample per metric,
/// every line ending in "\n". `previous` is the text this output replaces
/// (the old textfile, or ""): a failed run keeps its last success time.
std::string to_prometheus(const Record& record, std::string_view previous = {});

/// Several records in one exposition (e.g. one per MX address): each metric
/// family gets its HELP/TYPE once, followed by every record's sample.
std::string to_prometheus(std::span<const Record> records, std::string_view previous = {});

/// Renders `records` with the current content of `path` as `previous` and
/// replaces the file atomically (write_textfile). Blocks on disk I/O.
Status write_prometheus_textfile(const std::string& path, std::span<const Record> records);

/// "mailprobe_check_" for measurement mail_delivery, "mailprobe_probe_smtp_"
/// for smtp_probe, and so on; "mailprobe_" when the measurement is empty.
std::string family_prefix(std::string_view measurement);

/// `prefix` + `name` with every character outside [a-zA-Z0-9_] replaced by '_'
/// (a leading digit gets a '_' in front when prefix is empty).
std::string metric_name(std::string_view prefix, std::string_view name);

/// A label value body (without quotes): '\' -> "\\", '"' -> "\"", LF -> "\n".
std::string escape_label_value(std::string_view s);

}  // namespace mailprobe::report
