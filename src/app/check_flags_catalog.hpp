#pragma once

// The check flags as the routes file sees them (routes/routes_file.hpp): the
// kind and scope of every flag `mailprobe check` declares. Built from the
// very cxxopts declaration that parses argv, so a new flag is at once a
// valid routes-file key and --help documents both.

#include "routes/routes_file.hpp"

namespace mailprobe::app {

/// Looks a long flag name up in check's declaration. The kind comes from
/// cxxopts (a switch, a repeatable list) or, for a value flag, from which
/// texts its parser accepts (an integer, a number or any string). Run-wide
/// flags (output, concurrency, source, ...) are FlagScope::run; --routes,
/// --execd, --help and --list-fields are command-line only.
routes::FlagLookup check_flag_lookup();

}  // namespace mailprobe::app
