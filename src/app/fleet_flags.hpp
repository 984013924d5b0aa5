#pragma once

// The flags of check that are about the run rather than one route: the
// routes file and how to run it (--routes, --concurrency, --jitter), and
// who runs it (--source, --tag). Declared in group "Routes and fleet".

#include <cxxopts.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace mailprobe::app {

struct FleetFlags {
  std::string routes_file;  // --routes; "" = a single check
  int concurrency = 50;     // routes in flight at once
  std::chrono::milliseconds jitter{0};
  std::string source;       // default: this host's name
  std::vector<std::pair<std::string, std::string>> tags;  // keys unique, first-seen order, last value wins
};

void add_fleet_flags(cxxopts::Options& o);

/// Reads and validates them; throws UsageError. A tag key must be a valid
/// user tag (report::tag_key_problem) and not a key of check's field table.
FleetFlags parse_fleet_flags(const cxxopts::ParseResult& r);

/// "key=value" split and checked; throws UsageError naming --tag.
std::pair<std::string, std::string> parse_tag(const std::string& spec);

}  // namespace mailprobe::app
