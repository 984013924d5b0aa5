#pragma once

// The policy columns (`--policy`), appended to a probe's or an MX row's
// Record: one table, every format (report/record.hpp).

#include <span>

#include "policy/verdict.hpp"
#include "report/record.hpp"

namespace mailprobe::policy {

/// The table, in output order.
std::span<const report::Column<HostVerdict>> policy_columns();

/// Appends the policy cells of `v` to `rec` (after the probe's own cells).
void append_policy_cells(report::Record& rec, const HostVerdict& v);

}  // namespace mailprobe::policy
