#include "check/check_options.hpp"

#include <cxxopts.hpp>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/option_values.hpp"
#include "check/mx_route.hpp"
#include "core/file_check.hpp"
#include "tls/ca_file.hpp"
#include "dns/resolver.hpp"
#include "message/address.hpp"

namespace mailprobe::check {

namespace {

using cli::host_of;
using cli::password_of;
using cli::port_of;
using cli::tls_of;
using cli::UsageError;

std::string address_of(const cxxopts::ParseResult& r, const char* name) {
  if (!r.count(name)) throw UsageError{std::string("--") + name + " is required"};
  std::string a = r[name].as<std::string>();
  if (auto p = message::address_problem(a); !p.empty()) throw UsageError{std::string("--") + name + " " + p};
  return a;
}

std::chrono::milliseconds seconds_opt(const cxxopts::ParseResult& r, const char* name, double min, double max) {
  double v = r[name].as<double>();
  if (!std::isfinite(v) || v < min || v > max)
    throw UsageError{std::string("--") + name + " must be between " + std::to_string(static_cast<long>(min * 1000)) +
                     " ms and " + std::to_string(static_cast<long>(max)) + " s"};
  return std::chrono::milliseconds(static_cast<long long>(std::llround(v * 1000)));
}

const char* real_getenv(const char* n) { return std::getenv(n); }

/// IMAP mailbox names go out as quoted strings (RFC 3501 §9 astring); names
/// that would need a literal or modified UTF-7 (§5.1.3) are refused up front.
std::string mailbox_problem(const std::string& m) {
  if (m.empty()) return "is empty";
  for (unsigned char ch : m) {
    if (ch < 0x20 || ch == 0x7f) return "contains a control character";
    if (ch >= 0x80) return "must be ASCII (give the modified UTF-7 name the server lists, e.g. Entw&APw-rfe)";
  }
  return {};
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

}  // namespace

std::optional<ParsedCheck> parse_check_args(int argc, char** argv, std::string& error,
                                            const char* (*getenv_fn)(const char*), bool stdout_is_tty,
                                            bool stderr_is_tty) {
  if (!getenv_fn) getenv_fn = real_getenv;
  cxxopts::Options o("mailprobe check",
                     "Send a probe over SMTP and find it over IMAP; report every stage's timing.\n"
                     "Passwords: --X-password-file > --X-password > $MAILPROBE_X_PASSWORD_FILE > "
                     "$MAILPROBE_X_PASSWORD (X = smtp|imap)");
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
  o.add_options("IMAP")
    ("imap-host", "IMAP server", cxxopts::value<std::string>())
    ("imap-port", "IMAP port", cxxopts::value<int>()->default_value("143"))
    ("imap-tls", "none, tls (implicit) or starttls (required)", cxxopts::value<std::string>()->default_value("starttls"))
    ("imap-username", "IMAP login", cxxopts::value<std::string>())
    ("imap-password", "IMAP password (visible in ps; prefer the file)", cxxopts::value<std::string>())
    ("imap-password-file", "file holding the IMAP password", cxxopts::value<std::string>())
    ("imap-mailbox", "mailbox to watch", cxxopts::value<std::string>()->default_value("INBOX"))
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
  o.add_options("Run")
    ("ca-file", "PEM CA bundle to verify both servers with", cxxopts::value<std::string>())
    ("insecure", "do NOT verify certificates (dangerous)")
    ("timeout", "overall deadline for the whole run, seconds", cxxopts::value<double>()->default_value("60"))
    ("no-cleanup", "leave the probe in the mailbox")
    ("schema", "influx schema: standard or legacy (seed 002's mail-e2e line)",
        cxxopts::value<std::string>()->default_value("standard"))
    ("textfile", "prometheus: write atomically to this .prom file", cxxopts::value<std::string>())
    ("w,warning", "nagios: warning range for delivery seconds", cxxopts::value<std::string>())
    ("c,critical", "nagios: critical range for delivery seconds", cxxopts::value<std::string>())
    ("execd", "stay running: one check per line on stdin (Telegraf execd signal = \"STDIN\")")
    ("v,verbose", "text: every field instead of the compact report")
    ("list-fields", "print every output field (markdown table) and exit", cxxopts::value<std::string>()->implicit_value("markdown"))
    ("h,help", "show this help");
  // clang-format on

  ParsedCheck out;
  try {
    auto r = o.parse(argc, argv);
    if (!r.unmatched().empty()) throw UsageError{"unexpected argument '" + r.unmatched().front() + "'"};
    if (r.count("help")) {
      out.help = true;
      out.help_text = o.help();
      return out;
    }
    if (r.count("list-fields")) {
      out.list_fields = r["list-fields"].as<std::string>();
      if (out.list_fields != "markdown") throw UsageError{"--list-fields supports only markdown"};
      return out;
    }
    CheckConfig& c = out.config;
    c.email_from = address_of(r, "email-from");
    c.email_to = address_of(r, "email-to");
    c.prefix = r["prefix"].as<std::string>();
    if (message::has_line_break(c.prefix)) throw UsageError{"--prefix contains a line break"};
    if (c.prefix.size() > 200) throw UsageError{"--prefix is longer than 200 characters"};
    c.check_frequency = seconds_opt(r, "check-frequency", 0.01, 3600);
    c.max_checks = r["max-checks"].as<int>();
    if (c.max_checks < 1 || c.max_checks > 100000) throw UsageError{"--max-checks must be 1-100000"};

    c.smtp = {host_of(r, "smtp-host"), port_of(r, "smtp-port"), tls_of(r, "smtp-tls")};
    if (auto d = mx_domain(c.smtp.host, c.email_to)) {
      if (auto p = net::host_problem(*d); !p.empty()) throw UsageError{"--smtp-host mx: domain " + p};
      c.mx_domain = *d;
      if (!r.count("smtp-port")) c.smtp.port = 25;  // MX delivery is port 25 (RFC 5321 §4.5.4.1)
    }
    if (r.count("dns-server")) {
      c.dns_server = r["dns-server"].as<std::string>();
      std::string a;
      int port = 0;
      if (!dns::parse_dns_server(c.dns_server, a, port)) throw UsageError{"--dns-server must be IPv4[:port]"};
    }
    c.imap = {host_of(r, "imap-host"), port_of(r, "imap-port"), tls_of(r, "imap-tls")};
    if (r.count("smtp-username")) c.smtp_creds.username = r["smtp-username"].as<std::string>();
    c.smtp_creds.password = password_of(r, "smtp", getenv_fn, out.warnings);
    if (!r.count("imap-username") || r["imap-username"].as<std::string>().empty())
      throw UsageError{"--imap-username is required"};
    c.imap_creds.username = r["imap-username"].as<std::string>();
    c.imap_creds.password = password_of(r, "imap", getenv_fn, out.warnings);
    if (c.imap_creds.password.empty())
      throw UsageError{"no IMAP password: give --imap-password-file, MAILPROBE_IMAP_PASSWORD_FILE or MAILPROBE_IMAP_PASSWORD"};
    if (c.smtp_creds.present() && c.smtp_creds.password.empty())
      throw UsageError{"--smtp-username given but no SMTP password"};
    for (const auto* cr : {&c.smtp_creds, &c.imap_creds})
      if (message::has_line_break(cr->username) || message::has_line_break(cr->password))
        throw UsageError{"a username or password contains a line break"};
    if (c.smtp.tls == net::TlsMode::none && c.smtp_creds.present())
      out.warnings.push_back("SMTP credentials will cross the network unencrypted (--smtp-tls none)");
    if (c.imap.tls == net::TlsMode::none)
      out.warnings.push_back("IMAP credentials will cross the network unencrypted (--imap-tls none)");

    c.mailbox = r["imap-mailbox"].as<std::string>();
    if (auto p = mailbox_problem(c.mailbox); !p.empty()) throw UsageError{"--imap-mailbox " + p};
    c.junk_mailbox = r["junk-mailbox"].as<std::string>();
    if (auto p = mailbox_problem(c.junk_mailbox); !p.empty()) throw UsageError{"--junk-mailbox " + p};
    c.junk_is_failure = r.count("junk-is-failure") > 0;
    if (r.count("bounce-imap-username")) {
      c.bounce_creds.username = r["bounce-imap-username"].as<std::string>();
      c.bounce_creds.password = password_of(r, "bounce-imap", getenv_fn, out.warnings);
      if (c.bounce_creds.username.empty() || c.bounce_creds.password.empty())
        throw UsageError{"--bounce-imap-username needs a password (--bounce-imap-password-file or MAILPROBE_BOUNCE_IMAP_PASSWORD_FILE)"};
      if (message::has_line_break(c.bounce_creds.username) || message::has_line_break(c.bounce_creds.password))
        throw UsageError{"a username or password contains a line break"};
    }
    if (r.count("state-file")) {
      c.state_file = r["state-file"].as<std::string>();
      if (c.state_file.empty()) throw UsageError{"--state-file is empty"};
    }
    c.lost_after = std::chrono::duration_cast<std::chrono::seconds>(seconds_opt(r, "lost-after", 1, 86400.0 * 365));
    if (r.count("ca-file")) {
      c.tls.ca_file = r["ca-file"].as<std::string>();
      if (auto p = tls::ca_file_problem(c.tls.ca_file); !p.empty())
        throw UsageError{file_message("--ca-file", c.tls.ca_file, p)};
    }
    c.tls.insecure = r.count("insecure") > 0;
    if (c.tls.insecure) out.warnings.push_back("--insecure: server certificates are NOT verified");
    if (r.count("helo")) {
      c.helo = r["helo"].as<std::string>();
      if (auto p = helo_problem(c.helo); !p.empty()) throw UsageError{"--helo " + p};
    }
    c.timeout = seconds_opt(r, "timeout", 0.1, 86400);
    c.cleanup = r.count("no-cleanup") == 0;
    c.verbose = r.count("verbose") > 0;

    std::string fmt = r.count("output-format") ? r["output-format"].as<std::string>() : (stdout_is_tty ? "text" : "json");
    if (fmt == "json") c.format = OutputFormat::json;
    else if (fmt == "influx") c.format = OutputFormat::influx;
    else if (fmt == "text") c.format = OutputFormat::text;
    else if (fmt == "prometheus") c.format = OutputFormat::prometheus;
    else if (fmt == "nagios") c.format = OutputFormat::nagios;
    else throw UsageError{"--output-format must be json, influx, text, prometheus or nagios, got '" + fmt + "'"};
    std::string schema = r["schema"].as<std::string>();
    if (schema == "standard") c.schema = Schema::standard;
    else if (schema == "legacy") c.schema = Schema::legacy;
    else throw UsageError{"--schema must be standard or legacy, got '" + schema + "'"};
    if (c.schema == Schema::legacy && c.format != OutputFormat::influx)
      throw UsageError{"--schema legacy applies to --output-format influx only"};
    if (r.count("textfile")) {
      c.textfile = r["textfile"].as<std::string>();
      if (c.format != OutputFormat::prometheus) throw UsageError{"--textfile needs --output-format prometheus"};
      if (c.textfile.size() < 6 || c.textfile.substr(c.textfile.size() - 5) != ".prom")
        throw UsageError{"--textfile must end in .prom (node_exporter reads only *.prom)"};
      if (auto p = writable_dir_problem(c.textfile); !p.empty()) throw UsageError{"cannot write --textfile: " + p};
    }
    if (r.count("warning")) c.warning = r["warning"].as<std::string>();
    if (r.count("critical")) c.critical = r["critical"].as<std::string>();
    out.execd = r.count("execd") > 0;
    c.live_progress = stderr_is_tty && !out.execd;
  } catch (const UsageError& e) {
    error = e.what;
    return std::nullopt;
  } catch (const cxxopts::exceptions::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  return out;
}

}  // namespace mailprobe::check
