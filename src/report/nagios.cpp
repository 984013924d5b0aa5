#include "report/nagios.hpp"

#include <type_traits>

#include "report/cell_value.hpp"
#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

enum State { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };

std::string_view state_name(int s) {
  switch (s) {
    case kOk:
      return "OK";
    case kWarning:
      return "WARNING";
    case kCritical:
      return "CRITICAL";
    default:
      return "UNKNOWN";
  }
}

std::string_view uom(std::string_view unit) {
  if (unit == "s" || unit == "ms" || unit == "us") return unit;
  if (unit == "bytes") return "B";
  return {};
}

/// The perfdata value with its UOM, "U" when absent, "" when the cell is not
/// performance data.
std::string perf_value(const Cell& cell) {
  if (cell.spec->type == Type::string || cell.spec->type == Type::timestamp) return {};
  if (is_absent(cell.value)) return "U";
  return std::visit(
      [&cell](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        std::string_view u = uom(cell.spec->unit);
        if constexpr (std::is_same_v<T, bool>)
          return x ? "1" : "0";
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return format_integer(x) += u;
        else if constexpr (std::is_same_v<T, double>)
          return format_plain(x) += u;
        else
          return "U";  // a value of the wrong type for its column
      },
      cell.value);
}

std::string perfdata(const Record& record, const std::optional<Range>& warn,
                     const std::optional<Range>& crit, std::string_view threshold_key,
                     std::string_view label_prefix = {}) {
  std::string out;
  for (const Cell& cell : record.cells) {
    if (!(cell.spec->formats & kNagiosPerf)) continue;
    std::string value = perf_value(cell);
    if (value.empty()) continue;
    std::string item = perf_label(std::string(label_prefix) + std::string(cell.spec->key)) + '=' + value;
    if (cell.spec->key == threshold_key && (warn || crit)) {
      item += ';';
      if (warn) item += warn->to_string();
      if (crit) item += ';' + crit->to_string();
    }
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

std::string status_text(std::string_view summary) {
  std::string s = without_controls(summary);
  for (char& c : s)
    if (c == '|') c = '/';
  return s;
}

}  // namespace

std::string perf_label(std::string_view key) {
  std::string clean = without_controls(key);
  bool quote = false;
  std::string body;
  for (char c : clean) {
    if (c == '=') c = '_';
    if (c == ' ' || c == '\'') quote = true;
    if (c == '\'') body += '\'';
    body += c;
  }
  return quote ? "'" + body + "'" : body;
}

NagiosResult to_nagios(const Record& record, std::string_view service_label,
                       const std::optional<Range>& warn, const std::optional<Range>& crit,
                       std::string_view threshold_key) {
  int state = kOk;
  std::string summary = status_text(record.summary);
  if (!record.success) {
    state = record.result == Result::internal_error ? kUnknown : kCritical;
  } else if (warn || crit) {
    const Cell* cell = record.find(threshold_key);
    std::optional<double> v = cell ? as_number(cell->value) : std::nullopt;
    if (!v) {
      state = kUnknown;
      summary += " (no ";
      summary += threshold_key;
      summary += " value to compare with the thresholds)";
    } else if (crit && crit->alerts(*v)) {
      state = kCritical;
    } else if (warn && warn->alerts(*v)) {
      state = kWarning;
    }
  }

  std::string line = service_label.empty() ? "MAILPROBE" : status_text(service_label);
  line += ' ';
  line += state_name(state);
  line += " - ";
  line += summary;
  std::string perf = perfdata(record, warn, crit, threshold_key);
  if (!perf.empty()) line += " | " + perf;
  line += '\n';
  return {state, std::move(line)};
}

}  // namespace mailprobe::report

namespace mailprobe::report {

NagiosResult to_nagios(std::span<const Record> records, std::string_view service_label,
                       const std::optional<Range>& warn, const std::optional<Range>& crit,
                       std::string_view threshold_key, std::string_view name_key) {
  // Severity for aggregation: a CRITICAL route outranks a WARNING one, and
  // both outrank a route the plugin could not judge.
  auto rank = [](int s) { return s == kCritical ? 3 : s == kWarning ? 2 : s == kUnknown ? 1 : 0; };
  int worst = records.empty() ? kUnknown : kOk;
  int count[4] = {0, 0, 0, 0};
  std::string not_ok, perf;
  for (const Record& r : records) {
    const int state = to_nagios(r, service_label, warn, crit, threshold_key).exit_code;
    ++count[state];
    if (rank(state) > rank(worst)) worst = state;
    const Cell* name_cell = r.find(name_key);
    std::string name = name_cell ? as_text(name_cell->value) : std::string();
    if (state != kOk) {
      if (!not_ok.empty()) not_ok += "; ";
      not_ok += name + " " + std::string(state_name(state)) + " (" + status_text(r.summary) + ")";
    }
    std::string items = perfdata(r, warn, crit, threshold_key, name.empty() ? "" : name + ".");
    if (!items.empty()) perf += (perf.empty() ? "" : " ") + items;
  }
  std::string line = service_label.empty() ? "MAILPROBE" : status_text(service_label);
  line += ' ';
  line += state_name(worst);
  line += " - " + std::to_string(count[kOk]) + " of " + std::to_string(records.size()) + " routes OK";
  if (!not_ok.empty()) line += ": " + not_ok;
  if (!perf.empty()) line += " | " + perf;
  line += '\n';
  return {worst, std::move(line)};
}

}  // namespace mailprobe::report
