#include "app/execd.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "app/render.hpp"
#include "app/render_routes.hpp"
#include "app/signals.hpp"
#include "app/trigger_input.hpp"
#include "check/run_check.hpp"
#include "core/exit_code.hpp"
#include "routes/route_selection.hpp"

namespace mailprobe::app {

int run_execd(const check::CheckConfig& cfg) {
  const std::atomic<bool>* stop = install_stop_handler();
  std::fprintf(stderr, "I! mailprobe execd: ready, one check per line on stdin (%s -> %s)\n",
               cfg.smtp.authority().c_str(), cfg.imap.authority().c_str());
  int checks = 0;
  TriggerInput input(STDIN_FILENO);
  Input in = input.wait(*stop);
  while (in == Input::trigger) {
    ++checks;
    std::fprintf(stderr, "D! mailprobe execd: check %d started\n", checks);
    check::Goodbyes goodbyes;  // awaited after the record is out (end of this iteration)
    check::CheckReport r = check::run_check(cfg, {}, stop, {}, &goodbyes);
    // Telegraf writes a newline every interval; the ones that queued while
    // this check ran are ticks it missed, not a backlog to run back to back.
    // Drained before the record goes out, so a trigger sent after reading
    // the record always runs.
    const bool closed = input.drain() == Input::closed;
    (void)input.take_lines();
    Rendered out = render(cfg, r);
    if (!write_stdout(out.out)) {
      std::fprintf(stderr, "E! mailprobe execd: stdout closed, exiting\n");
      return to_int(ExitCode::internal);
    }
    if (!out.error.empty()) std::fprintf(stderr, "E! mailprobe execd: %s\n", out.error.c_str());
    if (r.success) {
      std::fprintf(stderr, "D! mailprobe execd: check %d delivered in %.3f s\n", checks,
                   r.delivery_us ? static_cast<double>(*r.delivery_us) / 1e6 : 0.0);
    } else {
      std::fprintf(stderr, "W! mailprobe execd: check %d failed at %s: %s: %s\n", checks,
                   std::string(to_string(r.failure.stage)).c_str(),
                   std::string(to_string(r.failure.result)).c_str(), r.failure.reply_text.c_str());
    }
    if (stop->load() || closed) break;
    in = input.wait(*stop);
  }
  if (stop->load())
    std::fprintf(stderr, "I! mailprobe execd: stopped by signal after %d checks, exiting\n", checks);
  else
    std::fprintf(stderr, "I! mailprobe execd: stdin closed after %d checks, exiting\n", checks);
  return to_int(ExitCode::ok);
}

int run_execd_routes(const std::vector<check::CheckConfig>& routes, routes::RunOptions opt) {
  const std::atomic<bool>* stop = install_stop_handler();
  opt.stop = stop;
  std::vector<std::string> names;
  for (const auto& r : routes) names.push_back(r.route);
  std::fprintf(stderr, "I! mailprobe execd: ready, %zu routes per line on stdin (an empty line runs all)\n",
               routes.size());
  int runs = 0;
  TriggerInput input(STDIN_FILENO);
  Input in = input.wait(*stop);
  while (in == Input::trigger) {
    ++runs;
    routes::Selection sel = routes::select_routes(names, input.take_lines());
    for (const auto& u : sel.unknown) std::fprintf(stderr, "W! mailprobe execd: no route named '%s'\n", u.c_str());
    std::vector<check::CheckConfig> chosen;
    for (auto i : sel.routes) chosen.push_back(routes[i]);
    std::fprintf(stderr, "D! mailprobe execd: run %d started (%zu routes)\n", runs, chosen.size());
    check::Goodbyes goodbyes;  // awaited after the records are out (end of this iteration)
    std::vector<check::CheckReport> reports;
    if (!chosen.empty()) reports = routes::run_routes(chosen, opt, nullptr, &goodbyes);
    // As in run_execd: ticks that queued during the run are missed ticks.
    const bool closed = input.drain() == Input::closed;
    (void)input.take_lines();
    if (!reports.empty()) {
      Rendered out = render_routes(routes.front(), reports);
      if (!write_stdout(out.out)) {
        std::fprintf(stderr, "E! mailprobe execd: stdout closed, exiting\n");
        return to_int(ExitCode::internal);
      }
      if (!out.error.empty()) std::fprintf(stderr, "E! mailprobe execd: %s\n", out.error.c_str());
    }
    for (const auto& r : reports)
      if (!r.success)
        std::fprintf(stderr, "W! mailprobe execd: route %s failed at %s: %s: %s\n", r.route.c_str(),
                     std::string(to_string(r.failure.stage)).c_str(),
                     std::string(to_string(r.failure.result)).c_str(), r.failure.reply_text.c_str());
    if (stop->load() || closed) break;
    in = input.wait(*stop);
  }
  std::fprintf(stderr, "I! mailprobe execd: %s after %d runs, exiting\n",
               stop->load() ? "stopped by signal" : "stdin closed", runs);
  return to_int(ExitCode::ok);
}

}  // namespace mailprobe::app
