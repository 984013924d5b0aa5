#pragma once

// The human rendering of many Records (one per route) as a compact table:
//
//   OK: 3 of 3 delivered                (or "FAILED: 1 of 3 failed")
//   ROUTE         RESULT   DELIVERY   TOTAL  DETAIL
//   own-to-gmail  success   0.412 s  1.020 s
//   own-to-hold   timeout         -  60.0 s  imap_wait: probe not found ...
//
// One row per record in the order given. The name column is the cell
// `name_key`; DELIVERY and TOTAL are the number cells `delivery_key` and
// `total_key` in seconds ("-" when absent); DETAIL is empty on success and
// the record's summary otherwise, cut to 100 columns. Control characters
// are removed from every cell.

#include <span>
#include <string>
#include <string_view>

#include "report/record.hpp"

namespace mailprobe::report {

/// Every line ends in "\n".
std::string to_text_table(std::span<const Record> records, std::string_view name_key,
                          std::string_view delivery_key, std::string_view total_key);

}  // namespace mailprobe::report
