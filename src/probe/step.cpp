#include "probe/step.hpp"

namespace mailprobe::probe {

std::string Step::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += "; ";
    out += l;
  }
  return out;
}

}  // namespace mailprobe::probe
