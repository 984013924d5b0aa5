#pragma once

// Many check reports (one per route of a routes file) in the run's format:
// json and influx one line per route (execd reads them line by line),
// prometheus one exposition with one HELP/TYPE per family (written to
// --textfile when set), nagios the worst state with every route's perfdata,
// text a compact table of routes.

#include <span>

#include "app/render.hpp"
#include "check/check_report.hpp"
#include "check/config.hpp"

namespace mailprobe::app {

/// `cfg` holds the run-wide flags (format, schema, textfile, nagios ranges;
/// the same for every route). Exit code: 0 when every route delivered, 1
/// when any did not, 3 when a route hit an internal error or the textfile
/// could not be written; nagios: the worst state's code. Pure except for
/// --textfile.
Rendered render_routes(const check::CheckConfig& cfg, std::span<const check::CheckReport> reports);

}  // namespace mailprobe::app
