#pragma once

// One run, one result, several renderings. A command (check, probe, ...)
// declares ONE table of Columns; build_record() turns its result struct into a
// Record by walking that table, and every formatter (json, influx, prometheus,
// nagios, text) renders a Record. A new field is one new row and appears in
// every format at once. Types are fixed per column so a field never changes
// type between success and failure (InfluxDB rejects such conflicts).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/failure.hpp"

namespace mailprobe::report {

enum class Type { boolean, integer, number, string, timestamp };
enum class Role { tag, field };

/// Bitmask of the formats a column appears in.
enum Format : unsigned {
  kJson = 1u << 0,
  kInflux = 1u << 1,
  kPrometheus = 1u << 2,
  kText = 1u << 3,
  kNagiosPerf = 1u << 4,  // becomes a perfdata item
  kAll = kJson | kInflux | kPrometheus | kText,
};

/// A value; monostate = absent (omitted from influx/prometheus, null in JSON
/// only for columns flagged json_always, omitted otherwise).
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string,
                           WallClock::time_point>;

struct FieldSpec {
  std::string_view key;    // snake_case; JSON key, influx tag/field key, prometheus suffix
  Type type;
  Role role;
  std::string_view unit;   // "s", "us", "bytes", "days", "" (a count or text)
  unsigned formats;        // Format bitmask
  std::string_view help;   // one line for docs, HELP lines and the text report
  bool json_always = false;  // JSON prints null instead of omitting when absent
};

struct Cell {
  const FieldSpec* spec;
  Value value;
};

struct Record {
  std::string measurement;           // influx measurement, prometheus prefix ("mail_delivery")
  WallClock::time_point time{};      // the run's start: influx timestamp
  bool success = false;
  Result result = Result::internal_error;
  Stage stage = Stage::none;
  std::string summary;               // one human sentence (text header, nagios status line)
  std::vector<Cell> cells;           // in table order

  /// The cell with this key, or nullptr.
  const Cell* find(std::string_view key) const;
};

/// A column of a command's table: the spec and how to read it from R.
template <typename R>
struct Column {
  FieldSpec spec;
  Value (*get)(const R&);
};

/// Walks the table in order; absent values are kept as monostate cells so
/// formatters decide per format whether to omit them.
template <typename R>
std::vector<Cell> build_cells(std::span<const Column<R>> table, const R& r) {
  std::vector<Cell> cells;
  cells.reserve(table.size());
  for (const auto& col : table) cells.push_back({&col.spec, col.get(r)});
  return cells;
}

/// Specs of a table, for documentation generators.
template <typename R>
std::vector<const FieldSpec*> specs_of(std::span<const Column<R>> table) {
  std::vector<const FieldSpec*> out;
  for (const auto& col : table) out.push_back(&col.spec);
  return out;
}

}  // namespace mailprobe::report
