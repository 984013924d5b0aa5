#pragma once

#include <atomic>

#include "check/config.hpp"

namespace mailprobe::check {

/// Installs SIGTERM/SIGINT handlers (no SA_RESTART, so blocking reads wake)
/// that set the returned flag. A check in progress then ends with
/// result=timeout at the stage it was in and still prints its record.
const std::atomic<bool>* install_stop_handler();

/// Telegraf execd with signal = "STDIN": one check per newline on stdin;
/// newlines that queued up during a check are drained (not run back to
/// back); each record is written whole and flushed; logs go to stderr with
/// Telegraf's "I! "/"W! "/"E! " prefixes; returns 0 when stdin closes.
int run_execd(const CheckConfig& cfg);

}  // namespace mailprobe::check
