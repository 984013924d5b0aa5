#include "app/probe_options.hpp"

#include <cxxopts.hpp>
#include <rapidjson/document.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/flags.hpp"
#include "app/usage_error.hpp"
#include "core/ascii.hpp"
#include "dns/resolver.hpp"
#include "net/endpoint.hpp"

namespace mailprobe::app {

namespace {

using report::OutputFormat;

[[noreturn]] void usage(const std::string& msg) { throw UsageError(msg); }

struct SeedInput {
  std::string target_host, target_port, send_email_flag;
};

/// Seed 000's input object: every value is a string in the seed; a port may
/// also be an integer and the flag a boolean. Anything else is a usage error.
SeedInput read_seed_input(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) usage("cannot read --seed-input " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) usage("seed input is not valid JSON");
  if (!doc.IsObject()) usage("seed input must be a JSON object");
  SeedInput out;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    const auto& v = it->value;
    if (key == "target_host") {
      if (!v.IsString()) usage("seed input target_host must be a string");
      out.target_host.assign(v.GetString(), v.GetStringLength());
      if (out.target_host.empty()) usage("seed input target_host is empty");
    } else if (key == "target_port") {
      if (v.IsString()) out.target_port.assign(v.GetString(), v.GetStringLength());
      else if (v.IsInt()) out.target_port = std::to_string(v.GetInt());
      else usage("seed input target_port must be a string (or an integer)");
      if (out.target_port.empty()) usage("seed input target_port is empty");
    } else if (key == "send_email_flag") {
      if (v.IsString()) out.send_email_flag.assign(v.GetString(), v.GetStringLength());
      else if (v.IsBool()) out.send_email_flag = v.GetBool() ? "true" : "false";
      else usage("seed input send_email_flag must be \"True\" or \"False\"");
    } else {
      usage("seed input has an unknown key '" + key + "'");
    }
  }
  if (out.target_host.empty()) usage("seed input lacks target_host");
  return out;
}

}  // namespace

bool valid_host(std::string_view host) { return net::host_problem(host).empty(); }

std::optional<int> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1 || v > 65535) return std::nullopt;
  return v;
}

TlsMode default_tls(Mode mode, int port) {
  if (mode == Mode::imap) return port == 993 ? TlsMode::tls : TlsMode::starttls;
  return port == 465 ? TlsMode::tls : TlsMode::starttls;
}

int default_port(Mode mode, TlsMode tls) {
  if (mode == Mode::imap) return tls == TlsMode::tls ? 993 : 143;
  return tls == TlsMode::tls ? 465 : 25;
}

std::optional<bool> parse_flag(std::string_view text) {
  std::string t = ascii_lower(text);
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no") return false;
  return std::nullopt;
}

