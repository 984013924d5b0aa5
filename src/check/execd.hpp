#pragma once

// Long-running mode for Telegraf's [[inputs.execd]] with signal = "STDIN",
// and the SIGTERM handling that plain `check` shares with it.

#include <atomic>
#include <string_view>

#include "check/config.hpp"

namespace mailprobe::check {

/// Installs SIGTERM/SIGINT handlers (no SA_RESTART, so blocking calls wake)
/// that set the returned flag. A check in progress then ends with
/// result=timeout at the stage it was in and still prints its record.
const std::atomic<bool>* install_stop_handler();

/// Writes all of `data` to stdout with write(2), retrying after EINTR and
/// short writes, so a signal never leaves half a record in the pipe.
/// Returns false if stdout is gone (EPIPE, closed).
bool write_stdout(std::string_view data);

/// Telegraf execd with signal = "STDIN": one check per trigger line on
/// stdin. Lines that queued before or during a check count as one trigger
/// (they are drained, never run back to back). Each check uses fresh
/// connections and a fresh token; its record is written whole and at once.
/// Logs go to stderr with Telegraf's "E! "/"W! "/"I! "/"D! " prefixes.
/// Returns 0 when stdin closes or a stop signal ends the session (after the
/// running check's record), 2 if the format cannot be read line by line.
int run_execd(const CheckConfig& cfg);

}  // namespace mailprobe::check
