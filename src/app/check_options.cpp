#include "app/check_options.hpp"

#include <curl/curl.h>

#include <cctype>
#include <cmath>

#include "app/fleet_flags.hpp"
#include "app/oauth_flags.hpp"
#include "app/usage_error.hpp"
#include "mailprobe_version.hpp"
#include "check/mx_route.hpp"
#include "core/file_check.hpp"
#include "dns/resolver.hpp"
#include "message/address.hpp"
#include "report/nagios_range.hpp"

namespace mailprobe::app {

namespace {

using check::CheckConfig;
using check::OutputFormat;
using check::Schema;

std::string address_of(const cxxopts::ParseResult& r, const char* name) {
  if (!r.count(name)) throw UsageError(std::string("--") + name + " is required");
  std::string a = r[name].as<std::string>();
  if (auto p = message::address_problem(a); !p.empty()) throw UsageError(std::string("--") + name + " " + p);
  return a;
}

std::chrono::milliseconds seconds_opt(const cxxopts::ParseResult& r, const char* name, double min, double max) {
  double v = r[name].as<double>();
  if (!std::isfinite(v) || v < min || v > max)
    throw UsageError(std::string("--") + name + " must be between " + std::to_string(static_cast<long>(min * 1000)) +
                     " ms and " + std::to_string(static_cast<long>(max)) + " s");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(v * 1000)));
}

/// EHLO argument (RFC 5321 §4.1.1.1): a domain or an address literal.
std::string helo_problem(const std::string& h) {
  if (h.empty() || h.size() > 255) return "must be a domain name or [address literal]";
  if (h.front() == '[') {
    if (h.back() != ']') return "address literal must end with ']'";
    for (char ch : h.substr(1, h.size() - 2))
      if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != '.' && ch != ':' && ch != 'I' && ch != 'P' &&
          ch != 'v' && ch != '6')
        return "has a character not allowed in an address literal";
    return {};
  }
  for (char ch : h)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.')
      return "must be a domain name (letters, digits, '-' and '.') or [address literal]";
  return {};
}

/// The probe itself: addresses, subject prefix, pacing.
void parse_probe(const cxxopts::ParseResult& r, CheckConfig& c) {
  c.email_from = address_of(r, "email-from");
  c.email_to = address_of(r, "email-to");
  c.prefix = r["prefix"].as<std::string>();
  if (message::has_line_break(c.prefix)) throw UsageError("--prefix contains a line break");
  if (c.prefix.size() > 200) throw UsageError("--prefix is longer than 200 characters");
  c.check_frequency = seconds_opt(r, "check-frequency", 0.01, 3600);
  c.max_checks = r["max-checks"].as<int>();
  if (c.max_checks < 1 || c.max_checks > 100000) throw UsageError("--max-checks must be 1-100000");
}

/// The SMTP leg: server or MX mode, resolver, AUTH, EHLO name.
void parse_smtp(const cxxopts::ParseResult& r, CheckConfig& c, GetenvFn env, std::vector<std::string>& warnings) {
  c.smtp = {host_of(r, "smtp-host"), port_of(r, "smtp-port"), tls_of(r, "smtp-tls")};
  if (auto d = check::mx_domain(c.smtp.host, c.email_to)) {
    if (auto p = net::host_problem(*d); !p.empty()) throw UsageError("--smtp-host mx: domain " + p);
    c.mx_domain = *d;
    if (!r.count("smtp-port")) c.smtp.port = 25;  // MX delivery is port 25 (RFC 5321 §4.5.4.1)
  }
  if (r.count("dns-server")) {
    c.dns_server = r["dns-server"].as<std::string>();
    std::string a;
    int port = 0;
    if (!dns::parse_dns_server(c.dns_server, a, port)) throw UsageError("--dns-server must be IPv4[:port]");
  }
  if (r.count("smtp-username")) c.smtp_creds.username = r["smtp-username"].as<std::string>();
  c.smtp_token = parse_oauth_flags(r, "smtp", warnings);
  c.smtp_creds.mechanism = c.smtp_token.mechanism;
  if (!c.smtp_creds.oauth()) c.smtp_creds.password = password_of(r, "smtp", env, warnings);
  else if (!c.smtp_creds.present())
    throw UsageError("--smtp-auth " + std::string(net::to_string(c.smtp_creds.mechanism)) + " needs --smtp-username");
  if (message::has_line_break(c.smtp_creds.username) || message::has_line_break(c.smtp_creds.password))
    throw UsageError("a username or password contains a line break");
  if (c.smtp.tls == net::TlsMode::none && c.smtp_creds.present())
    warnings.push_back("SMTP credentials will cross the network unencrypted (--smtp-tls none)");
  if (r.count("helo")) {
    c.helo = r["helo"].as<std::string>();
    if (auto p = helo_problem(c.helo); !p.empty()) throw UsageError("--helo " + p);
  }
}

