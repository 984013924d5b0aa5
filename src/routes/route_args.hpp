#pragma once

// One route of a routes file as the argv of one `check`, so that a route is
// parsed and validated by exactly the same option parser as a command line.
// Precedence, lowest first: [defaults], the flags given beside --routes on
// the command line, the route's accounts and its own keys. The option parser
// keeps the last value of a flag given twice, so the argv is laid out in
// that order; a switch set to false in a route cancels the [defaults] one
// (switches cannot be negated on a command line), and repeatable flags
// (--tag) accumulate over all three layers.

#include <string>
#include <vector>

#include "routes/routes_file.hpp"

namespace mailprobe::routes {

struct RouteArgs {
  std::vector<std::string> argv;  // argv[0] is "check"
  std::vector<Setting> from_file;  // the file settings that made it into argv
};

/// Lays out the argv of `route`. `command_line` holds the caller's own
/// flags (already split as on a command line, without argv[0] and without
/// --routes FILE). Pure.
RouteArgs route_args(const RoutesFile& file, const Route& route, const std::vector<std::string>& command_line,
                     const FlagLookup& lookup);

/// The option parser's one-line error for this route, located in the file:
/// "FILE:LINE: key 'K': route 'NAME': ERROR" when the error names a flag that
/// came from the file (as "--K"), else "FILE:LINE: route 'NAME': ERROR" at
/// the route's [[route]] line. Pure.
std::string locate_error(const std::string& error, const RoutesFile& file, const Route& route,
                         const RouteArgs& args);

}  // namespace mailprobe::routes
