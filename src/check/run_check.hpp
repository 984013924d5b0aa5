#pragma once

#include <atomic>

#include "check/check_report.hpp"
#include "check/config.hpp"
#include "check/goodbyes.hpp"
#include "check/progress_fn.hpp"

namespace mailprobe::check {

/// One full round trip. Never throws for network conditions and always
/// returns a complete report: success, or the failing stage/result with the
/// server's words. Finishes within cfg.timeout (plus a small I/O margin).
/// An optional stop flag ends the run early with result=timeout at the
/// current stage (used for SIGTERM). `phase`, when set, hears each step as
/// it starts, for a live status line.
///
/// The report does not wait for goodbyes when `later` is given: the SMTP
/// leg, possibly still awaiting the 221 to its QUIT (a server may hold it),
/// goes there, and the caller prints the record before destroying it.
/// Without `later`, run_check itself waits for the goodbye (at most 2 s).
CheckReport run_check(const CheckConfig& cfg, const ProgressFn& progress = {},
                      const std::atomic<bool>* stop = nullptr, const PhaseFn& phase = {},
                      Goodbyes* later = nullptr);

}  // namespace mailprobe::check
