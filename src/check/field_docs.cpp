#include "check/field_docs.hpp"

#include "check/check_fields.hpp"
#include "report/markdown.hpp"

namespace mailprobe::check {

std::string fields_markdown() {
  auto specs = report::specs_of(check_table());
  return report::metrics_table(specs, kMeasurement) + "\n" + report::result_table();
}

}  // namespace mailprobe::check
