#pragma once

// The record of one `--expect` check: measurement "smtp_expect", one row per
// expectation, result success or expectation_failed.

#include <string>

#include "core/clock.hpp"
#include "policy/expect.hpp"
#include "report/record.hpp"

namespace mailprobe::policy {

struct ExpectRow {
  std::string server;
  int port = 0;
  Expectation expectation;
  ExpectOutcome outcome;
};

/// One Record for one expectation.
report::Record expect_record(const ExpectRow& row, WallClock::time_point time);

}  // namespace mailprobe::policy
