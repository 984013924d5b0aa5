#pragma once

// Process-level stop signals and the stdout write every record goes through.

#include <atomic>
#include <string_view>

namespace mailprobe::app {

/// Installs SIGTERM/SIGINT handlers (no SA_RESTART, so blocking calls wake)
/// that set the returned flag. A check in progress then ends with
/// result=timeout at the stage it was in and still prints its record.
/// Idempotent: every call returns the same flag.
const std::atomic<bool>* install_stop_handler();

/// Writes all of `data` to stdout with write(2), retrying after EINTR and
/// short writes, so a signal never leaves half a record in the pipe.
/// Returns false if stdout is gone (EPIPE, closed).
bool write_stdout(std::string_view data);

}  // namespace mailprobe::app
