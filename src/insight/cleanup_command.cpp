// `mailprobe cleanup`: delete old probes, and only old probes, from the
// watched mailbox and the Junk folder. A message is deleted only if (1) a
// HEADER search finds an X-Mailprobe-Token field, (2) its fetched header
// really holds a 32-hex token and (3) its INTERNALDATE is older than
// --older-than at full time precision. Deletion is by UID only (UID EXPUNGE,
// UID MOVE or a \Deleted flag; never EXPUNGE or CLOSE, RFC 3501 §6.4.3).

#include <unistd.h>

#include <cxxopts.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "check/cleanup.hpp"
#include "cli/commands.hpp"
#include "cli/imap_flags.hpp"
#include "cli/option_values.hpp"
#include "core/clock.hpp"
#include "core/exit_code.hpp"
#include "imap/curl_link.hpp"
#include "imap/session.hpp"
#include "insight/junk_mailbox.hpp"
#include "insight/stale_probe.hpp"

namespace mailprobe {

namespace {

struct CleanupConfig {
  cli::ImapFlags imap;
  std::string junk_mailbox;  // "" = discover
  bool no_junk = false;
  std::chrono::seconds older_than{3600};
  bool dry_run = false;
  bool json = true;
  std::chrono::milliseconds timeout{60000};
};

struct MailboxReport {
  std::string mailbox;
  std::string role;      // inbox | junk
  int candidates = 0;    // messages with an X-Mailprobe-Token header
  int found = 0;         // of those: real probes older than --older-than
  int deleted = 0;
  std::string action = "none";  // expunged | expunged_checked | moved_to_trash | flagged | dry_run | none | failed
  std::string error;
};

struct CleanupReport {
  WallClock::time_point time{};
  std::string server;
  std::vector<MailboxReport> mailboxes;
  std::optional<Failure> failure;
};

const char* real_getenv(const char* n) { return std::getenv(n); }

void logout(imap::Session& s) {
  auto bound = Deadline::in(std::chrono::milliseconds(2000));
  (void)s.command("LOGOUT", bound, Stage::done);
}

/// One mailbox: SELECT (EXAMINE when dry), search, fetch, decide, delete.
MailboxReport sweep(imap::Session& s, const std::string& mailbox, const std::string& role,
                    const std::set<std::string>& caps, const CleanupConfig& cfg, const Deadline& dl) {
  MailboxReport m;
  m.mailbox = mailbox;
  m.role = role;
  auto quoted = imap::astring(mailbox);
  if (!quoted) {
    m.action = "failed";
    m.error = "mailbox name needs a literal";
    return m;
  }
  auto sel = s.command((cfg.dry_run ? "EXAMINE " : "SELECT ") + *quoted, dl, Stage::imap_select);
  if (!sel) {
    m.action = "failed";
    m.error = sel.error().reply_text;
    return m;
  }
  // Presence search (RFC 3501 §6.4.4: HEADER with an empty string matches
  // every message that has the field); the header content is checked below.
  auto found = s.command("UID SEARCH HEADER X-Mailprobe-Token \"\"", dl, Stage::imap_fetch);
  if (!found) {
    m.action = "failed";
    m.error = found.error().reply_text;
    return m;
  }
  std::vector<std::uint32_t> candidates;
  for (const auto& r : found.value())
    if (auto uids = imap::search_result(r)) candidates.insert(candidates.end(), uids->begin(), uids->end());
  m.candidates = static_cast<int>(candidates.size());
  if (candidates.empty()) return m;

  const auto now = WallClock::now();
  std::vector<std::uint32_t> stale;
  std::set<std::uint32_t> wanted(candidates.begin(), candidates.end());
  constexpr std::size_t kChunk = 200;
  for (std::size_t i = 0; i < candidates.size(); i += kChunk) {
    std::vector<std::uint32_t> part(candidates.begin() + static_cast<std::ptrdiff_t>(i),
                                    candidates.begin() + static_cast<std::ptrdiff_t>(std::min(candidates.size(), i + kChunk)));
    auto fetched = s.command("UID FETCH " + check::uid_set(part) + " " + std::string(insight::kStaleFetchItems), dl,
                             Stage::imap_fetch);
    if (!fetched) {
      m.action = "failed";
      m.error = fetched.error().reply_text;
      return m;
    }
    for (const auto& r : fetched.value()) {
      auto p = insight::read_fetched_probe(r);
      // Only UIDs the search returned: unsolicited FETCHes (flag changes
      // from another client) never widen the set.
      if (!p || !wanted.count(p->uid)) continue;
      if (insight::is_stale_probe(*p, now, cfg.older_than)) {
        stale.push_back(p->uid);
        wanted.erase(p->uid);
      }
    }
  }
  m.found = static_cast<int>(stale.size());
  if (stale.empty()) return m;
  if (cfg.dry_run) {
    m.action = "dry_run";
    return m;
  }
  auto res = check::delete_probes(s, stale, caps, dl);
  m.action = res.action;
  m.error = res.error;
  if (res.action != "failed") m.deleted = m.found;
  return m;
}

CleanupReport run_cleanup(const CleanupConfig& cfg) {
  CleanupReport rep;
  rep.time = WallClock::now();
  rep.server = cfg.imap.endpoint.authority();
  const Deadline dl = Deadline::in(cfg.timeout);
  imap::LinkInfo li;
  auto link = imap::CurlLink::open(cfg.imap.endpoint, cfg.imap.tls, cfg.imap.creds, dl, li);
  if (!link) {
    rep.failure = link.error();
    return rep;
  }
  imap::Session s(*link.value());
  auto caps_rs = s.command("CAPABILITY", dl, Stage::imap_login);
  if (!caps_rs) {
    rep.failure = caps_rs.error();
    return rep;
  }
  std::set<std::string> caps;
  for (const auto& r : caps_rs.value())
    if (auto c = imap::capabilities(r)) caps.insert(c->begin(), c->end());

  std::string junk = cfg.junk_mailbox;
  if (junk.empty() && !cfg.no_junk) {
    auto list = s.command("LIST \"\" \"*\"", dl, Stage::imap_select);
    if (!list) {
      rep.failure = list.error();
      logout(s);
      return rep;
    }
    std::vector<imap::ListEntry> entries;
    for (const auto& r : list.value())
      if (auto e = imap::list_entry(r)) entries.push_back(std::move(*e));
    junk = insight::choose_junk_mailbox(entries);
  }
  rep.mailboxes.push_back(sweep(s, cfg.imap.mailbox, "inbox", caps, cfg, dl));
  if (!junk.empty() && junk != cfg.imap.mailbox) rep.mailboxes.push_back(sweep(s, junk, "junk", caps, cfg, dl));
  for (const auto& m : rep.mailboxes)
    if (m.action == "failed" && !rep.failure)
      rep.failure = Failure(Stage::cleanup, Result::protocol_error, m.mailbox + ": " + m.error);
  logout(s);
  return rep;
}

std::string render_json(const CleanupReport& rep, const CleanupConfig& cfg) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  int found = 0, deleted = 0;
  for (const auto& m : rep.mailboxes) {
    found += m.found;
    deleted += m.deleted;
  }
  w.StartObject();
  w.Key("command");
  w.String("cleanup");
  w.Key("time");
  w.String(iso8601_utc(rep.time).c_str());
  w.Key("success");
  w.Bool(!rep.failure);
  w.Key("result");
  w.String(std::string(to_string(rep.failure ? rep.failure->result : Result::success)).c_str());
  w.Key("result_code");
  w.Int(result_code(rep.failure ? rep.failure->result : Result::success));
  if (rep.failure) {
    w.Key("stage");
    w.String(std::string(to_string(rep.failure->stage)).c_str());
    w.Key("error");
    w.String(rep.failure->reply_text.c_str());
  }
  w.Key("imap_server");
  w.String(rep.server.c_str());
  w.Key("dry_run");
  w.Bool(cfg.dry_run);
  w.Key("older_than_seconds");
  w.Int64(cfg.older_than.count());
  w.Key("found");
  w.Int(found);
  w.Key("deleted");
  w.Int(deleted);
  w.Key("mailboxes");
  w.StartArray();
  for (const auto& m : rep.mailboxes) {
    w.StartObject();
    w.Key("mailbox");
    w.String(m.mailbox.c_str());
    w.Key("role");
    w.String(m.role.c_str());
    w.Key("candidates");
    w.Int(m.candidates);
    w.Key("found");
    w.Int(m.found);
    w.Key("deleted");
    w.Int(m.deleted);
    w.Key("action");
    w.String(m.action.c_str());
    if (!m.error.empty()) {
      w.Key("error");
      w.String(m.error.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

std::string render_text(const CleanupReport& rep, const CleanupConfig& cfg) {
  std::string out = "mailprobe cleanup: ";
  out += rep.failure ? "FAILED (" + std::string(to_string(rep.failure->result)) + " at " +
                           std::string(to_string(rep.failure->stage)) + ": " + rep.failure->reply_text + ")"
                     : std::string("ok");
  out += cfg.dry_run ? " [dry run]\n" : "\n";
  for (const auto& m : rep.mailboxes) {
    out += "  " + m.mailbox + " (" + m.role + "): " + std::to_string(m.found) + " old probe(s) of " +
           std::to_string(m.candidates) + " with a token header, " + std::to_string(m.deleted) + " deleted (" +
           m.action + ")\n";
  }
  return out;
}

}  // namespace

int run_cleanup_command(int argc, char** argv) {
  cxxopts::Options o("mailprobe cleanup",
                     "Delete old mailprobe probes (X-Mailprobe-Token header, INTERNALDATE older than\n"
                     "--older-than) from the mailbox and its Junk folder. Nothing else is touched.");
  cli::add_imap_options(o);
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
  CleanupConfig cfg;
  std::vector<std::string> warnings;
  try {
    auto r = o.parse(argc, argv);
    if (!r.unmatched().empty()) throw cli::UsageError{"unexpected argument '" + r.unmatched().front() + "'"};
    if (r.count("help")) {
      std::fputs(o.help().c_str(), stdout);
      return 0;
    }
    cfg.imap = cli::parse_imap_flags(r, real_getenv, warnings);
    if (r.count("junk-mailbox")) {
      cfg.junk_mailbox = r["junk-mailbox"].as<std::string>();
      if (cfg.junk_mailbox.empty() || !imap::astring(cfg.junk_mailbox))
        throw cli::UsageError{"--junk-mailbox is empty or has characters that need a literal"};
    }
    cfg.no_junk = r.count("no-junk") > 0;
    if (cfg.no_junk && !cfg.junk_mailbox.empty()) throw cli::UsageError{"give only one of --junk-mailbox and --no-junk"};
    double older = r["older-than"].as<double>();
    if (!std::isfinite(older) || older < 0 || older > 10.0 * 365 * 86400)
      throw cli::UsageError{"--older-than must be 0 to 315360000 seconds"};
    cfg.older_than = std::chrono::seconds(static_cast<long long>(std::ceil(older)));
    double timeout = r["timeout"].as<double>();
    if (!std::isfinite(timeout) || timeout < 0.1 || timeout > 86400)
      throw cli::UsageError{"--timeout must be 0.1 to 86400 seconds"};
    cfg.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(timeout * 1000)));
    cfg.dry_run = r.count("dry-run") > 0;
    std::string fmt = r.count("output-format") ? r["output-format"].as<std::string>()
                                               : (isatty(STDOUT_FILENO) ? "text" : "json");
    if (fmt == "json") cfg.json = true;
    else if (fmt == "text") cfg.json = false;
    else throw cli::UsageError{"--output-format must be json or text, got '" + fmt + "'"};
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "mailprobe cleanup: %s\n", e.what.c_str());
    return to_int(ExitCode::usage);
  } catch (const cxxopts::exceptions::exception& e) {
    std::fprintf(stderr, "mailprobe cleanup: %s\n", e.what());
    return to_int(ExitCode::usage);
  }
  for (const auto& w : warnings) std::fprintf(stderr, "mailprobe: warning: %s\n", w.c_str());
  CleanupReport rep = run_cleanup(cfg);
  std::string out = cfg.json ? render_json(rep, cfg) : render_text(rep, cfg);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return to_int(rep.failure ? ExitCode::check_failed : ExitCode::ok);
}

}  // namespace mailprobe
