// `mailprobe serve`: the embedded loopback SMTP + IMAP test server as a
// process. Parses the command line into ServerOptions, starts the Server,
// prints the bound ports as one JSON line on stdout, and runs until SIGINT or
// SIGTERM, then shuts down cleanly (exit 0).

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "app/flags.hpp"
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/commands.hpp"
#include "app/usage_error.hpp"
#include "core/exit_code.hpp"
#include "serve/server.hpp"

namespace mailprobe::app {

namespace {

std::vector<std::string> all_values(const cxxopts::ParseResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& kv : r.arguments())
    if (kv.key() == name) out.push_back(kv.value());
  return out;
}

std::string ports_json(const serve::Server& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  serve::Ports p = s.ports();
  w.StartObject();
  auto port = [&](const char* k, int v) {
    w.Key(k);
    if (v < 0) {
      w.Null();
    } else {
      w.Int(v);
    }
  };
  port("smtp", p.smtp);
  port("smtps", p.smtps);
  port("imap", p.imap);
  port("imaps", p.imaps);
  w.Key("ca_file");
  std::string ca = s.ca_file();
  if (ca.empty()) {
    w.Null();
  } else {
    w.String(ca.c_str(), static_cast<rapidjson::SizeType>(ca.size()));
  }
  w.Key("pid");
  w.Int(static_cast<int>(::getpid()));
  w.EndObject();
  return buf.GetString();
}

[[noreturn]] void usage_error(const std::string& msg) { throw UsageError(msg + " (try --help)"); }

void declare(cxxopts::Options& opts) {
  // clang-format off
  opts.add_options("Listen")
    ("listen", "address to bind", cxxopts::value<std::string>()->default_value("127.0.0.1"))
    ("smtp-port", "SMTP port", cxxopts::value<int>()->default_value("2525"))
    ("smtps-port", "SMTPS (implicit TLS) port", cxxopts::value<int>()->default_value("4465"))
    ("imap-port", "IMAP port", cxxopts::value<int>()->default_value("1143"))
    ("imaps-port", "IMAPS (implicit TLS) port", cxxopts::value<int>()->default_value("1993"))
    ("hostname", "name in greetings and Received headers", cxxopts::value<std::string>()->default_value("localhost"))
    ("idle-timeout", "SMTP: seconds of client silence before 421", cxxopts::value<int>()->default_value("300"))
    ("imap-idle-timeout", "IMAP: seconds of client silence (IDLE included) before BYE; RFC 3501 wants >= 1800",
        cxxopts::value<int>()->default_value("1800"))
    ("max-size", "largest message in bytes (SIZE)", cxxopts::value<std::size_t>()->default_value("10485760"))
    // Limits (issue 17): caps and time bounds per unit of work.
    ("max-connections", "concurrent sessions (lowered to what the fd limit allows)", cxxopts::value<std::size_t>()->default_value("1000"))
    ("max-connections-per-ip", "concurrent sessions from one address (default: half of --max-connections)", cxxopts::value<std::size_t>())
    ("line-timeout", "seconds from the first to the last byte of a command line", cxxopts::value<int>()->default_value("120"))
    ("data-timeout", "seconds for one DATA body or IMAP command with literals", cxxopts::value<int>()->default_value("600"));
  opts.add_options("Mailboxes")
    ("users-file", "one user per line: name or name:password", cxxopts::value<std::string>())
    ("user", "a user NAME[:PASSWORD] (repeatable; default alice:alice, bob:bob)", cxxopts::value<std::string>())
    ("password", "password for users given without one (default: the name)", cxxopts::value<std::string>())
    ("domain", "accept only these recipient domains (repeatable; default any)", cxxopts::value<std::string>())
    ("maildir", "persist mail as a Maildir++ tree under DIR", cxxopts::value<std::string>());
  opts.add_options("TLS")
    ("no-tls", "plain text only: no STARTTLS, no SMTPS/IMAPS")
    ("tls-cert", "PEM certificate chain (default: generate a self-signed one)", cxxopts::value<std::string>())
    ("tls-key", "PEM private key for --tls-cert", cxxopts::value<std::string>())
    ("tls-cert-out", "write the generated certificate (the CA file for clients) here", cxxopts::value<std::string>())
    ("require-tls", "refuse mail commands and logins before STARTTLS")
    ("require-auth", "refuse MAIL before SMTP AUTH");
  opts.add_options("Faults")
    ("delay-delivery", "MS: accepted mail reaches the mailbox MS later", cxxopts::value<int>())
    ("junk-match", "STRING: mail whose header contains STRING goes to Junk (repeatable)", cxxopts::value<std::string>())
    ("smtp-reply", "'CMD=CODE text': reply this at CMD (GREETING EHLO HELO STARTTLS AUTH MAIL RCPT DATA DOT RSET NOOP VRFY QUIT HELP; repeatable)", cxxopts::value<std::string>())
    ("smtp-drop", "CMD: close the connection when CMD arrives (repeatable)", cxxopts::value<std::string>())
    ("imap-reply", "'CMD=NO text' (or BAD/OK): tagged reply for IMAP CMD, e.g. SELECT, LOGIN, 'UID SEARCH' (repeatable)", cxxopts::value<std::string>())
    ("imap-drop", "CMD: close the IMAP connection when CMD arrives (GREETING too; repeatable)", cxxopts::value<std::string>())
    ("slow-greeting", "MS: wait before the SMTP/IMAP greeting", cxxopts::value<int>())
    ("refuse-auth", "every AUTH / LOGIN / AUTHENTICATE fails")
    ("no-starttls", "do not offer or accept STARTTLS")
    ("no-idle", "do not advertise or accept IMAP IDLE")
    ("quit-delay", "MS: hold the SMTP reply to QUIT (or a closing 421) MS", cxxopts::value<int>())
    ("no-uidplus-move", "do not advertise UIDPLUS or MOVE; MOVE and UID EXPUNGE get BAD")
    ("no-pipelining", "do not advertise SMTP PIPELINING; a client that pipelines anyway gets 554 and is cut off")
    ("no-chunking", "do not advertise SMTP CHUNKING; BDAT gets 502 (the client must send with DATA)")
    ("session-messages", "N: after N accepted messages in one SMTP session, MAIL gets 421 and the connection closes", cxxopts::value<int>());
  opts.add_options("Output")
    ("debug", "print every received message (envelope, headers, body) to stdout")
    ("quiet", "no log lines on stderr")
    ("h,help", "show this help");
  // clang-format on
}

/// Listeners, timeouts, users, TLS and faults; throws UsageError.
serve::ServerOptions parse_serve_options(const cxxopts::ParseResult& r) {
  serve::ServerOptions o;
  if (!r.unmatched().empty()) usage_error("unexpected argument '" + r.unmatched().front() + "'");
  o.listen = r["listen"].as<std::string>();
  o.smtp_port = r["smtp-port"].as<int>();
  o.smtps_port = r["smtps-port"].as<int>();
  o.imap_port = r["imap-port"].as<int>();
  o.imaps_port = r["imaps-port"].as<int>();
  for (int p : {o.smtp_port, o.smtps_port, o.imap_port, o.imaps_port})
    if (p < -1 || p > 65535) usage_error("ports are -1 (off), 0 (any) or 1-65535");
  o.hostname = r["hostname"].as<std::string>();
  int idle = r["idle-timeout"].as<int>();
  if (idle <= 0) usage_error("--idle-timeout must be positive");
  o.idle_timeout = std::chrono::seconds(idle);
  int imap_idle = r["imap-idle-timeout"].as<int>();
  if (imap_idle <= 0) usage_error("--imap-idle-timeout must be positive");
  o.imap_idle_timeout = std::chrono::seconds(imap_idle);
  o.max_message_size = r["max-size"].as<std::size_t>();
  // Limits (issue 17).
  o.max_connections = r["max-connections"].as<std::size_t>();
  if (r.count("max-connections-per-ip")) o.max_connections_per_ip = r["max-connections-per-ip"].as<std::size_t>();
  int line_s = r["line-timeout"].as<int>(), data_s = r["data-timeout"].as<int>();
  if (o.max_connections == 0 || line_s <= 0 || data_s <= 0) usage_error("limits and timeouts must be positive");
  o.line_timeout = std::chrono::seconds(line_s);
  o.data_timeout = std::chrono::seconds(data_s);
  std::string password = r.count("password") ? r["password"].as<std::string>() : std::string();
  if (r.count("users-file")) {
    auto u = serve::Users::load_file(r["users-file"].as<std::string>(), password);
    if (!u) usage_error(u.error().reply_text);
    o.users = u.value();
  } else if (r.count("user")) {
    auto u = serve::Users::from_specs(all_values(r, "user"), password);
    if (!u) usage_error(u.error().reply_text);
    o.users = u.value();
  }
  o.users.set_domains(all_values(r, "domain"));
  if (r.count("maildir")) o.maildir = r["maildir"].as<std::string>();
  o.tls = !r.count("no-tls");
  if (r.count("tls-cert")) o.tls_cert = r["tls-cert"].as<std::string>();
  if (r.count("tls-key")) o.tls_key = r["tls-key"].as<std::string>();
  if (r.count("tls-cert-out")) o.tls_cert_out = r["tls-cert-out"].as<std::string>();
  o.require_tls = r.count("require-tls") > 0;
  o.require_auth = r.count("require-auth") > 0;
  serve::Faults& f = o.faults;
  auto ms = [&](const char* name) {
    int v = r.count(name) ? r[name].as<int>() : 0;
    return std::chrono::milliseconds(v < 0 ? 0 : v);
  };
  f.delay_delivery = ms("delay-delivery");
  f.slow_greeting = ms("slow-greeting");
  f.quit_delay = ms("quit-delay");
  f.junk_match = all_values(r, "junk-match");
  for (const auto& s : all_values(r, "smtp-reply"))
    if (auto st = f.add_smtp_reply(s); !st) usage_error(st.error().reply_text);
  for (const auto& s : all_values(r, "smtp-drop"))
    if (auto st = f.add_smtp_drop(s); !st) usage_error(st.error().reply_text);
  for (const auto& s : all_values(r, "imap-reply"))
    if (auto st = f.add_imap_reply(s); !st) usage_error(st.error().reply_text);
  for (const auto& s : all_values(r, "imap-drop"))
    if (auto st = f.add_imap_drop(s); !st) usage_error(st.error().reply_text);
  f.refuse_auth = r.count("refuse-auth") > 0;
  f.no_starttls = r.count("no-starttls") > 0;
  f.no_idle = r.count("no-idle") > 0;
  f.no_uidplus_move = r.count("no-uidplus-move") > 0;
  f.no_pipelining = r.count("no-pipelining") > 0;
  f.no_chunking = r.count("no-chunking") > 0;
  if (r.count("session-messages")) {
    int n = r["session-messages"].as<int>();
    if (n < 1) usage_error("--session-messages must be at least 1");
    f.session_messages = static_cast<std::size_t>(n);
  }
  if (r.count("debug")) o.debug_out = stdout;
  if (r.count("quiet")) o.log = nullptr;
  return o;
}

}  // namespace

int run_serve_command(int argc, char** argv) {
  cxxopts::Options opts("mailprobe serve",
                        "Embedded loopback SMTP + IMAP test server. Prints one JSON line with the bound\n"
                        "ports, then serves until SIGINT/SIGTERM. Port 0 = any free port, -1 = off.");
  declare(opts);
  auto r = parse_flags(opts, argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << "\nUsers file: '#' comments; a bare name's password is --password or the name.\n"
              << "Example: mailprobe serve --smtp-port 0 --imap-port 0 --smtp-reply 'RCPT=450 4.2.0 try later'\n";
    return to_int(ExitCode::ok);
  }
  serve::ServerOptions o = parse_serve_options(r);

  // Block the stop signals in every thread; this one collects them with sigwait().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = serve::Server::start(std::move(o));
  if (!server) {
    if (server.error().stage == Stage::config) throw UsageError(server.error().reply_text);
    std::fprintf(stderr, "mailprobe serve: %s\n", server.error().reply_text.c_str());
    return to_int(ExitCode::internal);
  }
  std::string line = ports_json(*server.value());
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.value()->stop();
  std::fflush(stdout);
  return to_int(ExitCode::ok);
}

}  // namespace mailprobe::app
