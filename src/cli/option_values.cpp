#include "cli/option_values.hpp"

#include <cctype>

#include <fstream>
#include <sstream>

#include "core/file_check.hpp"
#include "message/address.hpp"

namespace mailprobe::cli {

std::string read_secret_file(const std::string& path, const char* what) {
  if (auto p = readable_file_problem(path); !p.empty()) throw UsageError{file_message(what, path, p)};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError{std::string("cannot read ") + what + " '" + path + "'"};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  // Strip exactly one trailing newline (LF or CRLF), as `echo secret > file` adds one.
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (s.empty()) throw UsageError{std::string(what) + " '" + path + "' is empty"};
  if (message::has_line_break(s)) throw UsageError{std::string(what) + " '" + path + "' has more than one line"};
  return s;
}

int port_of(const cxxopts::ParseResult& r, const char* name) {
  int p = r[name].as<int>();
  if (p < 1 || p > 65535) throw UsageError{std::string("--") + name + " must be 1-65535, got " + std::to_string(p)};
  return p;
}

net::TlsMode tls_of(const cxxopts::ParseResult& r, const char* name) {
  auto m = net::parse_tls_mode(r[name].as<std::string>());
  if (!m) throw UsageError{std::string("--") + name + " must be none, tls or starttls, got '" +
                           r[name].as<std::string>() + "'"};
  return *m;
}

std::string host_of(const cxxopts::ParseResult& r, const char* name) {
  if (!r.count(name)) throw UsageError{std::string("--") + name + " is required"};
  std::string h = r[name].as<std::string>();
  if (h.rfind("mx:", 0) == 0) return h;  // check's MX mode: the domain is validated where it is used
  if (auto p = net::host_problem(h); !p.empty()) throw UsageError{std::string("--") + name + " " + p};
  return h;
}

std::string password_of(const cxxopts::ParseResult& r, const std::string& leg, const char* (*env)(const char*),
                        std::vector<std::string>& warnings) {
  std::string file_opt = leg + "-password-file";
  std::string arg_opt = leg + "-password";
  std::string upper;  // "bounce-imap" -> "BOUNCE_IMAP"
  for (char c : leg) upper.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (r.count(file_opt) && r.count(arg_opt))
    throw UsageError{"give only one of --" + arg_opt + " and --" + file_opt};
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

}  // namespace mailprobe::cli
