#pragma once

#include <atomic>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/progress_fn.hpp"

namespace mailprobe::check {

/// One full round trip. Never throws for network conditions and always
/// returns a complete report: success, or the failing stage/result with the
/// server's words. Finishes within cfg.timeout (plus a small I/O margin).
/// An optional stop flag ends the run early with result=timeout at the
/// current stage (used for SIGTERM).
CheckReport run_check(const CheckConfig& cfg, const ProgressFn& progress = {},
                      const std::atomic<bool>* stop = nullptr);

}  // namespace mailprobe::check
