#include "report/output_format.hpp"

namespace mailprobe::report {

namespace {

constexpr OutputFormat kAll[] = {OutputFormat::json, OutputFormat::influx, OutputFormat::text,
                                 OutputFormat::prometheus, OutputFormat::nagios};

}  // namespace

std::string_view to_string(OutputFormat f) {
  switch (f) {
    case OutputFormat::json: return "json";
    case OutputFormat::influx: return "influx";
    case OutputFormat::text: return "text";
    case OutputFormat::prometheus: return "prometheus";
    case OutputFormat::nagios: return "nagios";
  }
  return "json";
}

std::optional<OutputFormat> parse_output_format(std::string_view text) {
  for (OutputFormat f : kAll)
    if (to_string(f) == text) return f;
  return std::nullopt;
}

}  // namespace mailprobe::report
