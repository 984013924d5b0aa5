#include "cli/imap_flags.hpp"

#include <fstream>

#include "cli/option_values.hpp"
#include "core/file_check.hpp"
#include "tls/ca_file.hpp"
#include "message/address.hpp"

namespace mailprobe::cli {

void add_imap_options(cxxopts::Options& o) {
  // clang-format off
  o.add_options("IMAP")
    ("imap-host", "IMAP server", cxxopts::value<std::string>())
    ("imap-port", "IMAP port", cxxopts::value<int>()->default_value("143"))
    ("imap-tls", "none, tls (implicit) or starttls (required)", cxxopts::value<std::string>()->default_value("starttls"))
    ("imap-username", "IMAP login", cxxopts::value<std::string>())
    ("imap-password", "IMAP password (visible in ps; prefer the file)", cxxopts::value<std::string>())
    ("imap-password-file", "file holding the IMAP password", cxxopts::value<std::string>())
    ("imap-mailbox", "mailbox", cxxopts::value<std::string>()->default_value("INBOX"));
  o.add_options("TLS")
    ("ca-file", "PEM CA bundle to verify the server with", cxxopts::value<std::string>())
    ("insecure", "do NOT verify certificates (dangerous)");
  // clang-format on
}

ImapFlags parse_imap_flags(const cxxopts::ParseResult& r, const char* (*getenv_fn)(const char*),
                           std::vector<std::string>& warnings) {
  ImapFlags f;
  f.endpoint = {host_of(r, "imap-host"), port_of(r, "imap-port"), tls_of(r, "imap-tls")};
  if (!r.count("imap-username") || r["imap-username"].as<std::string>().empty())
    throw UsageError{"--imap-username is required"};
  f.creds.username = r["imap-username"].as<std::string>();
  f.creds.password = password_of(r, "imap", getenv_fn, warnings);
  if (f.creds.password.empty())
    throw UsageError{"no IMAP password: give --imap-password-file, MAILPROBE_IMAP_PASSWORD_FILE or MAILPROBE_IMAP_PASSWORD"};
  if (message::has_line_break(f.creds.username) || message::has_line_break(f.creds.password))
    throw UsageError{"a username or password contains a line break"};
  if (f.endpoint.tls == net::TlsMode::none)
    warnings.push_back("IMAP credentials will cross the network unencrypted (--imap-tls none)");
  f.mailbox = r["imap-mailbox"].as<std::string>();
  if (f.mailbox.empty() || message::has_line_break(f.mailbox)) throw UsageError{"--imap-mailbox is empty or has a line break"};
  if (r.count("ca-file")) {
    f.tls.ca_file = r["ca-file"].as<std::string>();
    if (auto p = tls::ca_file_problem(f.tls.ca_file); !p.empty())
      throw UsageError{file_message("--ca-file", f.tls.ca_file, p)};
  }
  f.tls.insecure = r.count("insecure") > 0;
  if (f.tls.insecure) warnings.push_back("--insecure: server certificates are NOT verified");
  return f;
}

}  // namespace mailprobe::cli
