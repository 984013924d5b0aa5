#include "app/fleet_flags.hpp"

#include <cmath>

#include "app/usage_error.hpp"
#include "check/check_fields.hpp"
#include "net/endpoint.hpp"
#include "report/tag_spec.hpp"

namespace mailprobe::app {

namespace {

/// A tag value or source: printable, no control characters, bounded.
std::string text_problem(const std::string& s, std::size_t max) {
  if (s.empty()) return "is empty";
  if (s.size() > max) return "is longer than " + std::to_string(max) + " characters";
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return "contains a control character";
  return {};
}

}  // namespace

void add_fleet_flags(cxxopts::Options& o) {
  // clang-format off
  o.add_options("Routes and fleet")
    ("routes", "run every route of this TOML file (keys are these flags' long names; README \"Many routes\")",
        cxxopts::value<std::string>())
    ("concurrency", "--routes: routes in flight at once", cxxopts::value<int>()->default_value("50"))
    ("jitter", "delay each send by a random 0..SECONDS, so a fleet does not hit a server at once",
        cxxopts::value<double>()->default_value("0"))
    ("source", "the source tag and X-Mailprobe-Source header (default: this host's name)",
        cxxopts::value<std::string>())
    ("tag", "KEY=VALUE tag on every record (repeatable)", cxxopts::value<std::vector<std::string>>());
  // clang-format on
}

std::pair<std::string, std::string> parse_tag(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) throw UsageError("--tag must be KEY=VALUE, got '" + spec + "'");
  std::string key = spec.substr(0, eq), value = spec.substr(eq + 1);
  if (auto p = report::tag_key_problem(key); !p.empty()) throw UsageError("--tag key '" + key + "' " + p);
  for (const auto& col : check::check_table())
    if (col.spec.key == key) throw UsageError("--tag key '" + key + "' is already a field of the record");
  if (auto p = text_problem(value, 256); !p.empty()) throw UsageError("--tag " + key + " value " + p);
  return {key, value};
}

FleetFlags parse_fleet_flags(const cxxopts::ParseResult& r) {
  FleetFlags f;
  if (r.count("routes")) {
    f.routes_file = r["routes"].as<std::string>();
    if (f.routes_file.empty()) throw UsageError("--routes is empty");
  }
  f.concurrency = r["concurrency"].as<int>();
  if (f.concurrency < 1 || f.concurrency > 1000) throw UsageError("--concurrency must be 1-1000");
  double j = r["jitter"].as<double>();
  if (!std::isfinite(j) || j < 0 || j > 3600) throw UsageError("--jitter must be 0-3600 seconds");
  f.jitter = std::chrono::milliseconds(static_cast<long long>(std::llround(j * 1000)));
  f.source = r.count("source") ? r["source"].as<std::string>() : net::local_hostname();
  if (auto p = text_problem(f.source, 255); !p.empty()) throw UsageError("--source " + p);
  if (r.count("tag")) {
    for (const auto& spec : r["tag"].as<std::vector<std::string>>()) {
      auto [key, value] = parse_tag(spec);
      bool replaced = false;
      for (auto& kv : f.tags)
        if (kv.first == key) {
          kv.second = value;  // a later layer (the route) wins
          replaced = true;
        }
      if (!replaced) f.tags.emplace_back(std::move(key), std::move(value));
    }
  }
  return f;
}

}  // namespace mailprobe::app
