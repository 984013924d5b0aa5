// `mailprobe check` (and `mailprobe` with no sub-command): parse, run one
// round trip, print exactly one record, exit with its code.

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/check_options.hpp"
#include "app/check_routes.hpp"
#include "app/commands.hpp"
#include "app/execd.hpp"
#include "app/render.hpp"
#include "app/signals.hpp"
#include "check/field_docs.hpp"
#include "check/run_check.hpp"
#include "core/exit_code.hpp"
#include "net/dialogue_log.hpp"
#include "routes/run_routes.hpp"
#include "report/live_line.hpp"
#include "report/text_summary.hpp"

namespace mailprobe::app {

namespace {

/// Columns of the terminal on `fd`, or 80.
int terminal_width(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
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
  if (isatty(STDOUT_FILENO)) {
    parsed.config.text_style.color = report::color_allowed(std::getenv("NO_COLOR"), std::getenv("TERM"));
    parsed.config.text_style.width = terminal_width(STDOUT_FILENO);
  }
  if (!parsed.routes_file.empty()) return run_check_routes(parsed, argc, argv);
  // -v: the dialogue on stderr as it happens, like curl -v (one check, not execd).
  if (parsed.config.verbose && !parsed.execd)
    parsed.config.transcript = std::make_shared<net::DialogueLog>(
        [](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stderr); });
  const check::CheckConfig& cfg = parsed.config;
  for (const auto& w : parsed.warnings)
    std::fprintf(stderr, "%smailprobe: warning: %s\n", parsed.execd ? "W! " : "", w.c_str());

  if (parsed.execd) return run_execd(cfg);

  const std::atomic<bool>* stop = install_stop_handler();
  // --jitter: before the run starts, so it adds to no measured stage.
  (void)routes::sleep_unless_stopped(routes::random_delay(parsed.jitter), stop);
  // Goodbyes (the QUIT's 221) are awaited only after the record is out.
  check::Goodbyes goodbyes;
  check::CheckReport report;
  if (cfg.live_progress) {
    report::LiveLine live(stderr, report::color_allowed(std::getenv("NO_COLOR"), std::getenv("TERM")));
    auto progress = [&live](double, int tries, const char* method) {
      live.detail(std::to_string(tries) + (tries == 1 ? " check (" : " checks (") + method + ")");
    };
    auto phase = [&live](const std::string& p) { live.phase(p); };
    report = check::run_check(cfg, progress, stop, phase, &goodbyes);
  } else {
    report = check::run_check(cfg, {}, stop, {}, &goodbyes);
  }
  Rendered out = render(cfg, report);
  if (!out.error.empty()) std::fprintf(stderr, "mailprobe check: %s\n", out.error.c_str());
  // One write(2) loop: a SIGTERM mid-write must not leave half a record.
  if (!write_stdout(out.out)) return to_int(ExitCode::internal);
  return out.exit_code;
}

}  // namespace mailprobe::app
