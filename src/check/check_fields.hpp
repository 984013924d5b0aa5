#pragma once

#include <span>

#include "check/check_report.hpp"
#include "report/record.hpp"

namespace mailprobe::check {

/// THE table of `check` output fields, in output order. Every format reads it.
std::span<const report::Column<CheckReport>> check_table();

/// Measurement name of the check record.
inline constexpr const char* kMeasurement = "mail_delivery";

/// The Record for one run (summary sentence included).
report::Record to_record(const CheckReport& r);

}  // namespace mailprobe::check