namespace {

void declare(cxxopts::Options& spec) {
  // clang-format off
  spec.add_options()
    ("mode", "smtp, imap or mx", cxxopts::value<std::string>())
    ("target", "mx: the domain", cxxopts::value<std::string>())
    ("H,host", "target host name or IP address", cxxopts::value<std::string>())
    ("target-host", "alias of --host (seed input name)", cxxopts::value<std::string>())
    ("p,port", "target port (SMTP 25, IMAP 143 by default; 465/993 for --tls tls)", cxxopts::value<std::string>())
    ("target-port", "alias of --port (seed input name)", cxxopts::value<std::string>())
    ("tls", "none, tls (implicit) or starttls; default by port", cxxopts::value<std::string>())
    ("t,timeout", "seconds for the connect and for each server reply", cxxopts::value<double>()->default_value("5"))
    ("ca-file", "PEM file of CAs to verify the server certificate against", cxxopts::value<std::string>())
    ("insecure", "report but do not fail on an unverifiable certificate")
    ("warn-days", "fail with cert_expiring when the certificate expires within N days (0 = off)", cxxopts::value<int>()->default_value("14"))
    ("output-format", "json, influx, text or prometheus (text on a terminal, else json)", cxxopts::value<std::string>())
    ("schema", "standard, or seed for the exact seed 000 JSON shape", cxxopts::value<std::string>()->default_value("standard"))
    ("ehlo-name", "name sent with EHLO (default: this host's name)", cxxopts::value<std::string>())
    ("username", "IMAP: log in (timed LOGIN); SMTP: AUTH for --send-email-flag only. Only over a verified TLS channel, or in plaintext with --tls none (warned)", cxxopts::value<std::string>())
    ("password-file", "file holding the password (else $MAILPROBE_PASSWORD)", cxxopts::value<std::string>())
    ("send-email-flag", "true: after the health steps send one probe message (seed input)", cxxopts::value<std::string>()->default_value("false"))
    ("email-from", "envelope/header From for --send-email-flag", cxxopts::value<std::string>())
    ("email-to", "envelope/header To for --send-email-flag", cxxopts::value<std::string>())
    ("dns-server", "mx: ask this DNS server (IPv4[:port]) instead of /etc/resolv.conf", cxxopts::value<std::string>())
    ("mx-port", "mx: SMTP port probed on each exchange", cxxopts::value<std::string>()->default_value("25"))
    ("seed-input", "read target_host, target_port, send_email_flag from a seed input JSON file ('-' = stdin)", cxxopts::value<std::string>())
    ("h,help", "show this help");
  // clang-format on
  add_policy_flags(spec);
}

/// Mode, target host (argv or seed input), port and TLS mode. Returns the
/// seed input (empty without --seed-input).
SeedInput parse_target(const cxxopts::ParseResult& args, Options& o) {
  if (!args.count("mode")) usage("missing mode: smtp, imap or mx");
  SeedInput seed;
  if (args.count("seed-input")) {
    seed = read_seed_input(args["seed-input"].as<std::string>());
    for (const char* k : {"host", "target-host", "port", "target-port", "send-email-flag"})
      if (args.count(k) && !(std::string(k) == "send-email-flag" && seed.send_email_flag.empty()))
        usage(std::string("--") + k + " conflicts with --seed-input");
  }
  std::string mode = args["mode"].as<std::string>();
  if (mode == "smtp") o.mode = Mode::smtp;
  else if (mode == "imap") o.mode = Mode::imap;
  else if (mode == "mx") o.mode = Mode::mx;
  else usage("unknown mode '" + mode + "' (smtp, imap or mx)");

  if (args.count("host") && args.count("target-host")) usage("give --host or --target-host, not both");
  if (o.mode == Mode::mx) {
    if (!args.count("target")) usage("mx needs a domain: mailprobe probe mx DOMAIN");
    o.host = args["target"].as<std::string>();
  } else {
    if (args.count("target")) usage("unexpected argument '" + args["target"].as<std::string>() + "'");
    if (!seed.target_host.empty()) o.host = seed.target_host;
    else if (args.count("host")) o.host = args["host"].as<std::string>();
    else if (args.count("target-host")) o.host = args["target-host"].as<std::string>();
    else if (!args.count("seed-input")) usage("missing --host");
  }
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  if (!valid_host(o.host)) usage("invalid host: " + o.host + " " + net::host_problem(o.host));

  std::optional<TlsMode> tls;
  if (args.count("tls")) {
    tls = net::parse_tls_mode(args["tls"].as<std::string>());
    if (!tls) usage("--tls must be none, tls or starttls");
  }
  if (args.count("port") && args.count("target-port")) usage("give --port or --target-port, not both");
  std::optional<int> port;
  if (!seed.target_port.empty()) {
    port = parse_port(seed.target_port);
    if (!port) usage("seed input target_port must be a port number from 1 to 65535");
  }
  for (const char* key : {"port", "target-port"}) {
    if (!args.count(key)) continue;
    port = parse_port(args[key].as<std::string>());
    if (!port) usage("port must be a number from 1 to 65535");
  }
  if (o.mode == Mode::mx) {
    if (port || tls) usage("mx probes each exchange with STARTTLS on --mx-port (25); --port and --tls do not apply");
    o.port = 25;
    o.tls = TlsMode::starttls;
  } else {
    o.tls = tls ? *tls : default_tls(o.mode, port.value_or(o.mode == Mode::imap ? 143 : 25));
    o.port = port ? *port : default_port(o.mode, o.tls);
  }

  return seed;
}

/// MX settings, timeout and certificate policy.
void parse_transport(const cxxopts::ParseResult& args, Options& o) {
  if (args.count("dns-server") || args["mx-port"].as<std::string>() != "25") {
    if (o.mode != Mode::mx && !(args.count("policy") && args["mx-port"].as<std::string>() == "25"))
      usage("--dns-server applies to probe mx and --policy; --mx-port to probe mx only");
  }
  if (args.count("dns-server")) {
    o.dns_server = args["dns-server"].as<std::string>();
    std::string addr;
    int dport = 0;
    if (!dns::parse_dns_server(o.dns_server, addr, dport)) usage("--dns-server must be IPv4[:port]");
  }
  if (auto mp = parse_port(args["mx-port"].as<std::string>())) o.mx_port = *mp;
  else usage("--mx-port must be a number from 1 to 65535");
  if (o.mode == Mode::mx) o.port = o.mx_port;

  double t = args["timeout"].as<double>();
  if (!(t > 0 && t <= 600)) usage("--timeout must be between 0 and 600 seconds");
  o.timeout = std::chrono::milliseconds(static_cast<long>(t * 1000));
  std::vector<std::string> no_warnings;  // probe_command prints its own --insecure warning
  net::TlsPolicy tls_policy = parse_tls_flags(args, no_warnings, nullptr);
  o.ca_file = tls_policy.ca_file;
  o.insecure = tls_policy.insecure;
  o.warn_days = args["warn-days"].as<int>();
  if (o.warn_days < 0 || o.warn_days > 3650) usage("--warn-days must be 0..3650");
}

/// --schema seed: the exact seed 000 JSON shape (probe smtp, JSON only);
/// runs after the output format is known.
void parse_schema(const cxxopts::ParseResult& args, Options& o) {
  std::string schema = args["schema"].as<std::string>();
  if (schema == "seed") {
    if (o.mode != Mode::smtp) usage("--schema seed applies to probe smtp only");
    if (args.count("output-format") && o.format != OutputFormat::json)
      usage("--schema seed is JSON only");
    o.schema = Schema::seed;
    o.format = OutputFormat::json;
  } else if (schema != "standard") {
    usage("--schema must be standard or seed");
  }
}

/// EHLO name, credentials and the optional probe message.
void parse_identity(const cxxopts::ParseResult& args, const SeedInput& seed, GetenvFn env, Options& o) {
  o.ehlo_name = args.count("ehlo-name") ? args["ehlo-name"].as<std::string>() : net::local_hostname();
  if (!valid_host(o.ehlo_name)) usage("invalid --ehlo-name");

  if (args.count("username")) {
    if (o.mode == Mode::mx) usage("--username does not apply to probe mx");
    o.username = args["username"].as<std::string>();
    if (args.count("password-file")) {
      o.password = read_secret_file(args["password-file"].as<std::string>(), "--password-file");
    } else if (const char* pw = env("MAILPROBE_PASSWORD")) {
      o.password = pw;
    } else {
      usage("--username needs --password-file or $MAILPROBE_PASSWORD");
    }
  }

  PolicyModeFacts facts{o.mode == Mode::mx, o.mode == Mode::smtp, o.tls == TlsMode::tls, o.schema == Schema::seed};
  o.policy = parse_policy_flags(args, facts);

  auto send = parse_flag(seed.send_email_flag.empty() ? args["send-email-flag"].as<std::string>()
                                                      : seed.send_email_flag);
  if (!send) usage("--send-email-flag must be true or false");
  o.send_email = *send;
  if (o.mode == Mode::smtp && !o.username.empty() && !o.send_email && !o.policy.wants_credentials())
    usage("--username for smtp is only used with --send-email-flag true or --expect auth-refused (health never authenticates)");
  if (o.policy.wants_credentials() && o.username.empty()) usage("--expect auth-refused needs --username and a wrong password");
  if (o.send_email) {
    if (o.mode != Mode::smtp) usage("--send-email-flag applies to probe smtp only");
    if (!args.count("email-from") || !args.count("email-to"))
      usage("--send-email-flag true needs --email-from and --email-to");
    o.email_from = args["email-from"].as<std::string>();
    o.email_to = args["email-to"].as<std::string>();
  }
}

}  // namespace

Options parse_probe_options(int argc, char** argv, bool stdout_is_tty, GetenvFn env) {
  Options o;
  cxxopts::Options spec("mailprobe probe",
                        "SMTP/IMAP service health with TLS and certificate facts, and MX ranking.\n"
                        "  mailprobe probe smtp --host H [--port P] [--tls none|tls|starttls]\n"
                        "  mailprobe probe imap --host H [--port P] [--tls none|tls|starttls]\n"
                        "  mailprobe probe mx DOMAIN");
  declare(spec);
  spec.parse_positional({"mode", "target"});
  spec.positional_help("smtp|imap|mx [DOMAIN]");
  cxxopts::ParseResult args = spec.parse(argc, argv);
  if (args.count("help")) {
    o.help = true;
    o.help_text = spec.help();
    return o;
  }
  SeedInput seed = parse_target(args, o);
  parse_transport(args, o);
  o.format = output_format_of(args,
                              {OutputFormat::json, OutputFormat::influx, OutputFormat::text, OutputFormat::prometheus},
                              stdout_is_tty ? OutputFormat::text : OutputFormat::json);
  parse_schema(args, o);
  parse_identity(args, seed, env, o);
  return o;
}

}  // namespace mailprobe::app
