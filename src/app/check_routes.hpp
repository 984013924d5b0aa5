#pragma once

// `mailprobe check --routes FILE`: every route of a routes file in one run
// (routes/run_routes.hpp), one record per route. Each route is parsed by
// check's own option parser from the argv route_args() lays out, so a route
// accepts and refuses exactly what a command line would; the first route
// that does not parse is a usage error naming the file, line and key, and
// nothing is sent.

#include <string>
#include <vector>

#include "app/check_options.hpp"

namespace mailprobe::app {

/// The routes of `file` as parsed checks, in file order (each config's
/// `route` set). `command_line` holds the flags given beside --routes
/// (without --routes FILE). Throws UsageError with the located line.
std::vector<ParsedCheck> parse_routes_file(const std::string& file, const std::vector<std::string>& command_line,
                                           GetenvFn env = real_getenv, bool stdout_is_tty = false);

/// argv[1..] without "--routes FILE" / "--routes=FILE".
std::vector<std::string> flags_beside_routes(int argc, char** argv);

/// Runs the routes once (or, with --execd, once per trigger line) and
/// prints their records; returns the exit code (render_routes' contract).
int run_check_routes(const ParsedCheck& top, int argc, char** argv);

}  // namespace mailprobe::app
