#include "report/text_table.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "report/cell_value.hpp"
#include "report/text_clean.hpp"

namespace mailprobe::report {

namespace {

std::string seconds(const Record& r, std::string_view key) {
  const Cell* c = r.find(key);
  std::optional<double> v = c ? as_number(c->value) : std::nullopt;
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, *v < 10 ? "%.3f s" : "%.1f s", *v);
  return buf;
}

std::string cut(std::string s, std::size_t width) {
  if (code_points(s) <= width) return s;
  // Cut on a code point boundary, then mark the cut.
  std::size_t i = 0, n = 0;
  while (i < s.size() && n < width - 1) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++n;
  }
  return s.substr(0, i) + "…";
}

}  // namespace

std::string to_text_table(std::span<const Record> records, std::string_view name_key,
                          std::string_view delivery_key, std::string_view total_key) {
  using Row = std::vector<std::string>;
  std::vector<Row> rows{{"ROUTE", "RESULT", "DELIVERY", "TOTAL", "DETAIL"}};
  std::size_t failed = 0;
  for (const Record& r : records) {
    const Cell* name = r.find(name_key);
    if (!r.success) ++failed;
    rows.push_back({cut(without_controls(name ? as_text(name->value) : ""), 40),
                    std::string(to_string(r.result)), seconds(r, delivery_key), seconds(r, total_key),
                    r.success ? "" : cut(without_controls(r.summary), 100)});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const Row& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], code_points(row[i]));

  std::string out = failed ? "FAILED: " + std::to_string(failed) + " of " + std::to_string(records.size()) + " failed\n"
                           : "OK: " + std::to_string(records.size()) + " of " + std::to_string(records.size()) +
                                 " delivered\n";
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string pad(width[i] - code_points(row[i]), ' ');
      const bool numeric = i == 2 || i == 3;  // right-aligned
      if (i) line += "  ";
      line += numeric ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace mailprobe::report
