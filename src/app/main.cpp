// mailprobe: proves mail really flows. main() dispatches sub-commands from one
// table; with no sub-command the arguments belong to `check`, so the seed-002
// command line works unchanged with only the program name replaced.

#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "app/commands.hpp"
#include "app/run_command.hpp"
#include "core/exit_code.hpp"
#include "mailprobe_version.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* help;
};

using namespace mailprobe::app;

const Command kCommands[] = {
    {"check", run_check_command, "send a probe over SMTP and find it over IMAP (default)"},
    {"probe", run_probe_command, "SMTP/IMAP service health, TLS and certificate facts, MX ranking"},
    {"serve", run_serve_command, "run the embedded loopback SMTP+IMAP test server"},
    {"demo", run_demo_command, "full round trip against the embedded server, zero setup"},
    {"cleanup", run_cleanup_command, "delete old probes (token header + INTERNALDATE age) from inbox and junk"},
};

void print_usage(std::FILE* to) {
  std::fprintf(to, "usage: mailprobe [command] [options]\n\ncommands:\n");
  for (const auto& c : kCommands) std::fprintf(to, "  %-8s %s\n", c.name, c.help);
  std::fprintf(to, "\nWith no command, options are those of `check`. `mailprobe <command> --help` for details.\n");
}

/// Runs the sub-command named by argv[1] (or `check`); returns the exit code.
int dispatch(int argc, char** argv) {
  if (argc >= 2) {
    std::string first = argv[1];
    if (first == "help" || first == "-h" || (first == "--help" && argc == 2)) {
      print_usage(stdout);
      return 0;
    }
    if (first == "--version" || first == "version") {
      std::printf("mailprobe %s (%s)\n", MAILPROBE_VERSION, curl_version());
      return 0;
    }
    for (const auto& c : kCommands) {
      if (first != c.name) continue;
      std::string name = std::string("mailprobe ") + c.name;
      std::vector<char*> args;
      args.push_back(name.data());
      for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
      args.push_back(nullptr);
      return run_command(name.c_str(), c.run, static_cast<int>(args.size() - 1), args.data());
    }
    if (first.rfind("-", 0) != 0) {
      std::fprintf(stderr, "mailprobe: unknown command '%s' (try --help)\n", first.c_str());
      return mailprobe::to_int(mailprobe::ExitCode::usage);
    }
  }
  return run_command("mailprobe check", run_check_command, argc, argv);  // seed-002 compatibility: flags only
}

}  // namespace

int main(int argc, char** argv) {
  // A handful of short-lived threads (junk and bounce legs) need no
  // per-thread malloc arenas; one arena keeps the peak RSS down.
  mallopt(M_ARENA_MAX, 1);
  // A peer closing a socket must surface as an error value, not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fprintf(stderr, "mailprobe: libcurl initialisation failed\n");
    return mailprobe::to_int(mailprobe::ExitCode::internal);
  }
  int rc;
  try {
    rc = dispatch(argc, argv);
  } catch (const std::exception& e) {
    // Only third-party code (std::thread, allocation) throws; report it as
    // mailprobe's own failure, never as a finding about the mail system.
    std::fprintf(stderr, "mailprobe: internal error: %s\n", e.what());
    rc = mailprobe::to_int(mailprobe::ExitCode::internal);
  }
  curl_global_cleanup();
  return rc;
}