/// The IMAP legs: the watched mailbox, junk, bounce and the state file.
void parse_imap(const cxxopts::ParseResult& r, CheckConfig& c, GetenvFn env, std::vector<std::string>& warnings) {
  c.imap_token = parse_oauth_flags(r, "imap", warnings);
  ImapFlags imap = parse_imap_flags(r, env, warnings, c.imap_token.mechanism);
  c.imap = imap.endpoint;
  c.imap_creds = imap.creds;
  c.mailbox = imap.mailbox;
  c.junk_mailbox = r["junk-mailbox"].as<std::string>();
  if (auto p = mailbox_problem(c.junk_mailbox); !p.empty()) throw UsageError("--junk-mailbox " + p);
  c.junk_is_failure = r.count("junk-is-failure") > 0;
  if (r.count("bounce-imap-username")) {
    c.bounce_creds.username = r["bounce-imap-username"].as<std::string>();
    c.bounce_creds.password = password_of(r, "bounce-imap", env, warnings);
    if (c.bounce_creds.username.empty() || c.bounce_creds.password.empty())
      throw UsageError("--bounce-imap-username needs a password (--bounce-imap-password-file or MAILPROBE_BOUNCE_IMAP_PASSWORD_FILE)");
    if (message::has_line_break(c.bounce_creds.username) || message::has_line_break(c.bounce_creds.password))
      throw UsageError("a username or password contains a line break");
  }
  if (r.count("state-file")) {
    c.state_file = r["state-file"].as<std::string>();
    if (c.state_file.empty()) throw UsageError("--state-file is empty");
  }
  c.lost_after = std::chrono::duration_cast<std::chrono::seconds>(seconds_opt(r, "lost-after", 1, 86400.0 * 365));
}

/// Formats whose records are one line each, as Telegraf execd's parsers
/// need (every data_format but influx is read line by line). The error is
/// logged with Telegraf's "E! " prefix, as every execd log line is.
void require_line_oriented(const CheckConfig& c) {
  if (c.format == OutputFormat::prometheus && c.textfile.empty())
    throw UsageError("--output-format prometheus needs --textfile in execd mode", "E! ");
  if (c.format == OutputFormat::text || c.format == OutputFormat::nagios)
    throw UsageError("--output-format text and nagios are multi-line; use influx or json with --execd", "E! ");
}

/// Output: format, influx schema, textfile, nagios ranges.
void parse_output(const cxxopts::ParseResult& r, CheckConfig& c, bool stdout_is_tty) {
  c.format = output_format_of(r,
                              {OutputFormat::json, OutputFormat::influx, OutputFormat::text, OutputFormat::prometheus,
                               OutputFormat::nagios},
                              stdout_is_tty ? OutputFormat::text : OutputFormat::json);
  std::string schema = r["schema"].as<std::string>();
  if (schema == "standard") c.schema = Schema::standard;
  else if (schema == "legacy") c.schema = Schema::legacy;
  else throw UsageError("--schema must be standard or legacy, got '" + schema + "'");
  if (c.schema == Schema::legacy && c.format != OutputFormat::influx)
    throw UsageError("--schema legacy applies to --output-format influx only");
  if (r.count("textfile")) {
    c.textfile = r["textfile"].as<std::string>();
    if (c.format != OutputFormat::prometheus) throw UsageError("--textfile needs --output-format prometheus");
    if (c.textfile.size() < 6 || c.textfile.substr(c.textfile.size() - 5) != ".prom")
      throw UsageError("--textfile must end in .prom (node_exporter reads only *.prom)");
    if (auto p = writable_dir_problem(c.textfile); !p.empty()) throw UsageError("cannot write --textfile: " + p);
  }
  if (r.count("warning")) c.warning = r["warning"].as<std::string>();
  if (r.count("critical")) c.critical = r["critical"].as<std::string>();
  for (const std::string* range : {&c.warning, &c.critical})
    if (!range->empty() && !report::parse_range(*range)) throw UsageError("invalid nagios range '" + *range + "'");
}

}  // namespace

