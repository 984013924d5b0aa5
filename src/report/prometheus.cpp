#include "report/prometheus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "report/cell_value.hpp"
#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

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

/// Tags that say how a run ended rather than what was measured.
bool is_outcome_tag(std::string_view key) { return key == "result" || key == "stage" || key == "placement"; }

/// `{tag="...",...}` of the identity tags, plus the outcome tags when
/// `with_outcome`; "" when there is no label at all.
std::string label_set(const Record& record, bool with_outcome) {
  std::vector<std::pair<std::string, std::string>> tags;
  for (const Cell& cell : record.cells) {
    if (cell.spec->role != Role::tag || !(cell.spec->formats & kPrometheus)) continue;
    if (is_outcome_tag(cell.spec->key) && !with_outcome) continue;
    tags.emplace_back(metric_name("", cell.spec->key), as_text(cell.value));
  }
  std::stable_sort(tags.begin(), tags.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::set<std::string> seen;
  std::string out;
  for (auto& [name, value] : tags) {
    std::string clean = without_controls(value);
    if (name.empty() || clean.empty() || name.rfind("__", 0) == 0) continue;
    if (!seen.insert(name).second) continue;
    out += out.empty() ? "{" : ",";
    out += name + "=\"" + escape_label_value(clean) + '"';
  }
  if (!out.empty()) out += '}';
  return out;
}

/// The value of the sample `series` (name plus labels) in `text`, if any.
std::optional<double> sample_in(std::string_view text, const std::string& series) {
  std::size_t pos = 0;
  while ((pos = text.find(series, pos)) != std::string_view::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    std::size_t after = pos + series.size();
    if (line_start && after < text.size() && text[after] == ' ') {
      std::size_t end = text.find('\n', after);
      std::string number(text.substr(after + 1, end == std::string_view::npos ? end : end - after - 1));
      char* stop = nullptr;
      double v = std::strtod(number.c_str(), &stop);
      if (stop && *stop == '\0' && !number.empty() && std::isfinite(v)) return v;
    }
    pos = after;
  }
  return std::nullopt;
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

std::string family_prefix(std::string_view measurement) {
  if (measurement.empty()) return "mailprobe_";
  if (measurement == "mail_delivery") return "mailprobe_check_";
  constexpr std::string_view kProbe = "_probe";
  if (measurement.size() > kProbe.size() && measurement.substr(measurement.size() - kProbe.size()) == kProbe)
    return metric_name("mailprobe_probe_", measurement.substr(0, measurement.size() - kProbe.size())) + '_';
  return metric_name("mailprobe_", measurement) + '_';
}

std::string to_prometheus(std::span<const Record> records, std::string_view previous) {
  std::vector<Family> families;
  for (const Record& record : records) {
    std::string prefix = family_prefix(record.measurement);
    std::string labels = label_set(record, false);
    std::set<std::string> emitted;
    auto emit = [&](const Metric& m, const std::string& with) {
      if (emitted.insert(m.name).second) add_sample(families, m, with);
    };
    for (const Cell& cell : record.cells) {
      if (cell.spec->role != Role::field || !(cell.spec->formats & kPrometheus)) continue;
      std::optional<double> v = as_number(cell.value);
      if (!v) continue;
      emit({metric_name(prefix, cell.spec->key), cell.spec->help, cell.spec->key, *v}, labels);
    }
    emit({prefix + "success", "1 if the last run succeeded, else 0.", {}, record.success ? 1.0 : 0.0}, labels);
    emit({prefix + "last_run_timestamp_seconds", "Unix time at which the last run started.", {},
          unix_seconds(record.time)}, labels);
    std::string last_success = prefix + "last_success_timestamp_seconds";
    std::optional<double> when = record.success ? unix_seconds(record.time) : sample_in(previous, last_success + labels);
    if (when)
      emit({last_success, "Unix time at which the last successful run started (kept across runs).", {}, *when},
           labels);
    std::string outcome = label_set(record, true);
    if (outcome != labels)
      emit({prefix + "outcome_info", "Always 1; the labels say how the last run ended.", {}, 1.0}, outcome);
  }
  std::string out;
  for (const Family& f : families) {
    out += "# HELP " + f.name + ' ' + f.help + '\n';
    out += "# TYPE " + f.name + " gauge\n";
    for (const auto& line : f.samples) out += line + '\n';
  }
  return out;
}

std::string to_prometheus(const Record& record, std::string_view previous) {
  return to_prometheus(std::span<const Record>(&record, 1), previous);
}

Status write_prometheus_textfile(const std::string& path, std::span<const Record> records) {
  std::string previous;
  if (std::ifstream in(path); in) previous.assign(std::istreambuf_iterator<char>(in), {});
  return write_textfile(path, to_prometheus(records, previous));
}

}  // namespace mailprobe::report
