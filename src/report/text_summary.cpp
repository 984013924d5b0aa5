#include "report/text_summary.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "report/cell_value.hpp"
#include "report/number.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kGreen = "\033[1;32m";
constexpr std::string_view kRed = "\033[1;31m";
constexpr std::string_view kBar = "\033[36m";
constexpr std::string_view kDim = "\033[2m";

std::string paint(const TextStyle& s, std::string_view code, std::string_view text) {
  if (!s.color) return std::string(text);
  return std::string(code) + std::string(text) + std::string(kReset);
}

std::string duration_text(double v) {
  return v < 1.0 ? format_fixed(v * 1000.0, 1) + " ms" : format_fixed(v, 3) + " s";
}

std::string pad_left(std::string s, std::size_t w) {
  std::size_t n = code_points(s);
  return n >= w ? s : std::string(w - n, ' ') + s;
}

std::string pad_right(std::string s, std::size_t w) {
  std::size_t n = code_points(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}

/// `s` cut to `max` code points ("~" marks the cut).
std::string cut(std::string s, std::size_t max) {
  if (code_points(s) <= max || max == 0) return s;
  std::size_t kept = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (kept == max - 1) break;
    ++kept;
  }
  s.resize(i);
  return s + "~";
}

std::string stage_label(std::string_view key) {
  std::string s(key);
  if (s.size() > 8 && s.substr(s.size() - 8) == "_seconds") s.resize(s.size() - 8);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string repeat(std::string_view unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

struct Row {
  std::string label;
  double seconds;
};

}  // namespace

bool color_allowed(const char* no_color, const char* term) {
  if (no_color && *no_color) return false;
  return !(term && std::string_view(term) == "dumb");
}

std::string to_text_summary(const Record& record, const TextLayout& layout, const TextStyle& style) {
  const std::size_t width = static_cast<std::size_t>(std::clamp(style.width, 40, 160));
  std::string out;

  // Header: "key value" pairs packed into at most three lines.
  std::vector<std::string> header_lines;
  std::string line;
  for (std::string_view key : layout.header) {
    const Cell* c = record.find(key);
    if (!c || is_absent(c->value)) continue;
    std::string item = std::string(key) + ' ' + without_controls(as_text(c->value));
    item = cut(item, width - 4);
    if (!line.empty() && code_points(line) + 2 + code_points(item) > width - 2) {
      header_lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : "  ") + item;
  }
  if (!line.empty()) header_lines.push_back(line);
  if (header_lines.size() > 3) header_lines.resize(3);
  for (const auto& h : header_lines) out += "  " + paint(style, kDim, h) + '\n';

  // The waterfall of stages that took measurable time.
  std::vector<Row> rows;
  double sum = 0;
  std::size_t label_w = 5;
  for (std::string_view key : layout.stages) {
    const Cell* c = record.find(key);
    std::optional<double> v = c ? as_number(c->value) : std::nullopt;
    if (!v || !std::isfinite(*v) || *v < 0.00005) continue;
    rows.push_back({without_controls(stage_label(key)), *v});
    sum += *v;
    label_w = std::max(label_w, code_points(rows.back().label));
  }
  // label, time (9), share (4), gaps: the rest is the bar.
  int bar_w = static_cast<int>(width) - static_cast<int>(label_w) - 2 - 9 - 5 - 3;
  bar_w = std::max(bar_w, 10);
  double at = 0;
  int drawn = 0;  // cells already used by earlier bars: bars never overlap
  for (const Row& r : rows) {
    at += r.seconds;
    int start = std::min(drawn, bar_w - 1);
    int end = static_cast<int>(std::lround(at / sum * bar_w));
    int len = std::max(1, std::min(end, bar_w) - start);
    drawn = start + len;
    long share = std::lround(r.seconds / sum * 100.0);
    out += "  " + pad_right(r.label, label_w) + ' ' + pad_left(duration_text(r.seconds), 9) + ' ' +
           pad_left(std::to_string(share) + "%", 4) + "  " + std::string(static_cast<std::size_t>(start), ' ') +
           paint(style, kBar, repeat("\u2588", len)) + '\n';
  }
  if (const Cell* t = record.find(layout.total)) {
    if (auto v = as_number(t->value)) out += "  " + pad_right("total", label_w) + ' ' + pad_left(duration_text(*v), 9) + '\n';
  }

  std::string verdict = record.success ? "OK" : "FAILED";
  out += paint(style, record.success ? kGreen : kRed, verdict) + ": " + without_controls(record.summary) + '\n';
  return out;
}

}  // namespace mailprobe::report
