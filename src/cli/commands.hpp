#pragma once

// Sub-command entry points. Each takes argv with argv[0] = "mailprobe <cmd>"
// and returns a process exit code (core/exit_code.hpp). main() only dispatches.

namespace mailprobe {

int run_check_command(int argc, char** argv);  // src/check/check_command.cpp
int run_serve_command(int argc, char** argv);  // src/serve/serve_command.cpp
int run_demo_command(int argc, char** argv);   // src/serve/demo_command.cpp
int run_probe_command(int argc, char** argv);  // src/probe/probe_command.cpp
int run_cleanup_command(int argc, char** argv);  // src/insight/cleanup_command.cpp

}  // namespace mailprobe
