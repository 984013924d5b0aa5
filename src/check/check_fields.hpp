#pragma once

#include <span>

#include "check/check_report.hpp"
#include "report/record.hpp"
#include "report/text_summary.hpp"

namespace mailprobe::check {

/// THE table of `check` output fields, in output order. Every format reads it.
std::span<const report::Column<CheckReport>> check_table();

/// Measurement name of the check record.
inline constexpr const char* kMeasurement = "mail_delivery";

/// The compact text report's stages (in the order a run goes through them),
/// header cells and total (report/text_summary.hpp).
report::TextLayout check_text_layout();

/// The Record for one run (summary sentence included).
report::Record to_record(const CheckReport& r);

}  // namespace mailprobe::check
