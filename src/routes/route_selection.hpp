#pragma once

// Which routes an execd trigger runs: Telegraf's empty line runs every
// route; a line of route names (separated by spaces or tabs) runs those.
// Several lines queued during one run count as one trigger: the union of
// what they name, or every route when any of them is empty. Pure.

#include <cstddef>
#include <string>
#include <vector>

namespace mailprobe::routes {

struct Selection {
  std::vector<std::size_t> routes;   // indexes into `names`, in file order
  std::vector<std::string> unknown;  // names on the lines that are no route (in line order)
};

Selection select_routes(const std::vector<std::string>& names, const std::vector<std::string>& lines);

}  // namespace mailprobe::routes
