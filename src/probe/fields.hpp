#pragma once

// The one field table of `mailprobe probe smtp|imap`: every key, type, unit
// and format in one place (report/record.hpp). JSON, Influx, Prometheus and
// text all render the Record built here.

#include <span>

#include "probe/probe_result.hpp"
#include "report/record.hpp"

namespace mailprobe::probe {

/// The table, in output order.
std::span<const report::Column<ProbeResult>> probe_columns();

/// One Record for one probe: measurement "smtp_probe" or "imap_probe".
report::Record build_record(const ProbeResult& r);

/// One human sentence: "smtp mx.example.org:25 starttls: ok in 0.123 s ...".
std::string summary_of(const ProbeResult& r);

}  // namespace mailprobe::probe
