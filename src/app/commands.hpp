#pragma once

// Sub-command entry points. Each takes argv with argv[0] = "mailprobe <cmd>"
// and returns a process exit code (core/exit_code.hpp); a bad command line
// is thrown as UsageError and printed by run_command (app/run_command.hpp).
// main() only dispatches.

namespace mailprobe::app {

int run_check_command(int argc, char** argv);    // app/check_command.cpp
int run_serve_command(int argc, char** argv);    // app/serve_command.cpp
int run_demo_command(int argc, char** argv);     // app/demo_command.cpp
int run_probe_command(int argc, char** argv);    // app/probe_command.cpp
int run_cleanup_command(int argc, char** argv);  // app/cleanup_command.cpp

}  // namespace mailprobe::app
