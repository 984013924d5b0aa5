// `mailprobe demo`: the main job with zero setup. Starts the embedded server
// in-process on free loopback ports with a freshly generated certificate, runs
// a full `check` round trip against it over STARTTLS on both legs with
// certificate verification (the generated CA is the trust anchor), prints the
// report and exits with the check's code.

#include <unistd.h>

#include <cxxopts.hpp>

#include <cstdio>

#include "app/commands.hpp"
#include "app/flags.hpp"
#include "app/render.hpp"
#include "app/usage_error.hpp"
#include "check/run_check.hpp"
#include "core/exit_code.hpp"
#include "serve/server.hpp"

namespace mailprobe::app {

int run_demo_command(int argc, char** argv) {
  cxxopts::Options o("mailprobe demo",
                     "Round trip against the embedded loopback server: nothing to set up.");
  o.add_options()
    ("output-format", "text, json, influx, prometheus or nagios (default: text)",
        cxxopts::value<std::string>())
    ("smtp-tls", "none, tls or starttls", cxxopts::value<std::string>()->default_value("starttls"))
    ("imap-tls", "none, tls or starttls", cxxopts::value<std::string>()->default_value("starttls"))
    ("timeout", "overall deadline, seconds", cxxopts::value<double>()->default_value("30"))
    ("h,help", "show this help");
  check::CheckConfig cfg;
  auto r = o.parse(argc, argv);
  if (r.count("help")) {
    std::fputs(o.help().c_str(), stdout);
    return to_int(ExitCode::ok);
  }
  if (!r.unmatched().empty()) throw UsageError("unexpected argument '" + r.unmatched().front() + "'");
  using report::OutputFormat;
  cfg.format = output_format_of(
      r, {OutputFormat::text, OutputFormat::json, OutputFormat::influx, OutputFormat::prometheus, OutputFormat::nagios},
      OutputFormat::text);
  cfg.smtp.tls = tls_of(r, "smtp-tls");
  cfg.imap.tls = tls_of(r, "imap-tls");
  double t = r["timeout"].as<double>();
  if (!(t >= 0.5 && t <= 3600)) throw UsageError("--timeout must be 0.5-3600 seconds");
  cfg.timeout = std::chrono::milliseconds(static_cast<long long>(t * 1000));

  serve::ServerOptions so;
  so.log = nullptr;  // the check's report is the output
  auto server = serve::Server::start(so);
  if (!server) {
    std::fprintf(stderr, "mailprobe demo: cannot start the embedded server: %s\n",
                 server.error().reply_text.c_str());
    return to_int(ExitCode::internal);
  }
  serve::Ports ports = server.value()->ports();

  cfg.email_from = "alice@localhost";
  cfg.email_to = "bob@localhost";
  cfg.smtp.host = cfg.imap.host = "localhost";
  cfg.smtp.port = cfg.smtp.tls == net::TlsMode::tls ? ports.smtps : ports.smtp;
  cfg.imap.port = cfg.imap.tls == net::TlsMode::tls ? ports.imaps : ports.imap;
  cfg.smtp_creds = {"alice", "alice"};  // the embedded server's demo users
  cfg.imap_creds = {"bob", "bob"};
  cfg.tls.ca_file = server.value()->ca_file();  // verify against the generated certificate
  cfg.check_frequency = std::chrono::milliseconds(500);
  cfg.helo = "localhost";
  cfg.live_progress = false;

  if (cfg.format == check::OutputFormat::text)
    std::printf("mailprobe demo: embedded server on localhost (SMTP %d, SMTPS %d, IMAP %d, IMAPS %d), "
                "CA %s\n\n", ports.smtp, ports.smtps, ports.imap, ports.imaps, cfg.tls.ca_file.c_str());
  check::CheckReport report = check::run_check(cfg);
  Rendered out = render(cfg, report);
  std::fwrite(out.out.data(), 1, out.out.size(), stdout);
  std::fflush(stdout);
  server.value()->stop();
  return out.exit_code;
}

}  // namespace mailprobe::app
