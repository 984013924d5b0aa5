#include "report/markdown.hpp"

#include <utility>

#include "core/failure.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

std::string cell_text(std::string_view s) {
  std::string out;
  for (char c : without_controls(s)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string code(std::string_view s) {
  std::string out;
  if (s.empty()) return out;
  out += '`';
  out += s;
  out += '`';
  return out;
}

std::string_view influx_type(const FieldSpec& spec) {
  if (spec.role == Role::tag) return "string";
  switch (spec.type) {
    case Type::boolean:
      return "boolean";
    case Type::integer:
      return "integer";
    case Type::number:
      return "float";
    case Type::string:
      return "string";
    case Type::timestamp:
      return "float";
  }
  return "string";
}

std::string formats_of(unsigned formats) {
  static constexpr std::pair<unsigned, std::string_view> kNames[] = {
      {kJson, "json"}, {kInflux, "influx"},     {kPrometheus, "prometheus"},
      {kText, "text"}, {kNagiosPerf, "nagios"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (!(formats & bit)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

std::string metrics_table(std::span<const FieldSpec* const> specs, std::string_view measurement) {
  std::string out = "Measurement ";
  out += code(cell_text(measurement));
  out += ":\n\n| key | role | type | unit | formats | description |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const FieldSpec* spec : specs) {
    out += "| ";
    out += code(cell_text(spec->key));
    out += " | ";
    out += spec->role == Role::tag ? "tag" : "field";
    out += " | ";
    out += influx_type(*spec);
    out += " | ";
    out += cell_text(spec->unit);
    out += " | ";
    out += formats_of(spec->formats);
    out += " | ";
    out += cell_text(spec->help);
    out += " |\n";
  }
  return out;
}

std::string result_table() {
  std::string out = "| result | result_code |\n|---|---|\n";
  for (Result r : all_results()) {
    out += "| ";
    out += code(to_string(r));
    out += " | ";
    out += std::to_string(result_code(r));
    out += " |\n";
  }
  return out;
}

}  // namespace mailprobe::report
