#pragma once

// The trigger channel of execd mode (Telegraf's [[inputs.execd]] with
// signal = "STDIN"): stdin, read without blocking the check in progress.
// Telegraf writes "\n" per interval; a routes run also reads what the lines
// say (route names to run).

#include <atomic>
#include <string>
#include <vector>

namespace mailprobe::app {

/// What the trigger channel had to say.
enum class Input { trigger, nothing, closed, stopped };

class TriggerInput {
 public:
  explicit TriggerInput(int fd) : fd_(fd) {}

  /// Reads whatever is queued without blocking. trigger if it held at least
  /// one newline, closed on EOF or a read error (EOF wins over queued
  /// newlines: Telegraf closes stdin to shut the process down).
  Input drain();

  /// Blocks until a newline arrives (trigger), stdin closes, or `stop` is
  /// set. Polls in 200 ms slices so a signal landing just before poll() is
  /// still noticed promptly.
  Input wait(const std::atomic<bool>& stop);

  /// The complete lines read since the last call (without "\n"), oldest first.
  std::vector<std::string> take_lines();

 private:
  int fd_;
  std::string partial_;
  std::vector<std::string> lines_;
};

}  // namespace mailprobe::app
