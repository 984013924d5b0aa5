// `mailprobe cleanup`: the command line of cleanup/run_cleanup.hpp (which
// says what is deleted and what never is), then one report on stdout.

#include <unistd.h>

#include <cxxopts.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/flags.hpp"
#include "app/usage_error.hpp"
#include "cleanup/run_cleanup.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::app {

int run_cleanup_command(int argc, char** argv) {
  cxxopts::Options o("mailprobe cleanup",
                     "Delete old mailprobe probes (X-Mailprobe-Token header, INTERNALDATE older than\n"
                     "--older-than) from the mailbox and its Junk folder. Nothing else is touched.");
  add_imap_flags(o, "mailbox");
  add_tls_flags(o, "TLS", "PEM CA bundle to verify the server with", "do NOT verify certificates (dangerous)");
  // clang-format off
  o.add_options("Cleanup")
    ("junk-mailbox", "Junk folder (default: the \\Junk special-use mailbox, else Junk, Spam, \"Junk E-mail\", [Gmail]/Spam)",
        cxxopts::value<std::string>())
    ("no-junk", "do not look in a Junk folder")
    ("older-than", "delete probes whose INTERNALDATE is at least this many seconds old",
        cxxopts::value<double>()->default_value("3600"))
    ("dry-run", "only count; mailboxes are opened read-only (EXAMINE)")
    ("timeout", "deadline for the whole run, seconds", cxxopts::value<double>()->default_value("60"))
    ("output-format", "json or text (default: text on a terminal, else json)", cxxopts::value<std::string>())
    ("h,help", "show this help");
  // clang-format on
  cleanup::CleanupConfig cfg;
  std::vector<std::string> warnings;
  auto r = o.parse(argc, argv);
  if (!r.unmatched().empty()) throw UsageError("unexpected argument '" + r.unmatched().front() + "'");
  if (r.count("help")) {
    std::fputs(o.help().c_str(), stdout);
    return 0;
  }
  ImapFlags imap = parse_imap_flags(r, real_getenv, warnings);
  cfg.endpoint = imap.endpoint;
  cfg.creds = imap.creds;
  cfg.mailbox = imap.mailbox;
  cfg.tls = parse_tls_flags(r, warnings, "--insecure: server certificates are NOT verified");
  if (r.count("junk-mailbox")) {
    cfg.junk_mailbox = r["junk-mailbox"].as<std::string>();
    if (auto p = mailbox_problem(cfg.junk_mailbox); !p.empty()) throw UsageError("--junk-mailbox " + p);
  }
  cfg.no_junk = r.count("no-junk") > 0;
  if (cfg.no_junk && !cfg.junk_mailbox.empty()) throw UsageError("give only one of --junk-mailbox and --no-junk");
  double older = r["older-than"].as<double>();
  if (!std::isfinite(older) || older < 0 || older > 10.0 * 365 * 86400)
    throw UsageError("--older-than must be 0 to 315360000 seconds");
  cfg.older_than = std::chrono::seconds(static_cast<long long>(std::ceil(older)));
  double timeout = r["timeout"].as<double>();
  if (!std::isfinite(timeout) || timeout < 0.1 || timeout > 86400)
    throw UsageError("--timeout must be 0.1 to 86400 seconds");
  cfg.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(timeout * 1000)));
  cfg.dry_run = r.count("dry-run") > 0;
  using report::OutputFormat;
  const OutputFormat format = output_format_of(r, {OutputFormat::json, OutputFormat::text},
                                               isatty(STDOUT_FILENO) ? OutputFormat::text : OutputFormat::json);
  for (const auto& w : warnings) std::fprintf(stderr, "mailprobe: warning: %s\n", w.c_str());
  cleanup::CleanupReport rep = cleanup::run_cleanup(cfg);
  std::string out = format == OutputFormat::json ? cleanup::render_json(rep, cfg) : cleanup::render_text(rep, cfg);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return to_int(rep.failure ? ExitCode::check_failed : ExitCode::ok);
}

}  // namespace mailprobe::app
