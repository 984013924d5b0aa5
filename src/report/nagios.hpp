#pragma once

// The Nagios / monitoring-plugins rendering of a Record (ecosystem.md §5.2):
//   <LABEL> <OK|WARNING|CRITICAL|UNKNOWN> - <summary> | <perfdata>\n
// State: a failed run is CRITICAL (UNKNOWN for internal_error: the plugin
// could not decide); a successful run compares the threshold_key cell with
// crit, then warn. Perfdata items come from the kNagiosPerf cells in table
// order: 'label'=value[UOM];warn;crit with thresholds only on the
// threshold_key item, `U` for absent values, plain decimals only. UOM:
// unit "s"/"ms"/"us" as is, "bytes" -> "B", anything else none. String and
// timestamp cells are not performance data and are skipped.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "report/nagios_range.hpp"
#include "report/record.hpp"

namespace mailprobe::report {

struct NagiosResult {
  int exit_code = 3;  // 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
  std::string text;   // one line ending in "\n"
};

/// The plugin output and exit code. `service_label` starts the line
/// ("MAILPROBE" when empty). Thresholds are in the unit of the threshold_key
/// cell (seconds for *_seconds). A successful run with thresholds but no
/// value in that cell is UNKNOWN. '|' in the summary becomes '/'.
NagiosResult to_nagios(const Record& record, std::string_view service_label,
                       const std::optional<Range>& warn, const std::optional<Range>& crit,
                       std::string_view threshold_key);

/// Many records (one per route) as one plugin output: the worst state
/// (CRITICAL > WARNING > UNKNOWN > OK) and its exit code; the summary counts
/// the records per state and names the ones not OK; perfdata holds every
/// record's items with its `name_key` cell in front of each label
/// ("own-to-gmail.delivery_seconds"). An empty span is UNKNOWN.
NagiosResult to_nagios(std::span<const Record> records, std::string_view service_label,
                       const std::optional<Range>& warn, const std::optional<Range>& crit,
                       std::string_view threshold_key, std::string_view name_key);

/// A perfdata label: '=' -> '_', quoted with '' for quotes when it holds a
/// space or a quote, bare otherwise.
std::string perf_label(std::string_view key);

}  // namespace mailprobe::report
