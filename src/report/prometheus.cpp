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

namespace {

/// One metric family: HELP/TYPE once, then one sample per record (text
/// format: all lines of a metric form one group).
struct Family {
  std::string name;
  std::string help;
  std::vector<std::string> samples;
};

void add_sample(std::vector<Family>& families, const Metric& m, const std::string& labels) {
  auto it = std::find_if(families.begin(), families.end(), [&](const Family& f) { return f.name == m.name; });
  if (it == families.end()) {
    std::string help = help_text(m.help);
    if (help.empty()) help = m.fallback_help;  // promtool lints a metric without HELP
    families.push_back({m.name, std::move(help), {}});
    it = families.end() - 1;
  }
  it->samples.push_back(m.name + labels + ' ' + sample_value(m.value));
}

}  // namespace

std::string to_prometheus(std::span<const Record> records) {
  std::vector<Family> families;
  for (const Record& record : records) {
    std::string labels = label_set(record);
    std::set<std::string> emitted;
    auto emit = [&](const Metric& m) {
      if (emitted.insert(m.name).second) add_sample(families, m, labels);
    };
    for (const Cell& cell : record.cells) {
      if (cell.spec->role != Role::field || !(cell.spec->formats & kPrometheus)) continue;
      std::optional<double> v = as_number(cell.value);
      if (!v) continue;
      emit({metric_name(kPrefix, cell.spec->key), cell.spec->help, cell.spec->key, *v});
    }
    emit({std::string(kPrefix) + "success", "1 if the last run succeeded, else 0.", {}, record.success ? 1.0 : 0.0});
    emit({std::string(kPrefix) + "last_run_timestamp_seconds", "Unix time at which the last run started.", {},
          unix_seconds(record.time)});
  }
  std::string out;
  for (const Family& f : families) {
    out += "# HELP " + f.name + ' ' + f.help + '\n';
    out += "# TYPE " + f.name + " gauge\n";
    for (const auto& line : f.samples) out += line + '\n';
  }
  return out;
}

std::string to_prometheus(const Record& record) { return to_prometheus(std::span<const Record>(&record, 1)); }

}  // namespace mailprobe::report
