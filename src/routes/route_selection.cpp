#include "routes/route_selection.hpp"

#include <set>
#include <sstream>

namespace mailprobe::routes {

Selection select_routes(const std::vector<std::string>& names, const std::vector<std::string>& raw_lines) {
  Selection out;
  std::vector<std::string> lines = raw_lines;
  for (auto& l : lines)
    for (auto& c : l)
      if (c == '\r') c = ' ';  // CRLF from a Windows-made pipe
  bool all = lines.empty();
  std::set<std::string> wanted;
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::string w;
    bool any = false;
    while (words >> w) {
      any = true;
      wanted.insert(w);
    }
    if (!any) all = true;
  }
  std::set<std::string> known(names.begin(), names.end());
  std::set<std::string> reported;
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::string w;
    while (words >> w)
      if (!known.count(w) && reported.insert(w).second) out.unknown.push_back(w);
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    if (all || wanted.count(names[i])) out.routes.push_back(i);
  return out;
}

}  // namespace mailprobe::routes