void declare_check_flags(cxxopts::Options& o) {
  // clang-format off
  o.add_options("Probe (seed 002)")
    ("email-from", "envelope and header sender", cxxopts::value<std::string>())
    ("email-to", "envelope and header recipient", cxxopts::value<std::string>())
    ("prefix", "subject prefix", cxxopts::value<std::string>()->default_value("[e2e email monitoring] "))
    ("check-frequency", "longest pause between mailbox checks, seconds (fractions allowed)",
        cxxopts::value<double>()->default_value("2"))
    ("max-checks", "give up after check-frequency x max-checks", cxxopts::value<int>()->default_value("30"))
    ("output-format", "json, influx, text, prometheus or nagios (default: text on a terminal, else json)",
        cxxopts::value<std::string>());
  o.add_options("SMTP")
    ("smtp-host", "SMTP server; mx: (or mx:DOMAIN) delivers straight to the recipient domain's MX hosts",
        cxxopts::value<std::string>())
    ("smtp-port", "SMTP port", cxxopts::value<int>()->default_value("587"))
    ("smtp-tls", "none, tls (implicit) or starttls (required)", cxxopts::value<std::string>()->default_value("starttls"))
    ("smtp-username", "SMTP AUTH user (no AUTH when empty)", cxxopts::value<std::string>())
    ("smtp-password", "SMTP password (visible in ps; prefer the file)", cxxopts::value<std::string>())
    ("smtp-password-file", "file holding the SMTP password", cxxopts::value<std::string>())
    ("helo", "EHLO name (default: this host's name)", cxxopts::value<std::string>())
    ("dns-server", "MX mode: resolve through this server (IPv4[:port]) instead of /etc/resolv.conf",
        cxxopts::value<std::string>());
  add_imap_flags(o, "mailbox to watch");
  o.add_options("IMAP")
    ("junk-mailbox", "junk folder watched too: auto (\\Junk special-use or a common name), a name, or none",
        cxxopts::value<std::string>()->default_value("auto"))
    ("junk-is-failure", "a probe delivered to the junk folder fails the run")
    ("bounce-imap-username", "also watch this (the sender's) mailbox on the IMAP server for a bounce of the probe",
        cxxopts::value<std::string>())
    ("bounce-imap-password", "its password (visible in ps; prefer the file)", cxxopts::value<std::string>())
    ("bounce-imap-password-file", "file holding its password", cxxopts::value<std::string>())
    ("state-file", "remember unfound probes here; later runs count them late or lost and clean them up",
        cxxopts::value<std::string>())
    ("lost-after", "a remembered probe older than this is lost, seconds", cxxopts::value<double>()->default_value("86400"));
  add_oauth_options(o, "smtp", "SMTP OAuth2");
  add_oauth_options(o, "imap", "IMAP OAuth2");
  add_tls_flags(o, "Run", "PEM CA bundle to verify both servers with", "do NOT verify certificates (dangerous)");
  o.add_options("Run")
    ("t,timeout", "overall deadline for the whole run, seconds", cxxopts::value<double>()->default_value("60"))
    ("no-cleanup", "leave the probe in the mailbox")
    ("schema", "influx schema: standard or legacy (seed 002's mail-e2e line)",
        cxxopts::value<std::string>()->default_value("standard"))
    ("textfile", "prometheus: write atomically to this .prom file", cxxopts::value<std::string>())
    ("w,warning", "nagios: warning range for delivery seconds", cxxopts::value<std::string>())
    ("c,critical", "nagios: critical range for delivery seconds", cxxopts::value<std::string>())
    ("execd", "stay running: one check per line on stdin (Telegraf execd signal = \"STDIN\")")
    ("v,verbose", "every field in the text report, and the SMTP/IMAP dialogue on stderr (secrets masked)")
    ("list-fields", "print every output field (markdown table) and exit", cxxopts::value<std::string>()->implicit_value("markdown"))
    ("V,version", "print the version and exit")
    ("h,help", "show this help");
  // clang-format on
  add_fleet_flags(o);
}

