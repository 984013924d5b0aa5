#pragma once

// The one usage-error type of every sub-command. Option parsers throw it (or
// cxxopts throws its own parse errors); run_command (app/run_command.hpp)
// is the only place that catches either, prints "mailprobe <cmd>: <what>"
// on stderr and returns exit code 2. Nothing has been sent when it is thrown.

#include <stdexcept>
#include <string>
#include <utility>

namespace mailprobe::app {

class UsageError : public std::runtime_error {
 public:
  /// `log_prefix` goes before the line (Telegraf's "E! " in execd mode).
  explicit UsageError(const std::string& what, std::string log_prefix = {})
      : std::runtime_error(what), log_prefix_(std::move(log_prefix)) {}
  const std::string& log_prefix() const { return log_prefix_; }

 private:
  std::string log_prefix_;
};

}  // namespace mailprobe::app
