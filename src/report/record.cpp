#include "report/record.hpp"

namespace mailprobe::report {

const Cell* Record::find(std::string_view key) const {
  for (const auto& c : cells)
    if (c.spec->key == key) return &c;
  return nullptr;
}

}  // namespace mailprobe::report