namespace {

/// The check option parser, declared once per process: a routes file parses
/// one argv per route, and declaring ~150 flags costs more than parsing
/// them. cxxopts::Options::parse leaves the declaration untouched.
cxxopts::Options& check_parser() {
  static cxxopts::Options o = [] {
    cxxopts::Options spec("mailprobe check",
                          "Send a probe over SMTP and find it over IMAP; report every stage's timing.\n"
                          "Passwords: --X-password-file > --X-password > $MAILPROBE_X_PASSWORD_FILE > "
                          "$MAILPROBE_X_PASSWORD (X = smtp|imap)\n"
                          "OAuth2 (--X-auth xoauth2|oauthbearer) token sources, first match wins: --X-token-file > "
                          "--X-token-command > --X-oauth2-token-url fetch");
    declare_check_flags(spec);
    return spec;
  }();
  return o;
}

}  // namespace

ParsedCheck parse_check_args(int argc, char** argv, GetenvFn env, bool stdout_is_tty, bool stderr_is_tty) {
  cxxopts::Options& o = check_parser();
  ParsedCheck out;
  auto r = parse_flags(o, argc, argv);
  if (!r.unmatched().empty()) throw UsageError("unexpected argument '" + r.unmatched().front() + "'");
  if (r.count("help")) {
    out.help = true;
    out.help_text = o.help();
    return out;
  }
  if (r.count("version")) {
    out.help = true;  // printed like --help: stdout, exit 0
    out.help_text = std::string("mailprobe ") + MAILPROBE_VERSION + " (" + curl_version() + ")\n";
    return out;
  }
  if (r.count("list-fields")) {
    out.list_fields = r["list-fields"].as<std::string>();
    if (out.list_fields != "markdown") throw UsageError("--list-fields supports only markdown");
    return out;
  }
  CheckConfig& c = out.config;
  FleetFlags fleet = parse_fleet_flags(r);
  c.source = fleet.source;
  c.tags = fleet.tags;
  out.concurrency = fleet.concurrency;
  out.jitter = fleet.jitter;
  if (!fleet.routes_file.empty()) {
    // The routes come from the file, each parsed by this same function
    // (app/check_routes.hpp); here only what applies to the whole run.
    out.routes_file = fleet.routes_file;
    parse_output(r, c, stdout_is_tty);
    out.execd = r.count("execd") > 0;
    if (out.execd) require_line_oriented(c);
    return out;
  }
  parse_probe(r, c);
  parse_smtp(r, c, env, out.warnings);
  parse_imap(r, c, env, out.warnings);
  // After the IMAP leg: a missing IMAP password is the first thing to report.
  if (c.smtp_creds.present() && !c.smtp_creds.oauth() && c.smtp_creds.password.empty())
    throw UsageError("--smtp-username given but no SMTP password");
  c.tls = parse_tls_flags(r, out.warnings, "--insecure: server certificates are NOT verified");
  c.timeout = seconds_opt(r, "timeout", 0.1, 86400);
  c.cleanup = r.count("no-cleanup") == 0;
  c.verbose = r.count("verbose") > 0;
  parse_output(r, c, stdout_is_tty);
  out.execd = r.count("execd") > 0;
  if (out.execd) require_line_oriented(c);
  c.live_progress = stderr_is_tty && !out.execd && !c.verbose;  // -v writes the dialogue there
  return out;
}

}  // namespace mailprobe::app
