#pragma once

// The routes file of `mailprobe check --routes FILE` (TOML):
//
//   [defaults]          any route-wide or run-wide check flag, by its long name
//   [account.NAME]      email = "...", plus smtp-* and imap-* flags
//   [[route]]           name (required, unique), from/to (account names),
//                       plus any route-wide check flag
//
// The parser knows no flag itself: the caller describes every check flag
// through a FlagLookup, so each key is exactly a command-line flag and the
// settings are later fed through the same option parser as argv. What the
// parser decides is only the file's shape: unknown keys, wrong value types,
// duplicate or malformed route names, unknown accounts, run-wide flags inside
// a route, and secrets given inline where a "-file" form exists. Each error
// is one line, "FILE:LINE: key 'K': what is wrong". Reads the file; no other
// I/O.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailprobe::routes {

/// What a flag takes on the command line, and so which TOML types it accepts.
enum class FlagKind {
  text,     // a string
  number,   // an integer or a float
  integer,  // an integer
  boolean,  // a switch without value: true = given, false = not given
  list,     // repeatable: a string or an array of strings
};

/// Where a flag may appear in the file.
enum class FlagScope {
  route,         // [defaults], [account.*] (smtp-*/imap-* only) and [[route]]
  run,           // [defaults] only (output format, concurrency, ...)
  command_line,  // never in the file (--routes, --help, --execd, ...)
};

struct FlagInfo {
  FlagKind kind;
  FlagScope scope;
};

/// The check flag by its long name, or nullopt when there is no such flag.
using FlagLookup = std::function<std::optional<FlagInfo>(std::string_view)>;

/// One flag as it will be given to the option parser, and where it came from.
struct Setting {
  std::string flag;                 // long name, without "--"
  std::vector<std::string> values;  // one for text/number/integer; "true"/"false" for boolean; 0..n for list
  std::string file;
  int line = 0;
};

struct Route {
  std::string name;
  int line = 0;  // of its [[route]] header
  /// Account settings, then the route's own keys (in file order, a later
  /// setting of the same flag replaces an earlier one). email-from and
  /// email-to come from the accounts' `email`.
  std::vector<Setting> settings;
};

struct RoutesFile {
  std::string path;
  std::vector<Setting> defaults;
  std::vector<Route> routes;  // file order, at least one
};

/// Route names become the `route` tag and are listed on execd trigger lines:
/// 1-64 characters from [A-Za-z0-9._:@+-]. Returns "" or what is wrong.
std::string route_name_problem(std::string_view name);

/// Parses TOML text as if read from `path` (used in messages only).
/// On error returns nullopt and sets `error` to one line.
std::optional<RoutesFile> parse_routes(std::string_view text, const std::string& path, const FlagLookup& lookup,
                                       std::string& error);

/// Reads and parses the file; an unreadable file is an error too.
std::optional<RoutesFile> load_routes(const std::string& path, const FlagLookup& lookup, std::string& error);

}  // namespace mailprobe::routes
