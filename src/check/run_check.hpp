#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "check/check_report.hpp"
#include "check/config.hpp"

namespace mailprobe::check {

/// Called while waiting for delivery: elapsed wait, tries so far, method.
using ProgressFn = std::function<void(double elapsed_s, int tries, const char* method)>;

/// Called as each step of a run starts, with a short description.
using PhaseFn = std::function<void(const std::string& phase)>;

/// One full round trip. Never throws for network conditions and always
/// returns a complete report: success, or the failing stage/result with the
/// server's words. Finishes within cfg.timeout (plus a small I/O margin).
/// An optional stop flag ends the run early with result=timeout at the
/// current stage (used for SIGTERM).
/// `phase`, when set, hears each step as it starts ("imap connect
/// 127.0.0.1:143", "smtp send ...", "waiting for delivery"), for a live line.
CheckReport run_check(const CheckConfig& cfg, const ProgressFn& progress = {},
                      const std::atomic<bool>* stop = nullptr, const PhaseFn& phase = {});

}  // namespace mailprobe::check
