#include "app/check_routes.hpp"

#include <unistd.h>

#include <cxxopts.hpp>

#include <cstdio>
#include <set>

#include "app/check_flags_catalog.hpp"
#include "app/execd.hpp"
#include "app/render_routes.hpp"
#include "app/signals.hpp"
#include "app/usage_error.hpp"
#include "core/exit_code.hpp"
#include "routes/route_args.hpp"
#include "routes/run_routes.hpp"

namespace mailprobe::app {

std::vector<std::string> flags_beside_routes(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--routes") {
      ++i;  // and its value
      continue;
    }
    if (a.rfind("--routes=", 0) == 0) continue;
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<ParsedCheck> parse_routes_file(const std::string& path, const std::vector<std::string>& command_line,
                                           GetenvFn env, bool stdout_is_tty) {
  const routes::FlagLookup lookup = check_flag_lookup();
  std::string error;
  auto file = routes::load_routes(path, lookup, error);
  if (!file) throw UsageError(error);
  std::vector<ParsedCheck> out;
  out.reserve(file->routes.size());
  for (const auto& route : file->routes) {
    routes::RouteArgs args = routes::route_args(*file, route, command_line, lookup);
    std::vector<char*> argv;
    for (auto& a : args.argv) argv.push_back(a.data());
    try {
      ParsedCheck p = parse_check_args(static_cast<int>(argv.size()), argv.data(), env, stdout_is_tty, false);
      p.config.route = route.name;
      out.push_back(std::move(p));
    } catch (const UsageError& e) {
      throw UsageError(routes::locate_error(e.what(), *file, route, args));
    } catch (const cxxopts::exceptions::exception& e) {
      throw UsageError(routes::locate_error(e.what(), *file, route, args));
    }
  }
  return out;
}

namespace {

routes::RunOptions run_options(const ParsedCheck& p, const std::atomic<bool>* stop) {
  return {p.concurrency, p.jitter, stop};
}

}  // namespace

int run_check_routes(const ParsedCheck& top, int argc, char** argv) {
  std::vector<ParsedCheck> parsed;
  try {
    parsed = parse_routes_file(top.routes_file, flags_beside_routes(argc, argv), real_getenv,
                               isatty(STDOUT_FILENO) != 0);
  } catch (const UsageError& e) {
    throw UsageError(e.what(), top.execd ? "E! " : "");
  }
  // The same warning for 30 routes is one line.
  std::set<std::string> warned;
  for (const auto& p : parsed)
    for (const auto& w : p.warnings)
      if (warned.insert(w).second) std::fprintf(stderr, "%smailprobe: warning: %s\n", top.execd ? "W! " : "", w.c_str());

  std::vector<check::CheckConfig> cfgs;
  cfgs.reserve(parsed.size());
  for (auto& p : parsed) cfgs.push_back(std::move(p.config));
  const ParsedCheck& run = parsed.front();  // run-wide flags are the same in every route
  if (top.execd) return run_execd_routes(cfgs, run_options(run, nullptr));

  check::Goodbyes goodbyes;  // awaited after the records are out
  auto reports = routes::run_routes(cfgs, run_options(run, install_stop_handler()), nullptr, &goodbyes);
  Rendered out = render_routes(cfgs.front(), reports);
  if (!out.error.empty()) std::fprintf(stderr, "mailprobe check: %s\n", out.error.c_str());
  if (!write_stdout(out.out)) return to_int(ExitCode::internal);
  return out.exit_code;
}

}  // namespace mailprobe::app
