// `mailprobe check` (and `mailprobe` with no sub-command): parse, run one
// round trip, print exactly one record, exit with its code.

#include <unistd.h>

#include <cstdio>
#include <string>

#include "app/check_options.hpp"
#include "app/commands.hpp"
#include "app/execd.hpp"
#include "app/render.hpp"
#include "app/signals.hpp"
#include "check/field_docs.hpp"
#include "check/run_check.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::app {

namespace {

/// A live progress line on stderr while waiting (only when stderr is a TTY).
void show_progress(double elapsed, int tries, const char* method) {
  std::fprintf(stderr, "\r  waiting for delivery: %6.1f s, %d checks (%s)   ", elapsed, tries, method);
  std::fflush(stderr);
}

}  // namespace

int run_check_command(int argc, char** argv) {
  ParsedCheck parsed = parse_check_args(argc, argv, real_getenv, isatty(STDOUT_FILENO) != 0,
                                        isatty(STDERR_FILENO) != 0);
  if (parsed.help) {
    std::fputs(parsed.help_text.c_str(), stdout);
    return to_int(ExitCode::ok);
  }
  if (!parsed.list_fields.empty()) {
    std::fputs(check::fields_markdown().c_str(), stdout);
    return to_int(ExitCode::ok);
  }
  const check::CheckConfig& cfg = parsed.config;
  for (const auto& w : parsed.warnings)
    std::fprintf(stderr, "%smailprobe: warning: %s\n", parsed.execd ? "W! " : "", w.c_str());

  if (parsed.execd) return run_execd(cfg);

  check::ProgressFn progress;
  if (cfg.live_progress) progress = show_progress;
  check::CheckReport report = check::run_check(cfg, progress, install_stop_handler());
  if (cfg.live_progress) std::fputs("\r\033[K", stderr);
  Rendered out = render(cfg, report);
  if (!out.error.empty()) std::fprintf(stderr, "mailprobe check: %s\n", out.error.c_str());
  // One write(2) loop: a SIGTERM mid-write must not leave half a record.
  if (!write_stdout(out.out)) return to_int(ExitCode::internal);
  return out.exit_code;
}

}  // namespace mailprobe::app
