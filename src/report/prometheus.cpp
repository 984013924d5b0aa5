#include "report/prometheus.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "report/cell_value.hpp"
#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

constexpr std::string_view kPrefix = "mailprobe_";

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Go's ParseFloat reads any notation; plain digits are easier on humans, so
/// use them unless the number is tiny or huge.
std::string sample_value(double v) {
  double a = std::fabs(v);
  if (a == 0.0 || (a >= 1e-6 && a < 1e21)) return format_plain(v);
  return format_shortest(v);
}

std::string help_text(std::string_view s) {
  std::string out;
  for (char c : without_controls(s)) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

struct Metric {
  std::string name;
  std::string_view help;
  std::string_view fallback_help;
  double value;
};

void append_metric(std::string& out, const Metric& m, const std::string& labels) {
  // promtool lints a metric without HELP; the key is a better help than none.
  std::string help = help_text(m.help);
  if (help.empty()) help = m.fallback_help;
  out += "# HELP " + m.name + ' ' + help + '\n';
  out += "# TYPE " + m.name + " gauge\n";
  out += m.name + labels + ' ' + sample_value(m.value) + '\n';
}

/// `{measurement="...",tag="..."}` or "" when there is no label at all.
std::string label_set(const Record& record) {
  std::vector<std::pair<std::string, std::string>> labels;
  std::set<std::string> seen;
  auto add = [&](std::string name, std::string_view value) {
    std::string clean = without_controls(value);
    if (name.empty() || clean.empty() || name.rfind("__", 0) == 0) return;
    if (!seen.insert(name).second) return;
    labels.emplace_back(std::move(name), escape_label_value(clean));
  };
  add("measurement", record.measurement);
  std::vector<std::pair<std::string, std::string>> tags;
  for (const Cell& cell : record.cells) {
    if (cell.spec->role != Role::tag || !(cell.spec->formats & kPrometheus)) continue;
    tags.emplace_back(metric_name("", cell.spec->key), as_text(cell.value));
  }
  std::stable_sort(tags.begin(), tags.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, value] : tags) add(std::move(name), value);

  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += name + "=\"" + value + '"';
  }
  out += '}';
  return out;
}

}  // namespace

std::string metric_name(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  if (out.empty() && !name.empty() && name.front() >= '0' && name.front() <= '9') out += '_';
  for (char c : name) out += is_name_char(c) ? c : '_';
  return out;
}

std::string escape_label_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string to_prometheus(const Record& record) {
  std::string labels = label_set(record);
  std::set<std::string> emitted;
  std::string out;
  auto emit = [&](const Metric& m) {
    if (emitted.insert(m.name).second) append_metric(out, m, labels);
  };

  for (const Cell& cell : record.cells) {
    if (cell.spec->role != Role::field || !(cell.spec->formats & kPrometheus)) continue;
    std::optional<double> v = as_number(cell.value);
    if (!v) continue;
    emit({metric_name(kPrefix, cell.spec->key), cell.spec->help, cell.spec->key, *v});
  }
  emit({std::string(kPrefix) + "success",
        "1 if the last run succeeded, else 0.",
        {},
        record.success ? 1.0 : 0.0});
  emit({std::string(kPrefix) + "last_run_timestamp_seconds",
        "Unix time at which the last run started.",
        {},
        unix_seconds(record.time)});
  return out;
}

}  // namespace mailprobe::report
