#include "app/run_command.hpp"

#include <cxxopts.hpp>

#include <cstdio>
#include <string>

#include "app/usage_error.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::app {

namespace {

int usage(const char* command, const char* what, const std::string& prefix = {}) {
  std::fprintf(stderr, "%s%s: %s\n", prefix.c_str(), command, what);
  return to_int(ExitCode::usage);
}

}  // namespace

int run_command(const char* name, CommandFn fn, int argc, char** argv) {
  try {
    return fn(argc, argv);
  } catch (const UsageError& e) {
    return usage(name, e.what(), e.log_prefix());
  } catch (const cxxopts::exceptions::exception& e) {
    return usage(name, e.what());
  }
}

}  // namespace mailprobe::app
