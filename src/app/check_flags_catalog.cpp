#include "app/check_flags_catalog.hpp"

#include <cxxopts.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/check_options.hpp"

namespace mailprobe::app {

namespace {

using routes::FlagInfo;
using routes::FlagKind;
using routes::FlagScope;

// Flags that describe the run, not a route: one output stream, one source,
// one pacing for all routes.
const std::set<std::string, std::less<>> kRunFlags = {"output-format", "schema",      "textfile", "warning",
                                                      "critical",      "concurrency", "jitter",   "source"};
// Flags that make no sense inside a routes file.
const std::set<std::string, std::less<>> kCommandLineFlags = {"routes", "execd", "help", "list-fields"};

/// Whether check's parser accepts "--name=text" for this value flag.
bool accepts(cxxopts::Options& o, const std::string& name, const std::string& text) {
  std::string a0 = "check", a1 = "--" + name + "=" + text;
  char* argv[] = {a0.data(), a1.data()};
  try {
    (void)o.parse(2, argv);
    return true;
  } catch (const cxxopts::exceptions::exception&) {
    return false;
  }
}

std::map<std::string, FlagInfo, std::less<>> build() {
  cxxopts::Options o("mailprobe check");
  declare_check_flags(o);
  std::map<std::string, FlagInfo, std::less<>> out;
  for (const auto& group : o.groups()) {
    for (const auto& opt : o.group_help(group).options) {
      std::string name;
      for (const auto& n : opt.l)
        if (n.size() > name.size()) name = n;  // the long name ("h,help" -> "help")
      FlagKind kind = opt.is_boolean        ? FlagKind::boolean
                      : opt.is_container    ? FlagKind::list
                      : !accepts(o, name, "x") ? (accepts(o, name, "0.5") ? FlagKind::number : FlagKind::integer)
                                               : FlagKind::text;
      FlagScope scope = kCommandLineFlags.count(name) ? FlagScope::command_line
                        : kRunFlags.count(name)       ? FlagScope::run
                                                      : FlagScope::route;
      out.emplace(name, FlagInfo{kind, scope});
    }
  }
  return out;
}

}  // namespace

routes::FlagLookup check_flag_lookup() {
  auto table = std::make_shared<const std::map<std::string, FlagInfo, std::less<>>>(build());
  return [table](std::string_view name) -> std::optional<FlagInfo> {
    auto it = table->find(name);
    if (it == table->end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace mailprobe::app
