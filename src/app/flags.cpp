#include "app/flags.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/usage_error.hpp"
#include "core/ascii.hpp"
#include "core/file_check.hpp"
#include "core/usage_text.hpp"
#include "net/ca_store.hpp"
#include "message/address.hpp"

namespace mailprobe::app {

cxxopts::ParseResult parse_flags(cxxopts::Options& o, int argc, char** argv) {
  try {
    return o.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    throw UsageError(usage_text(e.what(), long_options_in_help(o.help()), args));
  }
}

const char* real_getenv(const char* name) { return std::getenv(name); }

std::string read_secret_file(const std::string& path, const char* what) {
  if (auto p = readable_file_problem(path); !p.empty()) throw UsageError(file_message(what, path, p));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(std::string("cannot read ") + what + " '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  // Strip exactly one trailing newline (LF or CRLF), as `echo secret > file` adds one.
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (s.empty()) throw UsageError(std::string(what) + " '" + path + "' is empty");
  if (message::has_line_break(s)) throw UsageError(std::string(what) + " '" + path + "' has more than one line");
  return s;
}

int port_of(const cxxopts::ParseResult& r, const char* name) {
  int p = r[name].as<int>();
  if (p < 1 || p > 65535) throw UsageError(std::string("--") + name + " must be 1-65535, got " + std::to_string(p));
  return p;
}

net::TlsMode tls_of(const cxxopts::ParseResult& r, const char* name) {
  auto m = net::parse_tls_mode(r[name].as<std::string>());
  if (!m) throw UsageError(std::string("--") + name + " must be none, tls or starttls, got '" +
                           r[name].as<std::string>() + "'");
  return *m;
}

std::string host_of(const cxxopts::ParseResult& r, const char* name) {
  if (!r.count(name)) throw UsageError(std::string("--") + name + " is required");
  std::string h = r[name].as<std::string>();
  if (h.rfind("mx:", 0) == 0) return h;
  if (auto p = net::host_problem(h); !p.empty()) throw UsageError(std::string("--") + name + " " + p);
  return h;
}

std::string password_of(const cxxopts::ParseResult& r, const std::string& leg, GetenvFn env,
                        std::vector<std::string>& warnings) {
  std::string file_opt = leg + "-password-file";
  std::string arg_opt = leg + "-password";
  std::string upper = ascii_upper(leg);  // "bounce-imap" -> "BOUNCE_IMAP"
  for (char& c : upper)
    if (c == '-') c = '_';
  if (r.count(file_opt) && r.count(arg_opt))
    throw UsageError("give only one of --" + arg_opt + " and --" + file_opt);
  if (r.count(file_opt)) return read_secret_file(r[file_opt].as<std::string>(), ("--" + file_opt).c_str());
  if (r.count(arg_opt)) {
    warnings.push_back("--" + arg_opt + " puts the password on the command line where `ps` shows it; use --" +
                       file_opt + " or MAILPROBE_" + upper + "_PASSWORD_FILE");
    return r[arg_opt].as<std::string>();
  }
  std::string env_file = "MAILPROBE_" + upper + "_PASSWORD_FILE";
  if (const char* f = env(env_file.c_str()); f && *f) return read_secret_file(f, env_file.c_str());
  std::string env_pw = "MAILPROBE_" + upper + "_PASSWORD";
  if (const char* p = env(env_pw.c_str()); p && *p) return p;
  return {};
}

std::string mailbox_problem(const std::string& m) {
  if (m.empty()) return "is empty";
  for (unsigned char ch : m) {
    if (ch < 0x20 || ch == 0x7f) return "contains a control character";
    if (ch >= 0x80) return "must be ASCII (give the modified UTF-7 name the server lists, e.g. Entw&APw-rfe)";
  }
  return {};
}

void add_imap_flags(cxxopts::Options& o, const char* mailbox_help) {
  // clang-format off
  o.add_options("IMAP")
    ("imap-host", "IMAP server", cxxopts::value<std::string>())
    ("imap-port", "IMAP port", cxxopts::value<int>()->default_value("143"))
    ("imap-tls", "none, tls (implicit) or starttls (required)", cxxopts::value<std::string>()->default_value("starttls"))
    ("imap-username", "IMAP login", cxxopts::value<std::string>())
    ("imap-password", "IMAP password (visible in ps; prefer the file)", cxxopts::value<std::string>())
    ("imap-password-file", "file holding the IMAP password", cxxopts::value<std::string>())
    ("imap-mailbox", mailbox_help, cxxopts::value<std::string>()->default_value("INBOX"));
  // clang-format on
}

ImapFlags parse_imap_flags(const cxxopts::ParseResult& r, GetenvFn env, std::vector<std::string>& warnings,
                           net::SaslMechanism mechanism) {
  ImapFlags f;
  f.endpoint = {host_of(r, "imap-host"), port_of(r, "imap-port"), tls_of(r, "imap-tls")};
  if (!r.count("imap-username") || r["imap-username"].as<std::string>().empty())
    throw UsageError("--imap-username is required");
  f.creds.username = r["imap-username"].as<std::string>();
  f.creds.mechanism = mechanism;
  if (!f.creds.oauth()) f.creds.password = password_of(r, "imap", env, warnings);
  if (!f.creds.oauth() && f.creds.password.empty())
    throw UsageError("no IMAP password: give --imap-password-file, MAILPROBE_IMAP_PASSWORD_FILE or MAILPROBE_IMAP_PASSWORD");
  if (message::has_line_break(f.creds.username) || message::has_line_break(f.creds.password))
    throw UsageError("a username or password contains a line break");
  if (f.endpoint.tls == net::TlsMode::none)
    warnings.push_back("IMAP credentials will cross the network unencrypted (--imap-tls none)");
  f.mailbox = r["imap-mailbox"].as<std::string>();
  if (auto p = mailbox_problem(f.mailbox); !p.empty()) throw UsageError("--imap-mailbox " + p);
  return f;
}

void add_tls_flags(cxxopts::Options& o, const char* group, const char* ca_help, const char* insecure_help) {
  o.add_options(group)("ca-file", ca_help, cxxopts::value<std::string>())("insecure", insecure_help);
}

net::TlsPolicy parse_tls_flags(const cxxopts::ParseResult& r, std::vector<std::string>& warnings,
                               const char* insecure_warning) {
  net::TlsPolicy t;
  if (r.count("ca-file")) {
    t.ca_file = r["ca-file"].as<std::string>();
    if (auto p = net::ca_file_problem(t.ca_file); !p.empty()) throw UsageError(file_message("--ca-file", t.ca_file, p));
  }
  t.insecure = r.count("insecure") > 0;
  if (t.insecure && insecure_warning && *insecure_warning) warnings.push_back(insecure_warning);
  return t;
}

report::OutputFormat output_format_of(const cxxopts::ParseResult& r, std::initializer_list<report::OutputFormat> offered,
                                      report::OutputFormat fallback) {
  if (!r.count("output-format")) return fallback;
  std::string text = r["output-format"].as<std::string>();
  auto f = report::parse_output_format(text);
  for (auto o : offered)
    if (f && *f == o) return o;
  std::string list;  // "json, influx or text"
  std::size_t i = 0;
  for (auto o : offered) {
    if (i > 0) list += i + 1 == offered.size() ? " or " : ", ";
    list += report::to_string(o);
    ++i;
  }
  throw UsageError("--output-format must be " + list + ", got '" + text + "'");
}

}  // namespace mailprobe::app
