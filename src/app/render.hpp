#pragma once

// The one render dispatch: OutputFormat → report::* formatter, for every
// command's records, plus check's extras (legacy schema, textfile, nagios).

#include <span>
#include <string>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "report/output_format.hpp"
#include "report/record.hpp"

namespace mailprobe::app {

/// One record in json (with a trailing newline), influx, text or
/// prometheus. Pure. nagios is check-only (see render below) and yields "".
std::string render_record(const report::Record& rec, report::OutputFormat f);

/// Several records: one HELP/TYPE per family for prometheus, the records
/// one after another for the other formats. Pure.
std::string render_records(std::span<const report::Record> recs, report::OutputFormat f);

struct Rendered {
  std::string out;   // exactly what goes to stdout (may be empty for --textfile)
  int exit_code = 0; // process exit status for this format
  std::string error; // set when writing the textfile failed
};

/// Renders one check report in the configured format. Pure except for
/// --textfile, which is written atomically here. Nagios ranges must have
/// been validated (check_options does).
Rendered render(const check::CheckConfig& cfg, const check::CheckReport& r);

}  // namespace mailprobe::app
