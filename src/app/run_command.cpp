#include "app/run_command.hpp"

#include <cxxopts.hpp>

#include <cstdio>
#include <string>
#include <string_view>

#include "app/usage_error.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::app {

namespace {

/// --output-format nagios (or --output-format=nagios) on the command line.
bool wants_nagios(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--output-format=nagios") return true;
    if (a == "--output-format" && i + 1 < argc && std::string_view(argv[i + 1]) == "nagios") return true;
  }
  return false;
}

int usage(const char* command, const char* what, bool nagios, const std::string& prefix = {}) {
  std::fprintf(stderr, "%s%s: %s\n", prefix.c_str(), command, what);
  if (!nagios) return to_int(ExitCode::usage);
  // Nagios plugin API: a bad command line is UNKNOWN (3), with one line on stdout.
  std::string label = std::string_view(command) == "mailprobe probe" ? "MAILPROBE" : "MAIL";
  std::printf("%s UNKNOWN - %s\n", label.c_str(), what);
  std::fflush(stdout);
  return 3;
}

}  // namespace

int run_command(const char* name, CommandFn fn, int argc, char** argv) {
  const bool nagios = wants_nagios(argc, argv);
  try {
    return fn(argc, argv);
  } catch (const UsageError& e) {
    return usage(name, e.what(), nagios, e.log_prefix());
  } catch (const cxxopts::exceptions::exception& e) {
    return usage(name, e.what(), nagios);
  }
}

}  // namespace mailprobe::app
