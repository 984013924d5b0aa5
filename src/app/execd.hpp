#pragma once

// Long-running mode for Telegraf's [[inputs.execd]] with signal = "STDIN".

#include "check/config.hpp"

namespace mailprobe::app {

/// Telegraf execd with signal = "STDIN": one check per trigger line on
/// stdin. Lines that queued before or during a check count as one trigger
/// (they are drained, never run back to back). Each check uses fresh
/// connections and a fresh token; its record is written whole and at once.
/// Logs go to stderr with Telegraf's "E! "/"W! "/"I! "/"D! " prefixes.
/// `cfg.format` must be line-oriented (check_options validates it).
/// Returns 0 when stdin closes or a stop signal ends the session (after the
/// running check's record), 3 if stdout is gone.
int run_execd(const check::CheckConfig& cfg);

}  // namespace mailprobe::app
