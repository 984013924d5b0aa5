#include "routes/route_args.hpp"

#include <cctype>
#include <map>

namespace mailprobe::routes {

namespace {

/// Appends one setting as command-line words: "--flag=value" (one word, so
/// a value that starts with '-' stays a value), "--flag" for a true switch.
void emit(const Setting& s, FlagKind kind, std::vector<std::string>& argv) {
  if (kind == FlagKind::boolean) {
    if (!s.values.empty() && s.values.front() == "true") argv.push_back("--" + s.flag);
    return;
  }
  for (const auto& v : s.values) argv.push_back("--" + s.flag + "=" + v);
}

FlagKind kind_of(const FlagLookup& lookup, const std::string& flag) {
  auto info = lookup(flag);
  return info ? info->kind : FlagKind::text;
}

bool flag_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

}  // namespace

RouteArgs route_args(const RoutesFile& file, const Route& route, const std::vector<std::string>& command_line,
                     const FlagLookup& lookup) {
  // The last file setting of each single-valued flag wins; the route layer
  // replaces the defaults layer.
  std::map<std::string, const Setting*> route_last;
  for (const auto& s : route.settings) route_last[s.flag] = &s;
  RouteArgs out;
  out.argv.push_back("check");
  std::map<std::string, const Setting*> defaults_last;
  for (const auto& s : file.defaults) defaults_last[s.flag] = &s;
  for (const auto& s : file.defaults) {
    FlagKind k = kind_of(lookup, s.flag);
    if (k != FlagKind::list && (defaults_last[s.flag] != &s || route_last.count(s.flag))) continue;
    emit(s, k, out.argv);
    out.from_file.push_back(s);
  }
  out.argv.insert(out.argv.end(), command_line.begin(), command_line.end());
  for (const auto& s : route.settings) {
    FlagKind k = kind_of(lookup, s.flag);
    if (k != FlagKind::list && route_last[s.flag] != &s) continue;
    emit(s, k, out.argv);
    out.from_file.push_back(s);
  }
  return out;
}

std::string locate_error(const std::string& error, const RoutesFile& file, const Route& route,
                         const RouteArgs& args) {
  // The longest "--flag" in the message that is one of this route's file
  // settings (so "--imap-password-file" is not read as "--imap-password").
  const Setting* hit = nullptr;
  for (std::size_t at = error.find("--"); at != std::string::npos; at = error.find("--", at + 2)) {
    std::size_t end = at + 2;
    while (end < error.size() && flag_char(error[end])) ++end;
    std::string name = error.substr(at + 2, end - at - 2);
    for (const auto& s : args.from_file)
      if (s.flag == name) hit = &s;  // the last one given is the one the parser used
    if (hit) break;
  }
  const std::string who = "route '" + route.name + "': ";
  if (hit) return hit->file + ":" + std::to_string(hit->line) + ": key '" + hit->flag + "': " + who + error;
  return file.path + ":" + std::to_string(route.line) + ": " + who + error;
}

}  // namespace mailprobe::routes
