#include "core/usage_text.hpp"

#include <algorithm>
#include <cctype>

namespace mailprobe {

namespace {

// cxxopts quotes names with U+2018/U+2019 (or ASCII quotes when built with
// CXXOPTS_NO_UNICODE).
constexpr std::string_view kOpen[] = {"\xE2\x80\x98", "'"};
constexpr std::string_view kClose[] = {"\xE2\x80\x99", "'"};

/// The text between the first pair of cxxopts quotes after `from`.
std::optional<std::string> quoted(std::string_view s, std::size_t from = 0) {
  for (std::size_t i = 0; i < 2; ++i) {
    auto a = s.find(kOpen[i], from);
    if (a == std::string_view::npos) continue;
    a += kOpen[i].size();
    auto b = s.find(kClose[i], a);
    if (b == std::string_view::npos) continue;
    return std::string(s.substr(a, b - a));
  }
  return std::nullopt;
}

std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string dashed(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

/// The option a value belongs to: "--name value", "--name=value" or "-x value".
std::optional<std::string> option_of_value(const std::string& value, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos && a.substr(a.find('=') + 1) == value)
      return a.substr(0, a.find('='));
    if (i + 1 < args.size() && args[i + 1] == value && a.size() > 1 && a[0] == '-' && a.find('=') == std::string::npos)
      return a;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::size_t best = std::string_view::npos;
  std::optional<std::string> pick;
  bool tie = false;
  for (const auto& c : candidates) {
    std::size_t d = distance(word, c);
    if (d < best) {
      best = d;
      pick = c;
      tie = false;
    } else if (d == best) {
      tie = true;
    }
  }
  std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  if (!pick || tie || best > limit || best == 0) return std::nullopt;
  return pick;
}

std::string usage_text(std::string_view what, const std::vector<std::string>& options,
                       const std::vector<std::string>& args) {
  auto name = quoted(what);
  if (!name) return std::string(what);
  if (what.find("does not exist") != std::string_view::npos) {
    std::string out = "unknown option " + dashed(*name);
    if (name->size() > 1)
      if (auto near = closest(*name, options)) out += " (did you mean --" + *near + "?)";
    return out + "; see --help";
  }
  if (what.find("is missing an argument") != std::string_view::npos ||
      what.find("requires an argument") != std::string_view::npos)
    return dashed(*name) + " needs a value";
  if (what.find("does not take an argument") != std::string_view::npos) {
    auto close = what.find(kClose[0]);
    auto value = quoted(what, close == std::string_view::npos ? 0 : close + 1);
    return dashed(*name) + " takes no value" + (value ? ", but got '" + *value + "'" : std::string());
  }
  if (what.find("failed to parse") != std::string_view::npos) {
    if (auto opt = option_of_value(*name, args)) return *opt + ": '" + *name + "' is not a number";
    return "'" + *name + "' is not a number";
  }
  if (what.find("incorrect syntax") != std::string_view::npos)
    return "'" + *name + "' is not an option (options look like --name or --name=value)";
  return std::string(what);
}

std::vector<std::string> long_options_in_help(std::string_view help) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < help.size()) {
    std::size_t end = help.find('\n', start);
    if (end == std::string_view::npos) end = help.size();
    std::string_view line = help.substr(start, end - start);
    start = end + 1;
    auto first = line.find_first_not_of(' ');
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line.size() > 4 && line[0] == '-' && line[1] != '-' && line[2] == ',') line.remove_prefix(4);  // "-t, "
    if (line.rfind("--", 0) != 0) continue;
    std::size_t n = 2;
    while (n < line.size() && (std::isalnum(static_cast<unsigned char>(line[n])) || line[n] == '-')) ++n;
    std::string name(line.substr(2, n - 2));
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

}  // namespace mailprobe
