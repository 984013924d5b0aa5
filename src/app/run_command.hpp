#pragma once

// The shell's single exit point for bad command lines.

namespace mailprobe::app {

using CommandFn = int (*)(int argc, char** argv);

/// Runs `fn(argc, argv)` and returns its exit code. A UsageError or a
/// cxxopts parse error escaping it is printed as one line,
/// "<name>: <message>", on stderr and becomes exit code 2 (usage).
/// Other exceptions propagate to main's last-resort handler.
int run_command(const char* name, CommandFn fn, int argc, char** argv);

}  // namespace mailprobe::app
