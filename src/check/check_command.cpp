// `mailprobe check` (and `mailprobe` with no sub-command): parse, run one
// round trip, print exactly one record, exit with its code.

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "check/check_options.hpp"
#include "check/execd.hpp"
#include "check/render.hpp"
#include "check/run_check.hpp"
#include "cli/commands.hpp"
#include "core/exit_code.hpp"
#include "report/nagios_range.hpp"

namespace mailprobe {

namespace {

/// A live progress line on stderr while waiting (only when stderr is a TTY).
void show_progress(double elapsed, int tries, const char* method) {
  std::fprintf(stderr, "\r  waiting for delivery: %6.1f s, %d checks (%s)   ", elapsed, tries, method);
  std::fflush(stderr);
}

}  // namespace

int run_check_command(int argc, char** argv) {
  std::string error;
  auto parsed = check::parse_check_args(argc, argv, error, nullptr, isatty(STDOUT_FILENO) != 0,
                                        isatty(STDERR_FILENO) != 0);
  if (!parsed) {
    std::fprintf(stderr, "mailprobe check: %s\n", error.c_str());
    return to_int(ExitCode::usage);
  }
  if (parsed->help) {
    std::fputs(parsed->help_text.c_str(), stdout);
    return to_int(ExitCode::ok);
  }
  const check::CheckConfig& cfg = parsed->config;
  for (const char* r : {cfg.warning.c_str(), cfg.critical.c_str()}) {
    if (*r && !report::parse_range(r)) {
      std::fprintf(stderr, "mailprobe check: invalid nagios range '%s'\n", r);
      return to_int(ExitCode::usage);
    }
  }
  for (const auto& w : parsed->warnings)
    std::fprintf(stderr, "%smailprobe: warning: %s\n", parsed->execd ? "W! " : "", w.c_str());

  if (parsed->execd) return check::run_execd(cfg);

  check::ProgressFn progress;
  if (cfg.live_progress) progress = show_progress;
  check::CheckReport report = check::run_check(cfg, progress, check::install_stop_handler());
  if (cfg.live_progress) std::fputs("\r\033[K", stderr);
  check::Rendered out = check::render(cfg, report);
  if (!out.error.empty()) std::fprintf(stderr, "mailprobe check: %s\n", out.error.c_str());
  std::fwrite(out.out.data(), 1, out.out.size(), stdout);
  std::fflush(stdout);
  return out.exit_code;
}

}  // namespace mailprobe
